// Session JWTs verified in the process: tokens from the devserver (the platform's RS256 tokens)
// and Better Auth 1.7's jwt plugin, requests authenticated from a Fetch Request, Headers and a
// Node request, the Express-style guard over a real HTTP server, and bad tokens refused.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { BanataClient, InvalidTokenError, requireSession } from '../index.mjs'
import { startDevserver, startPeer, PASSWORD, uniqueEmail } from './helpers.mjs'

let dev
let peer
before(async () => {
  dev = await startDevserver()
  peer = await startPeer('1.7')
})
after(() => {
  dev.stop()
  peer.stop()
})

const tamper = (jwt) => {
  const [header, payload, signature] = jwt.split('.')
  const claims = JSON.parse(Buffer.from(payload, 'base64url'))
  claims.sub = 'someone-else'
  return [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.')
}

async function expectRefused(promise, code) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof InvalidTokenError, `${error}`)
    assert.equal(error.kind, 'invalid_token')
    assert.equal(error.code, code)
    return true
  })
}

test('a devserver token verifies from a Request, Headers, a Node request and pairs', async () => {
  const client = new BanataClient({ baseUrl: dev.url })
  const email = uniqueEmail('node-jwt')
  const { user } = await client.auth.signUpEmail({ name: 'Jo', email, password: PASSWORD })
  const { token } = await client.auth.token()
  const backend = new BanataClient({ baseUrl: dev.url })

  const verified = await backend.verifySessionJwt(token)
  assert.equal(verified.userId, user.id)
  assert.equal(verified.claims.email, email)
  assert.ok(Date.parse(verified.expiresAt) > Date.now())

  const bearer = { authorization: `Bearer ${token}` }
  for (const request of [
    new Request('http://app.example/api', { headers: bearer }),
    new Headers({ cookie: `theme=dark; better-auth.convex_jwt=${token}` }),
    { headers: { ...bearer, 'x-other': ['a', 'b'] } },
    [['Authorization', `Bearer ${token}`]],
  ]) {
    assert.equal((await backend.authenticate(request)).userId, user.id)
  }

  await expectRefused(backend.verifySessionJwt(tamper(token)), 'BAD_SIGNATURE')
  await expectRefused(backend.authenticate(new Request('http://app.example/api')), 'MISSING_TOKEN')
  await expectRefused(backend.verifySessionJwt('not-a-jwt'), 'MALFORMED_TOKEN')
  assert.throws(() => backend.verifySessionJwt(42), TypeError)
  assert.throws(() => backend.authenticate('Bearer x'), TypeError)
})

