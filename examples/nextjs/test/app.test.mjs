// The Next.js example as users run it: `next build`, `next start`, against a devserver that
// requires e-mail verification (the platform's default) and offers two-factor. A real browser
// (Debian's Chromium, driven by playwright-core) signs up, confirms the address from the dev
// mailbox, signs in, reloads, signs out in one tab while another follows, and completes a
// second factor; plain HTTP requests check the guard, the route handler and the callback.
// Screenshots of each step go to test-results/ (not committed).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import * as OTPAuth from 'otpauth'
import { BanataClient } from '@banata-auth/native'
import { startDevserver, uniqueEmail, PASSWORD } from '../../../bindings-node/test/helpers.mjs'

const APP = fileURLToPath(new URL('..', import.meta.url))
const NEXT = join(APP, 'node_modules', 'next', 'dist', 'bin', 'next')
const SHOTS = join(APP, 'test-results')
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
// A value that must never reach the browser: the build sees it as the API key.
const BUILD_SECRET = 'bnt_build_time_secret_must_not_ship_0123456789'
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }

let dev
let server
let base
let browser

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
    probe.on('error', reject)
  })
}

async function waitUntilServing(url, child) {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}`)
    try {
      await fetch(url)
      return
    } catch {
      await new Promise((r) => setTimeout(r, 200))
    }
  }
  throw new Error('next start did not answer within 60 s')
}

before(async () => {
  const port = await freePort()
  // localhost, not 127.0.0.1: Next.js names loopback hosts localhost in its redirects.
  base = `http://localhost:${port}`
  dev = await startDevserver(['--two-factor', '--trusted-origin', base], { emailVerification: true })
  const build = spawnSync(process.execPath, [NEXT, 'build'], {
    cwd: APP,
    env: { ...env, BANATA_BASE_URL: dev.url, BANATA_API_KEY: BUILD_SECRET },
    encoding: 'utf8',
    timeout: 300_000,
  })
  assert.equal(build.status, 0, `next build failed:\n${build.stdout}\n${build.stderr}`)
  server = spawn(process.execPath, [NEXT, 'start', '-p', String(port), '-H', 'localhost'], {
    cwd: APP,
    env: { ...env, BANATA_BASE_URL: dev.url, BANATA_API_KEY: dev.adminKey },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  await waitUntilServing(base, server)
  mkdirSync(SHOTS, { recursive: true })
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
})

after(async () => {
  await browser?.close()
  server?.kill()
  dev?.stop()
})

const shot = (page, name) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })

/** A user whose address is confirmed, made through the SDK (for the flows that start at sign-in). */
async function confirmedUser(tag) {
  const email = uniqueEmail(tag)
  const client = new BanataClient({ baseUrl: dev.url })
  await client.auth.signUpEmail({ name: tag, email, password: PASSWORD })
  const mail = (await dev.mailbox(email)).find((m) => m.kind === 'verification')
  await client.auth.verifyEmail({ token: mail.token })
  return { email, client }
}

async function signInInBrowser(page, email) {
  await page.fill('input[name=email]', email)
  await page.fill('input[name=password]', PASSWORD)
  await page.click('button[type=submit]')
}

