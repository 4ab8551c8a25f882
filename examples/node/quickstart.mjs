// @ts-check
// Sign up, sign in, read the session, read and save the add-on configuration, watch the events,
// and forward them to an enabled add-on.
//
//   node examples/node/quickstart.mjs                       # starts a local devserver
//   BANATA_BASE_URL=... BANATA_API_KEY=... node examples/node/quickstart.mjs
import { spawn, execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { BanataClient, BanataError, Forwarder } from '@banata-auth/native'

const REPO = fileURLToPath(new URL('../..', import.meta.url))

/** Starts the devserver binary on a free port; resolves with its URL and admin API key. */
async function startDevserver() {
  const target = process.env.CARGO_TARGET_DIR ?? join(REPO, 'target')
  const binary = join(target, 'debug', 'banata-devserver')
  if (!existsSync(binary)) execFileSync('cargo', ['build', '-q', '-p', 'banata-devserver'], { cwd: REPO, stdio: 'inherit' })
  const child = spawn(binary, ['--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] })
  /** @type {Record<string, string>} */
  const found = {}
  for await (const line of createInterface({ input: /** @type {import('node:stream').Readable} */ (child.stdout) })) {
    const [name, value] = line.split(' ')
    if (name === 'READY' || name === 'ADMIN_API_KEY') found[name] = value
    if (found.READY && found.ADMIN_API_KEY) break
  }
  return { child, url: found.READY, apiKey: found.ADMIN_API_KEY }
}

async function main() {
  let baseUrl = process.env.BANATA_BASE_URL
  let apiKey = process.env.BANATA_API_KEY
  let server
  if (!baseUrl) {
    server = await startDevserver()
    ;({ url: baseUrl, apiKey } = server)
    console.log(`devserver  ${baseUrl}`)
  }
  const client = new BanataClient({ baseUrl, apiKey })
  try {
    // Keep the handle: a dropped handle stops delivery.
    const printing = client.on('*', (event) => console.log(`  event     ${event.type} ${JSON.stringify(event.data)}`))

    // Forward to Segment: against the devserver its sink stands in for api.segment.io.
    const forwarder = server
      ? new Forwarder(client, { fromEnv: false, segmentWriteKey: 'seg_demo', segmentBaseUrl: `${baseUrl}/__sinks/segment`, flushIntervalMs: 50 })
      : new Forwarder(client)
    const saved = await client.addons.save({ segment: { enabled: true } })
    console.log(`add-ons    enabled: ${Object.keys(saved.addons).filter((id) => saved.addons[id].enabled).join(', ')}`)

    const email = `ada-${randomUUID().slice(0, 8)}@example.com`
    const password = 'correct horse battery staple'
    const signedUp = await client.auth.signUpEmail({ name: 'Ada Lovelace', email, password })
    console.log(`sign-up    ${signedUp.user.email} (${signedUp.user.id})`)
    // Projects require a verified address before the first sign-in: sign-up starts no session
    // and mails a link. The devserver keeps the mail in its dev mailbox.
    if (!signedUp.token) {
      if (!server) {
        console.log(`sign-up    verification required: follow the link mailed to ${email}`)
        return
      }
      const mailbox = await fetch(`${baseUrl}/__dev/mailbox?to=${encodeURIComponent(email)}`, { headers: { authorization: `Bearer ${apiKey}` } })
      const { mails } = await mailbox.json()
      const verified = await client.auth.verifyEmail({ token: mails.at(-1).token })
      console.log(`verify     e-mail verified: ${verified.status}`)
    }
    // A sign-in either completes or says which step comes first.
    const signedIn = await client.auth.signInEmail({ email, password })
    if (signedIn.status !== 'signed_in') {
      console.log(`sign-in    next step: ${signedIn.status}`)
      return
    }
    console.log(`sign-in    ${signedIn.user.name}`)
    const current = await client.auth.getSession()
    console.log(`session    ${current?.session.id}, expires ${current?.session.expiresAt}`)
    const config = await client.addons.get()
    console.log(`add-ons    ${JSON.stringify(config.addons)}`)

    await forwarder.flush(10_000)
    const stats = forwarder.stats()
    console.log(`forwarded  ${stats.sent} messages (failed ${stats.failed}, dropped ${stats.dropped})`)
    if (server) {
      const response = await fetch(`${baseUrl}/__dev/sinks?service=segment`, { headers: { authorization: `Bearer ${apiKey}` } })
      const { data } = await response.json()
      for (const request of data) {
        for (const message of request.body.json.batch) console.log(`  segment   ${message.type} ${message.event ?? ''}`)
      }
    }
    await forwarder.shutdown(5_000)
    await client.auth.signOut()
    console.log('sign-out   done')
    printing.close()
  } finally {
    await client.close()
    server?.child.kill()
  }
}

main().catch((error) => {
  console.error(error instanceof BanataError ? `failed: ${error.name} (${error.kind}): ${error.message}` : error)
  process.exitCode = 1
})
