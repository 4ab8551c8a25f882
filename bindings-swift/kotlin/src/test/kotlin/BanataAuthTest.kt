// Runs the generated Kotlin bindings on the JVM against the devserver binary and scripted
// loopback servers. Prints one line per test and ends with "N passed, N failed".
import com.google.gson.JsonParser
import com.sun.net.httpserver.HttpServer
import dev.banata.auth.*
import java.io.BufferedReader
import java.io.InputStreamReader
import java.net.InetSocketAddress
import java.net.URI
import java.net.URLEncoder
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Instant
import java.util.Collections
import java.util.UUID
import java.util.concurrent.CopyOnWriteArrayList
import kotlin.system.exitProcess
import kotlinx.coroutines.*
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList

const val PASSWORD = "correct horse battery staple"

fun uniqueEmail(tag: String) = "$tag-${UUID.randomUUID().toString().take(12)}@example.com"

fun check(condition: Boolean, message: () -> String) {
    if (!condition) throw AssertionError(message())
}

fun <T> expectEqual(expected: T, actual: T, what: String) =
    check(expected == actual) { "$what: expected $expected, got $actual" }

/** The devserver binary on a free port. */
class DevServer(extraArgs: List<String> = emptyList()) : AutoCloseable {
    private val process: Process
    val url: String
    val adminKey: String
    private val http = HttpClient.newHttpClient()

    init {
        val target = System.getenv("CARGO_TARGET_DIR") ?: "target"
        val binary = System.getenv("BANATA_DEVSERVER_BIN") ?: "$target/debug/banata-devserver"
        val args = listOf(binary, "--port", "0", "--no-email-verification", "--email-otp", "--magic-link", "--two-factor") + extraArgs
        process = ProcessBuilder(args).redirectError(ProcessBuilder.Redirect.INHERIT).start()
        val lines = BufferedReader(InputStreamReader(process.inputStream))
        var ready: String? = null
        var key: String? = null
        while (ready == null || key == null) {
            val line = lines.readLine() ?: error("the devserver exited before it was ready")
            if (line.startsWith("READY ")) ready = line.split(" ")[1]
            if (line.startsWith("ADMIN_API_KEY ")) key = line.split(" ")[1]
        }
        url = ready
        adminKey = key
        // Keep draining stdout so the devserver never blocks on a full pipe.
        Thread { lines.forEachLine { } }.apply { isDaemon = true }.start()
    }

    fun admin(method: String, path: String, body: String? = null): String {
        val request = HttpRequest.newBuilder(URI.create(url + path))
            .header("authorization", "Bearer $adminKey")
            .header("content-type", "application/json")
            .method(method, if (body == null) HttpRequest.BodyPublishers.noBody() else HttpRequest.BodyPublishers.ofString(body))
            .build()
        return http.send(request, HttpResponse.BodyHandlers.ofString()).body()
    }

    fun resetToken(email: String): String =
        Regex("\"token\"\\s*:\\s*\"([^\"]+)\"").find(admin("GET", "/__dev/password-reset-token?email=$email"))!!.groupValues[1]

    fun sinkUrl(service: String) = "$url/__sinks/$service"
    fun sinkRequests(service: String) = admin("GET", "/__dev/sinks?service=$service")

    override fun close() {
        process.destroy()
    }
}

/** A loopback server that answers every request with [status], [body] and [headers] after [delayMs]. */
class Scripted(status: Int, body: String, headers: Map<String, String> = emptyMap(), delayMs: Long = 0) : AutoCloseable {
    private val server = HttpServer.create(InetSocketAddress("127.0.0.1", 0), 0)
    val requests = Collections.synchronizedList(mutableListOf<String>())
    val url: String

