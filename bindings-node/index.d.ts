// Types of @banata-auth/native. Timestamps are ISO 8601 strings.

export interface BanataClientOptions {
  /** The Banata deployment, e.g. `https://auth.example.com` (http only for loopback); default `BANATA_BASE_URL`. */
  baseUrl?: string | undefined
  /** The project API key, needed for the add-on configuration. Never logged or shown; default `BANATA_API_KEY`. */
  apiKey?: string | undefined
  /** Per attempt, covering the whole response (default 30,000). */
  timeoutMs?: number | undefined
  /** Retries of 408/429/5xx, timeouts and connection failures (default 3). */
  maxRetries?: number | undefined
  /** Delay before the first retry (default 200, doubling, with jitter). */
  initialRetryDelayMs?: number | undefined
  /** Extra headers for every request. */
  headers?: Record<string, string> | undefined
  /** Allow plain http to a non-loopback host (never in production). */
  allowInsecureHttp?: boolean | undefined
  /**
   * CA certificates (PEM) to trust besides the system's, e.g. a company proxy's; the file named
   * by `NODE_EXTRA_CA_CERTS` is trusted too. `HTTPS_PROXY` and `NO_PROXY` are honoured.
   */
  caCertificates?: string[] | undefined
  /** Largest response body accepted, in bytes (default 10 MiB). */
  maxResponseBytes?: number | undefined
  /**
   * Where the session token lives (default: in memory, per client). Methods may be sync or
   * async; an exception surfaces as `SessionStoreError` (its message is not repeated).
   */
  sessionStore?: SessionStore | undefined
  /** Where session JWTs come from and what verifying one requires (default: the platform's). */
  jwt?: JwtSettings | undefined
}

/**
 * Session JWT settings. `platform` (default): `/convex/token` and `/convex/jwks`, `iss` the base
 * URL, `aud` `"convex"`. `jwt_plugin`: Better Auth's own `jwt()` plugin, `/token` and `/jwks`,
 * `iss` and `aud` the base URL.
 */
export interface JwtSettings {
  source?: 'platform' | 'jwt_plugin'
  issuer?: string
  audience?: string
  /** How far `exp`, `nbf` and `iat` may be off (default 30). */
  clockSkewSeconds?: number
  /** Shortest time between two fetches of the key set (default 30). */
  refetchCooldownSeconds?: number
  /**
   * `authenticate` asks the server (one `get-session` round trip) about a request that has no
   * session JWT but the session cookie or a session token as bearer (default false).
   */
  sessionFallback?: boolean
}

/** How `withCookieSession` writes the app's cookies. */
export interface CookieSessionOptions {
  /** `Secure` and the `__Secure-` names (default: true unless the request's URL is plain http). */
  secure?: boolean | undefined
  /** The cookies' `Domain`, to share them with subdomains (default: the app's own host). */
  domain?: string | undefined
}

/** One browser request's session cookies and the client that uses them. */
export interface CookieSession {
  /** A client whose session is the request's cookie. */
  readonly client: BanataClient
  /** The `Set-Cookie` values the answer must carry (empty when nothing changed). */
  setCookieHeaders(): string[]
  /** The same cookies as fields, for frameworks that set cookies by name (Next.js's `cookies().set`). */
  setCookies(): SetCookie[]
  /** Whether the browser holds a session token after this answer. */
  readonly hasSession: boolean
}

/** A cookie for the answer. The value is as Better Auth writes it: set it without encoding it again. */
export interface SetCookie {
  name: string
  value: string
  path: string
  domain: string | null
  /** Seconds to keep it (0 ends it); null: ends with the browser. */
  maxAge: number | null
  /** Unix seconds, when the server set `Expires`. */
  expires: number | null
  httpOnly: boolean
  secure: boolean
  sameSite: 'lax' | 'strict' | 'none'
}

/** What `authenticate` reads headers from. */
export type RequestLike =
  | { headers: { forEach(callback: (value: string, name: string) => void): void; get(name: string): string | null } }
  | { forEach(callback: (value: string, name: string) => void): void; get(name: string): string | null }
  | { headers: Record<string, string | string[] | undefined> }
  | Record<string, string | string[] | undefined>
  | Array<[string, string]>

export interface SessionStore {
  get(): string | null | undefined | Promise<string | null | undefined>
  set(token: string): void | Promise<void>
  clear(): void | Promise<void>
}

// The models (User, Session, AuthResult, ...) and the resource classes `Auth` and `Addons` are
// generated from the core's operation list.
export * from './generated'
import type { Resources, AddonSettings, AuthEvent, EventBusStats, ForwardingFailure, ForwardingStats, VerifiedSession } from './generated'

export type AddonUpdate = Record<string, boolean | Partial<AddonSettings>>

/** Settings for one call; unset ones fall back to the client's. */
export interface RequestOptions {
  /** Per attempt, covering the whole response. */
  timeoutMs?: number | undefined
  /** Retries after the first attempt. */
  maxRetries?: number | undefined
  /** The `Idempotency-Key` every attempt of a POST sends (default: a new random key). */
  idempotencyKey?: string | undefined
  /** Extra headers for this call. */
  headers?: Record<string, string> | undefined
}

/**
 * A listener's registration: call it or `close()` it to stop; dropping it stops too. Where the
 * runtime has `Symbol.dispose` it also has that method, so `using` ends it with the scope.
 */
