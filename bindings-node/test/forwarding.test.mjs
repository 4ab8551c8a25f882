// The Forwarder through Node: events reach enabled add-ons' sinks; flush, shutdown, stats, onError.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { BanataClient, Forwarder, TimeoutError } from '../index.mjs'
import { REPO, startDevserver, uniqueEmail, PASSWORD } from './helpers.mjs'

let dev
before(async () => {
  dev = await startDevserver()
})
after(() => dev.stop())

const mentions = (requests, text) => requests.filter((r) => JSON.stringify(r.body).includes(text))

test('an enabled add-on receives the flow, a disabled one nothing, and no secret leaves', async () => {
  const client = new BanataClient({ baseUrl: dev.url, apiKey: dev.adminKey })
  await client.addons.save({ segment: true, posthog: false })
  const forwarder = new Forwarder(client, {
    fromEnv: false,
    segmentWriteKey: 'seg_node_write_key',
    segmentBaseUrl: dev.sinkUrl('segment'),
    posthogApiKey: 'phc_node_key',
    posthogHost: dev.sinkUrl('posthog'),
    flushIntervalMs: 50,
  })
  const result = await client.auth.signUpEmail({ name: 'F', email: uniqueEmail('forward'), password: PASSWORD })
  await forwarder.flush(10_000)

  const sent = mentions(await dev.sinkRequests('segment'), result.user.id)
  assert.ok(sent.length > 0, 'segment received the sign-up')
  const names = sent.flatMap((r) => r.body.json.batch.map((m) => m.event ?? m.type))
  assert.ok(names.includes('identify') && names.includes('Signed Up'), names.join())
  const everything = JSON.stringify(sent)
  for (const secret of [PASSWORD, dev.adminKey, result.token]) assert.ok(!everything.includes(secret))
  assert.equal(mentions(await dev.sinkRequests('posthog'), result.user.id).length, 0)

  const stats = forwarder.stats()
  const segment = stats.destinations.find((d) => d.addon === 'segment')
  assert.ok(segment.sent >= 2 && segment.failed === 0, JSON.stringify(stats))
  assert.equal(stats.queued, 0)
  await forwarder.shutdown(5_000)
  await client.addons.save({ segment: false })
})

