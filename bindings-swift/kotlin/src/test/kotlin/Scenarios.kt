// The shared scenarios (tests/scenarios/*.json, see its README) through the Kotlin binding:
// each step is one `callOperation`, errors are the thrown BanataException subclasses.
import com.google.gson.JsonElement
import com.google.gson.JsonNull
import com.google.gson.JsonObject
import com.google.gson.JsonParser
import com.google.gson.JsonPrimitive
import dev.banata.auth.*
import java.io.File
import java.net.URLEncoder

/** The scenario files, sorted by name. */
fun loadScenarios(): List<JsonObject> =
    (File("tests/scenarios").listFiles { f -> f.name.endsWith(".json") } ?: error("tests/scenarios is missing"))
        .sortedBy { it.name }
        .map { JsonParser.parseString(it.readText()).asJsonObject }

private fun fill(value: JsonElement, vars: Map<String, JsonElement>): JsonElement = when {
    value.isJsonPrimitive && value.asJsonPrimitive.isString -> {
        val s = value.asString
        val whole = Regex("^\\{(\\w+)\\}$").find(s)?.groupValues?.get(1)
        if (whole != null && vars.containsKey(whole)) vars.getValue(whole)
        else JsonPrimitive(Regex("\\{(\\w+)\\}").replace(s) { m ->
            vars[m.groupValues[1]]?.takeIf { it.isJsonPrimitive && it.asJsonPrimitive.isString }?.asString ?: m.value
        })
    }
    value.isJsonArray -> com.google.gson.JsonArray().also { out -> value.asJsonArray.forEach { out.add(fill(it, vars)) } }
    value.isJsonObject -> JsonObject().also { out -> value.asJsonObject.entrySet().forEach { (k, v) -> out.add(k, fill(v, vars)) } }
    else -> value
}

private fun at(value: JsonElement?, path: String): JsonElement? =
    path.split(".").fold(value) { v, key ->
        when {
            v == null || v.isJsonNull -> null
            v.isJsonArray -> key.toIntOrNull()?.let { v.asJsonArray.elementAtOrNull(it) }
            v.isJsonObject -> v.asJsonObject.get(key)
            else -> null
        }
    }

/** `RateLimited` → `rate_limited`: the core's kind of a thrown error. */
private fun kindOf(e: BanataException) =
    e::class.simpleName!!.replace(Regex("([a-z])([A-Z])"), "$1_$2").lowercase()

internal fun fields(e: BanataException): Triple<String, Int?, String?> = when (e) {
    is BanataException.Authentication -> Triple(kindOf(e), e.status?.toInt(), e.code)
    is BanataException.Forbidden -> Triple(kindOf(e), e.status?.toInt(), e.code)
    is BanataException.NotFound -> Triple(kindOf(e), e.status?.toInt(), e.code)
    is BanataException.Conflict -> Triple(kindOf(e), e.status?.toInt(), e.code)
    is BanataException.Validation -> Triple(kindOf(e), e.status?.toInt(), e.code)
    is BanataException.RateLimited -> Triple(kindOf(e), e.status?.toInt(), e.code)
    is BanataException.Server -> Triple(kindOf(e), e.status?.toInt(), e.code)
    is BanataException.Api -> Triple(kindOf(e), e.status?.toInt(), e.code)
    is BanataException.Timeout -> Triple(kindOf(e), e.status?.toInt(), e.code)
    is BanataException.Connection -> Triple(kindOf(e), e.status?.toInt(), e.code)
    is BanataException.Decode -> Triple(kindOf(e), e.status?.toInt(), e.code)
    is BanataException.Configuration -> Triple(kindOf(e), e.status?.toInt(), e.code)
    is BanataException.SessionStore -> Triple(kindOf(e), e.status?.toInt(), e.code)
    is BanataException.InvalidArgument -> Triple(kindOf(e), e.status?.toInt(), e.code)
    is BanataException.InvalidToken -> Triple(kindOf(e), e.status?.toInt(), e.code)
}

suspend fun runScenario(dev: DevServer, scenario: JsonObject) {
    val vars = mutableMapOf<String, JsonElement>(
        "email" to JsonPrimitive(uniqueEmail("scenario")),
        "password" to JsonPrimitive(PASSWORD),
    )
    val admin = BanataClient(dev.url, apiKey = dev.adminKey)
    val anonymous = BanataClient(dev.url)
    val recorder = Recorder()
    val subscription = admin.subscribe(recorder, null)
    for ((i, raw) in scenario.getAsJsonArray("steps").withIndex()) {
        val step = fill(raw, vars).asJsonObject
        val result: JsonElement
        if (step.has("fault")) {
            dev.admin("POST", "/__dev/faults", step.get("fault").toString())
            continue
        } else if (step.has("mail")) {
            val to = URLEncoder.encode(step.get("mail").asString, "UTF-8")
            val mails = JsonParser.parseString(dev.admin("GET", "/__dev/mailbox?to=$to")).asJsonObject.getAsJsonArray("mails")
            check(mails.size() > 0) { "step $i: no mail" }
            result = mails.last()
        } else {
            val id = step.get("call").asString
            val client = if (step.get("client")?.asString == "anonymous") anonymous else admin
            val input = step.get("input") ?: JsonNull.INSTANCE
            val where = "step $i ($id)"
            val want = step.get("error")?.asJsonObject
            if (want != null) {
                val e = expectThrows<BanataException> { kotlinx.coroutines.runBlocking { client.callOperation(id, input.toString()) } }
                val (kind, status, code) = fields(e)
                expectEqual(want.get("kind").asString, kind, "$where kind")
                want.get("status")?.let { expectEqual(it.asInt, status, "$where status") }
                want.get("code")?.let { expectEqual(it.asString, code, "$where code") }
                continue
            }
            result = JsonParser.parseString(client.callOperation(id, input.toString()))
            val expect = step.get("expect")
            if (expect != null && expect.isJsonNull) check(result.isJsonNull) { "$where: expected null, got $result" }
            expect?.takeIf { it.isJsonObject }?.asJsonObject?.entrySet()?.forEach { (path, value) ->
                val got = at(result, path)
                if (value.isJsonPrimitive && value.asString == "*") check(got != null && !got.isJsonNull) { "$where: $path missing in $result" }
                else expectEqual(value, got, "$where: $path")
            }
        }
        step.get("save")?.asJsonObject?.entrySet()?.forEach { (name, path) ->
            vars[name] = at(result, path.asString) ?: error("step $i: no ${path.asString}")
        }
    }
    val want = scenario.getAsJsonArray("events").map { it.asString }
    recorder.awaitCount(want.size)
    Thread.sleep(20)
    subscription.cancel()
    expectEqual(want, recorder.types(), "events")
}
