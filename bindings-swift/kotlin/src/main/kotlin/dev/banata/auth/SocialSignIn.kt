// Social sign-in for apps: the provider's page in a browser, the session back in the app.
package dev.banata.auth

import java.net.URI

/**
 * A redirect sign-in (or account link) with one [provider], over the same client calls on
 * every platform. The server keeps the OAuth state and the PKCE verifier, so the browser needs
 * no cookie of the app's; the flow ends at [callbackUri] (a custom scheme such as
 * `myapp://auth`, which the server must trust) with a one-time token that [complete] exchanges
 * for the session, or with `?error=`, which becomes a [BanataException].
 *
 * On Android, `CustomTabsSignIn.kt` (in `src/android`) opens [authorizationUrl] in a Custom Tab
 * and hands the deep link back:
 *
 * ```
 * val flow = SocialSignIn(client, "google", "myapp://auth")
 * flow.launch(activity)                       // the Custom Tab
 * // in the activity that receives myapp://auth:
 * val result = flow.handleDeepLink(intent)    // null when the intent is not this flow's
 * ```
 */
class SocialSignIn(
    private val client: BanataClient,
    /** The provider's id on the server, e.g. `google`. */
    val provider: String,
    /** Where the browser comes back to, e.g. `myapp://auth`. */
    val callbackUri: String,
    val purpose: Purpose = Purpose.SIGN_IN,
    /** OAuth scopes to ask for beside the provider's defaults. */
    val scopes: List<String>? = null,
    /** Pre-fills the provider's sign-in form. */
    val loginHint: String? = null,
) {
    /** What the flow does at the end. */
    enum class Purpose { SIGN_IN, LINK }

    private val callback = URI(callbackUri)

    /** Starts the flow on the server: the provider's page to open in a browser. */
    suspend fun authorizationUrl(): String = when (purpose) {
        Purpose.SIGN_IN -> client.signInSocial(provider, callbackUrl = callbackUri, scopes = scopes, loginHint = loginHint)
        Purpose.LINK -> client.linkSocial(provider, callbackUrl = callbackUri, scopes = scopes, loginHint = loginHint)
    }.url

    /** Whether a deep link is this flow's callback: same scheme, host and path as [callbackUri]. */
    fun isCallback(uri: String): Boolean {
        val link = runCatching { URI(uri) }.getOrNull() ?: return false
        return link.scheme.equals(callback.scheme, ignoreCase = true) &&
            (link.host ?: "") == (callback.host ?: "") &&
            (link.path ?: "").trimEnd('/') == (callback.path ?: "").trimEnd('/')
    }

    /** Completes a sign-in from the URI the browser came back to; the client keeps the session. */
    suspend fun complete(uri: String): AuthResult = client.completeSocialSignIn(uri)

    /** Completes a link from the URI the browser came back to: the linked account. */
    suspend fun completeLink(uri: String): Account = client.completeLinkSocial(uri)
}
