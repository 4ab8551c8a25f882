// Social sign-in against the loopback OpenID provider (tests/oidc-provider), which
// scripts/test-swift.sh starts and names in BANATA_OIDC_ISSUER; the devserver offers it as the
// providers `oidc` and `other` and trusts `myapp://`. The browser part is the provider's test
// helper (Apple's ASWebAuthenticationSession needs a device); the rest is SocialSignIn itself.
import XCTest
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import BanataAuth

final class SocialSignInTests: XCTestCase {
    var baseUrl: String { ProcessInfo.processInfo.environment["BANATA_BASE_URL"] ?? "" }
    var issuer: String { ProcessInfo.processInfo.environment["BANATA_OIDC_ISSUER"] ?? "" }

    override func setUpWithError() throws {
        try XCTSkipIf(baseUrl.isEmpty, "set BANATA_BASE_URL to a running devserver")
        XCTAssertFalse(issuer.isEmpty, "BANATA_OIDC_ISSUER must name the OpenID provider the devserver uses")
    }

    func uniqueEmail(_ tag: String) -> String { "\(tag)-\(UUID().uuidString.prefix(12).lowercased())@example.com" }

    /// POSTs JSON to the provider's test helper and returns the answer's `key`.
    func helper(_ path: String, _ body: [String: Any], _ key: String) async throws -> String {
        var request = URLRequest(url: URL(string: issuer + path)!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "content-type")
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        let data: Data = try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, _, error in
                if let data { continuation.resume(returning: data) } else { continuation.resume(throwing: error!) }
            }.resume()
        }
        let answer = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return try XCTUnwrap(answer?[key] as? String, "the provider answered \(String(decoding: data, as: UTF8.self))")
    }

    func testRedirectSignInAndLink() async throws {
        let client = try BanataClient(baseUrl: baseUrl)
        let email = uniqueEmail("swift-social")
        let flow = SocialSignIn(client: client, provider: "oidc", callbackURL: URL(string: "myapp://auth")!)
        XCTAssertEqual(flow.callbackScheme, "myapp")
        let page = try await flow.authorizationURL()
        XCTAssertTrue(page.absoluteString.hasPrefix(issuer), page.absoluteString)
        // The user signs in at the provider; the browser lands on the app's callback.
        let landed = try await helper("/__test/approve", ["url": page.absoluteString, "login": email, "follow": true], "location")
        XCTAssertTrue(landed.hasPrefix("myapp://auth?ott="), landed)
        let result = try await flow.complete(callbackURL: URL(string: landed)!)
        XCTAssertEqual(result.user.email, email)
        let session = try await client.getSession()
        XCTAssertEqual(session?.user.id, result.user.id)

        // The one-time token works once.
        do {
            _ = try await SocialSignIn(client: try BanataClient(baseUrl: baseUrl), provider: "oidc",
                                       callbackURL: URL(string: "myapp://auth")!).complete(callbackURL: URL(string: landed)!)
            XCTFail("a used one-time token signed in again")
        } catch BanataError.Validation(_, _, let code, _, _, _) {
            XCTAssertEqual(code, "INVALID_TOKEN")
        }

        let linking = SocialSignIn(client: client, provider: "other", callbackURL: URL(string: "myapp://linked")!, purpose: .link)
        let linkPage = try await linking.authorizationURL()
        let back = try await helper("/__test/approve", ["url": linkPage.absoluteString, "login": email, "follow": true], "location")
        XCTAssertEqual(back, "myapp://linked")
        let account = try await linking.completeLink(callbackURL: URL(string: back)!)
        XCTAssertEqual(account.providerId, "other")
        let accounts = try await client.listAccounts()
        XCTAssertEqual(Set(accounts.map(\.providerId)), ["oidc", "other"])
    }

    func testIdTokenSignIn() async throws {
        let client = try BanataClient(baseUrl: baseUrl)
        let email = uniqueEmail("swift-idtoken")
        let token = try await helper("/__test/id-token", ["client": "banata-app", "login": email, "nonce": "n-1"], "id_token")
        do {
            _ = try await client.signInWithIdToken(provider: "oidc", token: token, nonce: "another")
            XCTFail("a token with another nonce signed in")
        } catch BanataError.Authentication(let detail, _, let code, _, _, _) {
            XCTAssertEqual(code, "INVALID_TOKEN")
            XCTAssertFalse(detail.contains(token))
        }
        let result = try await client.signInWithIdToken(provider: "oidc", token: token, nonce: "n-1")
        XCTAssertEqual(result.user.email, email)
        XCTAssertFalse(String(describing: result).contains(token))
    }
}
