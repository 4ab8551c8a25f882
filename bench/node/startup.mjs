// Start-up cost of require('@banata-auth/native') and of the first client, each measured in
// fresh processes against an empty one in the same run. Prints medians in milliseconds.
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const entry = fileURLToPath(new URL('../../bindings-node/index.js', import.meta.url))
const runs = Number(process.argv[2] ?? 30)

function medianMs(code) {
  const samples = []
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint()
    execFileSync(process.execPath, ['-e', code])
    samples.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  samples.sort((a, b) => a - b)
  return samples[Math.floor(samples.length / 2)]
}

const empty = medianMs('')
const required = medianMs(`require(${JSON.stringify(entry)})`)
const client = medianMs(`new (require(${JSON.stringify(entry)}).BanataClient)({ baseUrl: 'http://127.0.0.1:9' })`)
console.log(`empty node ${empty.toFixed(1)} ms (median of ${runs})`)
console.log(`require adds ${(required - empty).toFixed(1)} ms`)
console.log(`require + first client adds ${(client - empty).toFixed(1)} ms`)
