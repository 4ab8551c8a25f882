// The shared scenarios (tests/scenarios/*.json, see its README), run through the package's
// public methods: one test per scenario, named as in every other language.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { BanataClient } from '../index.mjs'
import { REPO, PASSWORD, startDevserver, uniqueEmail } from './helpers.mjs'

const { operations } = createRequire(import.meta.url)('../generated.js')
const dir = join(REPO, 'tests', 'scenarios')
const scenarios = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')))

function fill(value, vars) {
  if (typeof value === 'string') {
    const whole = /^\{(\w+)\}$/.exec(value)
    if (whole && whole[1] in vars) return vars[whole[1]]
    return value.replace(/\{(\w+)\}/g, (m, name) => (typeof vars[name] === 'string' ? vars[name] : m))
  }
  if (Array.isArray(value)) return value.map((v) => fill(v, vars))
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, vars)]))
  return value
}

const at = (value, path) => path.split('.').reduce((v, key) => (v === null || v === undefined ? undefined : v[key]), value)

function check(expect, result, where) {
  if (expect === null) return assert.equal(result, null, `${where}: expected null`)
  for (const [path, want] of Object.entries(expect)) {
    const got = at(result, path)
    if (want === '*') assert.ok(got !== undefined && got !== null, `${where}: ${path} missing`)
    else assert.deepEqual(got, want, `${where}: ${path}`)
  }
}

async function callOperation(client, id, input) {
  const { resource, method, positional } = operations[id]
  const target = client[resource]
  return positional ? target[method](input?.[positional]) : target[method](input)
}

for (const scenario of scenarios) {
  test(scenario.name, async () => {
    const dev = await startDevserver()
    try {
      const vars = { email: uniqueEmail('scenario'), password: PASSWORD }
      const admin = new BanataClient({ baseUrl: dev.url, apiKey: dev.adminKey, initialRetryDelayMs: 10 })
      const anonymous = new BanataClient({ baseUrl: dev.url, apiKey: undefined })
      const events = []
      const off = admin.on('*', (event) => events.push(event.type))
      for (const [i, raw] of scenario.steps.entries()) {
        const step = fill(raw, vars)
        let result
        if (step.fault) {
          await dev.fault(step.fault)
          continue
        } else if (step.mail) {
          result = (await dev.mailbox(step.mail)).at(-1)
          assert.ok(result, `step ${i}: no mail to ${step.mail}`)
        } else {
          const client = step.client === 'anonymous' ? anonymous : admin
          const where = `step ${i} (${step.call})`
          if (step.error) {
            await assert.rejects(callOperation(client, step.call, step.input), (e) => {
              for (const key of ['kind', 'status', 'code']) {
                if (key in step.error) assert.equal(e[key], step.error[key], `${where}: ${key} of ${e}`)
              }
              return true
            })
            continue
          }
          result = (await callOperation(client, step.call, step.input)) ?? null
          if ('expect' in step) check(step.expect, result, where)
        }
        for (const [name, path] of Object.entries(step.save ?? {})) vars[name] = at(result, path)
      }
      for (let i = 0; i < 200 && events.length < scenario.events.length; i++) await new Promise((r) => setTimeout(r, 10))
      await new Promise((r) => setTimeout(r, 20))
      off()
      assert.deepEqual(events, scenario.events)
    } finally {
      dev.stop()
    }
  })
}
