import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { BanataClient, AuthenticationError, ForbiddenError, ConfigurationError, InvalidArgumentError } from '../index.mjs'
import { startDevserver, startPeer, PASSWORD, uniqueEmail } from './helpers.mjs'

let dev, peer, peer14
before(async () => {
  ;[dev, peer, peer14] = await Promise.all([startDevserver(), startPeer('1.7'), startPeer('1.4')])
})
after(() => {
  dev.stop()
  peer.stop()
  peer14.stop()
})

for (const target of ['devserver', 'Better Auth 1.7', 'Better Auth 1.4 (e-mail verification required)']) {
  test(`every auth and session flow against the ${target}`, async () => {
    const server = { devserver: dev, 'Better Auth 1.7': peer }[target] ?? peer14
    const client = new BanataClient({ baseUrl: server.url, initialRetryDelayMs: 10 })
    const email = uniqueEmail('node')
    let signedUp = await client.auth.signUpEmail({ name: 'Ada', email, password: PASSWORD })
    assert.equal(signedUp.user.email, email)
    if (server.requiresVerification) {
      assert.equal(signedUp.token, undefined, 'no session before the address is verified')
      // Better Auth's 403 EMAIL_NOT_VERIFIED is the sign-in's next step, not an error.
      assert.deepEqual(await client.auth.signInEmail({ email, password: PASSWORD }), { status: 'verification_required', email })
      // Asking for a new link on the way: the result says it went out.
      assert.deepEqual(
        await client.auth.signInEmail({ email, password: PASSWORD, sendVerificationEmail: true }),
        { status: 'verification_required', email, verificationEmailSent: true })
      const [mail] = await server.mailbox(email)
      assert.equal((await client.auth.verifyEmail({ token: mail.token })).status, true)
      signedUp = await client.auth.signInEmail({ email, password: PASSWORD })
      assert.equal(signedUp.status, 'signed_in')
      assert.match(signedUp.token, /%/, '1.4 URL-encodes set-auth-token; kept as received')
    }
    assert.ok(signedUp.token)
    assert.equal(await client.sessionToken(), signedUp.token)

    const current = await client.auth.getSession()
    assert.equal(current.user.id, signedUp.user.id)
    assert.ok(!Number.isNaN(Date.parse(current.session.expiresAt)))

    await client.auth.updateUser({ name: 'Ada L.' })
    assert.equal((await client.auth.getSession()).user.name, 'Ada L.')

    const other = new BanataClient({ baseUrl: server.url })
    await other.auth.signInEmail({ email, password: PASSWORD, rememberMe: true })
    const otherId = (await other.auth.getSession()).session.id
    const sessions = await client.auth.listSessions()
    assert.equal(sessions.length, 2)
    await client.auth.revokeSession(sessions.find((s) => s.id === otherId).token)
    assert.equal(await other.auth.getSession(), null)

    await other.auth.signInEmail({ email, password: PASSWORD })
    await client.auth.revokeOtherSessions()
    assert.equal(await other.auth.getSession(), null)

    await client.auth.changePassword({ currentPassword: PASSWORD, newPassword: 'node new password 1' })
    await assert.rejects(new BanataClient({ baseUrl: server.url }).auth.signInEmail({ email, password: PASSWORD }), AuthenticationError)
    await client.auth.requestPasswordReset({ email, redirectTo: '/reset' })
    await client.auth.resetPassword({ token: await server.resetToken(email), newPassword: 'node reset password 2' })

    await client.auth.signOut()
    assert.equal(await client.sessionToken(), null)
    assert.equal(await client.auth.getSession(), null)
    await client.auth.signInEmail({ email, password: 'node reset password 2' })
    await client.auth.revokeSessions()
    assert.equal(await client.sessionToken(), null)
  })
}

test('add-on configuration get, save and merge', async () => {
  const client = new BanataClient({ baseUrl: dev.url, apiKey: dev.adminKey })
  const saved = await client.addons.save({ stripe: { enabled: true }, 'custom-crm': { enabled: false } })
  assert.equal(saved.addons.stripe.enabled, true)
  const merged = await client.addons.save({ segment: true })
  assert.equal(merged.addons.stripe.enabled, true, 'ids not named are kept')
  assert.equal(merged.addons.segment.enabled, true)
  assert.deepEqual(await client.addons.get(), merged)
  await client.addons.save({ stripe: false, segment: false })
})

