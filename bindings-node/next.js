'use strict'
// @banata-auth/native/next: sessions in Better Auth's own cookies for the Next.js App Router
// (15 and 16): `auth()` for server components, route handlers and server actions; server-action
// helpers that sign up, in and out and set the cookies; a guard for middleware (15, with
// `runtime: 'nodejs'`) or proxy.ts (16) that verifies the session; and the route handler the
// browser side (@banata-auth/react) talks to. Runs in Node.js only (list the package in
// `serverExternalPackages`).

const { BanataClient, InvalidTokenError } = require('./index.js')

// `next/headers` and `next/server` are the app's own (a peer), loaded on first use.
const nextHeaders = () => require('next/headers')
const nextServer = () => require('next/server')

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])
const hasSessionCookie = (cookie) => /(^|;\s*)(__Secure-)?better-auth\.session_token=[^;]/.test(cookie)
const jwtCookie = (cookie) => /(?:^|;\s*)(?:__Secure-)?better-auth\.convex_jwt=([^;]+)/.exec(cookie)?.[1] ?? null

function option(name, value, type) {
  if (value !== undefined && value !== null && typeof value !== type) throw new TypeError(`${name} must be a ${type}`)
  return value ?? undefined
}

function routeList(name, value) {
  if (value === undefined) return []
  if (!Array.isArray(value) || !value.every((r) => typeof r === 'string' || r instanceof RegExp)) {
    throw new TypeError(`${name} must be an array of paths ("/about", "/blog/*") and RegExps`)
  }
  return value
}

function matches(routes, pathname) {
  return routes.some((route) => {
    if (route instanceof RegExp) return route.test(pathname)
    if (route.endsWith('/*')) return pathname === route.slice(0, -2) || pathname.startsWith(route.slice(0, -1))
    return pathname === route
  })
}

// Whether the app is on HTTPS, from what the request says (a proxy's x-forwarded-proto, the
// Origin of a server action, the URL of a route handler); a loopback host is plain http.
function isSecure(headers, url) {
  const forwarded = headers.get('x-forwarded-proto')
  if (forwarded) return forwarded.split(',')[0].trim() === 'https'
  const from = url ?? headers.get('origin')
  if (from) {
    try {
      return new URL(from).protocol === 'https:'
    } catch {}
  }
  const host = (headers.get('host') ?? '').replace(/:\d+$/, '')
  return !LOCAL_HOSTS.has(host)
}

// A route handler's redirect within the app. The Location is a path: the browser resolves it
// against the address it used (request.url names the host the server listens on).
function redirect(path) {
  return new Response(null, { status: 307, headers: { location: path } })
}

function withError(path, code) {
  return `${path}${path.includes('?') ? '&' : '?'}error=${encodeURIComponent(code)}`
}

// The request's headers with its Cookie header as the browser will send it after `set`.
function renewedHeaders(headers, set) {
  const pairs = new Map()
  for (const pair of (headers.get('cookie') ?? '').split(';')) {
    const at = pair.indexOf('=')
    if (at > 0) pairs.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim())
  }
  for (const c of set) {
    if (c.value === '' || c.maxAge === 0) pairs.delete(c.name)
    else pairs.set(c.name, c.value)
  }
  const next = new Headers(headers)
  next.set('cookie', [...pairs].map(([n, v]) => `${n}=${v}`).join('; '))
  return next
}

/** The user and session of a verified session JWT (or of the server's answer). */
function fromVerified(verified) {
  const claims = verified.claims ?? {}
  const user = {
    id: verified.userId,
    email: claims.email ?? null,
    name: claims.name ?? null,
    emailVerified: claims.emailVerified === true,
    image: claims.image ?? null,
  }
  return { user, session: { id: verified.sessionId ?? null, userId: verified.userId, expiresAt: verified.expiresAt } }
}

/**
 * Banata Auth for a Next.js app. `options`: the `BanataClient` options (`baseUrl`, `apiKey`, …,
 * default from `BANATA_BASE_URL` and `BANATA_API_KEY`) plus `secure` (cookies' `Secure`;
 * default: from the request) and `domain` (to share the session with subdomains).
 */
