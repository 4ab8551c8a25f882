// A custom session store, sync and async, and its failures.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { BanataClient, SessionStoreError } from '../index.mjs'
import { startDevserver, uniqueEmail, PASSWORD } from './helpers.mjs'

let dev
before(async () => {
  dev = await startDevserver()
})
after(() => dev.stop())

test('an async store receives the token, serves it, and is cleared on sign-out', async () => {
  const saved = []
  let current = null
  const store = {
    async get() {
      await new Promise((r) => setTimeout(r, 1))
      return current
    },
    async set(token) {
      saved.push(token)
      current = token
    },
    async clear() {
      current = null
    },
  }
  const client = new BanataClient({ baseUrl: dev.url, sessionStore: store })
  const result = await client.auth.signUpEmail({ name: 'S', email: uniqueEmail('store'), password: PASSWORD })
  assert.deepEqual(saved, [result.token])
  assert.equal(await client.sessionToken(), result.token)
  const session = await client.auth.getSession()
  assert.equal(session.user.id, result.user.id)

  // A second client with the same store is the same signed-in user: the token is the store's.
  const other = new BanataClient({ baseUrl: dev.url, sessionStore: store })
  assert.equal((await other.auth.getSession()).user.id, result.user.id)

  await client.auth.signOut()
  assert.equal(current, null)
  assert.equal(await other.auth.getSession(), null)
})

test('a sync store works the same', async () => {
  let current = null
  const client = new BanataClient({
    baseUrl: dev.url,
    sessionStore: { get: () => current, set: (t) => void (current = t), clear: () => void (current = null) },
  })
  const result = await client.auth.signUpEmail({ name: 'T', email: uniqueEmail('sync-store'), password: PASSWORD })
  assert.equal(current, result.token)
  assert.equal((await client.auth.getSession()).user.id, result.user.id)
})

test('a store that throws gives SessionStoreError without its message; a bad store is a TypeError', async () => {
  const client = new BanataClient({
    baseUrl: dev.url,
    sessionStore: {
      get: () => null,
      set: (token) => {
        throw new RangeError(`cannot keep ${token}`)
      },
      clear: () => {},
    },
  })
  await assert.rejects(
    client.auth.signUpEmail({ name: 'U', email: uniqueEmail('bad-store'), password: PASSWORD }),
    (e) => e instanceof SessionStoreError && e.kind === 'session_store' && /RangeError/.test(e.message) && !/cannot keep/.test(e.message),
  )
  const wrongType = new BanataClient({ baseUrl: dev.url, sessionStore: { get: () => 42, set() {}, clear() {} } })
  await assert.rejects(wrongType.auth.getSession(), SessionStoreError)
  assert.throws(() => new BanataClient({ baseUrl: dev.url, sessionStore: { get() {} } }), TypeError)
})

test('withSessionStore: per-user clients share the listeners and keep their own tokens', async () => {
  const project = new BanataClient({ baseUrl: dev.url, apiKey: dev.adminKey })
  const created = []
  const off = project.on('user.created', (event) => created.push(event.data.userId))
  const cookies = { ada: null, bob: null }
  const forUser = (name) =>
    project.withSessionStore({ get: () => cookies[name], set: (t) => void (cookies[name] = t), clear: () => void (cookies[name] = null) })

  const ada = await forUser('ada').auth.signUpEmail({ name: 'Ada', email: uniqueEmail('ada-derived'), password: PASSWORD })
  const bob = await forUser('bob').auth.signUpEmail({ name: 'Bob', email: uniqueEmail('bob-derived'), password: PASSWORD })
  assert.equal(cookies.ada, ada.token)
  assert.equal(cookies.bob, bob.token)
  // A fresh per-request client over the same cookie is the same user.
  assert.equal((await forUser('ada').auth.getSession()).user.id, ada.user.id)
  assert.equal((await forUser('bob').auth.getSession()).user.id, bob.user.id)
  assert.equal(await project.sessionToken(), null)
  // The API key comes along.
  assert.ok((await forUser('ada').addons.get()).addons)

  const deadline = Date.now() + 2000
  while (created.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
  assert.deepEqual(created, [ada.user.id, bob.user.id])
  await forUser('ada').auth.signOut()
  assert.equal(cookies.ada, null)
  assert.equal((await forUser('bob').auth.getSession()).user.id, bob.user.id)
  off()
  assert.throws(() => project.withSessionStore({ get() {} }), TypeError)
})
