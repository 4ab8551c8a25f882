// @ts-check
// Two-factor sign-in end to end: turn two-factor on for a user, then sign in on another device,
// which stops for the second factor and completes with a code. The codes are the one-time codes
// the server mails (the local devserver keeps them in its dev mailbox); a code from an
// authenticator app (`verifyTotp`) or a backup code (`verifyBackupCode`) works the same.
//
//   node examples/node/two-factor.mjs                       # starts a local devserver
import { spawn, execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { BanataClient } from '@banata-auth/native'

const REPO = fileURLToPath(new URL('../..', import.meta.url))
const PASSWORD = 'correct horse battery staple'

/** Starts the devserver with two-factor on; resolves with its URL and admin API key. */
async function startDevserver() {
  const target = process.env.CARGO_TARGET_DIR ?? join(REPO, 'target')
  const binary = join(target, 'debug', 'banata-devserver')
  if (!existsSync(binary)) execFileSync('cargo', ['build', '-q', '-p', 'banata-devserver'], { cwd: REPO, stdio: 'inherit' })
  const child = spawn(binary, ['--port', '0', '--no-email-verification', '--two-factor'], { stdio: ['ignore', 'pipe', 'inherit'] })
  /** @type {Record<string, string>} */
  const found = {}
  for await (const line of createInterface({ input: /** @type {import('node:stream').Readable} */ (child.stdout) })) {
    const [name, value] = line.split(' ')
    if (name === 'READY' || name === 'ADMIN_API_KEY') found[name] = value
    if (found.READY && found.ADMIN_API_KEY) break
  }
  return { child, url: found.READY, apiKey: found.ADMIN_API_KEY }
}

/**
 * The newest sign-in code mailed to `email` (what the user would read in their inbox).
 * @param {{ url: string, apiKey: string }} server
 * @param {string} email
 */
async function mailedCode(server, email) {
  const response = await fetch(`${server.url}/__dev/mailbox?to=${encodeURIComponent(email)}`, { headers: { authorization: `Bearer ${server.apiKey}` } })
  /** @type {{ mails: { kind: string, token: string }[] }} */
  const { mails } = await response.json()
  const mail = mails.filter((m) => m.kind === 'two-factor-otp').at(-1)
  if (!mail) throw new Error('no code was mailed')
  return mail.token
}

async function main() {
  const server = await startDevserver()
  console.log(`devserver  ${server.url} (two-factor on)`)
  const email = `ada-${randomUUID().slice(0, 8)}@example.com`
  const laptop = new BanataClient({ baseUrl: server.url })
  const phone = new BanataClient({ baseUrl: server.url })
  try {
    // On the laptop: sign up and turn two-factor on; confirming a first code switches it on.
    await laptop.auth.signUpEmail({ name: 'Ada Lovelace', email, password: PASSWORD })
    const setup = await laptop.auth.enableTwoFactor(PASSWORD)
    console.log(`enable     authenticator URI and ${setup.backupCodes.length} backup codes issued`)
    await laptop.auth.sendTwoFactorOtp()
    const on = await laptop.auth.verifyTwoFactorOtp({ code: await mailedCode(server, email) })
    console.log(`confirm    two-factor on: ${on.user.twoFactorEnabled === true}`)

    // On the phone: the password alone is not enough any more.
    const step = await phone.auth.signInEmail({ email, password: PASSWORD })
    if (step.status !== 'second_factor_required') throw new Error(`expected the second-factor step, got ${step.status}`)
    console.log('sign-in    a second factor is required')
    await phone.auth.sendTwoFactorOtp()
    const signedIn = await phone.auth.verifyTwoFactorOtp({ code: await mailedCode(server, email) })
    console.log(`verify     signed in as ${signedIn.user.email}`)
    console.log(`session    ${(await phone.auth.getSession())?.session.id}`)
  } finally {
    await laptop.close()
    await phone.close()
    server.child.kill()
  }
}

await main()