function createBanataAuth(options = {}) {
  if (options === null || typeof options !== 'object') throw new TypeError('createBanataAuth(options) takes an object')
  const { secure, domain, client, basePath = '/api/banata', ...clientOptions } = options
  option('secure', secure, 'boolean')
  option('domain', domain, 'string')
  option('basePath', basePath, 'string')
  if (client !== undefined && !(client instanceof BanataClient)) throw new TypeError('client must be a BanataClient')
  // Made on first use, so importing the module (as `next build` does) needs no settings. The
  // session fallback: a request whose JWT cookie is gone (it lives 15 minutes) but whose
  // session cookie is there is answered by one get-session round trip.
  let made = client
  const project = () => (made ??= new BanataClient({ ...clientOptions, jwt: { sessionFallback: true, ...clientOptions.jwt } }))
  const perRequest = new WeakMap()

  // Who the request is for, or null: the JWT verified locally, else (no JWT, or an expired
  // one) the session cookie asked about (the core's session fallback).
  async function verify(headers) {
    try {
      return fromVerified(await project().authenticate(headers))
    } catch (error) {
      if (error instanceof InvalidTokenError) return null
      throw error
    }
  }

  /** The signed-in user and session of the current request, or null; verified once per request. */
  async function auth() {
    const headers = await nextHeaders().headers()
    let pending = perRequest.get(headers)
    if (pending === undefined) {
      pending = verify(headers)
      perRequest.set(headers, pending)
    }
    return pending
  }

  // Runs `work` with a client whose session is the request's cookies, then sets the answer's.
  async function withCookies(work) {
    const [headers, jar] = await Promise.all([nextHeaders().headers(), nextHeaders().cookies()])
    const session = project().withCookieSession(headers.get('cookie'), { secure: secure ?? isSecure(headers), domain })
    try {
      return await work(session.client)
    } finally {
      for (const c of session.setCookies()) {
        jar.set({
          name: c.name,
          // Next.js encodes the value (encodeURIComponent), as Better Auth did: give it the
          // decoded one so the browser holds Better Auth's exact value.
          value: decodeURIComponent(c.value),
          path: c.path,
          domain: c.domain ?? undefined,
          maxAge: c.maxAge ?? undefined,
          expires: c.expires === null ? undefined : new Date(c.expires * 1000),
          httpOnly: c.httpOnly,
          secure: c.secure,
          sameSite: c.sameSite,
        })
      }
    }
  }

  // A server action's outcome the page can show: the result, or the error's kind and message.
  async function action(work) {
    try {
      return await withCookies(work)
    } catch (error) {
      if (error && typeof error.kind === 'string') {
        return { status: 'error', kind: error.kind, code: error.code ?? null, message: error.message }
      }
      throw error
    }
  }

  // An absolute URL of this app, from the server action's request.
  async function appUrl(path) {
    const headers = await nextHeaders().headers()
    const origin = headers.get('origin') ?? `${isSecure(headers) ? 'https' : 'http'}://${headers.get('host')}`
    return new URL(path, origin).toString()
  }

  const signedIn = (result) => ({ status: 'signed_in', user: result.user })

  /**
   * Answers a route handler, middleware or proxy: `next` (the request goes on) or a redirect.
   * `publicRoutes` need no session; `signInUrl` receives the others' visitors without one, with
   * `redirectTo`; `matcher` works as in Next.js's config.
   */
  function middleware(config = {}) {
    if (config === null || typeof config !== 'object') throw new TypeError('middleware(config) takes an object')
    const publicRoutes = routeList('publicRoutes', config.publicRoutes)
    const signInUrl = option('signInUrl', config.signInUrl, 'string') ?? '/sign-in'
    return async function banataMiddleware(request) {
      const { NextResponse } = nextServer()
      const pathname = request.nextUrl.pathname
      if (pathname === signInUrl || matches(publicRoutes, pathname)) return NextResponse.next()
      const cookie = request.headers.get('cookie') ?? ''
      const jwt = jwtCookie(cookie)
      if (jwt !== null) {
        // Locally only: an expired JWT is renewed below, in the round trip that checks.
        try {
          await project().verifySessionJwt(jwt)
          return NextResponse.next()
        } catch (error) {
          if (!(error instanceof InvalidTokenError)) throw error
        }
      }
      const signIn = () => {
        // Next.js's own URL: it keeps the address the browser used.
        const to = request.nextUrl.clone()
        to.pathname = signInUrl
        to.search = `?redirectTo=${encodeURIComponent(pathname + request.nextUrl.search)}`
        return NextResponse.redirect(to)
      }
      if (!hasSessionCookie(cookie)) return signIn()
      // The JWT cookie is gone or expired (it lives 15 minutes) but the session cookie is
      // there: one get-session, which also renews the JWT cookie, for the browser and for this
      // request's pages (so their auth() verifies locally again).
      const session = project().withCookieSession(request, { secure: secure ?? isSecure(request.headers, request.url), domain })
      const found = await session.client.auth.getSession()
      const response = found === null ? signIn() : NextResponse.next({ request: { headers: renewedHeaders(request.headers, session.setCookies()) } })
      for (const line of session.setCookieHeaders()) response.headers.append('set-cookie', line)
      return response
    }
  }

  /**
   * The route handler of the browser side, at `app/<basePath>/[...banata]/route.ts`
   * (`export const { GET, POST } = banata.handler()`): `GET session` (the user and session,
   * never a token), `POST sign-out`, and `GET callback?ott=…&redirectTo=…`, where the hosted
   * page, social sign-in and e-mail verification links land to start the cookie session.
   */
  function handler() {
    const route = (request) => {
      const parts = new URL(request.url).pathname.split('/').filter(Boolean)
      return parts[parts.length - 1]
    }
    async function GET(request) {
      const { NextResponse } = nextServer()
      const name = route(request)
      if (name === 'session') {
        const current = await verify(request.headers)
        return NextResponse.json(current ?? { user: null, session: null }, { headers: { 'cache-control': 'no-store' } })
      }
      if (name === 'callback') {
        const url = new URL(request.url)
        const redirectTo = safePath(url.searchParams.get('redirectTo'))
        const ott = url.searchParams.get('ott')
        const failed = url.searchParams.get('error')
        if (failed || !ott) return redirect(withError(redirectTo, failed ?? 'missing_token'))
        const session = project().withCookieSession(request, { secure: secure ?? isSecure(request.headers, request.url), domain })
        const response = redirect(redirectTo)
        try {
          await session.client.auth.verifyOneTimeToken(ott)
        } catch (error) {
          if (!(error && typeof error.kind === 'string')) throw error
          return redirect(withError(redirectTo, error.code ?? error.kind))
        }
        for (const line of session.setCookieHeaders()) response.headers.append('set-cookie', line)
        return response
      }
      return NextResponse.json({ error: 'not found' }, { status: 404 })
    }
    async function POST(request) {
      const { NextResponse } = nextServer()
      if (route(request) !== 'sign-out') return NextResponse.json({ error: 'not found' }, { status: 404 })
      // Only the app's own pages sign out (SameSite=Lax already keeps other sites' forms out).
      const origin = request.headers.get('origin')
      if (origin !== null && origin !== new URL(request.url).origin && new URL(origin).host !== request.headers.get('host')) {
        return NextResponse.json({ error: 'cross-origin request refused' }, { status: 403 })
      }
      const session = project().withCookieSession(request, { secure: secure ?? isSecure(request.headers, request.url), domain })
      await session.client.auth.signOut()
      const response = NextResponse.json({ user: null, session: null })
      for (const line of session.setCookieHeaders()) response.headers.append('set-cookie', line)
      return response
    }
    return { GET, POST }
  }

  return Object.freeze({
    /** The project's client (add-on configuration, events, management calls). */
    get client() {
      return project()
    },
    auth,
    middleware,
    handler,
    /** Runs `work(client)` with the request's cookie session and sets the answer's cookies. */
    withCookies,
    /** Server action: signs up; `verification_required` when the address must be confirmed first. */
    signUp: (input) =>
      action(async (c) => {
        // The verification mail's link comes back to this app (a trusted origin of the project):
        // the platform would make a relative callback absolute on the hosted page's URL.
        const result = await c.auth.signUpEmail({ ...input, callbackURL: await appUrl(input?.callbackURL ?? '/') })
        return result.token ? signedIn(result) : { status: 'verification_required', email: result.user.email }
      }),
    /** Server action: signs in; `verification_required` or `second_factor_required` to continue. */
    signIn: (input) =>
      action(async (c) => {
        const callbackURL = input?.callbackURL == null ? undefined : await appUrl(input.callbackURL)
        const result = await c.auth.signInEmail({ ...input, callbackURL })
        return result.status === 'signed_in' ? signedIn(result) : result
      }),
    /** Server action: the second step of a sign-in, with an authenticator's code. */
    verifyTotp: (input) => action(async (c) => signedIn(await c.auth.verifyTotp(input))),
    /** Server action: the second step with a backup code. */
    verifyBackupCode: (input) => action(async (c) => signedIn(await c.auth.verifyBackupCode(input))),
    /** Server action: signs out and ends the cookies. */
    signOut: () =>
      action(async (c) => {
        await c.auth.signOut()
        return { status: 'signed_out' }
      }),
  })
}

// Only a path of this app: an absolute or protocol-relative URL would send the user elsewhere.
function safePath(value) {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : '/'
}

module.exports = { createBanataAuth }
