// Social sign-in for apps: the provider's page in a browser, the session back in the app.
//
// The server keeps the OAuth state and the PKCE verifier; the browser needs no cookie of the
// app's. The flow ends at the app's callback URL (a custom scheme such as `myapp://auth`, which
// the server must trust) with a one-time token that `complete(callbackURL:)` exchanges for the
// session, or with `?error=`, which becomes a `BanataError`.
import Foundation
#if canImport(AuthenticationServices)
import AuthenticationServices
#endif

/// A redirect sign-in (or account link) with one provider, started and completed over the
/// same client calls on every platform; on Apple platforms `signIn()` runs the browser part in
/// an `ASWebAuthenticationSession`.
public final class SocialSignIn: @unchecked Sendable {
    /// What the flow does at the end: sign the user in, or link the provider to the signed-in
    /// user.
    public enum Purpose: Sendable {
        case signIn
        case link
    }

    private let client: BanataClient
    /// The provider's id on the server, e.g. `google` or `apple`.
    public let provider: String
    /// Where the browser comes back to, e.g. `myapp://auth`.
    public let callbackURL: URL
    public let purpose: Purpose
    /// OAuth scopes to ask for beside the provider's defaults.
    public var scopes: [String]?
    /// Pre-fills the provider's sign-in form.
    public var loginHint: String?

    public init(client: BanataClient, provider: String, callbackURL: URL, purpose: Purpose = .signIn) {
        self.client = client
        self.provider = provider
        self.callbackURL = callbackURL
        self.purpose = purpose
    }

    /// The custom scheme of `callbackURL` (what `ASWebAuthenticationSession` waits for).
    public var callbackScheme: String? { callbackURL.scheme }

    /// Starts the flow on the server: the provider's page to open in a browser.
    public func authorizationURL() async throws -> URL {
        let redirect: SocialRedirect
        switch purpose {
        case .signIn:
            redirect = try await client.signInSocial(
                provider: provider, callbackUrl: callbackURL.absoluteString, scopes: scopes, loginHint: loginHint)
        case .link:
            redirect = try await client.linkSocial(
                provider: provider, callbackUrl: callbackURL.absoluteString, scopes: scopes, loginHint: loginHint)
        }
        guard let url = URL(string: redirect.url) else { throw URLError(.badURL) }
        return url
    }

    /// Completes a sign-in from the URL the browser came back to; the client keeps the session.
    public func complete(callbackURL url: URL) async throws -> AuthResult {
        try await client.completeSocialSignIn(url: url.absoluteString)
    }

    /// Completes a link from the URL the browser came back to: the linked account.
    public func completeLink(callbackURL url: URL) async throws -> Account {
        try await client.completeLinkSocial(url: url.absoluteString)
    }

    #if canImport(AuthenticationServices)
    /// Runs the whole sign-in: the provider's page in an `ASWebAuthenticationSession`, then the
    /// session from its callback. A user who closes the sheet gets `ASWebAuthenticationSessionError`
    /// with code `.canceledLogin`.
    @available(iOS 13.0, macOS 10.15, tvOS 16.0, watchOS 6.2, *)
    @MainActor
    public func signIn(
        presentationContextProvider: ASWebAuthenticationPresentationContextProviding,
        prefersEphemeralWebBrowserSession: Bool = false
    ) async throws -> AuthResult {
        let url = try await authorizationURL()
        let callback = try await browse(
            url, presentationContextProvider: presentationContextProvider,
            ephemeral: prefersEphemeralWebBrowserSession)
        return try await complete(callbackURL: callback)
    }

    /// Runs the whole link the same way: the linked account.
    @available(iOS 13.0, macOS 10.15, tvOS 16.0, watchOS 6.2, *)
    @MainActor
    public func link(
        presentationContextProvider: ASWebAuthenticationPresentationContextProviding
    ) async throws -> Account {
        let url = try await authorizationURL()
        let callback = try await browse(url, presentationContextProvider: presentationContextProvider, ephemeral: false)
        return try await completeLink(callbackURL: callback)
    }

    @available(iOS 13.0, macOS 10.15, tvOS 16.0, watchOS 6.2, *)
    @MainActor
    private func browse(
        _ url: URL,
        presentationContextProvider: ASWebAuthenticationPresentationContextProviding,
        ephemeral: Bool
    ) async throws -> URL {
        try await withCheckedThrowingContinuation { continuation in
            let session = ASWebAuthenticationSession(url: url, callbackURLScheme: callbackScheme) { callback, error in
                if let callback {
                    continuation.resume(returning: callback)
                } else {
                    continuation.resume(throwing: error ?? ASWebAuthenticationSessionError(.canceledLogin))
                }
            }
            session.presentationContextProvider = presentationContextProvider
            session.prefersEphemeralWebBrowserSession = ephemeral
            if !session.start() {
                continuation.resume(throwing: ASWebAuthenticationSessionError(.presentationContextInvalid))
            }
        }
    }
    #endif
}
