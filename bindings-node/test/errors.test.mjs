import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import * as banata from '../index.mjs'
import { scripted } from './helpers.mjs'

const admin = (url, extra = {}) => new banata.BanataClient({ baseUrl: url, apiKey: 'bnt_node_secret_key', initialRetryDelayMs: 10, ...extra })

const cases = [
  [401, '{"code":"INVALID_API_KEY","message":"Invalid API key"}', banata.AuthenticationError, 'INVALID_API_KEY'],
  [403, '{"message":"Missing permission"}', banata.ForbiddenError, null],
  [404, '', banata.NotFoundError, null],
  [422, '{"code":"VALIDATION_ERROR","message":"bad"}', banata.ValidationError, 'VALIDATION_ERROR'],
]
for (const [status, body, Class, code] of cases) {
  test(`${status} is a ${Class.name}, not retried`, async () => {
    const server = await scripted(() => ({ status, body, headers: { 'x-request-id': 'req_1' } }))
    try {
      const error = await admin(server.url).addons.get().then(() => assert.fail('resolved'), (e) => e)
      assert.ok(error instanceof Class && error instanceof banata.BanataError && error instanceof Error)
      assert.equal(error.status, status)
      assert.equal(error.code, code)
      assert.equal(error.requestId, 'req_1')
      assert.equal(server.requests.length, 1)
      assert.ok(!`${error.message} ${error.stack} ${JSON.stringify(error)}`.includes('bnt_node_secret_key'))
    } finally {
      await server.close()
    }
  })
}

test('429 with Retry-After is waited for, then a RateLimitError', async () => {
  const server = await scripted(() => ({ status: 429, body: '{"message":"slow down"}', headers: { 'retry-after': '1' } }))
  const started = Date.now()
  const error = await admin(server.url, { maxRetries: 1 }).addons.get().catch((e) => e)
  assert.ok(error instanceof banata.RateLimitError)
  assert.equal(error.retryAfter, 1)
  assert.ok(Date.now() - started >= 900)
  assert.equal(server.requests.length, 2)
  await server.close()
})

test('5xx is retried, then a ServerError', async () => {
  const server = await scripted(() => ({ status: 502, body: '{"message":"bad gateway"}' }))
  const error = await admin(server.url, { maxRetries: 2 }).addons.get().catch((e) => e)
  assert.ok(error instanceof banata.ServerError)
  assert.equal(error.status, 502)
  assert.equal(server.requests.length, 3)
  await server.close()
})

test('timeout and refused connection', async () => {
  const slow = await scripted(() => ({ status: 200, body: '{"addons":{}}', delayMs: 2000 }))
  const timeout = await admin(slow.url, { timeoutMs: 200, maxRetries: 0 }).addons.get().catch((e) => e)
  assert.ok(timeout instanceof banata.TimeoutError)
  await slow.close()

  const probe = createServer()
  await new Promise((r) => probe.listen(0, '127.0.0.1', r))
  const port = probe.address().port
  await new Promise((r) => probe.close(r))
  const refused = await admin(`http://127.0.0.1:${port}`, { maxRetries: 0 }).addons.get().catch((e) => e)
  assert.ok(refused instanceof banata.ConnectionError)
  assert.equal(refused.status, null)
})

test('numeric and header options are checked before they reach the native side', () => {
  const base = { baseUrl: 'http://127.0.0.1:1' }
  // Unchecked, napi would turn -1 into 4294967295 ms.
  assert.throws(() => new banata.BanataClient({ ...base, timeoutMs: -1 }), RangeError)
  assert.throws(() => new banata.BanataClient({ ...base, maxRetries: 1.5 }), RangeError)
  assert.throws(() => new banata.BanataClient({ ...base, initialRetryDelayMs: '10' }), TypeError)
  assert.throws(() => new banata.BanataClient({ ...base, headers: { 'x-n': 1 } }), TypeError)
  assert.throws(() => new banata.BanataClient({ ...base, timeoutMs: 0 }), banata.ConfigurationError)
  const client = new banata.BanataClient({ ...base, timeoutMs: 1000, maxRetries: 0, headers: { 'x-app': 'test' } })
  assert.throws(() => new banata.Forwarder(client, { fromEnv: false, queueCapacity: -1 }), RangeError)
  assert.throws(() => new banata.Forwarder(client, { fromEnv: false, flushIntervalMs: 'soon' }), TypeError)
  const forwarder = new banata.Forwarder(client, { fromEnv: false })
  assert.throws(() => forwarder.flush(-5), RangeError)
})
