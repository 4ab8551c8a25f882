// A self-signed HTTPS server on loopback: the failure says it is the certificate, and trusting
// the certificate (caCertificates, or NODE_EXTRA_CA_CERTS) makes the same call work.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, execFileSync } from 'node:child_process'
import { promisify } from 'node:util'
import { createServer } from 'node:https'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BanataClient, ConnectionError } from '../index.mjs'
import { REPO } from './helpers.mjs'

let server, url, certPath, cert, dir
let connections = 0
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'banata-tls-'))
  // A test CA and a server certificate it signed (webpki refuses a CA as the server's own).
  const file = (name) => join(dir, name)
  const openssl = (...args) => execFileSync('openssl', args, { stdio: 'ignore' })
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=banata-test-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign',
    '-keyout', file('ca.key'), '-out', file('ca.pem'))
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', file('key.pem'), '-out', file('req.csr'))
  writeFileSync(file('ext.cnf'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n')
  openssl('x509', '-req', '-in', file('req.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial',
    '-days', '1', '-extfile', file('ext.cnf'), '-out', file('cert.pem'))
  certPath = file('ca.pem')
  cert = readFileSync(certPath, 'utf8')
  const keyPath = file('key.pem')
  const serverCert = readFileSync(file('cert.pem'))
  server = createServer({ key: readFileSync(keyPath), cert: serverCert }, (req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"addons":{"segment":{"enabled":true}}}')
    })
  })
  server.on('connection', () => {
    connections += 1
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `https://127.0.0.1:${server.address().port}`
})
after(() => {
  server.close()
  rmSync(dir, { recursive: true, force: true })
})

test('an untrusted certificate is a ConnectionError that says so, not retried', async () => {
  const client = new BanataClient({ baseUrl: url, apiKey: 'k', maxRetries: 3, initialRetryDelayMs: 10 })
  const before = connections
  await assert.rejects(client.addons.get(), (e) => {
    assert.ok(e instanceof ConnectionError, String(e))
    assert.equal(e.connectionCause, 'certificate')
    assert.match(e.message, /certificate/i)
    return true
  })
  assert.equal(connections - before, 1, 'an untrusted certificate is tried once, not retried')
})

test('caCertificates and NODE_EXTRA_CA_CERTS make the certificate trusted', async () => {
  const client = new BanataClient({ baseUrl: url, apiKey: 'k', caCertificates: [cert] })
  assert.equal((await client.addons.get()).addons.segment.enabled, true)
  const script = `
    const { BanataClient } = require(${JSON.stringify(join(REPO, 'bindings-node', 'index.js'))})
    new BanataClient({ baseUrl: ${JSON.stringify(url)}, apiKey: 'k' }).addons.get()
      .then((c) => console.log('enabled ' + c.addons.segment.enabled), (e) => { console.error(e); process.exit(1) })
  `
  // Asynchronously: the server lives in this process and must keep answering.
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: certPath },
    timeout: 20_000,
  })
  assert.match(stdout, /enabled true/)
})
