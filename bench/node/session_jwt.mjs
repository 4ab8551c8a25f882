// Benchmark: verifying a session JWT in the process with @banata-auth/native
// (`client.authenticate(request)`) against the `jose` package's `jwtVerify` with a local key
// set (the key fetched once, the same issuer and audience checks), and a guarded request
// against a `getSession()` round trip to the devserver. Same devserver, same run, interleaved
// in rounds; medians are shown.
//
//   bench/node/run.sh            # builds release artifacts, starts a devserver, runs this too
import { createRequire } from 'node:module'
import { parseArgs } from 'node:util'
import { pathToFileURL } from 'node:url'
import { BanataClient } from '../../bindings-node/index.js'

// jose is a dev dependency of the binding's package (bindings-node/package.json).
const fromBinding = createRequire(new URL('../../bindings-node/package.json', import.meta.url))
const josePath = fromBinding.resolve('jose/package.json').replace(/package\.json$/, 'dist/webapi/index.js')
const { createLocalJWKSet, jwtVerify } = await import(pathToFileURL(josePath).href)

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    seconds: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '16' },
  },
})
if (!values.url) throw new Error('usage: session_jwt.mjs --url URL')
const url = values.url
const seconds = Number(values.seconds)
const concurrency = Number(values.concurrency)

async function rate(call) {
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
const fmt = (n) => Math.round(n).toLocaleString('en-US').padStart(10)

const client = new BanataClient({ baseUrl: url })
await client.auth.signUpEmail({ name: 'Bench', email: `bench-${Date.now()}@example.com`, password: 'correct horse battery staple' })
const { token } = await client.auth.token()
const request = new Request('http://app.example/api', { headers: { authorization: `Bearer ${token}` } })
await client.authenticate(request)

const keys = createLocalJWKSet(await (await fetch(`${url}/api/auth/convex/jwks`)).json())
const options = { issuer: url.replace(/\/$/, ''), audience: 'convex' }
// What jose needs first too: the token from the request.
const withJose = async () => {
  const header = request.headers.get('authorization')
  await jwtVerify(header.slice(7), keys, options)
}
await withJose()

// As requests arrive at an Express app: new headers (IncomingMessage's plain object) whose
// string the engine has not seen before, so it is hashed anew.
const arriving = () => client.authenticate({ headers: { host: 'app.example', accept: '*/*', authorization: `Bearer ${token}` } })

const sides = { core: [], arriving: [], jose: [], roundTrip: [] }
for (let i = 0; i < Number(values.rounds); i++) {
  sides.core.push(await rate(() => client.authenticate(request)))
  sides.arriving.push(await rate(arriving))
  sides.jose.push(await rate(withJose))
  sides.roundTrip.push(await rate(() => client.auth.getSession()))
}
const [core, fresh, jose, roundTrip] = [median(sides.core), median(sides.arriving), median(sides.jose), median(sides.roundTrip)]
console.log(`session JWT (RS256), medians of ${values.rounds} interleaved rounds, concurrency ${concurrency}:`)
console.log(`  client.authenticate(request)   ${fmt(core)} /s`)
console.log(`  jose jwtVerify, local key set  ${fmt(jose)} /s   binding / jose = ${(core / jose).toFixed(2)}`)
console.log(`  new request headers each time  ${fmt(fresh)} /s   guarded / round trip = ${(fresh / roundTrip).toFixed(1)}x`)
console.log(`  getSession() round trip        ${fmt(roundTrip)} /s   guarded / round trip = ${(core / roundTrip).toFixed(1)}x`)
