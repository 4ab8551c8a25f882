'use strict'
// @banata-auth/native: the JavaScript shape of the Banata Auth Rust core.
// Models are plain objects; timestamps are ISO 8601 strings (as on the wire), so they survive
// JSON.stringify and Next.js serialization unchanged. Errors are BanataError subclasses.

const { NativeClient, NativeForwarder } = require('./native.js')
const generated = require('./generated.js')
const { BanataError, errorClasses, resources } = generated

const PREFIX = 'BANATA_ERROR:'

function translate(error) {
  if (error && typeof error.message === 'string' && error.message.startsWith(PREFIX)) {
    const fields = JSON.parse(error.message.slice(PREFIX.length))
    const Class = errorClasses[fields.class] ?? BanataError
    return new Class(fields.message, fields)
  }
  return error
}

async function call(promise) {
  try {
    return await promise
  } catch (error) {
    throw translate(error)
  }
}

function native(fn) {
  try {
    return fn()
  } catch (error) {
    throw translate(error)
  }
}

function callOptions(options) {
  if (options === undefined || options === null) return undefined
  if (typeof options !== 'object') throw new TypeError('request options must be an object')
  return {
    timeoutMs: whole('timeoutMs', options.timeoutMs),
    maxRetries: whole('maxRetries', options.maxRetries),
    idempotencyKey: options.idempotencyKey ?? undefined,
    headers: stringRecord('headers', options.headers),
  }
}

// `jwt: {source, issuer, audience, clockSkewSeconds, refetchCooldownSeconds}`, checked by the core.
function jwtOption(jwt) {
  if (jwt === undefined || jwt === null) return undefined
  if (typeof jwt !== 'object' || Array.isArray(jwt)) throw new TypeError('jwt must be an object of settings')
  return JSON.stringify(jwt)
}

// Only what the core reads to authenticate: every Authorization and Cookie header, as pairs, and
// a key made of them for the memo. Header values hold no line break, so the keys cannot collide:
// one Authorization and/or one Cookie header give `authorization`, `\ncookie` or
// `authorization\ncookie` (the header's own string, whose hash the engine keeps), anything else
// starts with two line breaks.
function requestCredentials(source) {
  const headers = source !== null && typeof source === 'object' && source.headers !== undefined && typeof source.headers === 'object' ? source.headers : source
  if (headers !== null && typeof headers === 'object' && typeof headers.get === 'function' && typeof headers.forEach === 'function') {
    // Fetch API Headers: case-insensitive, repeated values already combined.
    const authorization = headers.get('authorization')
    const cookie = headers.get('cookie')
    return { authorization, cookie, key: credentialKey(authorization, cookie) }
  }
  const pairs = headerPairs(source).filter(([name]) => {
    const lower = name.toLowerCase()
    return lower === 'authorization' || lower === 'cookie'
  })
  const authorizations = pairs.filter(([name]) => name.toLowerCase() === 'authorization')
  if (pairs.length <= 2 && authorizations.length <= 1 && pairs.length - authorizations.length <= 1) {
    const authorization = authorizations.length === 1 ? authorizations[0][1] : null
    const cookie = pairs.find(([name]) => name.toLowerCase() === 'cookie')?.[1] ?? null
    return { authorization, cookie, key: credentialKey(authorization, cookie) }
  }
  return { pairs, key: `\n\n${pairs.map(([name, value]) => `${name.toLowerCase()}:${value}`).join('\n')}` }
}

function credentialKey(authorization, cookie) {
  if (cookie === null) return authorization ?? ''
  return authorization === null ? `\n${cookie}` : `${authorization}\n${cookie}`
}

// The Cookie header of a request given as pairs (several Cookie headers join with "; ").
function cookieOf(request) {
  const values = headerPairs(request).filter(([name]) => name.toLowerCase() === 'cookie')
  return values.length === 0 ? null : values.map(([, value]) => value).join('; ')
}

// A Fetch API Request for plain http (a development machine): its cookies cannot be Secure.
function isPlainHttp(request) {
  return request !== null && typeof request === 'object' && typeof request.url === 'string' && request.url.startsWith('http:')
}

// The pairs the core reads, made only when the memo does not answer.
function credentialPairs(credentials) {
  if (credentials.pairs !== undefined) return credentials.pairs
  const pairs = []
  if (credentials.authorization !== null) pairs.push(['authorization', credentials.authorization])
  if (credentials.cookie !== null) pairs.push(['cookie', credentials.cookie])
  return pairs
}

