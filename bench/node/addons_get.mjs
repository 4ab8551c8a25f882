// Benchmark: `client.addons.get()` through @banata-auth/native against a plain `fetch` of the
// same endpoint, same devserver, same run.
//
//   bench/node/run.sh          # builds release artifacts, starts a devserver, runs this
//
// Prints calls per second at concurrency 1 and 64 and the ratio binding / fetch, and what a
// per-request client costs built new against derived with withSessionStore(). Each pair is
// measured interleaved, in rounds, so machine noise hits both sides alike; medians are shown.
import { parseArgs } from 'node:util'
import { BanataClient } from '../../bindings-node/index.js'

const PATH = '/api/auth/banata/config/addons/get'
const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    key: { type: 'string' },
    seconds: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
  },
})
if (!values.url || !values.key) throw new Error('usage: addons_get.mjs --url URL --key KEY')
const { url, key } = values
const seconds = Number(values.seconds)
const roundCount = Number(values.rounds)

async function rate(call, concurrency) {
  let done = 0
  const stop = performance.now() + seconds * 1000
  const worker = async () => {
    while (performance.now() < stop) {
      await call()
      done += 1
    }
  }
  const started = performance.now()
  await Promise.all(Array.from({ length: concurrency }, worker))
  return done / ((performance.now() - started) / 1000)
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const fmt = (n) => Math.round(n).toLocaleString('en-US')

const client = new BanataClient({ baseUrl: url, apiKey: key })
// Same work on both sides: one POST, a status check, the JSON decoded into objects.
const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' }
async function plainFetch() {
  const response = await fetch(url + PATH, { method: 'POST', body: '{}', headers })
  if (!response.ok) throw new Error(`HTTP ${response.status}`)
  return response.json()
}

await client.addons.get()
await plainFetch()
console.log(`${'benchmark'.padEnd(44)} ${'binding'.padStart(10)}  ${'fetch'.padStart(10)}  ${'ratio'.padStart(6)}`)
for (const concurrency of [1, 64]) {
  const ours = []
  const base = []
  for (let i = 0; i < roundCount; i++) {
    ours.push(await rate(() => client.addons.get(), concurrency))
    base.push(await rate(plainFetch, concurrency))
  }
  const [o, b] = [median(ours), median(base)]
  console.log(`${`addons.get() vs fetch, concurrency ${concurrency}`.padEnd(44)} ${fmt(o).padStart(8)}/s  ${fmt(b).padStart(8)}/s  ${(o / b).toFixed(2).padStart(5)}x`)
}

// A server's per-request client: building one (TLS setup, new connections) against deriving
// one from the process's client with withSessionStore().
{
  const ours = []
  const base = []
  for (let i = 0; i < roundCount; i++) {
    ours.push(await rate(() => client.withSessionStore().addons.get(), 1))
    base.push(await rate(() => new BanataClient({ baseUrl: url, apiKey: key }).addons.get(), 1))
  }
  const [o, b] = [median(ours), median(base)]
  console.log(`${'per-request client: derived vs new'.padEnd(44)} ${fmt(o).padStart(8)}/s  ${fmt(b).padStart(8)}/s  ${(o / b).toFixed(2).padStart(5)}x`)
}
console.log(`node ${process.version}`)