    init {
        server.createContext("/") { exchange ->
            requests.add(exchange.requestURI.path)
            exchange.requestBody.readAllBytes()
            Thread.sleep(delayMs)
            headers.forEach { (k, v) -> exchange.responseHeaders.add(k, v) }
            exchange.responseHeaders.add("content-type", "application/json")
            val bytes = body.toByteArray()
            try {
                exchange.sendResponseHeaders(status, if (bytes.isEmpty()) -1 else bytes.size.toLong())
                if (bytes.isNotEmpty()) exchange.responseBody.use { it.write(bytes) }
            } catch (_: java.io.IOException) {
                // The client gave up (timeout test).
            }
            exchange.close()
        }
        server.executor = java.util.concurrent.Executors.newCachedThreadPool()
        server.start()
        url = "http://127.0.0.1:${server.address.port}"
    }

    override fun close() = server.stop(0)
}

class MemoryStore : SessionStore {
    val saved = CopyOnWriteArrayList<String>()
    @Volatile var current: String? = null
    @Volatile var clears = 0
    override fun get(): String? = current
    override fun set(token: String) {
        saved.add(token)
        current = token
    }
    override fun clear() {
        clears += 1
        current = null
    }
}

class Recorder : EventListener {
    val events = CopyOnWriteArrayList<AuthEvent>()
    override fun onEvent(event: AuthEvent) {
        events.add(event)
    }
    fun types() = events.map { it.eventType }
    fun awaitCount(n: Int, timeoutMs: Long = 5_000) {
        val deadline = System.currentTimeMillis() + timeoutMs
        while (events.size < n && System.currentTimeMillis() < deadline) Thread.sleep(5)
    }
}

inline fun <reified E : Throwable> expectThrows(block: () -> Unit): E {
    try {
        block()
    } catch (e: Throwable) {
        if (e is E) return e
        throw AssertionError("expected ${E::class.simpleName}, got $e")
    }
    throw AssertionError("expected ${E::class.simpleName}, nothing was thrown")
}

fun main() {
    val failed = runBlocking { runAll() }
    exitProcess(if (failed == 0) 0 else 1)
}

