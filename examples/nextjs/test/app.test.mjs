// The Next.js example as users run it: `next build`, `next start` on a free port, then HTTP
// requests to its route handler, which signs in against a devserver.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { BanataClient } from '@banata-auth/native'
import { startDevserver, uniqueEmail, PASSWORD } from '../../../bindings-node/test/helpers.mjs'

const APP = fileURLToPath(new URL('..', import.meta.url))
const NEXT = fileURLToPath(new URL('../node_modules/next/dist/bin/next', import.meta.url))
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }

let dev
let server
let base

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
    probe.on('error', reject)
  })
}

async function waitUntilServing(url, child) {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}`)
    try {
      await fetch(url)
      return
    } catch {
      await new Promise((r) => setTimeout(r, 200))
    }
  }
  throw new Error('next start did not answer within 60 s')
}

before(async () => {
  dev = await startDevserver()
  const build = spawnSync(process.execPath, [NEXT, 'build'], { cwd: APP, env, encoding: 'utf8', timeout: 300_000 })
  assert.equal(build.status, 0, `next build failed:\n${build.stdout}\n${build.stderr}`)
  assert.match(build.stdout, /\/api\/session/)
  const port = await freePort()
  server = spawn(process.execPath, [NEXT, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: APP,
    env: { ...env, BANATA_BASE_URL: dev.url, BANATA_API_KEY: dev.adminKey },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  base = `http://127.0.0.1:${port}`
  await waitUntilServing(base, server)
})

after(() => {
  server?.kill()
  dev?.stop()
})

test('the route handler signs in, sets the cookie, and returns the session and add-on config', async () => {
  const email = uniqueEmail('nextjs')
  const signedUp = await new BanataClient({ baseUrl: dev.url }).auth.signUpEmail({ name: 'Next', email, password: PASSWORD })
  await new BanataClient({ baseUrl: dev.url, apiKey: dev.adminKey }).addons.save({ segment: true })

  const response = await fetch(`${base}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  })
  const text = await response.text()
  assert.equal(response.status, 200, text)
  const body = JSON.parse(text)
  assert.equal(body.user.id, signedUp.user.id)
  assert.equal(body.session.userId, signedUp.user.id)
  assert.equal(body.session.token, undefined, 'the token stays in the cookie')
  assert.equal(body.addons.segment.enabled, true)
  const cookie = response.headers.get('set-cookie')
  assert.match(cookie ?? '', /^banata_session=[^;]+;.*HttpOnly/i)

  const again = await fetch(`${base}/api/session`, { headers: { cookie: cookie.split(';')[0] } })
  assert.equal(again.status, 200)
  assert.equal((await again.json()).session.id, body.session.id)
})

test('wrong credentials and bad input are answered with typed errors', async () => {
  const wrong = await fetch(`${base}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: uniqueEmail('nobody'), password: 'wrong password 123' }),
  })
  assert.equal(wrong.status, 401)
  assert.equal((await wrong.json()).kind, 'authentication')
  const bad = await fetch(`${base}/api/session`, { method: 'POST', body: 'not json' })
  assert.equal(bad.status, 400)
  const anonymous = await fetch(`${base}/api/session`)
  assert.equal(anonymous.status, 401)
})