test('expired, early, misaddressed, unsigned and HS256 tokens are refused, each with its reason', async () => {
  const client = new BanataClient({ baseUrl: dev.url })
  await client.auth.signUpEmail({ name: 'Ex', email: uniqueEmail('node-bad-jwt'), password: PASSWORD })
  const { token } = await client.auth.token()
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url'))
  const now = Math.floor(Date.now() / 1000)
  // Signed with the project's key by the devserver, wrong in one claim each.
  const sign = async (change) => {
    const r = await fetch(`${dev.url}/__dev/sign-jwt`, {
      method: 'POST',
      headers: { authorization: `Bearer ${dev.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ claims: { ...claims, ...change } }),
    })
    return (await r.json()).token
  }
  for (const [change, code] of [
    [{ exp: now - 120 }, 'TOKEN_EXPIRED'],
    [{ nbf: now + 600 }, 'TOKEN_NOT_YET_VALID'],
    [{ aud: 'another-app' }, 'WRONG_AUDIENCE'],
    [{ iss: 'https://elsewhere.example' }, 'WRONG_ISSUER'],
  ]) {
    await expectRefused(client.verifySessionJwt(await sign(change)), code)
  }
  const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url')
  await expectRefused(client.verifySessionJwt(`${b64({ alg: 'none' })}.${b64(claims)}.`), 'ALGORITHM_NOT_ALLOWED')
  await expectRefused(client.verifySessionJwt(`${b64({ alg: 'HS256' })}.${b64(claims)}.c2ln`), 'ALGORITHM_NOT_ALLOWED')
})

test('a request seen before is answered again until the keys change', async () => {
  const client = new BanataClient({ baseUrl: dev.url })
  await client.auth.signUpEmail({ name: 'Ro', email: uniqueEmail('node-rotate'), password: PASSWORD })
  const { token } = await client.auth.token()
  const backend = new BanataClient({ baseUrl: dev.url, jwt: { refetchCooldownSeconds: 0 } })
  const request = new Request('http://app.example/api', { headers: { authorization: `Bearer ${token}` } })
  const first = await backend.authenticate(request)
  assert.equal((await backend.authenticate(request)).userId, first.userId)
  await fetch(`${dev.url}/__dev/rotate-keys`, { method: 'POST', headers: { authorization: `Bearer ${dev.adminKey}` } })
  // Another user's token, made with the new key: the backend fetches the keys again.
  const other = new BanataClient({ baseUrl: dev.url })
  await other.auth.signUpEmail({ name: 'Nu', email: uniqueEmail('node-rotate-2'), password: PASSWORD })
  await backend.verifySessionJwt((await other.auth.token()).token)
  await expectRefused(backend.authenticate(request), 'UNKNOWN_KEY')
})

test('requireSession guards a Node HTTP server: the session, or 401 with the reason', async (t) => {
  const client = new BanataClient({ baseUrl: dev.url })
  const { user } = await client.auth.signUpEmail({ name: 'Gu', email: uniqueEmail('guard'), password: PASSWORD })
  const { token } = await client.auth.token()
  const guard = requireSession(client)
  const server = createServer((req, res) => {
    guard(req, res, (error) => {
      res.setHeader('content-type', 'application/json')
      if (error) {
        res.statusCode = 500
        res.end(JSON.stringify({ error: String(error) }))
      } else {
        res.end(JSON.stringify({ userId: req.session.userId }))
      }
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => server.close())
  const url = `http://127.0.0.1:${server.address().port}/`

  const ok = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
  assert.equal(ok.status, 200)
  assert.deepEqual(await ok.json(), { userId: user.id })
  for (const [headers, code] of [
    [{}, 'MISSING_TOKEN'],
    [{ authorization: `Bearer ${tamper(token)}` }, 'BAD_SIGNATURE'],
  ]) {
    const refused = await fetch(url, { headers })
    assert.equal(refused.status, 401)
    assert.equal(refused.headers.get('www-authenticate'), 'Bearer')
    const body = await refused.json()
    assert.equal(body.code, code)
    assert.ok(!JSON.stringify(body).includes(token))
  }
  assert.throws(() => requireSession({}), TypeError)
})

test("Better Auth's jwt plugin tokens verify with source jwt_plugin; a wrong audience is refused", async () => {
  const client = new BanataClient({ baseUrl: peer.url, jwt: { source: 'jwt_plugin' } })
  const { user } = await client.auth.signUpEmail({ name: 'Pe', email: uniqueEmail('peer-jwt'), password: PASSWORD })
  const { token } = await client.auth.token()
  assert.equal((await client.verifySessionJwt(token)).userId, user.id)
  const strict = new BanataClient({ baseUrl: peer.url, jwt: { source: 'jwt_plugin', audience: 'another-app' } })
  await expectRefused(strict.verifySessionJwt(token), 'WRONG_AUDIENCE')
  assert.throws(() => new BanataClient({ baseUrl: peer.url, jwt: { source: 'elsewhere' } }), /source/)
  assert.throws(() => new BanataClient({ baseUrl: peer.url, jwt: 'platform' }), TypeError)
})

test('with sessionFallback a session cookie is asked about on every request, never kept', async () => {
  const backend = new BanataClient({ baseUrl: dev.url, jwt: { sessionFallback: true } })
  const email = uniqueEmail('node-fallback')
  const answer = await fetch(`${dev.url}/api/auth/sign-up/email`, {
    method: 'POST',
    // fetch says it is a browser's request (Sec-Fetch-Mode), so it names its origin too.
    headers: { 'content-type': 'application/json', origin: dev.url },
    body: JSON.stringify({ name: 'Fay', email, password: PASSWORD }),
  })
  const { user, token } = await answer.json()
  const cookie = answer.headers.getSetCookie().find((c) => c.startsWith('better-auth.session_token=')).split(';')[0]
  const request = new Request('http://app.example/api', { headers: { cookie: `theme=dark; ${cookie}` } })
  const who = await backend.authenticate(request)
  assert.equal(who.userId, user.id)
  assert.equal(who.roundTrip, true)
  assert.equal(who.claims.email, email)
  // Signed out, the same request is refused: the earlier answer was not kept.
  await fetch(`${dev.url}/api/auth/sign-out`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', origin: dev.url },
    body: '{}',
  })
  await expectRefused(backend.authenticate(request), 'UNKNOWN_SESSION')
  await expectRefused(new BanataClient({ baseUrl: dev.url }).authenticate(request), 'MISSING_TOKEN')
})