// A request's headers as [name, value] pairs, from whatever the framework hands over: a Fetch
// API Request or Headers (Next.js, Remix, Hono), Node's IncomingMessage (Express, Fastify's
// request.raw) or its `headers` object, or pairs.
function headerPairs(source) {
  if (source === null || typeof source !== 'object') {
    throw new TypeError('authenticate(request) takes a Request, Headers, an IncomingMessage or its headers')
  }
  const headers = source.headers !== undefined && typeof source.headers === 'object' ? source.headers : source
  if (typeof headers.forEach === 'function' && typeof headers.get === 'function') {
    const pairs = []
    headers.forEach((value, name) => pairs.push([name, String(value)]))
    return pairs
  }
  const entries = Array.isArray(headers) ? headers : Object.entries(headers)
  const pairs = []
  for (const [name, value] of entries) {
    if (typeof name !== 'string' || value === undefined || value === null) continue
    // Node gives repeated headers as arrays; cookies join with "; ", the rest with ", ".
    pairs.push([name, Array.isArray(value) ? value.join(name.toLowerCase() === 'cookie' ? '; ' : ', ') : String(value)])
  }
  return pairs
}

/**
 * Express/Connect middleware (Fastify: `fastify.addHook('onRequest', …)` with `request.raw`): puts
 * who the request is for on `req.session` (a VerifiedSession) or answers 401 with
 * `{code, message}` (InvalidTokenError's code: MISSING_TOKEN, TOKEN_EXPIRED, …).
 */
function requireSession(client) {
  if (!(client instanceof BanataClient)) throw new TypeError('requireSession(client) takes a BanataClient')
  return (req, res, next) => {
    client.authenticate(req).then(
      (session) => {
        req.session = session
        next()
      },
      (error) => {
        if (error instanceof generated.InvalidTokenError) {
          res.statusCode = 401
          res.setHeader('content-type', 'application/json')
          res.setHeader('www-authenticate', 'Bearer')
          res.end(JSON.stringify({ code: error.code, message: error.message }))
        } else {
          next(error)
        }
      },
    )
  }
}

// What the generated resource classes call: one native call per operation, the input and the
// result as JSON (the core checks the input and names a wrong field without its value).
function invoker(nativeClient) {
  return async (operation, input, options, decode) => {
    const settings = callOptions(options)
    const json = input === undefined ? null : JSON.stringify(input)
    let result
    try {
      result = await nativeClient.call(operation, json, settings)
    } catch (error) {
      throw translate(error)
    }
    return decode ? JSON.parse(result) : undefined
  }
}

// The one function the native side calls per event, with the ids of the listeners it matches:
// the event is parsed once for all of them. Made in its own scope, so that it (held strongly by
// the native side) keeps no handle alive.
function fanOut(listeners) {
  return (document) => {
    const [ids, event] = JSON.parse(document)
    for (const id of ids) {
      const listener = listeners.get(id)
      if (listener === undefined) continue
      try {
        listener(event)
      } catch (error) {
        // A listener's exception never reaches the flow that emitted the event.
        warn('a Banata event listener', error)
      }
    }
  }
}

// Stops one listener: what closing its handle and collecting it both do.
function end({ subscription, subscriptions, listeners }) {
  subscription.close()
  subscriptions.delete(subscription)
  listeners.delete(subscription.id)
}

// Subscriptions whose handle was garbage-collected end, like a dropped handle in Rust.
const DROPPED = new FinalizationRegistry(end)

function subscriptionHandle(subscription, subscriptions, listeners) {
  const registration = { subscription, subscriptions, listeners }
  const close = () => {
    end(registration)
    DROPPED.unregister(handle)
  }
  const handle = () => close()
  handle.close = close
  if (typeof Symbol.dispose === 'symbol') handle[Symbol.dispose] = close
  DROPPED.register(handle, registration, handle)
  return handle
}

// The native client behind each BanataClient, for Forwarder; not part of the public shape.
const NATIVE = new WeakMap()
// Lets withSessionStore() wrap a native client it already has.
const FROM_NATIVE = Symbol('banata.fromNative')

function errorName(error) {
  return (error && typeof error === 'object' && typeof error.name === 'string' && error.name) || typeof error
}

// Folds a `{ get, set, clear }` store (sync or async) into the one function the native side
// calls. A store's exception is reduced to its class name: its message could hold the token.
function storeFunction(store) {
  if (store === null || typeof store !== 'object') {
    throw new TypeError('sessionStore must be an object with get(), set(token) and clear()')
  }
  for (const method of ['get', 'set', 'clear']) {
    if (typeof store[method] !== 'function') {
      throw new TypeError(`sessionStore.${method} must be a function`)
    }
  }
  return async (op, token) => {
    let value
    try {
      if (op === 'get') value = await store.get()
      else if (op === 'set') await store.set(token)
      else await store.clear()
    } catch (error) {
      throw new Error(`it threw ${errorName(error)}`)
    }
    if (op !== 'get' || value === null || value === undefined) return null
    if (typeof value !== 'string') throw new Error(`get() returned ${typeof value}, not a string or null`)
    return value
  }
}

