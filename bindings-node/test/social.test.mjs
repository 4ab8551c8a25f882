// Social sign-in against a real OpenID provider on loopback, through the generated methods:
// the redirect flow completed from the app's callback URL, ID-token sign-in and its refusals,
// linking, provider tokens and unlinking.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { BanataClient, AuthenticationError, NotFoundError } from '../index.mjs'
import { startDevserver, startOidcProvider, followRedirect, uniqueEmail } from './helpers.mjs'

let provider, dev
before(async () => {
  provider = await startOidcProvider()
  dev = await startDevserver(provider.devserverArgs)
})
after(() => {
  dev?.stop()
  provider?.stop()
})

test('the redirect flow ends in a session; refusals are typed errors', async () => {
  const client = new BanataClient({ baseUrl: dev.url })
  const events = []
  const off = client.on('session.created', (event) => events.push(event))
  const email = uniqueEmail('social')
  const { url } = await client.auth.signInSocial({ provider: 'oidc', callbackUrl: 'myapp://auth' })
  assert.ok(url.startsWith(provider.issuer), url)
  const back = await provider.approve(url, email)
  const landed = await followRedirect(back)
  assert.match(landed, /^myapp:\/\/auth\?ott=/)

  const result = await client.auth.completeSocialSignIn(landed)
  assert.equal(result.user.email, email)
  assert.equal((await client.auth.getSession()).user.id, result.user.id)
  const [account] = await client.auth.listAccounts()
  assert.equal(account.providerId, 'oidc')
  await new Promise((r) => setTimeout(r, 50))
  assert.equal(events.at(-1)?.data.method, 'oidc')
  off()

  // The state is used up: the same callback again is sent to the error page.
  const replayed = await followRedirect(back)
  await assert.rejects(client.auth.completeSocialSignIn(replayed), (e) => e instanceof AuthenticationError && e.code === 'PLEASE_RESTART_THE_PROCESS')
  await assert.rejects(client.auth.completeSocialSignIn('not a url'), (e) => e.code === 'INVALID_CALLBACK_URL')
  await assert.rejects(client.auth.signInSocial({ provider: 'nope', callbackUrl: 'myapp://auth' }), (e) => e instanceof NotFoundError && e.code === 'PROVIDER_NOT_FOUND')
})

test('ID tokens sign in; another audience or nonce is refused; accounts link and unlink', async () => {
  const client = new BanataClient({ baseUrl: dev.url })
  const email = uniqueEmail('idtoken')
  const token = await provider.idToken('banata-app', email, 'n-1')
  await assert.rejects(client.auth.signInWithIdToken({ provider: 'oidc', token, nonce: 'other' }), (e) => e.code === 'INVALID_TOKEN' && !inspect(e).includes(token))
  const foreign = await provider.idToken('other-app', email, 'n-1')
  await assert.rejects(client.auth.signInWithIdToken({ provider: 'oidc', token: foreign, nonce: 'n-1' }), (e) => e.code === 'INVALID_TOKEN')
  const signedIn = await client.auth.signInWithIdToken({ provider: 'oidc', token, nonce: 'n-1' })
  assert.equal(signedIn.user.email, email)

  const linked = []
  const off = client.on('account.linked', (event) => linked.push(event))
  const { url } = await client.auth.linkSocial({ provider: 'other', callbackUrl: 'myapp://linked' })
  const landed = await followRedirect(await provider.approve(url, email))
  assert.equal(landed, 'myapp://linked')
  const account = await client.auth.completeLinkSocial(landed)
  assert.equal(account.providerId, 'other')
  const access = await client.auth.getAccessToken({ providerId: 'other' })
  assert.ok(access.accessToken.length > 10)
  const refreshed = await client.auth.refreshAccessToken({ providerId: 'other' })
  assert.notEqual(refreshed.accessToken, access.accessToken)
  const info = await client.auth.accountInfo(account.accountId)
  assert.equal(info.user.email, email)
  assert.deepEqual(await client.auth.unlinkAccount({ providerId: 'other' }), { status: true })
  await assert.rejects(client.auth.unlinkAccount({ providerId: 'oidc' }), (e) => e.code === 'YOU_CANT_UNLINK_YOUR_LAST_ACCOUNT')
  await new Promise((r) => setTimeout(r, 50))
  assert.equal(linked.length, 1)
  assert.equal(linked[0].data.method, 'other')
  off()
})
