// Sessions in the browser's own cookies (`withCookieSession`), one request at a time as a
// server sees them: the answer's Set-Cookie values are Better Auth's, and the next request's
// cookies are that session; bad options are refused before anything is sent.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { BanataClient } from '../index.js'
import { startDevserver, uniqueEmail, PASSWORD } from './helpers.mjs'

let dev
let project
before(async () => {
  dev = await startDevserver()
  project = new BanataClient({ baseUrl: dev.url, jwt: { sessionFallback: true } })
})
after(() => dev?.stop())

// A browser's cookie jar: takes an answer's Set-Cookie values, gives the next Cookie header.
function jar() {
  const cookies = new Map()
  return {
    take(lines) {
      for (const line of lines) {
        const [pair, ...attributes] = line.split(';').map((p) => p.trim())
        const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]
        if (value === '' || attributes.includes('Max-Age=0')) cookies.delete(name)
        else cookies.set(name, value)
      }
    },
    header: () => [...cookies].map(([n, v]) => `${n}=${v}`).join('; '),
    names: () => [...cookies.keys()],
  }
}

test('a sign-in sets Better Auth cookies that the next request and the server recognise', async () => {
  const email = uniqueEmail('cookies')
  const browser = jar()
  const first = project.withCookieSession(new Request('http://localhost:3000/sign-up', { method: 'POST' }))
  await first.client.auth.signUpEmail({ name: 'Cookie', email, password: PASSWORD })
  const lines = first.setCookieHeaders()
  assert.ok(first.hasSession)
  const session = lines.find((l) => l.startsWith('better-auth.session_token='))
  assert.match(session, /HttpOnly/)
  assert.match(session, /SameSite=Lax/)
  assert.doesNotMatch(session, /Secure/, 'plain http on a development machine')
  browser.take(lines)
  assert.ok(browser.names().includes('better-auth.convex_jwt'), browser.names().join())

  const headers = new Headers({ cookie: `theme=dark; ${browser.header()}` })
  const second = project.withCookieSession(headers, { secure: false })
  const current = await second.client.auth.getSession()
  assert.equal(current.user.email, email)
  // get-session renews the session JWT's cookie, as on the platform.
  assert.deepEqual(second.setCookieHeaders().map((l) => l.split('=')[0]), ['better-auth.convex_jwt'])
  // The same cookies verify locally, and are the server's own session.
  const verified = await project.authenticate(headers)
  assert.equal(verified.userId, current.user.id)
  assert.equal(verified.roundTrip, false)
  const asBrowser = await (await fetch(`${dev.url}/api/auth/get-session`, { headers: { cookie: browser.header() } })).json()
  assert.equal(asBrowser.session.id, current.session.id)

  const third = project.withCookieSession(browser.header(), { secure: false })
  await third.client.auth.signOut()
  assert.equal(third.hasSession, false)
  browser.take(third.setCookieHeaders())
  assert.ok(!browser.names().some((n) => n.endsWith('.session_token') || n.endsWith('.convex_jwt')), browser.names().join())
  const gone = project.withCookieSession(browser.header(), { secure: false })
  assert.equal(await gone.client.auth.getSession(), null)
})

test('on HTTPS the cookies are Secure with __Secure- names, and a domain is kept', async () => {
  const email = uniqueEmail('secure-cookies')
  const answer = project.withCookieSession(null, { domain: 'example.com' })
  await answer.client.auth.signUpEmail({ name: 'Secure', email, password: PASSWORD })
  const session = answer.setCookieHeaders().find((l) => l.startsWith('__Secure-better-auth.session_token='))
  assert.ok(session, answer.setCookieHeaders().join('\n'))
  assert.match(session, /; Secure/)
  assert.match(session, /Domain=example\.com/)
  const next = project.withCookieSession(session.split(';')[0])
  assert.equal((await next.client.auth.getSession()).user.email, email)
})

test('bad options are refused with TypeErrors', () => {
  assert.throws(() => project.withCookieSession('', { secure: 'yes' }), TypeError)
  assert.throws(() => project.withCookieSession('', { domain: 1 }), TypeError)
  assert.throws(() => project.withCookieSession('', null), TypeError)
  assert.throws(() => project.withCookieSession(42), TypeError)
})
