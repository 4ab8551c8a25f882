// XCTest suite for the Swift package, for a machine with Swift (macOS or Linux with the
// XCFramework's library). It needs a devserver:
//
//   cargo run -p banata-devserver -- --port 0        # prints READY <url> and ADMIN_API_KEY <key>
//   BANATA_BASE_URL=<url> BANATA_API_KEY=<key> swift test   (from the repository root)
import XCTest
@testable import BanataAuth

/// `NSLock.withLock` needs macOS 13 / iOS 16; the package supports older systems.
@discardableResult
func locked<T>(_ lock: NSLock, _ body: () throws -> T) rethrows -> T {
    lock.lock()
    defer { lock.unlock() }
    return try body()
}


final class MemoryStore: SessionStore, @unchecked Sendable {
    private let lock = NSLock()
    private var token: String?
    private(set) var saved: [String] = []

    func get() throws -> String? { locked(lock) { token } }
    func set(token: String) throws { locked(lock) { self.token = token; saved.append(token) } }
    func clear() throws { locked(lock) { token = nil } }
    var current: String? { locked(lock) { token } }
}

final class Recorder: EventListener, @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [AuthEvent] = []
    func onEvent(event: AuthEvent) { locked(lock) { seen.append(event) } }
    var types: [String] { locked(lock) { seen.map(\.eventType) } }
}

final class BanataAuthTests: XCTestCase {
    let password = "correct horse battery staple"
    var baseUrl: String { ProcessInfo.processInfo.environment["BANATA_BASE_URL"] ?? "" }
    var apiKey: String? { ProcessInfo.processInfo.environment["BANATA_API_KEY"] }

    override func setUpWithError() throws {
        try XCTSkipIf(baseUrl.isEmpty, "set BANATA_BASE_URL (and BANATA_API_KEY) to a running devserver")
    }

    func uniqueEmail(_ tag: String) -> String { "\(tag)-\(UUID().uuidString.prefix(12).lowercased())@example.com" }

    func testSignUpSessionSignOutSignIn() async throws {
        let client = try BanataClient(baseUrl: baseUrl)
        let email = uniqueEmail("swift")
        let signedUp = try await client.signUpEmail(name: "Ada Swift", email: email, password: password)
        XCTAssertEqual(signedUp.user.email, email)
        let current = try await client.getSession()
        XCTAssertEqual(current?.user.id, signedUp.user.id)
        XCTAssertGreaterThan(current?.session.expiresAt ?? .distantPast, Date())
        try await client.signOut()
        let afterSignOut = try await client.getSession()
        XCTAssertNil(afterSignOut)
        // The result is an enum: a switch must name every case.
        switch try await client.signInEmail(email: email, password: password) {
        case .signedIn(let user, _, _, _):
            XCTAssertEqual(user.id, signedUp.user.id)
        case .verificationRequired(let address, _):
            XCTFail("verification required for \(address)")
        case .secondFactorRequired(let methods):
            XCTFail("a second factor is required: \(methods)")
        }
    }

