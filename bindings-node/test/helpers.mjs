// Test helpers: the devserver binary and the Better Auth peers on free loopback ports, and a
// scripted HTTP server for error paths.
import { spawn, execFileSync } from 'node:child_process'
import { createServer } from 'node:http'
import { existsSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const PASSWORD = 'correct horse battery staple'
export const uniqueEmail = (tag) => `${tag}-${randomUUID().slice(0, 12)}@example.com`

function waitForLines(child, prefixes) {
  return new Promise((resolve, reject) => {
    const found = {}
    const timer = setTimeout(() => reject(new Error(`no ${prefixes} within 60 s`)), 60_000)
    createInterface({ input: child.stdout }).on('line', (line) => {
      for (const p of prefixes) if (line.startsWith(p + ' ')) found[p] = line.slice(p.length + 1).split(' ')[0]
      if (prefixes.every((p) => p in found)) {
        clearTimeout(timer)
        resolve(found)
      }
    })
    child.on('exit', (code) => reject(new Error(`exited with ${code} before ${prefixes}`)))
  })
}

/** The devserver on a free port; `emailVerification` keeps the platform's default (required). */
export async function startDevserver(extraArgs = [], { emailVerification = false } = {}) {
  const target = process.env.CARGO_TARGET_DIR ?? join(REPO, 'target')
  const binary = process.env.BANATA_DEVSERVER_BIN ?? join(target, 'debug', 'banata-devserver')
  if (!existsSync(binary)) execFileSync('cargo', ['build', '-q', '-p', 'banata-devserver'], { cwd: REPO })
  const child = spawn(binary, ['--port', '0', ...(emailVerification ? [] : ['--no-email-verification']), '--email-otp', '--magic-link', ...extraArgs], { stdio: ['ignore', 'pipe', 'inherit'] })
  const ready = await waitForLines(child, ['READY', 'ADMIN_API_KEY'])
  const url = ready.READY
  const adminKey = ready.ADMIN_API_KEY
  const admin = async (method, path, body) => {
    const r = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return r.json()
  }
  return {
    url,
    adminKey,
    resetToken: async (email) => (await admin('GET', `/__dev/password-reset-token?email=${email}`)).token,
    mailbox: async (to) => (await admin('GET', `/__dev/mailbox?to=${encodeURIComponent(to)}`)).mails,
    fault: (script) => admin('POST', '/__dev/faults', script),
    createApiKey: async (permissions) => (await admin('POST', '/__dev/api-keys', { name: 'test', permissions })).key,
    sinkUrl: (service) => `${url}/__sinks/${service}`,
    sinkRequests: async (service) => (await admin('GET', `/__dev/sinks?service=${service}`)).data,
    scriptSink: (service, responses) => admin('POST', `/__dev/sinks/${service}/script`, { responses }),
    stop: () => child.kill(),
  }
}

/**
 * A real Better Auth server: `'1.7'` (1.7.25, no e-mail verification) or `'1.4'` (1.4.21, the
 * platform's version, configured like a managed project: verification required).
 */
export async function startPeer(version = '1.7') {
  const dir = join(REPO, 'tests', version === '1.4' ? 'better-auth-peer-1.4' : 'better-auth-peer')
  if (!existsSync(join(dir, 'node_modules', 'better-auth'))) throw new Error(`the Better Auth ${version} peer is not installed: run scripts/install.sh`)
  const child = spawn('node', ['server.mjs'], {
    cwd: dir,
    env: { ...process.env, PEER_PORT: '0', PEER_DB: 'memory' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const ready = await waitForLines(child, ['READY'])
  const url = ready.READY
  return {
    url,
    version,
    requiresVerification: version === '1.4',
    resetToken: async (email) => (await (await fetch(`${url}/__peer/reset-token?email=${email}`)).json()).token,
    mailbox: async (to) => (await (await fetch(`${url}/__peer/mailbox?to=${encodeURIComponent(to)}`)).json()).mails,
    stop: () => child.kill(),
  }
}

/** A loopback server answering `answer(req)` → { status, body?, headers?, delayMs? }. */
export async function scripted(answer) {
  const requests = []
  const server = createServer((req, res) => {
    requests.push({ method: req.method, url: req.url, headers: req.headers })
    req.resume()
    req.on('end', () => {
      const a = answer(req)
      setTimeout(() => {
        const body = a.body ?? ''
        res.writeHead(a.status, { ...(body ? { 'content-type': 'application/json' } : {}), ...(a.headers ?? {}) })
        res.end(body)
      }, a.delayMs ?? 0)
    })
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(r) }),
  }
}

/**
 * The loopback OpenID provider (tests/oidc-provider) with its test clients: `approve(url, login)`
 * plays the user at the provider and returns where it sends the browser back; `idToken(client,
 * login, nonce)` is what a native app gets from the provider's SDK; `devserverArgs` offers it
 * to a devserver as the providers `oidc` (client banata-app) and `other` (client other-app).
 */
export async function startOidcProvider() {
  const child = spawn('node', ['server.mjs'], { cwd: join(REPO, 'tests', 'oidc-provider'), stdio: ['ignore', 'pipe', 'ignore'] })
  const { READY: issuer } = await waitForLines(child, ['READY'])
  const approve = async (url, login) => {
    const answer = await (await fetch(`${issuer}/__test/approve`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url, login }),
    })).json()
    if (!answer.location) throw new Error(`the provider refused: ${JSON.stringify(answer)}`)
    return answer.location
  }
  const idToken = async (client, login, nonce) => {
    const answer = await (await fetch(`${issuer}/__test/id-token`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client, login, nonce }),
    })).json()
    if (!answer.id_token) throw new Error(`no ID token: ${JSON.stringify(answer)}`)
    return answer.id_token
  }
  const devserverArgs = ['--trusted-origin', 'myapp://']
  for (const [id, client] of [['oidc', 'banata-app'], ['other', 'other-app']]) {
    devserverArgs.push('--social-provider', `id=${id},issuer=${issuer},client-id=${client},client-secret=${client}-secret`)
  }
  return { issuer, approve, idToken, devserverArgs, stop: () => child.kill() }
}

/** What the user's browser does with a redirect to the server's callback: where it is sent on. */
export async function followRedirect(url) {
  const response = await fetch(url, { redirect: 'manual' })
  return response.headers.get('location')
}
