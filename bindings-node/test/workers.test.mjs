// Worker threads that end with calls in flight: terminate() and process.exit() inside the
// worker, in child processes so a crash shows as its exit signal.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, spawnSync } from 'node:child_process'
import { createServer } from 'node:http'
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

// The report's crash needs the answers to arrive after the worker's end and its freed memory to
// be reused first: a server that answers after 300 ms, 300 calls in flight per worker, and the
// main thread allocating clients meanwhile. The binding before the fix died of SIGSEGV in 4 of
// 6 such processes; eight must all live now.
test('workers ended while 300 calls wait on a slow server, their memory reused, never crash (8 processes)', async () => {
  const slow = createServer((req, res) => {
    req.resume()
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(req.url.includes('get-session') ? 'null' : '{"addons":{}}')
    }, 300)
  })
  await new Promise((resolve) => slow.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${slow.address().port}`
  const entry = JSON.stringify(join(REPO, 'bindings-node', 'index.js'))
  const script = `
    const { Worker } = require('node:worker_threads')
    const { once } = require('node:events')
    const { BanataClient } = require(${entry})
    const body = (exit) => \`
      const { BanataClient } = require(${entry.replace(/\\/g, '\\\\')})
      const { parentPort } = require('node:worker_threads')
      const client = new BanataClient({ baseUrl: '${url}', apiKey: 'k'.repeat(64) })
      for (let i = 0; i < 300; i++) client.addons.get().catch(() => {})
      for (let i = 0; i < 5; i++) client.auth.getSession().catch(() => {})
      parentPort.postMessage('in flight')
      \${exit ? 'process.exit(0)' : ''}
    \`
    ;(async () => {
      const base = new BanataClient({ baseUrl: '${url}', apiKey: 'k'.repeat(64) })
      const keep = []
      for (let run = 0; run < 10; run++) {
        const exit = run % 2 === 1
        const worker = new Worker(body(exit), { eval: true })
        const exited = once(worker, 'exit')
        await Promise.race([once(worker, 'message'), exited])
        if (!exit) await worker.terminate()
        await exited
        for (let i = 0; i < 300; i++) keep.push(base.withSessionStore())
        keep.splice(0, keep.length - 600)
        await new Promise((resolve) => setTimeout(resolve, 400))
      }
      console.log('10 runs done')
    })()
  `
  try {
    for (let process_ = 0; process_ < 8; process_++) {
      const run = await new Promise((resolve) => {
        execFile(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) =>
          resolve({ signal: error?.signal ?? null, code: error?.code ?? 0, stdout, stderr }))
      })
      assert.equal(run.signal, null, `process ${process_} killed by ${run.signal}: ${run.stderr}`)
      assert.equal(run.code, 0, run.stderr)
      assert.match(run.stdout, /10 runs done/)
    }
  } finally {
    slow.close()
  }
})
