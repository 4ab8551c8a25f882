// Worker threads that end with calls in flight: terminate() and process.exit() inside the
// worker, 50 times, in a child process so a crash shows as its exit signal.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { REPO, startDevserver } from './helpers.mjs'

let dev
before(async () => {
  dev = await startDevserver()
})
after(() => dev.stop())

test('ending a worker with 30 calls in flight never crashes the process (50 runs)', () => {
  const entry = JSON.stringify(join(REPO, 'bindings-node', 'index.js'))
  const script = `
    const { Worker } = require('node:worker_threads')
    const { once } = require('node:events')
    const body = (exit) => \`
      const { BanataClient } = require(${entry.replace(/\\/g, '\\\\')})
      const { parentPort } = require('node:worker_threads')
      const client = new BanataClient({ baseUrl: ${JSON.stringify(dev.url)}, apiKey: ${JSON.stringify(dev.adminKey)} })
      for (let i = 0; i < 30; i++) client.addons.get().catch(() => {})
      for (let i = 0; i < 5; i++) client.auth.getSession().catch(() => {})
      parentPort.postMessage('in flight')
      \${exit ? 'process.exit(0)' : ''}
    \`
    ;(async () => {
      for (let run = 0; run < 50; run++) {
        const exit = run % 2 === 1
        const worker = new Worker(body(exit), { eval: true })
        const exited = once(worker, 'exit')
        // A worker that exits at once may never deliver its message: wait for either.
        await Promise.race([once(worker, 'message'), exited])
        if (!exit) await worker.terminate()
        await exited
      }
      console.log('50 runs done')
    })()
  `
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 120_000 })
  assert.equal(run.signal, null, `killed by ${run.signal}: ${run.stderr}`)
  assert.equal(run.status, 0, run.stderr)
  assert.match(run.stdout, /50 runs done/)
})
