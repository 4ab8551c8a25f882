// A minimal sign-in flow with the Kotlin bindings (dev.banata.auth), the same on Android and
// the JVM. Run against a devserver:
//
//   cargo run -p banata-devserver -- --port 8787
//   scripts/run-kotlin-example.sh http://127.0.0.1:8787
package example

import dev.banata.auth.AuthEvent
import dev.banata.auth.BanataClient
import dev.banata.auth.BanataException
import dev.banata.auth.EventListener
import dev.banata.auth.SessionStore
import dev.banata.auth.SignInResult
import kotlinx.coroutines.runBlocking

/**
 * Where the token lives. On Android, back this with EncryptedSharedPreferences so a user stays
 * signed in across launches; here it is memory.
 */
class TokenStore : SessionStore {
    @Volatile private var token: String? = null
    override fun get(): String? = token
    override fun set(token: String) {
        this.token = token
    }
    override fun clear() {
        token = null
    }
}

/** Signs in (or, the first time, signs up), shows the session, signs out. */
suspend fun signInFlow(baseUrl: String, email: String, password: String, log: (String) -> Unit = ::println) {
    val client = BanataClient(baseUrl, sessionStore = TokenStore())
    val events = client.subscribe(object : EventListener {
        override fun onEvent(event: AuthEvent) = log("event    ${event.eventType}")
    })
    try {
        val user = try {
            // A sign-in either completes or says which step comes first.
            when (val result = client.signInEmail(email, password)) {
                is SignInResult.SignedIn -> result.user
                is SignInResult.VerificationRequired -> {
                    log("verify ${result.email} first: follow the link in the mail")
                    return
                }
                is SignInResult.SecondFactorRequired -> {
                    log("a second factor is required")
                    return
                }
            }
        } catch (e: BanataException.Authentication) {
            log("no account yet (${e.code}), signing up")
            client.signUpEmail("Example User", email, password).user
        }
        log("signed in as ${user.email} (${user.id})")
        val current = client.getSession() ?: error("no session after sign-in")
        log("session  ${current.session.id}, expires ${current.session.expiresAt}")
        client.signOut()
        log("signed out")
    } catch (e: BanataException) {
        log("failed: $e")
        throw e
    } finally {
        events.cancel()
    }
}

fun main(args: Array<String>) = runBlocking {
    val baseUrl = args.getOrNull(0) ?: System.getenv("BANATA_BASE_URL") ?: "http://127.0.0.1:8787"
    signInFlow(baseUrl, System.getenv("EXAMPLE_EMAIL") ?: "example@example.com", System.getenv("EXAMPLE_PASSWORD") ?: "correct horse battery staple")
}
