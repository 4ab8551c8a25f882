// Long-running checks (not tests): a soak of 100,000 add-on reads at concurrency 32 with the
// resident memory sampled, and 50 worker threads ended with calls in flight. Prints figures.
//
//   bench/node/soak.sh
import { parseArgs } from 'node:util'
import { Worker } from 'node:worker_threads'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { BanataClient } from '../../bindings-node/index.js'

const { values } = parseArgs({
  options: { url: { type: 'string' }, key: { type: 'string' }, calls: { type: 'string', default: '100000' } },
})
if (!values.url || !values.key) throw new Error('usage: soak.mjs --url URL --key KEY')
const calls = Number(values.calls)
const mib = () => process.memoryUsage().rss / 2 ** 20

const client = new BanataClient({ baseUrl: values.url, apiKey: values.key })
let done = 0
let finished = 0
let errors = 0
const samples = []
const started = performance.now()
await Promise.all(
  Array.from({ length: 32 }, async () => {
    while (done < calls) {
      done += 1
      try {
        await client.addons.get()
      } catch {
        errors += 1
      }
      finished += 1
      if (finished % (calls / 10) === 0) samples.push(mib())
    }
  }),
)
const seconds = (performance.now() - started) / 1000
console.log(`soak: ${calls} calls in ${seconds.toFixed(1)} s (${Math.round(calls / seconds)}/s), ${errors} errors`)
console.log(`rss MiB at each tenth: ${samples.map((m) => m.toFixed(0)).join(' ')}`)
console.log(`rss growth over the second half: ${(samples.at(-1) - samples[4]).toFixed(1)} MiB`)

const entry = fileURLToPath(new URL('../../bindings-node/index.js', import.meta.url))
let ended = 0
for (let run = 0; run < 50; run++) {
  const exit = run % 2 === 1
  const worker = new Worker(
    `const { BanataClient } = require(${JSON.stringify(entry)})
     const client = new BanataClient({ baseUrl: ${JSON.stringify(values.url)}, apiKey: ${JSON.stringify(values.key)} })
     for (let i = 0; i < 30; i++) client.addons.get().catch(() => {})
     require('node:worker_threads').parentPort.postMessage('in flight')
     ${exit ? 'process.exit(0)' : ''}`,
    { eval: true },
  )
  const exited = once(worker, 'exit')
  await Promise.race([once(worker, 'message'), exited])
  if (!exit) await worker.terminate()
  await exited
  ended += 1
}
console.log(`workers: ${ended} of 50 ended with 30 calls in flight (terminate() and process.exit()), process alive`)