test('sign up, confirm the address from the mailbox, sign in, reload, sign out in one tab and the other follows', async () => {
  const context = await browser.newContext()
  const page = await context.newPage()
  const email = uniqueEmail('browser')

  // Not signed in: the guard sends the visitor to the sign-in page, remembering where to.
  await page.goto(`${base}/dashboard`)
  await page.waitForURL(/\/sign-in\?redirectTo=%2Fdashboard$/)
  await shot(page, '01-redirected-to-sign-in')

  await page.goto(`${base}/sign-up`)
  await page.fill('input[name=name]', 'Browser User')
  await page.fill('input[name=email]', email)
  await page.fill('input[name=password]', PASSWORD)
  await page.click('button[type=submit]')
  await page.getByText(`Check ${email} for a link`).waitFor()
  await shot(page, '02-signed-up-check-mail')
  assert.deepEqual((await context.cookies()).filter((c) => c.name.includes('session_token')), [], 'no session before the address is confirmed')

  const mail = (await dev.mailbox(email)).find((m) => m.kind === 'verification')
  assert.ok(mail, 'the verification mail is in the dev mailbox')
  await page.goto(mail.url)
  await page.waitForURL(`${base}/sign-in?verified=1`)
  await page.getByText('Your address is confirmed').waitFor()
  await shot(page, '03-address-confirmed')

  await signInInBrowser(page, email)
  await page.waitForURL(`${base}/dashboard`)
  await page.getByTestId('server-user').getByText(email).waitFor()
  await page.getByTestId('client-user').getByText(email).waitFor()
  await shot(page, '04-dashboard')

  const cookies = await context.cookies()
  const session = cookies.find((c) => c.name === 'better-auth.session_token')
  assert.ok(session, cookies.map((c) => c.name).join())
  assert.equal(session.httpOnly, true)
  assert.equal(session.sameSite, 'Lax')
  const jwt = cookies.find((c) => c.name === 'better-auth.convex_jwt')
  assert.ok(jwt?.httpOnly, 'the session JWT cookie is HttpOnly too')
  // The page's own script cannot read them, and the HTML carries neither token.
  assert.equal(await page.evaluate(() => document.cookie), '')
  const html = await page.content()
  for (const value of [session.value, decodeURIComponent(session.value), jwt.value, dev.adminKey]) {
    assert.ok(!html.includes(value), 'no token or key in the page')
  }

  await page.reload()
  await page.getByTestId('server-user').getByText(email).waitFor()
  await shot(page, '05-reloaded-still-signed-in')

  // The JWT cookie lives 15 minutes; without it the guard asks the server once and renews it.
  await context.clearCookies({ name: 'better-auth.convex_jwt' })
  await page.reload()
  await page.getByTestId('server-user').getByText(email).waitFor()
  const renewed = (await context.cookies()).find((c) => c.name === 'better-auth.convex_jwt')
  assert.ok(renewed?.httpOnly, 'the session JWT cookie is back')

  const other = await context.newPage()
  await other.goto(`${base}/dashboard`)
  await other.getByTestId('client-user').getByText(email).waitFor()
  await page.bringToFront()
  await page.click('text=Sign out')
  await page.waitForURL(/\/sign-in$/)
  // The other tab hears of it (BroadcastChannel) and leaves the protected page.
  await other.waitForURL(/\/sign-in$/, { timeout: 10_000 })
  await shot(page, '06-signed-out')
  await shot(other, '07-other-tab-followed')
  const left = (await context.cookies()).map((c) => c.name)
  assert.deepEqual(left.filter((n) => n.startsWith('better-auth.')), [], 'every Better Auth cookie ended')
  // The session itself ended on the server.
  const asked = await fetch(`${dev.url}/api/auth/get-session`, { headers: { cookie: `${session.name}=${session.value}` } })
  assert.equal(await asked.json(), null)
  await other.goto(`${base}/dashboard`)
  await other.waitForURL(/\/sign-in\?redirectTo=/)
  await context.close()
})

test('a user with two-factor completes the second step in the browser', async () => {
  const { email, client } = await confirmedUser('browser-2fa')
  await client.auth.signInEmail({ email, password: PASSWORD })
  const setup = await client.auth.enableTwoFactor(PASSWORD)
  const totp = OTPAuth.URI.parse(setup.totpURI)
  await client.auth.verifyTotp({ code: totp.generate() })

  const context = await browser.newContext()
  const page = await context.newPage()
  await page.goto(`${base}/sign-in`)
  await signInInBrowser(page, email)
  await page.locator('input[name=code]').waitFor()
  assert.ok((await context.cookies()).some((c) => c.name === 'better-auth.two_factor'), 'the pending sign-in lives in a cookie')
  await shot(page, '08-second-factor')
  await page.fill('input[name=code]', '000000')
  await page.click('button[type=submit]')
  await page.getByRole('status').getByText(/invalid/i).waitFor()
  await page.fill('input[name=code]', totp.generate())
  await page.click('button[type=submit]')
  await page.waitForURL(`${base}/dashboard`)
  await page.getByTestId('server-user').getByText(email).waitFor()
  await shot(page, '09-second-factor-signed-in')
  await context.close()
})