test('bad input and missing permissions give typed errors and change nothing', async () => {
  const client = new BanataClient({ baseUrl: dev.url, apiKey: dev.adminKey })
  const before = await client.addons.get()
  // The core checks the shape before anything is sent; the message names the field, not the value.
  await assert.rejects(client.addons.save({ stripe: 'hunter22' }), (e) => e instanceof InvalidArgumentError && e instanceof TypeError && e.message.includes('addons.stripe') && !e.message.includes('hunter22'))
  await assert.rejects(client.addons.save({ stripe: { enabled: 'yes' } }), TypeError)
  await assert.rejects(client.auth.signInEmail({ email: 'a@b.c', password: { secret: 'hunter22' } }), (e) => e instanceof InvalidArgumentError && e.message.includes('password') && !e.message.includes('hunter22'))
  assert.deepEqual(await client.addons.get(), before)
  await assert.rejects(new BanataClient({ baseUrl: dev.url }).addons.get(), ConfigurationError)
  const readOnly = new BanataClient({ baseUrl: dev.url, apiKey: await dev.createApiKey(['dashboard.read']) })
  await assert.rejects(readOnly.addons.save({ stripe: true }), (e) => e instanceof ForbiddenError && e.status === 403)
  assert.throws(() => new BanataClient({ baseUrl: 'http://auth.example.com' }), ConfigurationError)
  assert.ok(!JSON.stringify(client).includes(dev.adminKey))
})

test('1,000 concurrent calls while the event loop keeps ticking', async () => {
  const client = new BanataClient({ baseUrl: dev.url, apiKey: dev.adminKey })
  await client.auth.signUpEmail({ name: 'C', email: uniqueEmail('concurrent'), password: PASSWORD })
  let worstLag = 0
  let last = performance.now()
  const ticker = setInterval(() => {
    const now = performance.now()
    worstLag = Math.max(worstLag, now - last - 5)
    last = now
  }, 5)
  const results = await Promise.all([
    ...Array.from({ length: 500 }, () => client.auth.getSession()),
    ...Array.from({ length: 500 }, () => client.addons.get()),
  ])
  clearInterval(ticker)
  assert.equal(results.length, 1000)
  assert.ok(results.slice(0, 500).every((s) => s && s.user), 'every session call succeeded')
  assert.ok(worstLag < 250, `event loop lag ${worstLag.toFixed(0)} ms`)
})

test('the base URL and API key come from the environment when not given', () => {
  const script = `
    const { BanataClient } = require(${JSON.stringify(new URL('../index.js', import.meta.url).pathname)})
    const client = new BanataClient()
    client.addons.get().then((config) => console.log(client.baseUrl, JSON.stringify(config)))
  `
  const env = { ...process.env, BANATA_BASE_URL: dev.url, BANATA_API_KEY: dev.adminKey }
  const run = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8', timeout: 20_000 })
  assert.equal(run.status, 0, run.stderr)
  assert.ok(run.stdout.startsWith(dev.url) && run.stdout.includes('addons'), run.stdout)
  const bare = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BANATA_')))
  const failed = spawnSync(process.execPath, ['-e', script], { env: bare, encoding: 'utf8', timeout: 20_000 })
  assert.notEqual(failed.status, 0)
  assert.match(failed.stderr, /ConfigurationError[\s\S]*BANATA_BASE_URL/)
})

test('a wrong argument type is an InvalidArgumentError that never repeats the value', async () => {
  const client = new BanataClient({ baseUrl: dev.url })
  const secret = 'hunter22-secret'
  const huge = Array.from({ length: 1_000_000 }, () => secret)
  for (const password of [{ secret }, [secret], 12345678, huge, true]) {
    await assert.rejects(client.auth.signInEmail({ email: 'a@example.com', password }), (e) => {
      assert.ok(e instanceof InvalidArgumentError && e instanceof TypeError, String(e))
      assert.ok(e.message.includes('password'), e.message)
      assert.ok(!e.message.includes(secret) && !e.message.includes('12345678'), e.message)
      assert.ok(e.message.length < 300, `a ${e.message.length}-character message`)
      return true
    })
  }
  // A lone surrogate is refused, not turned into U+FFFD and stored.
  await assert.rejects(client.auth.signUpEmail({ name: 'A\ud800', email: uniqueEmail('surrogate'), password: PASSWORD }), InvalidArgumentError)
})
