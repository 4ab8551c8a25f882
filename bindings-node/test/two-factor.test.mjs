// Two-factor sign-in end to end against the real Better Auth 1.7 peer (two-factor plugin on),
// with codes from a TOTP library as an authenticator app makes them.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { URI } from 'otpauth'
import { BanataClient, BanataError } from '../index.mjs'
import { startPeer, PASSWORD, uniqueEmail } from './helpers.mjs'

let peer
before(async () => {
  peer = await startPeer('1.7')
})
after(() => peer.stop())

test('turning two-factor on, a sign-in that asks for the second factor, codes and backup codes', async () => {
  const client = new BanataClient({ baseUrl: peer.url, initialRetryDelayMs: 10 })
  const email = uniqueEmail('node-2fa')
  await client.auth.signUpEmail({ name: 'Twofa', email, password: PASSWORD })
  const setup = await client.auth.enableTwoFactor(PASSWORD)
  const totp = URI.parse(setup.totpURI)
  await client.auth.verifyTotp({ code: totp.generate() })

  const phone = new BanataClient({ baseUrl: peer.url, initialRetryDelayMs: 10 })
  const next = await phone.auth.signInEmail({ email, password: PASSWORD })
  assert.deepEqual(next, { status: 'second_factor_required', methods: ['totp', 'otp'] })
  assert.equal(await phone.sessionToken(), null)
  await assert.rejects(phone.auth.verifyTotp({ code: '000000' }), (e) => e instanceof BanataError && e.code === 'INVALID_CODE')
  const signedIn = await phone.auth.verifyTotp({ code: totp.generate(), trustDevice: false })
  assert.equal(signedIn.user.email, email)
  assert.equal((await phone.auth.getSession()).user.email, email)

  const laptop = new BanataClient({ baseUrl: peer.url })
  await laptop.auth.signInEmail({ email, password: PASSWORD })
  await laptop.auth.verifyBackupCode({ code: setup.backupCodes[0] })
  assert.ok(await laptop.auth.getSession())

  await client.auth.disableTwoFactor(PASSWORD)
  const plain = await new BanataClient({ baseUrl: peer.url }).auth.signInEmail({ email, password: PASSWORD })
  assert.equal(plain.status, 'signed_in')
})