export interface Subscription {
  (): void
  close(): void
}

/** `client.auth`, `client.addons`, …: every resource (see `Resources`). */
export interface BanataClient extends Resources {}
export declare class BanataClient {
  /** Options not given are read from `BANATA_BASE_URL` and `BANATA_API_KEY`. */
  constructor(options?: BanataClientOptions)
  readonly baseUrl: string
  sessionToken(): Promise<string | null>
  /**
   * Verifies a session JWT locally (the key set is fetched once and cached for the process):
   * signature, algorithm, `exp`/`nbf`/`iat`, `iss`, `aud`. Rejects with `InvalidTokenError`
   * whose `code` says why (`TOKEN_EXPIRED`, `BAD_SIGNATURE`, `UNKNOWN_KEY`, …).
   */
  verifySessionJwt(token: string): Promise<VerifiedSession>
  /**
   * Who a request is for: the session JWT in `Authorization: Bearer` or the
   * `better-auth.convex_jwt` cookie, verified locally. Takes a Fetch API `Request` or `Headers`
   * (route handlers, server actions, `proxy.ts`/`middleware`), Node's `IncomingMessage` or its
   * headers. With `jwt.sessionFallback`, a request with only the session cookie is answered by
   * the server (`roundTrip: true`; `UNKNOWN_SESSION` when it has ended). Rejects with
   * `InvalidTokenError` (`MISSING_TOKEN` when there is none): answer 401.
   */
  authenticate(request: RequestLike): Promise<VerifiedSession>
  /**
   * A client for another session: shares this client's connections, API key, settings and
   * event listeners, and keeps its token in `sessionStore` (default: its own memory). Cheap
   * enough to make one per request.
   */
  withSessionStore(sessionStore?: SessionStore): BanataClient
  /**
   * A client for one browser request whose session lives in Better Auth's own cookies
   * (`better-auth.session_token`, `dont_remember`, `convex_jwt`, the multi-session and
   * two-factor cookies): the request's cookies are read, and every cookie the server sets is
   * relayed to `setCookieHeaders()` for the answer, so the session is the one the hosted page
   * and the `better-auth` browser client see.
   */
  withCookieSession(request: RequestLike | string | null | undefined, options?: CookieSessionOptions): CookieSession
  /**
   * Calls `listener` for each event of `type` (`'*'` for all), in order. Returns a handle that
   * stops delivery when called, closed, disposed (`using`) or garbage-collected.
   */
  on(type: string, listener: (event: AuthEvent) => void): Subscription
  /** Event delivery counters: delivered, dropped (the listeners' queue was full), listener panics. */
  eventStats(): EventBusStats
  /** Closes every subscription of this client. */
  close(): Promise<void>
}

export interface BanataErrorFields {
  kind?: string
  status?: number | null
  code?: string | null
  requestId?: string | null
  retryAfter?: number | null
  body?: string | null
}

export declare class BanataError extends Error {
  constructor(message: string, fields?: BanataErrorFields)
  readonly kind: string
  readonly status: number | null
  readonly code: string | null
  readonly requestId: string | null
  /** Seconds the server asked to wait. */
  readonly retryAfter: number | null
  /**
   * For a failure to connect: `certificate` (not trusted: see `caCertificates`), `tls`, `dns`,
   * `refused`, `reset` or `other`.
   */
  readonly connectionCause: string | null
  readonly body: string | null
}
export interface ForwarderOptions {
  /** Read credentials from the environment first (default true). */
  fromEnv?: boolean
  gaMeasurementId?: string
  gaApiSecret?: string
  /** e.g. `https://region1.google-analytics.com` for the EU. */
  gaBaseUrl?: string
  segmentWriteKey?: string
  segmentBaseUrl?: string
  posthogApiKey?: string
  /** e.g. `https://eu.i.posthog.com`. */
  posthogHost?: string
  stripeSecretKey?: string
  stripeBaseUrl?: string
  /** Send users' e-mail addresses to add-ons (default false). */
  sendEmail?: boolean
  /** Send client IP addresses when events carry them (default false). */
  sendIp?: boolean
  /** Messages each add-on may hold before new ones are dropped (default 10,000). */
  queueCapacity?: number
  /** Longest time a message waits for its batch (default 1,000). */
  flushIntervalMs?: number
  /** Compress Segment and PostHog bodies (default false). */
  gzip?: boolean
  /** Called once per batch an add-on refused for good. */
  onError?: (failure: ForwardingFailure) => void
}




/** Forwards a client's auth events to the add-ons enabled in the dashboard. */
export declare class Forwarder {
  constructor(client: BanataClient, options?: ForwarderOptions)
  /** Resolves when everything emitted so far was sent or failed; rejects with `TimeoutError` after `timeoutMs` (default 5,000). */
  flush(timeoutMs?: number): Promise<void>
  /** Stops taking events and delivers what is queued, for at most `timeoutMs` (default 5,000). */
  shutdown(timeoutMs?: number): Promise<void>
  stats(): ForwardingStats
}

/**
 * Express/Connect middleware: sets `req.session` to the request's VerifiedSession, or answers
 * 401 with `{code, message}`.
 */
export declare function requireSession(
  client: BanataClient,
): (req: any, res: any, next: (error?: unknown) => void) => void