    func testSessionJwtForTheAppsBackend() async throws {
        let client = try BanataClient(baseUrl: baseUrl)
        _ = try await client.signUpEmail(name: "Jwt Swift", email: uniqueEmail("swift-jwt"), password: password)
        // Concurrent callers share one token (fetched once, kept while it is fresh).
        async let a = client.token()
        async let b = client.token()
        let (first, second) = try await (a, b)
        XCTAssertEqual(first.token.expose(), second.token.expose())
        XCTAssertEqual(first.token.expose().split(separator: ".").count, 3, "a JWT")
        let verified = try await client.verifySessionJwt(token: first.token.expose())
        XCTAssertFalse(verified.userId.isEmpty)
        // Every kind of bad token is refused with its reason. An unsigned or HS256 token is
        // refused by its algorithm before any signature is looked at.
        func b64(_ text: String) -> String {
            Data(text.utf8).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        func signed(_ claims: [String: Any]) async throws -> String {
            let answer = try await devAdmin("POST", "/__dev/sign-jwt", ["claims": claims]) as! [String: Any]
            return answer["token"] as! String
        }
        let now = Int(Date().timeIntervalSince1970)
        let parts = first.token.expose().split(separator: ".").map(String.init)
        let refused: [(String, String)] = [
            ("not.a.jwt", "MALFORMED_TOKEN"),
            (parts[0] + "." + b64(#"{"sub":"someone-else","exp":9999999999}"#) + "." + parts[2], "BAD_SIGNATURE"),
            (try await signed(["sub": "u", "iss": baseUrl, "aud": "convex", "exp": now - 3600]), "TOKEN_EXPIRED"),
            (try await signed(["sub": "u", "iss": baseUrl, "aud": "another-app", "exp": now + 600]), "WRONG_AUDIENCE"),
            (b64(#"{"alg":"none","typ":"JWT"}"#) + "." + parts[1] + ".", "ALGORITHM_NOT_ALLOWED"),
            (b64(#"{"alg":"HS256","typ":"JWT"}"#) + "." + parts[1] + "." + b64("keyed with the public key"), "ALGORITHM_NOT_ALLOWED"),
        ]
        for (token, reason) in refused {
            do {
                _ = try await client.verifySessionJwt(token: token)
                XCTFail("a token that should be \(reason) verified")
            } catch BanataError.InvalidToken(_, _, let code, _, _, _) {
                XCTAssertEqual(code, reason)
            }
        }
        do {
            _ = try await BanataClient(baseUrl: baseUrl).token()
            XCTFail("a token without a session")
        } catch BanataError.Authentication(_, let status, _, _, _, _) {
            XCTAssertEqual(status, 401)
        }
    }

    func testAddonConfig() async throws {
        let admin = try BanataClient(baseUrl: baseUrl, apiKey: apiKey)
        let saved = try await admin.addonsSave(addons: ["stripe": true])
        XCTAssertEqual(saved.addons["stripe"]?.enabled, true)
        let read = try await admin.addonsGet()
        XCTAssertEqual(read, saved)
        _ = try await admin.addonsSave(addons: ["stripe": false])
    }

    func testStripeSeatsFollowAnOrganizationsMembership() async throws {
        let admin = try BanataClient(baseUrl: baseUrl, apiKey: apiKey)
        _ = try await admin.addonsSave(addons: ["stripe": true])
        // Two server-side clients (each with the API key and its own Forwarder): the owner's
        // and the invitee's.
        let owner = try BanataClient(baseUrl: baseUrl, apiKey: apiKey)
        let bob = try BanataClient(baseUrl: baseUrl, apiKey: apiKey)
        let options = ForwardingOptions(fromEnv: false, stripeBaseUrl: baseUrl + "/__sinks/stripe", flushIntervalMs: 50)
        let credentials = ForwardingCredentials(stripeSecretKey: "sk_test_swift_seats")
        let forwarders = try [owner, bob].map { try Forwarder(client: $0, credentials: credentials, options: options) }
        _ = try await owner.signUpEmail(name: "Owner", email: uniqueEmail("swift-seat-owner"), password: password)
        let org = try await owner.organizationsCreate(
            name: "Seats", slug: uniqueEmail("swift-seats"), metadataJson: #"{"stripeSubscriptionItemId":"si_SWIFT_SEATS"}"#)
        XCTAssertEqual(org.members?.first?.role, "super_admin")
        try await forwarders[0].flush(timeoutMs: 10_000)
        let bobEmail = uniqueEmail("swift-seat-bob")
        let invitation = try await owner.organizationsInviteMember(email: bobEmail, role: ["member"], organizationId: org.id)
        _ = try await bob.signUpEmail(name: "Bob", email: bobEmail, password: password)
        _ = try await bob.organizationsAcceptInvitation(invitationId: invitation.id)
        try await forwarders[1].flush(timeoutMs: 10_000)
        _ = try await owner.organizationsRemoveMember(memberIdOrEmail: bobEmail, organizationId: org.id)
        try await forwarders[0].flush(timeoutMs: 10_000)
        let sinks = try await devAdmin("GET", "/__dev/sinks?service=stripe") as! [String: Any]
        let quantities = (sinks["data"] as! [[String: Any]])
            .filter { $0["path"] as? String == "/v1/subscription_items/si_SWIFT_SEATS" }
            .map { (($0["body"] as! [String: Any])["form"] as! [[String]])[0][1] }
        XCTAssertEqual(quantities, ["1", "2", "1"])
        for forwarder in forwarders { try await forwarder.shutdown(timeoutMs: 2_000) }
        _ = try await admin.addonsSave(addons: ["stripe": false])
    }

    func testTypedErrors() async throws {
        let client = try BanataClient(baseUrl: baseUrl)
        do {
            _ = try await client.signInEmail(email: uniqueEmail("nobody"), password: "wrong password 123")
            XCTFail("signed in with a wrong password")
        } catch let BanataError.Authentication(detail, status, code, _, _, _) {
            XCTAssertEqual(status, 401)
            XCTAssertNotNil(code)
            XCTAssertFalse(detail.isEmpty)
        }
        XCTAssertThrowsError(try BanataClient(baseUrl: "not a url")) { error in
            guard let banataError = error as? BanataError, case .Configuration = banataError else {
                return XCTFail("\(error)")
            }
        }
    }

    func testEventsInOrderAndCancellation() async throws {
        let client = try BanataClient(baseUrl: baseUrl)
        let recorder = Recorder()
        let subscription = client.subscribe(listener: recorder, eventType: nil)
        let email = uniqueEmail("swift-events")
        _ = try await client.signUpEmail(name: "Ev", email: email, password: password)
        try await client.signOut()
        try await Task.sleep(nanoseconds: 200_000_000)
        XCTAssertEqual(recorder.types, ["user.created", "session.created", "session.revoked"])
        subscription.cancel()
        XCTAssertTrue(subscription.isCancelled())
        _ = try await client.signInEmail(email: email, password: password)
        try await Task.sleep(nanoseconds: 200_000_000)
        XCTAssertEqual(recorder.types.count, 3)
    }

    func testEventsAsAsyncStream() async throws {
        let client = try BanataClient(baseUrl: baseUrl)
        let collector = Task { () -> [String] in
            var types: [String] = []
            for await event in client.events() {
                types.append(event.eventType)
                if types.count == 2 { break }
            }
            return types
        }
        try await Task.sleep(nanoseconds: 100_000_000)
        _ = try await client.signUpEmail(name: "St", email: uniqueEmail("swift-stream"), password: password)
        let types = await collector.value
        XCTAssertEqual(types, ["user.created", "session.created"])
    }

    func testCustomSessionStore() async throws {
        let store = MemoryStore()
        let client = try BanataClient(baseUrl: baseUrl, sessionStore: store)
        let signedUp = try await client.signUpEmail(name: "Ks", email: uniqueEmail("swift-store"), password: password)
        XCTAssertEqual(store.saved, [signedUp.token?.expose()].compactMap { $0 })
        try await client.signOut()
        XCTAssertNil(store.current)
    }

    func testTokensAreRedacted() {
        let token = SessionToken(value: "tok_very_secret")
        XCTAssertEqual("\(token)", "SessionToken(<redacted>)")
        XCTAssertEqual(token.expose(), "tok_very_secret")
    }
}