test('a refused batch reaches onError without the credential', async () => {
  const client = new BanataClient({ baseUrl: dev.url, apiKey: dev.adminKey })
  await client.addons.save({ stripe: true })
  await dev.scriptSink('stripe', [{ status: 400, times: 0 }])
  const failures = []
  const forwarder = new Forwarder(client, {
    fromEnv: false,
    stripeSecretKey: 'sk_test_node_binding',
    stripeBaseUrl: dev.sinkUrl('stripe'),
    onError: (failure) => failures.push(failure),
  })
  try {
    await client.auth.signUpEmail({ name: 'E', email: uniqueEmail('stripe-fail'), password: PASSWORD })
    await forwarder.flush(10_000)
    const deadline = Date.now() + 5_000
    while (failures.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    assert.equal(failures[0]?.addon, 'stripe')
    assert.equal(failures[0].status, 400)
    assert.ok(!JSON.stringify(failures).includes('sk_test_node_binding'))
    assert.ok(forwarder.stats().failed >= 1)
  } finally {
    await forwarder.shutdown(2_000)
    await dev.scriptSink('stripe', [])
    await client.addons.save({ stripe: false })
  }
})

test('flush past its timeout is a TimeoutError; bad options are typed errors', async () => {
  const client = new BanataClient({ baseUrl: dev.url, apiKey: dev.adminKey })
  await client.addons.save({ posthog: true })
  await dev.scriptSink('posthog', [{ status: 503, times: 0 }])
  const forwarder = new Forwarder(client, {
    fromEnv: false,
    posthogApiKey: 'phc_k',
    posthogHost: dev.sinkUrl('posthog'),
    flushIntervalMs: 50,
  })
  try {
    await client.auth.signUpEmail({ name: 'T', email: uniqueEmail('flush-timeout'), password: PASSWORD })
    await assert.rejects(forwarder.flush(300), TimeoutError)
  } finally {
    await dev.scriptSink('posthog', [])
    await forwarder.shutdown(5_000)
    await client.addons.save({ posthog: false })
  }
  assert.throws(() => new Forwarder({}, {}), TypeError)
  assert.throws(() => new Forwarder(client, { fromEnv: false, gaApiSecret: 'only-half' }), (e) => e.kind === 'configuration')
})

test('core warnings reach stderr (BANATA_LOG=off silences them); event counters are exposed', async () => {
  const script = `
    const { BanataClient, Forwarder } = require(${JSON.stringify(join(REPO, 'bindings-node', 'index.js'))})
    const client = new BanataClient({ baseUrl: ${JSON.stringify(dev.url)}, apiKey: ${JSON.stringify(dev.adminKey)} })
    const forwarder = new Forwarder(client)
    forwarder.shutdown(1000).then(() => console.log(JSON.stringify(client.eventStats())))
  `
  const env = { ...process.env, STRIPE_SECRET_KEY: 'pk_test_publishable' }
  const warned = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8', timeout: 20_000 })
  assert.equal(warned.status, 0, warned.stderr)
  assert.match(warned.stderr, /publishable/)
  assert.ok(!warned.stderr.includes('pk_test_publishable'), 'the key itself is never printed')
  assert.deepEqual(Object.keys(JSON.parse(warned.stdout)).sort(), ['delivered', 'dropped', 'listenerPanics'])
  const quiet = spawnSync(process.execPath, ['-e', script], { env: { ...env, BANATA_LOG: 'off' }, encoding: 'utf8', timeout: 20_000 })
  assert.equal(quiet.status, 0, quiet.stderr)
  assert.doesNotMatch(quiet.stderr, /publishable/)
})

test('Stripe seats follow an organization: a member joins and is removed', async () => {
  const app = new BanataClient({ baseUrl: dev.url, apiKey: dev.adminKey })
  await app.addons.save({ stripe: true })
  const forwarder = new Forwarder(app, { fromEnv: false, stripeSecretKey: 'sk_test_node_seats', stripeBaseUrl: dev.sinkUrl('stripe') })
  try {
    // Per-user clients derived from the app's: the Forwarder sees their events.
    const owner = app.withSessionStore()
    const bobEmail = uniqueEmail('node-seat-bob')
    await owner.auth.signUpEmail({ name: 'Owner', email: uniqueEmail('node-seat-owner'), password: PASSWORD })
    const org = await owner.organizations.create({ name: 'Seats', slug: uniqueEmail('node-seats'), metadata: { stripeSubscriptionItemId: 'si_NODE_SEATS' } })
    assert.equal(org.members[0].role, 'super_admin')
    const invitation = await owner.organizations.inviteMember({ email: bobEmail, role: ['member'], organizationId: org.id })
    const bob = app.withSessionStore()
    await bob.auth.signUpEmail({ name: 'Bob', email: bobEmail, password: PASSWORD })
    await bob.organizations.acceptInvitation(invitation.id)
    await owner.organizations.removeMember({ memberIdOrEmail: bobEmail, organizationId: org.id })
    await forwarder.flush(10_000)
    const seats = (await dev.sinkRequests('stripe'))
      .filter((r) => r.path === '/v1/subscription_items/si_NODE_SEATS')
      .map((r) => [r.body.form[0][1], r.headers['idempotency-key']])
    assert.deepEqual(seats, [['1', `seats:${org.id}:1`], ['2', `seats:${org.id}:2`], ['1', `seats:${org.id}:1`]])
  } finally {
    await forwarder.shutdown(2_000)
    await app.addons.save({ stripe: false })
  }
})
