'use strict'
// @banata-auth/native: the JavaScript shape of the Banata Auth Rust core.
// Models are plain objects; timestamps are ISO 8601 strings (as on the wire), so they survive
// JSON.stringify and Next.js serialization unchanged. Errors are BanataError subclasses.

const { NativeClient } = require('./native.js')

const PREFIX = 'BANATA_ERROR:'

class BanataError extends Error {
  constructor(message, fields = {}) {
    super(message)
    this.name = new.target.name
    this.kind = fields.kind ?? 'api'
    this.status = fields.status ?? null
    this.code = fields.code ?? null
    this.requestId = fields.requestId ?? null
    this.retryAfter = fields.retryAfter ?? null
    // Not enumerable: a raw body can be long; it is there when asked for.
    Object.defineProperty(this, 'body', { value: fields.body ?? null, enumerable: false })
  }
}
class AuthenticationError extends BanataError {}
class ForbiddenError extends BanataError {}
class NotFoundError extends BanataError {}
class ConflictError extends BanataError {}
class ValidationError extends BanataError {}
class RateLimitError extends BanataError {}
class ServerError extends BanataError {}
class TimeoutError extends BanataError {}
class ConnectionError extends BanataError {}
class ConfigurationError extends BanataError {}

const CLASSES = {
  authentication: AuthenticationError,
  forbidden: ForbiddenError,
  not_found: NotFoundError,
  conflict: ConflictError,
  validation: ValidationError,
  rate_limited: RateLimitError,
  server: ServerError,
  timeout: TimeoutError,
  connection: ConnectionError,
  configuration: ConfigurationError,
}

function translate(error) {
  if (error && typeof error.message === 'string' && error.message.startsWith(PREFIX)) {
    const fields = JSON.parse(error.message.slice(PREFIX.length))
    const Class = CLASSES[fields.kind] ?? BanataError
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

async function doc(promise) {
  return JSON.parse(await call(promise))
}

function native(fn) {
  try {
    return fn()
  } catch (error) {
    throw translate(error)
  }
}

function updateJson(update) {
  if (update === null || typeof update !== 'object' || Array.isArray(update)) {
    throw new TypeError('expected an object of add-on id to settings, like { stripe: { enabled: true } }')
  }
  const addons = {}
  for (const [id, settings] of Object.entries(update)) {
    if (typeof settings === 'boolean') addons[id] = { enabled: settings }
    else if (settings !== null && typeof settings === 'object' && !Array.isArray(settings)) addons[id] = settings
    else throw new TypeError(`settings for "${id}" must be an object like { enabled: true }`)
  }
  return JSON.stringify({ addons })
}

class Auth {
  #native
  constructor(nativeClient) {
    this.#native = nativeClient
  }
  signUpEmail(input) {
    return doc(this.#native.signUpEmail(input))
  }
  signInEmail(input) {
    return doc(this.#native.signInEmail(input))
  }
  getSession() {
    return doc(this.#native.getSession())
  }
  listSessions() {
    return doc(this.#native.listSessions())
  }
  revokeSession(token) {
    return call(this.#native.revokeSession(token))
  }
  revokeOtherSessions() {
    return call(this.#native.revokeOtherSessions())
  }
  revokeSessions() {
    return call(this.#native.revokeSessions())
  }
  signOut() {
    return call(this.#native.signOut())
  }
  updateUser(update = {}) {
    return call(this.#native.updateUser(update.name ?? null, update.image ?? null))
  }
  changePassword(input) {
    return doc(this.#native.changePassword(input.currentPassword, input.newPassword, input.revokeOtherSessions ?? null))
  }
  requestPasswordReset(input) {
    return doc(this.#native.requestPasswordReset(input.email, input.redirectTo ?? null))
  }
  resetPassword(input) {
    return call(this.#native.resetPassword(input.token, input.newPassword))
  }
}

class Addons {
  #native
  constructor(nativeClient) {
    this.#native = nativeClient
  }
  get() {
    return doc(this.#native.addonsGet())
  }
  save(update) {
    return doc(this.#native.addonsSave(updateJson(update)))
  }
}

class BanataClient {
  #native
  #subscriptions = new Set()
  constructor(options) {
    if (options === null || typeof options !== 'object' || typeof options.baseUrl !== 'string') {
      throw new TypeError('new BanataClient({ baseUrl }) needs a baseUrl string')
    }
    const { baseUrl, apiKey, timeoutMs, maxRetries, initialRetryDelayMs, headers, allowInsecureHttp } = options
    this.#native = native(
      () => new NativeClient({ baseUrl, apiKey, timeoutMs, maxRetries, initialRetryDelayMs, headers, allowInsecureHttp }),
    )
    this.auth = new Auth(this.#native)
    this.addons = new Addons(this.#native)
  }
  get baseUrl() {
    return this.#native.baseUrl
  }
  sessionToken() {
    return call(this.#native.sessionToken())
  }
  on(type, listener) {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function')
    const subscription = this.#native.subscribe(type === '*' ? null : type, (json) => {
      try {
        listener(JSON.parse(json))
      } catch (error) {
        // A listener's exception never reaches the flow that emitted the event.
        process.emitWarning(`a Banata event listener threw: ${error && error.stack ? error.stack : error}`, 'BanataListenerWarning')
      }
    })
    this.#subscriptions.add(subscription)
    return () => {
      subscription.close()
      this.#subscriptions.delete(subscription)
    }
  }
  async close() {
    for (const subscription of this.#subscriptions) subscription.close()
    this.#subscriptions.clear()
  }
  toJSON() {
    return { baseUrl: this.baseUrl }
  }
  [Symbol.for('nodejs.util.inspect.custom')]() {
    return `BanataClient { baseUrl: '${this.baseUrl}' }`
  }
}

module.exports = {
  BanataClient,
  BanataError,
  AuthenticationError,
  ForbiddenError,
  NotFoundError,
  ConflictError,
  ValidationError,
  RateLimitError,
  ServerError,
  TimeoutError,
  ConnectionError,
  ConfigurationError,
}