test('the guard verifies the session, not the cookie', async () => {
  const forged = await fetch(`${base}/dashboard`, {
    redirect: 'manual',
    headers: { cookie: 'better-auth.session_token=forged.value; better-auth.convex_jwt=a.b.c' },
  })
  assert.equal(forged.status, 307)
  // Next.js makes a same-origin redirect relative.
  assert.equal(forged.headers.get('location'), '/sign-in?redirectTo=%2Fdashboard')
  const open = await fetch(`${base}/`, { redirect: 'manual' })
  assert.equal(open.status, 200, 'a public page needs no session')
})

test('the route handler: the session without tokens, the hosted-page callback, refusals', async () => {
  const { email, client } = await confirmedUser('handler')
  await client.auth.signInEmail({ email, password: PASSWORD })
  // The hosted page (or a social sign-in) hands the app a one-time token.
  const { token } = await client.auth.generateOneTimeToken()
  const landed = await fetch(`${base}/api/banata/callback?ott=${token}&redirectTo=/dashboard`, { redirect: 'manual' })
  assert.equal(landed.status, 307)
  assert.equal(landed.headers.get('location'), '/dashboard')
  const cookie = landed.headers.getSetCookie().map((l) => l.split(';')[0]).filter((p) => !p.endsWith('=')).join('; ')
  assert.match(cookie, /better-auth\.session_token=/)

  const current = await fetch(`${base}/api/banata/session`, { headers: { cookie } })
  const body = await current.json()
  assert.equal(body.user.email, email)
  assert.equal(current.headers.get('cache-control'), 'no-store')
  assert.ok(!JSON.stringify(body).includes(cookie.split('session_token=')[1].split(';')[0]), 'no token in the answer')
  const dashboard = await fetch(`${base}/dashboard`, { headers: { cookie }, redirect: 'manual' })
  assert.equal(dashboard.status, 200)

  const reused = await fetch(`${base}/api/banata/callback?ott=${token}&redirectTo=/dashboard`, { redirect: 'manual' })
  assert.match(reused.headers.get('location'), /\/dashboard\?error=/, 'a one-time token works once')
  const away = await fetch(`${base}/api/banata/callback?ott=x&redirectTo=//evil.example`, { redirect: 'manual' })
  assert.match(away.headers.get('location'), /^\/\?error=/, 'only the app’s own paths')
  const crossSite = await fetch(`${base}/api/banata/sign-out`, { method: 'POST', headers: { cookie, origin: 'https://evil.example' } })
  assert.equal(crossSite.status, 403)
  assert.equal((await (await fetch(`${base}/api/banata/session`, { headers: { cookie } })).json()).user.email, email)
  const unknown = await fetch(`${base}/api/banata/nothing`)
  assert.equal(unknown.status, 404)
})

test('the built browser bundles carry no API key, token or server module', () => {
  const files = []
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path)
      else if (name.endsWith('.js')) files.push(path)
    }
  }
  walk(join(APP, '.next', 'static'))
  assert.ok(files.length > 0, 'the build wrote client chunks')
  for (const file of files) {
    const text = readFileSync(file, 'utf8')
    for (const secret of [BUILD_SECRET, dev.adminKey]) assert.ok(!text.includes(secret), `${file} holds the API key`)
    assert.ok(!text.includes('banata-auth.linux'), `${file} refers to the native addon`)
    assert.ok(!text.includes('withCookieSession'), `${file} holds server code`)
  }
})
