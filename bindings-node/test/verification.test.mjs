// E-mail verification: operations added in the core's declaration list alone, reached here
// through the generated methods with no binding code of their own.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { BanataClient, Auth, AuthenticationError } from '../index.mjs'
import { startDevserver, PASSWORD, uniqueEmail } from './helpers.mjs'

let dev
before(async () => {
  dev = await startDevserver()
})
after(() => dev.stop())

test('a mailed link verifies the address; bad tokens are typed errors', async () => {
  const client = new BanataClient({ baseUrl: dev.url })
  assert.ok(client.auth instanceof Auth, 'the declared class is the runtime class')
  const email = uniqueEmail('verify')
  const signedUp = await client.auth.signUpEmail({ name: 'Vera', email, password: PASSWORD })
  assert.equal(signedUp.user.emailVerified, false)
  await client.auth.signOut()
  const events = []
  const off = client.on('email.verified', (event) => events.push(event))

  assert.deepEqual(await client.auth.sendVerificationEmail({ email }), { status: true })
  const [mail] = await dev.mailbox(email)
  assert.equal(mail.kind, 'verification')
  const verified = await client.auth.verifyEmail({ token: mail.token })
  assert.equal(verified.status, true)
  const again = await client.auth.signInEmail({ email, password: PASSWORD })
  assert.equal(again.status, 'signed_in')
  assert.equal(again.user.emailVerified, true)
  for (let i = 0; i < 100 && events.length === 0; i++) await new Promise((r) => setTimeout(r, 10))
  assert.equal(events[0].data.email, email)
  assert.ok(!JSON.stringify(events).includes(mail.token), 'no token in event data')
  off()

  await assert.rejects(client.auth.verifyEmail({ token: 'not.a.token' }), (e) => e instanceof AuthenticationError && e.code === 'INVALID_TOKEN' && e.status === 401)
  await client.auth.signOut()
  // Per-call options reach the transport: a zero-retry, short-timeout call still works.
  assert.deepEqual(await client.auth.sendVerificationEmail({ email: uniqueEmail('nobody') }, { timeoutMs: 5000, maxRetries: 0, idempotencyKey: 'fixed-key-1' }), { status: true })
})
