// Two-factor sign-in end to end: turn two-factor on for a user, then sign in on another device,
// which stops for the second factor and completes with a code.
//
// The codes are the one-time codes the server mails; the local devserver keeps them in its dev
// mailbox, read here with the devserver's admin key. In an app, the user types the code in. A
// code from an authenticator app (`verifyTotp`) or a backup code (`verifyBackupCode`) works the
// same. Against a devserver started with `--no-email-verification --two-factor`:
//   BANATA_API_KEY=<its ADMIN_API_KEY> swift run TwoFactor http://127.0.0.1:8787
import BanataAuth
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

let arguments = CommandLine.arguments
let environment = ProcessInfo.processInfo.environment
let baseUrl = arguments.count > 1 ? arguments[1] : environment["BANATA_BASE_URL"] ?? "http://127.0.0.1:8787"
let adminKey = environment["BANATA_API_KEY"] ?? ""
let email = "ada-\(UUID().uuidString.prefix(8).lowercased())@example.com"
let password = "correct horse battery staple"

struct NoCodeMailed: Error {}

/// The newest two-factor code mailed to `address` (what the user would read in their inbox).
func mailedCode(to address: String) async throws -> String {
    var query = URLComponents(string: baseUrl + "/__dev/mailbox")!
    query.queryItems = [URLQueryItem(name: "to", value: address)]
    var request = URLRequest(url: query.url!)
    request.setValue("Bearer \(adminKey)", forHTTPHeaderField: "authorization")
    let data: Data = try await withCheckedThrowingContinuation { done in
        URLSession.shared.dataTask(with: request) { data, _, error in
            if let error { done.resume(throwing: error) } else { done.resume(returning: data ?? Data()) }
        }.resume()
    }
    let mails = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["mails"] as? [[String: Any]] ?? []
    guard let code = mails.last(where: { $0["kind"] as? String == "two-factor-otp" })?["token"] as? String else {
        throw NoCodeMailed()
    }
    return code
}

do {
    // On the laptop: sign up and turn two-factor on; confirming a first code switches it on.
    let laptop = try BanataClient(baseUrl: baseUrl)
    _ = try await laptop.signUpEmail(name: "Ada Lovelace", email: email, password: password)
    let setup = try await laptop.enableTwoFactor(password: password)
    print("enable     authenticator URI and \(setup.backupCodes.count) backup codes issued")
    _ = try await laptop.sendTwoFactorOtp()
    _ = try await laptop.verifyTwoFactorOtp(code: try await mailedCode(to: email))
    print("confirm    two-factor on")

    // On the phone: the password alone is not enough any more.
    let phone = try BanataClient(baseUrl: baseUrl)
    switch try await phone.signInEmail(email: email, password: password) {
    case .secondFactorRequired:
        print("sign-in    a second factor is required")
    case .signedIn:
        print("signed in without a second factor")
        exit(1)
    case .verificationRequired(let address, _):
        print("verify \(address) first")
        exit(1)
    }
    // The client keeps the pending sign-in; the app passes only the code.
    _ = try await phone.sendTwoFactorOtp()
    let signedIn = try await phone.verifyTwoFactorOtp(code: try await mailedCode(to: email))
    print("verify     signed in as \(signedIn.user.email ?? "")")
    let session = try await phone.getSession()
    print("session    \(session?.session.id ?? "-")")
    try await phone.signOut()
    try await laptop.signOut()
} catch {
    print("failed: \(error)")
    exit(1)
}
