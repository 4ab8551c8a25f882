// Social sign-in against the loopback OpenID provider (tests/oidc-provider): the browser part
// is the provider's test helper (a Custom Tab needs a device); the rest is SocialSignIn itself.
import com.google.gson.JsonParser
import dev.banata.auth.*
import java.io.BufferedReader
import java.io.InputStreamReader
import java.io.File
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse

/** The OpenID provider on a free port, with its test clients. */
class OidcProvider : AutoCloseable {
    private val process: Process = ProcessBuilder("node", "server.mjs")
        .directory(File("tests/oidc-provider"))
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start()
    val issuer: String
    private val http = HttpClient.newHttpClient()

    init {
        val lines = BufferedReader(InputStreamReader(process.inputStream))
        var ready: String? = null
        while (ready == null) {
            val line = lines.readLine() ?: error("the OpenID provider exited before it was ready")
            if (line.startsWith("READY ")) ready = line.removePrefix("READY ").trim()
        }
        issuer = ready
    }

    /** The devserver's flags: the providers `oidc` and `other`, and `myapp://` trusted. */
    fun devserverArgs(): List<String> = listOf("--trusted-origin", "myapp://") +
        listOf("oidc" to "banata-app", "other" to "other-app").flatMap { (id, client) ->
            listOf("--social-provider", "id=$id,issuer=$issuer,client-id=$client,client-secret=$client-secret")
        }

    /** POSTs [json] to a test route of the provider; the answer's [key]. */
    fun helper(path: String, json: String, key: String): String {
        val request = HttpRequest.newBuilder(URI.create(issuer + path))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build()
        val body = http.send(request, HttpResponse.BodyHandlers.ofString()).body()
        return JsonParser.parseString(body).asJsonObject.get(key)?.asString ?: error("the provider answered $body")
    }

    /** The user signs in at [url]; where the browser lands after the server's callback. */
    fun approveAndFollow(url: String, login: String) =
        helper("/__test/approve", """{"url":"$url","login":"$login","follow":true}""", "location")

    override fun close() {
        process.destroy()
    }
}

suspend fun socialRedirectFlow(dev: DevServer, provider: OidcProvider) {
    val client = BanataClient(dev.url)
    val email = uniqueEmail("kt-social")
    val flow = SocialSignIn(client, "oidc", "myapp://auth")
    val page = flow.authorizationUrl()
    check(page.startsWith(provider.issuer)) { "the provider's page: $page" }
    val landed = provider.approveAndFollow(page, email)
    check(flow.isCallback(landed)) { "the deep link is the flow's: $landed" }
    check(!flow.isCallback("myapp://elsewhere?ott=x")) { "another deep link is not" }
    val result = flow.complete(landed)
    expectEqual(email, result.user.email, "signed-in user")
    expectEqual(result.user.id, client.getSession()?.user?.id, "session user")

    val refused = expectThrows<BanataException.Authentication> { flow.complete("myapp://auth?error=access_denied") }
    expectEqual("ACCESS_DENIED", refused.code, "error code")

    val linking = SocialSignIn(client, "other", "myapp://linked", SocialSignIn.Purpose.LINK)
    val back = provider.approveAndFollow(linking.authorizationUrl(), email)
    expectEqual("myapp://linked", back, "a link creates no session")
    expectEqual("other", linking.completeLink(back).providerId, "linked provider")
    expectEqual(setOf("oidc", "other"), client.listAccounts().map { it.providerId }.toSet(), "accounts")
}

suspend fun idTokenSignIn(dev: DevServer, provider: OidcProvider) {
    val client = BanataClient(dev.url)
    val email = uniqueEmail("kt-idtoken")
    val token = provider.helper("/__test/id-token", """{"client":"banata-app","login":"$email","nonce":"n-1"}""", "id_token")
    val refused = expectThrows<BanataException.Authentication> { client.signInWithIdToken("oidc", token, nonce = "another") }
    expectEqual("INVALID_TOKEN", refused.code, "error code")
    check(!refused.toString().contains(token)) { "the token stays out of errors" }
    val result = client.signInWithIdToken("oidc", token, nonce = "n-1")
    expectEqual(email, result.user.email, "signed-in user")
}
