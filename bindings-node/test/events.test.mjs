import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { BanataClient } from '../index.mjs'
import { startDevserver, PASSWORD, uniqueEmail, REPO } from './helpers.mjs'

let dev
before(async () => {
  dev = await startDevserver()
})
after(() => dev.stop())

const waitFor = async (check, ms = 5000) => {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 10))
  }
}

test('events arrive in order; a throwing listener breaks nothing', async () => {
  const client = new BanataClient({ baseUrl: dev.url })
  const warnings = []
  const onWarning = (w) => warnings.push(w)
  process.on('warning', onWarning)
  const offBroken = client.on('*', () => {
    throw new Error('a buggy listener')
  })
  const events = []
  const off = client.on('*', (e) => events.push(e))
  const email = uniqueEmail('node-events')
  const result = await client.auth.signUpEmail({ name: 'Eve', email, password: PASSWORD })
  await client.auth.signOut()
  await client.auth.signInEmail({ email, password: PASSWORD })
  await client.auth.signOut()
  await waitFor(() => events.length >= 5 && warnings.length >= 5)
  assert.deepEqual(events.map((e) => e.type), ['user.created', 'session.created', 'session.revoked', 'session.created', 'session.revoked'])
  assert.ok(events.every((e) => e.data.userId === result.user.id && e.id.startsWith('evt_')))
  assert.equal(events[4].data.reason, 'sign_out')
  assert.ok(!JSON.stringify(events).includes(PASSWORD))
  assert.ok(warnings.every((w) => w.name === 'BanataListenerWarning'))
  off()
  offBroken()
  process.off('warning', onWarning)
})

test('a filtered listener, and unsubscribing', async () => {
  const client = new BanataClient({ baseUrl: dev.url })
  const seen = []
  const off = client.on('user.created', (e) => seen.push(e.type))
  await client.auth.signUpEmail({ name: 'F', email: uniqueEmail('filter'), password: PASSWORD })
  await waitFor(() => seen.length === 1)
  off()
  await client.auth.signUpEmail({ name: 'G', email: uniqueEmail('filter'), password: PASSWORD })
  await new Promise((r) => setTimeout(r, 200))
  assert.deepEqual(seen, ['user.created'])
  await client.close()
})

test('a process with listeners, a store and a forwarder still registered exits by itself within 2 s', () => {
  // The child prints when its last call settled; the bound covers only what comes after.
  const script = `
    const { BanataClient, Forwarder } = require(${JSON.stringify(join(REPO, 'bindings-node', 'index.js'))})
    let token = null
    const client = new BanataClient({
      baseUrl: ${JSON.stringify(dev.url)},
      sessionStore: { get: () => token, set: (t) => { token = t }, clear: () => { token = null } },
    })
    client.on('*', () => {})
    new Forwarder(client, { fromEnv: false, segmentWriteKey: 'k', segmentBaseUrl: 'http://127.0.0.1:9', onError: () => {} })
    client.auth.signUpEmail({ name: 'X', email: 'exit-' + Date.now() + '@example.com', password: ${JSON.stringify(PASSWORD)} })
      .then(() => console.log('settled at ' + Date.now()))
  `
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 })
  const exited = Date.now()
  assert.equal(run.status, 0, run.stderr)
  const settled = Number(/settled at (\d+)/.exec(run.stdout)?.[1])
  assert.ok(settled > 0, run.stdout)
  assert.ok(exited - settled < 2000, `exited ${exited - settled} ms after the last call settled`)
})

test('a handle closes, disposes, and stops delivery when it is garbage-collected', async () => {
  const client = new BanataClient({ baseUrl: dev.url })
  const seen = []
  const handle = client.on('user.created', (e) => seen.push(e.type))
  assert.equal(typeof handle.close, 'function')
  if (typeof Symbol.dispose === 'symbol') assert.equal(handle[Symbol.dispose], handle.close)
  handle.close()
  handle.close()
  await client.auth.signUpEmail({ name: 'H', email: uniqueEmail('handle'), password: PASSWORD })
  await new Promise((r) => setTimeout(r, 100))
  assert.deepEqual(seen, [], 'no delivery after close')

  // A listener whose handle nobody keeps ends once the handle is collected.
  const script = `
    const { BanataClient } = require(${JSON.stringify(join(REPO, 'bindings-node', 'index.js'))})
    const client = new BanataClient({ baseUrl: ${JSON.stringify(dev.url)} })
    let seen = 0
    client.on('*', () => { seen += 1 })
    const settle = () => new Promise((r) => setTimeout(r, 20))
    ;(async () => {
      for (let i = 0; i < 20; i++) { globalThis.gc(); await settle() }
      await client.auth.signUpEmail({ name: 'G', email: 'gc-' + Date.now() + '@example.com', password: ${JSON.stringify(PASSWORD)} })
      await new Promise((r) => setTimeout(r, 200))
      console.log('seen ' + seen)
    })()
  `
  const run = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', timeout: 20_000 })
  assert.equal(run.status, 0, run.stderr)
  assert.match(run.stdout, /seen 0/)
})

test('one event reaches 16,000 listeners in well under a second (linear, not quadratic)', async () => {
  const client = new BanataClient({ baseUrl: dev.url })
  let calls = 0
  const handles = Array.from({ length: 16_000 }, () => client.on('user.created', () => { calls += 1 }))
  const started = performance.now()
  await client.auth.signUpEmail({ name: 'M', email: uniqueEmail('many'), password: PASSWORD })
  await waitFor(() => calls === 16_000, 10_000)
  const elapsed = performance.now() - started
  for (const handle of handles) handle.close()
  // 1,000 listeners took 37 ms and 16,000 took 5.4 s with a threadsafe function each.
  assert.ok(elapsed < 1_000, `${elapsed.toFixed(0)} ms for 16,000 listeners`)
})
