// Signs in (or, the first time, signs up), shows the session, signs out.
import BanataAuth
import Foundation

/// `NSLock.withLock` needs macOS 13 / iOS 16; the package supports older systems.
@discardableResult
func locked<T>(_ lock: NSLock, _ body: () throws -> T) rethrows -> T {
    lock.lock()
    defer { lock.unlock() }
    return try body()
}


/// Where the token lives. In an app, back this with the Keychain so a user stays signed in
/// across launches; here it is memory.
final class TokenStore: SessionStore, @unchecked Sendable {
    private let lock = NSLock()
    private var token: String?
    func get() throws -> String? { locked(lock) { token } }
    func set(token: String) throws { locked(lock) { self.token = token } }
    func clear() throws { locked(lock) { token = nil } }
}

let arguments = CommandLine.arguments
let baseUrl = arguments.count > 1 ? arguments[1] : ProcessInfo.processInfo.environment["BANATA_BASE_URL"] ?? "http://127.0.0.1:8787"
let email = ProcessInfo.processInfo.environment["EXAMPLE_EMAIL"] ?? "example@example.com"
let password = ProcessInfo.processInfo.environment["EXAMPLE_PASSWORD"] ?? "correct horse battery staple"

let client = try BanataClient(baseUrl: baseUrl, sessionStore: TokenStore())
let watcher = Task {
    for await event in client.events() { print("event    \(event.eventType)") }
}
do {
    let user: User
    do {
        // A sign-in either completes or says which step comes first.
        let result = try await client.signInEmail(email: email, password: password)
        switch result {
        case .signedIn(let signedIn, _, _, _):
            user = signedIn
        case .verificationRequired(let address, _):
            print("verify \(address) first: follow the link in the mail")
            exit(0)
        case .secondFactorRequired(let methods):
            print("a second factor is required (\(methods.joined(separator: ", ")))")
            exit(0)
        }
    } catch BanataError.Authentication(_, _, let code, _, _, _) {
        print("no account yet (\(code ?? "")), signing up")
        user = try await client.signUpEmail(name: "Example User", email: email, password: password).user
    }
    print("signed in as \(user.email ?? "") (\(user.id))")
    let session = try await client.getSession()
    if let current = session {
        let expires = current.session.expiresAt.map { "\($0)" } ?? "-"
        print("session  \(current.session.id), expires \(expires)")
    }
    try await client.signOut()
    print("signed out")
} catch {
    print("failed: \(error)")
    exit(1)
}
try await Task.sleep(nanoseconds: 100_000_000)
watcher.cancel()