// napi converts a negative number to a huge u32 without complaint, so numbers are checked here.
function whole(name, value) {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${typeof value}`)
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`${name} must be a whole number from 0 to 4294967295, got ${value}`)
  }
  return value
}

function stringRecord(name, value) {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'object' || Array.isArray(value)) throw new TypeError(`${name} must be an object of strings`)
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') throw new TypeError(`${name}.${key} must be a string, got ${typeof item}`)
  }
  return value
}

function stringList(name, value) {
  if (value === undefined || value === null) return undefined
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new TypeError(`${name} must be an array of PEM strings`)
  }
  return value
}

function warn(what, error) {
  process.emitWarning(`${what} threw: ${error && error.stack ? error.stack : error}`, 'BanataListenerWarning')
}

// A request's answer is kept by its Authorization and Cookie headers: the same headers give the
// same answer while the core's keys are unchanged and the token has not expired (the core
// remembers verified tokens the same way; this only saves the call into it).
const VERIFIED_LIMIT = 10_000

// `client.auth`, `client.addons`, …: every resource the core declares.
function attachResources(client, invoke) {
  for (const [name, Resource] of Object.entries(resources)) {
    Object.defineProperty(client, name, { value: new Resource(invoke), enumerable: true })
  }
}

class BanataClient {
  #native
  #verified = new Map()
  #subscriptions = new Set()
  #listeners = null
  constructor(options) {
    if (options !== null && typeof options === 'object' && options[FROM_NATIVE]) {
      this.#native = options[FROM_NATIVE]
      NATIVE.set(this, this.#native)
      attachResources(this, invoker(this.#native))
      return
    }
    if (options === undefined) options = {}
    if (options === null || typeof options !== 'object') {
      throw new TypeError('new BanataClient(options) takes an object of options')
    }
    // Unset ones come from BANATA_BASE_URL and BANATA_API_KEY (read by the core).
    const { baseUrl, apiKey, allowInsecureHttp, sessionStore } = options
    for (const [name, value] of [['baseUrl', baseUrl], ['apiKey', apiKey]]) {
      if (value !== undefined && value !== null && typeof value !== 'string') throw new TypeError(`${name} must be a string`)
    }
    const settings = {
      baseUrl,
      apiKey,
      timeoutMs: whole('timeoutMs', options.timeoutMs),
      maxRetries: whole('maxRetries', options.maxRetries),
      initialRetryDelayMs: whole('initialRetryDelayMs', options.initialRetryDelayMs),
      headers: stringRecord('headers', options.headers),
      allowInsecureHttp,
      caCertificates: stringList('caCertificates', options.caCertificates),
      maxResponseBytes: whole('maxResponseBytes', options.maxResponseBytes),
      jwt: jwtOption(options.jwt),
    }
    const store = sessionStore === undefined || sessionStore === null ? undefined : storeFunction(sessionStore)
    this.#native = native(() => new NativeClient(settings, store))
    NATIVE.set(this, this.#native)
    attachResources(this, invoker(this.#native))
  }
  get baseUrl() {
    return this.#native.baseUrl
  }
  sessionToken() {
    return call(this.#native.sessionToken())
  }
  verifySessionJwt(token) {
    if (typeof token !== 'string') throw new TypeError('verifySessionJwt(token) takes the JWT as a string')
    return invoker(this.#native)('session.verify_jwt', { token }, undefined, true)
  }
  authenticate(request) {
    // A request that is not one throws here, not in the promise.
    const credentials = requestCredentials(request)
    const generation = NativeClient.keysGeneration()
    const known = this.#verified.get(credentials.key)
    if (known !== undefined && known.generation === generation && Date.now() < known.until) return Promise.resolve(known.session)
    return this.#authenticate(credentials, generation)
  }
  async #authenticate(credentials, generation) {
    const session = await invoker(this.#native)('session.authenticate', { headers: credentialPairs(credentials) }, undefined, true)
    // The server's answer about a session (the session fallback) holds for that request only.
    if (session.roundTrip) return session
    if (this.#verified.size >= VERIFIED_LIMIT) this.#verified.clear()
    // Kept until the token's exp at most: past it, the core decides (with its clock skew).
    const until = Date.parse(session.expiresAt)
    this.#verified.set(credentials.key, { session: Object.freeze(session), generation, until })
    return session
  }
  /**
   * A client for another session: it shares this client's connections, API key, settings and
   * event listeners (so one Forwarder sees every user's events) and keeps its token in
   * `sessionStore` (default: its own memory). Cheap enough to make one per request.
   */
  withSessionStore(sessionStore) {
    const store = sessionStore === undefined || sessionStore === null ? undefined : storeFunction(sessionStore)
    return new BanataClient({ [FROM_NATIVE]: this.#native.withSessionStore(store) })
  }
  /**
   * A client for one browser request whose session lives in Better Auth's own cookies:
   * `request` is a Request, Headers, an IncomingMessage, its headers, or the `Cookie` header
   * itself. The answer must carry `setCookieHeaders()` (one `Set-Cookie` each). `secure`
   * (default: true unless the request's URL is plain http) gives `Secure` and the `__Secure-`
   * names; `domain` shares the cookies with subdomains.
   */
  withCookieSession(request, options = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('withCookieSession options must be an object')
    const { secure, domain } = options
    if (secure !== undefined && typeof secure !== 'boolean') throw new TypeError('secure must be a boolean')
    if (domain !== undefined && domain !== null && typeof domain !== 'string') throw new TypeError('domain must be a string')
    const cookie = typeof request === 'string' ? request : request === undefined || request === null ? null : requestCredentials(request).cookie ?? cookieOf(request)
    const session = this.#native.withCookieSession(cookie, secure ?? !isPlainHttp(request), domain ?? undefined)
    return Object.freeze({
      client: new BanataClient({ [FROM_NATIVE]: session.takeClient() }),
      setCookieHeaders: () => session.setCookieHeaders(),
      setCookies: () => JSON.parse(session.setCookies()),
      get hasSession() {
        return session.hasSession
      },
    })
  }
  /**
   * Calls `listener` for each event of `type` ('*' for all). Returns a handle: call it, call
   * `close()`, or let `using` dispose it to stop; a handle that is garbage-collected stops too,
   * as in every other language, so keep it as long as events should arrive.
   */
  on(type, listener) {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function')
    if (this.#listeners === null) {
      this.#listeners = new Map()
      this.#native.listen(fanOut(this.#listeners))
    }
    const subscription = this.#native.subscribe(type ?? null)
    this.#subscriptions.add(subscription)
    this.#listeners.set(subscription.id, listener)
    return subscriptionHandle(subscription, this.#subscriptions, this.#listeners)
  }
  /** Event delivery counters: delivered, dropped (the listeners' queue was full), listener panics. */
  eventStats() {
    return JSON.parse(this.#native.eventStats())
  }
  async close() {
    for (const subscription of this.#subscriptions) subscription.close()
    this.#subscriptions.clear()
    this.#listeners?.clear()
  }
  toJSON() {
    return { baseUrl: this.baseUrl }
  }
  [Symbol.for('nodejs.util.inspect.custom')]() {
    return `BanataClient { baseUrl: '${this.baseUrl}' }`
  }
}

/**
 * Forwards a client's auth events to the add-ons enabled in the dashboard (GA4, Segment,
 * PostHog, Stripe). Credentials come from the environment unless given here.
 */
class Forwarder {
  #native
  constructor(client, options = {}) {
    const nativeClient = NATIVE.get(client)
    if (nativeClient === undefined) throw new TypeError('new Forwarder(client) needs a BanataClient')
    if (options === null || typeof options !== 'object') throw new TypeError('Forwarder options must be an object')
    const { onError, ...rest } = options
    rest.queueCapacity = whole('queueCapacity', rest.queueCapacity)
    rest.flushIntervalMs = whole('flushIntervalMs', rest.flushIntervalMs)
    if (onError !== undefined && typeof onError !== 'function') throw new TypeError('onError must be a function')
    const report = onError
      ? (json) => {
          try {
            onError(JSON.parse(json))
          } catch (error) {
            warn('a Banata forwarding onError callback', error)
          }
        }
      : undefined
    this.#native = native(() => new NativeForwarder(nativeClient, rest, report))
  }
  /** Resolves when everything emitted so far was sent or failed; rejects with TimeoutError after `timeoutMs`. */
  flush(timeoutMs = 5000) {
    return call(this.#native.flush(whole('timeoutMs', timeoutMs)))
  }
  /** Stops taking events and delivers what is queued, for at most `timeoutMs`. */
  shutdown(timeoutMs = 5000) {
    return call(this.#native.shutdown(whole('timeoutMs', timeoutMs)))
  }
  /** Counters: queued, sent, retried, failed, dropped, and the same per add-on. */
  stats() {
    return JSON.parse(this.#native.stats())
  }
}

// The resources and error classes come from generated.js; Node finds the ESM entry's named
// exports by reading this literal and the spread require's.
module.exports = { BanataClient, Forwarder, requireSession, ...require('./generated.js') }