suspend fun runAll(): Int = coroutineScope {
    val dev = DevServer()
    val results = mutableListOf<Pair<String, Throwable?>>()
    suspend fun test(name: String, body: suspend () -> Unit) {
        val failure = try {
            withTimeout(60_000) { body() }
            null
        } catch (e: Throwable) {
            e
        }
        results.add(name to failure)
        println(if (failure == null) "ok - $name" else "FAIL - $name: $failure")
    }

    test("sign-up, session, sessions, sign-out and sign-in") {
        val client = BanataClient(dev.url)
        expectEqual(dev.url.trimEnd('/') + "/", client.baseUrl().trimEnd('/') + "/", "base URL")
        val email = uniqueEmail("kt")
        val signedUp = client.signUpEmail("Ada Kotlin", email, PASSWORD)
        expectEqual(email, signedUp.user.email, "email")
        check(signedUp.user.createdAt!!.isBefore(Instant.now().plusSeconds(5))) { "createdAt is an Instant" }
        expectEqual(signedUp.token!!.expose(), client.sessionToken()!!.expose(), "stored token")
        val current = client.getSession()!!
        expectEqual(signedUp.user.id, current.user.id, "session user")
        check(current.session.expiresAt!!.isAfter(Instant.now())) { "the session expires later" }
        expectEqual(1, client.listSessions().size, "sessions")
        client.signOut()
        expectEqual(null, client.getSession(), "session after sign-out")
        expectEqual(null, client.sessionToken(), "token after sign-out")
        // The result is a sealed class: `when` must name every case.
        val signedInId = when (val result = client.signInEmail(email, PASSWORD, rememberMe = true)) {
            is SignInResult.SignedIn -> result.user.id
            is SignInResult.VerificationRequired -> error("verification required for ${result.email}")
            is SignInResult.SecondFactorRequired -> error("a second factor is required")
        }
        expectEqual(signedUp.user.id, signedInId, "signed-in user")
    }

    test("update user, change password, password reset, revoke sessions") {
        val client = BanataClient(dev.url)
        val other = BanataClient(dev.url)
        val email = uniqueEmail("kt-flows")
        client.signUpEmail("Before", email, PASSWORD)
        client.updateUser(name = "After")
        expectEqual("After", client.getSession()!!.user.name, "updated name")
        other.signInEmail(email, PASSWORD)
        expectEqual(2, client.listSessions().size, "two sessions")
        client.revokeOtherSessions()
        expectEqual(null, other.getSession(), "other session revoked")
        other.signInEmail(email, PASSWORD)
        val currentId = client.getSession()!!.session.id
        val otherToken = client.listSessions().first { it.id != currentId }.token!!
        client.revokeSession(otherToken)
        expectEqual(null, other.getSession(), "other session revoked by token")

        val changed = client.changePassword(PASSWORD, "a brand new passphrase", revokeOtherSessions = true)
        expectEqual(client.sessionToken()!!.expose(), changed.token!!.expose(), "new token kept")
        client.requestPasswordReset(email, redirectTo = "/reset")
        client.resetPassword(dev.resetToken(email), "reset passphrase 42")
        client.signInEmail(email, "reset passphrase 42")
        client.revokeSessions()
        expectEqual(null, client.getSession(), "every session revoked")
    }

    test("add-on configuration get and save") {
        val admin = BanataClient(dev.url, apiKey = dev.adminKey)
        val saved = admin.addonsSave(mapOf("stripe" to true, "segment" to false))
        expectEqual(true, saved.addons["stripe"]?.enabled, "stripe on")
        expectEqual(false, saved.addons["segment"]?.enabled, "segment off")
        expectEqual(saved, admin.addonsGet(), "read back")
        admin.addonsSave(mapOf("stripe" to false))
        expectEqual(false, admin.addonsGet().addons["stripe"]?.enabled, "stripe off again")
        val anonymous = BanataClient(dev.url)
        expectThrows<BanataException.Configuration> { runBlocking { anonymous.addonsGet() } }
    }

    test("401 and 422 are typed errors with status and code") {
        val client = BanataClient(dev.url)
        val wrong = expectThrows<BanataException.Authentication> {
            runBlocking { client.signInEmail(uniqueEmail("nobody"), "wrong password 123") }
        }
        expectEqual(401.toUShort(), wrong.status, "status")
        check(wrong.code != null) { "a code" }
        Scripted(422, """{"code":"VALIDATION_ERROR","message":"bad"}""", mapOf("x-request-id" to "req_kt")).use { server ->
            val admin = BanataClient(server.url, apiKey = "bnt_kotlin_secret")
            val invalid = expectThrows<BanataException.Validation> { runBlocking { admin.addonsGet() } }
            expectEqual(422.toUShort(), invalid.status, "status")
            expectEqual("VALIDATION_ERROR", invalid.code, "code")
            expectEqual("req_kt", invalid.requestId, "request id")
            expectEqual("bad", invalid.detail, "detail")
            check(!invalid.toString().contains("bnt_kotlin_secret")) { "no API key in the error" }
            expectEqual(1, server.requests.size, "not retried")
        }
    }

    test("429 with Retry-After is waited for, then RateLimited") {
        Scripted(429, """{"message":"slow down"}""", mapOf("retry-after" to "1")).use { server ->
            val client = BanataClient(server.url, apiKey = "k", options = ClientOptions(maxRetries = 1u))
            val started = System.nanoTime()
            val limited = expectThrows<BanataException.RateLimited> { runBlocking { client.addonsGet() } }
            expectEqual(1000uL, limited.retryAfterMs, "retry after")
            check((System.nanoTime() - started) / 1_000_000 >= 900) { "waited for Retry-After" }
            expectEqual(2, server.requests.size, "one retry")
        }
    }

    test("timeout and refused connection") {
        Scripted(200, """{"addons":{}}""", delayMs = 2_000).use { server ->
            val client = BanataClient(server.url, apiKey = "k", options = ClientOptions(timeoutMs = 200u, maxRetries = 0u))
            expectThrows<BanataException.Timeout> { runBlocking { client.addonsGet() } }
        }
        val port = java.net.ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress()).use { it.localPort }
        val refused = BanataClient("http://127.0.0.1:$port", apiKey = "k", options = ClientOptions(maxRetries = 0u))
        val error = expectThrows<BanataException.Connection> { runBlocking { refused.addonsGet() } }
        expectEqual("refused", error.connectionCause, "connection cause")
        expectThrows<BanataException.Configuration> { BanataClient("not a url") }
    }

    test("per-call options override the client's timeout and retries") {
        Scripted(200, """{"addons":{}}""", delayMs = 1_000).use { server ->
            val client = BanataClient(server.url, apiKey = "k")
            val quick = RequestOptions(timeoutMs = 150u, maxRetries = 0u, idempotencyKey = "fixed-key", headers = mapOf("x-trace" to "1"))
            expectThrows<BanataException.Timeout> { runBlocking { client.addonsGet(quick) } }
            expectEqual(1, server.requests.size, "no retry with maxRetries = 0")
        }
    }

    test("a listener receives the flow's events in order; cancelling stops it") {
        val client = BanataClient(dev.url)
        val recorder = Recorder()
        val subscription = client.subscribe(recorder)
        val email = uniqueEmail("kt-events")
        val signedUp = client.signUpEmail("Ev", email, PASSWORD)
        client.signOut()
        client.signInEmail(email, PASSWORD)
        recorder.awaitCount(4)
        expectEqual(listOf("user.created", "session.created", "session.revoked", "session.created"), recorder.types(), "order")
        expectEqual(signedUp.user.id, recorder.events[0].data.userId, "user id")
        expectEqual("sign_in", recorder.events[3].data.reason, "reason")
        check(recorder.events.none { it.toString().contains(PASSWORD) || it.toString().contains(signedUp.token!!.expose()) }) { "no secrets in events" }

        subscription.cancel()
        check(subscription.isCancelled()) { "cancelled" }
        client.signOut()
        Thread.sleep(200)
        expectEqual(4, recorder.events.size, "nothing after cancel")
    }

    test("releasing a subscription handle unsubscribes") {
        val client = BanataClient(dev.url)
        val released = Recorder()
        client.subscribe(released).use { check(!it.isCancelled()) { "live until released" } }
        val kept = Recorder()
        val subscription = client.subscribe(kept)
        client.signUpEmail("Rl", uniqueEmail("kt-release"), PASSWORD)
        kept.awaitCount(2)
        expectEqual(2, kept.events.size, "the kept listener's events")
        expectEqual(0, released.events.size, "nothing for the released one")
        subscription.cancel()
    }

    test("a filtered listener, and events as a Flow") {
        val client = BanataClient(dev.url)
        val onlyCreated = Recorder()
        val subscription = client.subscribe(onlyCreated, "user.created")
        val collected = async(Dispatchers.Default) { client.events().take(2).toList() }
        delay(100) // let the flow subscribe
        client.signUpEmail("Fl", uniqueEmail("kt-flow"), PASSWORD)
        val events = withTimeout(5_000) { collected.await() }
        expectEqual(listOf("user.created", "session.created"), events.map { it.eventType }, "flow")
        onlyCreated.awaitCount(1)
        Thread.sleep(100)
        expectEqual(listOf("user.created"), onlyCreated.types(), "filter")
        subscription.close()
    }

    test("a custom SessionStore receives, serves and clears the token") {
        val store = MemoryStore()
        val client = BanataClient(dev.url, sessionStore = store)
        val email = uniqueEmail("kt-store")
        val signedUp = client.signUpEmail("St", email, PASSWORD)
        expectEqual(listOf(signedUp.token!!.expose()), store.saved.toList(), "saved")
        val sameUser = BanataClient(dev.url, sessionStore = store)
        expectEqual(signedUp.user.id, sameUser.getSession()!!.user.id, "the store's token signs in")
        client.signOut()
        expectEqual(null, store.current, "cleared")
        check(store.clears >= 1) { "clear() called" }

        val failing = BanataClient(dev.url, sessionStore = object : SessionStore {
            override fun get(): String? = null
            override fun set(token: String) = throw SessionStoreException.Failed("keychain locked")
            override fun clear() {}
        })
        val error = expectThrows<BanataException.SessionStore> { runBlocking { failing.signUpEmail("F", uniqueEmail("kt-fail"), PASSWORD) } }
        check(error.detail.contains("keychain locked")) { error.detail }
    }

    test("withSessionStore: a second user shares listeners, keeps its own token") {
        val project = BanataClient(dev.url, apiKey = dev.adminKey)
        val recorder = Recorder()
        val subscription = project.subscribe(recorder, "user.created")
        val store = MemoryStore()
        val user = project.withSessionStore(store)
        val signedUp = user.signUpEmail("Ws", uniqueEmail("kt-derived"), PASSWORD)
        expectEqual(signedUp.token!!.expose(), store.current, "the user's store")
        expectEqual(null, project.sessionToken(), "the project client has no session")
        expectEqual(signedUp.user.id, project.withSessionStore(store).getSession()!!.user.id, "same store, same user")
        recorder.awaitCount(1)
        expectEqual(signedUp.user.id, recorder.events.single().data.userId, "the project's listener saw it")
        subscription.cancel()
    }

    test("secrets stay out of toString()") {
        val token = SessionToken("tok_very_secret")
        expectEqual("SessionToken(<redacted>)", token.toString(), "token")
        expectEqual("tok_very_secret", token.expose(), "expose")
        val credentials = ForwardingCredentials(segmentWriteKey = "seg_very_secret")
        check(!credentials.toString().contains("seg_very_secret")) { credentials.toString() }
    }

    test("a Forwarder delivers to an enabled add-on; flush, stats, onError") {
        val admin = BanataClient(dev.url, apiKey = dev.adminKey)
        admin.addonsSave(mapOf("segment" to true, "stripe" to true))
        dev.admin("POST", "/__dev/sinks/stripe/script", """{"responses":[{"status":400,"times":0}]}""")
        val failures = CopyOnWriteArrayList<ForwardingFailure>()
        val forwarder = Forwarder(
            admin,
            credentials = ForwardingCredentials(segmentWriteKey = "seg_kotlin", stripeSecretKey = "sk_test_kotlin"),
            options = ForwardingOptions(fromEnv = false, segmentBaseUrl = dev.sinkUrl("segment"), stripeBaseUrl = dev.sinkUrl("stripe"), flushIntervalMs = 50u),
            onError = object : ForwardingErrorListener {
                override fun onError(failure: ForwardingFailure) {
                    failures.add(failure)
                }
            },
        )
        try {
            val user = admin.signUpEmail("Fw", uniqueEmail("kt-forward"), PASSWORD)
            forwarder.flush(10_000u)
            val received = dev.sinkRequests("segment")
            check(received.contains(user.user.id) && received.contains("Signed Up")) { "segment received the sign-up" }
            check(!received.contains(PASSWORD) && !received.contains(dev.adminKey)) { "no secrets forwarded" }
            val deadline = System.currentTimeMillis() + 5_000
            while (failures.isEmpty() && System.currentTimeMillis() < deadline) Thread.sleep(10)
            expectEqual("stripe", failures.firstOrNull()?.addon, "failure reported")
            expectEqual(400.toUShort(), failures.first().status, "failure status")
            val stats = forwarder.stats()
            check(stats.destinations.first { it.addon == "segment" }.sent >= 2uL) { "$stats" }
            check(stats.failed >= 1uL) { "$stats" }
            expectThrows<BanataException.Configuration> {
                Forwarder(admin, ForwardingCredentials(gaApiSecret = "half"), ForwardingOptions(fromEnv = false))
            }
        } finally {
            forwarder.shutdown(5_000u)
            dev.admin("POST", "/__dev/sinks/stripe/script", """{"responses":[]}""")
            admin.addonsSave(mapOf("segment" to false, "stripe" to false))
        }
    }

    test("Stripe seats follow an organization's membership: a member joins and is removed") {
        val admin = BanataClient(dev.url, apiKey = dev.adminKey)
        admin.addonsSave(mapOf("stripe" to true))
        // Two server-side clients (each with the API key and its own Forwarder): the owner's and
        // the invitee's.
        val owner = BanataClient(dev.url, apiKey = dev.adminKey)
        val bob = BanataClient(dev.url, apiKey = dev.adminKey)
        val options = ForwardingOptions(fromEnv = false, stripeBaseUrl = dev.sinkUrl("stripe"), flushIntervalMs = 50u)
        val forwarders = listOf(owner, bob).map { Forwarder(it, ForwardingCredentials(stripeSecretKey = "sk_test_kotlin_seats"), options) }
        try {
            owner.signUpEmail("Owner", uniqueEmail("kt-seat-owner"), PASSWORD)
            val org = owner.organizationsCreate("Seats", uniqueEmail("kt-seats"), metadataJson = """{"stripeSubscriptionItemId":"si_KT_SEATS"}""")
            expectEqual("super_admin", org.members!![0].role, "the creator's role")
            forwarders[0].flush(10_000u)
            val bobEmail = uniqueEmail("kt-seat-bob")
            val invitation = owner.organizationsInviteMember(bobEmail, listOf("member"), organizationId = org.id)
            bob.signUpEmail("Bob", bobEmail, PASSWORD)
            bob.organizationsAcceptInvitation(invitation.id)
            forwarders[1].flush(10_000u)
            owner.organizationsRemoveMember(bobEmail, organizationId = org.id)
            forwarders[0].flush(10_000u)
            val seats = JsonParser.parseString(dev.sinkRequests("stripe")).asJsonObject.getAsJsonArray("data")
                .map { it.asJsonObject }
                .filter { it.get("path").asString == "/v1/subscription_items/si_KT_SEATS" }
                .map { it.getAsJsonObject("body").getAsJsonArray("form")[0].asJsonArray[1].asString }
            expectEqual(listOf("1", "2", "1"), seats, "the quantities, in order")
        } finally {
            forwarders.forEach { it.shutdown(2_000u) }
            admin.addonsSave(mapOf("stripe" to false))
        }
    }

    test("examples/kotlin: the sign-in flow signs up the first time, then signs in") {
        val email = uniqueEmail("kt-example")
        val first = CopyOnWriteArrayList<String>()
        example.signInFlow(dev.url, email, PASSWORD) { first.add(it) }
        check(first.any { it.startsWith("no account yet (INVALID_EMAIL_OR_PASSWORD)") }) { "$first" }
        check(first.contains("signed out")) { "$first" }
        val second = CopyOnWriteArrayList<String>()
        example.signInFlow(dev.url, email, PASSWORD) { second.add(it) }
        check(second.none { it.startsWith("no account yet") } && second.any { it.startsWith("signed in as $email") }) { "$second" }
        check(second.none { it.contains(PASSWORD) }) { "no password printed" }
    }

    test("examples/kotlin: the two-factor flow stops for the second factor and completes with a code") {
        val email = uniqueEmail("kt-two-factor")
        val lines = CopyOnWriteArrayList<String>()
        val readCode: suspend (String) -> String = { to ->
            val mails = JsonParser.parseString(dev.admin("GET", "/__dev/mailbox?to=" + URLEncoder.encode(to, "UTF-8"))).asJsonObject.getAsJsonArray("mails")
            mails.map { it.asJsonObject }.last { it.get("kind").asString == "two-factor-otp" }.get("token").asString
        }
        example.twoFactorFlow(dev.url, email, PASSWORD, readCode) { lines.add(it) }
        expectEqual(
            listOf("enable     authenticator URI and 10 backup codes issued", "confirm    two-factor on",
                "sign-in    a second factor is required", "verify     signed in as $email"),
            lines.take(4), "the example's output")
        check(lines.last().startsWith("session    ")) { "$lines" }
    }

    test("a session JWT for the app's backend, kept while it is fresh, refused without a session") {
        val client = BanataClient(dev.url)
        client.signUpEmail("Jwt", uniqueEmail("kt-jwt"), PASSWORD)
        val tokens = (1..20).map { async(Dispatchers.Default) { client.token().token.expose() } }.awaitAll()
        check(tokens.toSet().size == 1) { "one token for every concurrent caller" }
        check(tokens[0].count { it == '.' } == 2) { "a JWT" }
        check(!client.token().token.toString().contains(tokens[0])) { "redacted" }
        val e = expectThrows<BanataException.Authentication> { kotlinx.coroutines.runBlocking { BanataClient(dev.url).token() } }
        expectEqual(401, fields(e).second, "status")
        // A Kotlin server verifies it locally; a tampered one is refused with the reason.
        val verified = client.verifySessionJwt(tokens[0])
        check(verified.userId.isNotEmpty() && verified.claimsJson!!.contains("\"aud\":\"convex\"")) { "$verified" }
        val parts = tokens[0].split(".")
        val claims = String(java.util.Base64.getUrlDecoder().decode(parts[1])).replace(verified.userId, "someone-else")
        val forged = parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(claims.toByteArray()) + "." + parts[2]
        val refused = expectThrows<BanataException.InvalidToken> { kotlinx.coroutines.runBlocking { client.verifySessionJwt(forged) } }
        expectEqual("BAD_SIGNATURE", fields(refused).third, "code")
        // Every other kind of bad token too; an unsigned or HS256 one is refused by its
        // algorithm before any signature is looked at.
        val b64 = { text: String -> java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(text.toByteArray()) }
        val signed = { claims: String ->
            JsonParser.parseString(dev.admin("POST", "/__dev/sign-jwt", "{\"claims\":$claims}")).asJsonObject.get("token").asString
        }
        val now = System.currentTimeMillis() / 1000
        val issuer = dev.url.trimEnd('/')
        val cases = listOf(
            signed("{\"sub\":\"u\",\"iss\":\"$issuer\",\"aud\":\"convex\",\"exp\":${now - 3600}}") to "TOKEN_EXPIRED",
            signed("{\"sub\":\"u\",\"iss\":\"$issuer\",\"aud\":\"another-app\",\"exp\":${now + 600}}") to "WRONG_AUDIENCE",
            (b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + ".") to "ALGORITHM_NOT_ALLOWED",
            (b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + parts[1] + "." + b64("keyed with the public key")) to "ALGORITHM_NOT_ALLOWED",
            "not.a.jwt" to "MALFORMED_TOKEN",
        )
        for ((token, reason) in cases) {
            val e = expectThrows<BanataException.InvalidToken> { kotlinx.coroutines.runBlocking { client.verifySessionJwt(token) } }
            expectEqual(reason, fields(e).third, "code")
        }
    }

    test("100 concurrent suspend calls") {
        val client = BanataClient(dev.url, apiKey = dev.adminKey)
        val configs = (1..100).map { async(Dispatchers.Default) { client.addonsGet() } }.awaitAll()
        expectEqual(100, configs.size, "answers")
    }

    OidcProvider().use { provider ->
        DevServer(provider.devserverArgs()).use { social ->
            test("social sign-in: the redirect flow and a link, through SocialSignIn") { socialRedirectFlow(social, provider) }
            test("social sign-in: ID tokens, and a wrong nonce refused") { idTokenSignIn(social, provider) }
        }
    }

    for (scenario in loadScenarios()) {
        test(scenario.get("name").asString) { DevServer().use { runScenario(it, scenario) } }
    }

    dev.close()
    val failed = results.count { it.second != null }
    println("${results.size - failed} passed, $failed failed")
    failed
}
