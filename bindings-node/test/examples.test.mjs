// The plain Node example runs against a devserver it starts itself and shows the whole flow.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { REPO } from './helpers.mjs'

test('examples/node/quickstart.mjs signs up, signs in, saves add-ons and forwards', () => {
  const env = { ...process.env }
  delete env.BANATA_BASE_URL
  delete env.BANATA_API_KEY
  const run = spawnSync(process.execPath, [join(REPO, 'examples', 'node', 'quickstart.mjs')], { encoding: 'utf8', env, timeout: 60_000 })
  assert.equal(run.status, 0, run.stderr)
  for (const line of [/^sign-up +ada-\w+@example\.com/m, /^sign-in +Ada Lovelace/m, /^session +\w+, expires 20\d\d-/m,
    /^add-ons +enabled: segment/m, /event +user\.created/, /^verify +e-mail verified: true/m,
    /^forwarded +3 messages \(failed 0, dropped 0\)/m, /segment +track Signed In/,
    /segment +track Signed Up/, /^sign-out +done/m]) {
    assert.match(run.stdout, line)
  }
  assert.ok(!run.stdout.includes('correct horse battery staple'), 'the password is never printed')
})

test('examples/node/two-factor.mjs turns two-factor on and signs in with a second factor', () => {
  const run = spawnSync(process.execPath, [join(REPO, 'examples', 'node', 'two-factor.mjs')], { encoding: 'utf8', timeout: 60_000 })
  assert.equal(run.status, 0, run.stderr)
  for (const line of [/^enable +authenticator URI and 10 backup codes issued/m, /^confirm +two-factor on: true/m,
    /^sign-in +a second factor is required/m, /^verify +signed in as ada-\w+@example\.com/m, /^session +\w+/m]) {
    assert.match(run.stdout, line)
  }
  assert.ok(!run.stdout.includes('otpauth'), 'the secret is never printed')
})
