// Compiled with `tsc --noEmit --strict`: the published types describe the API as used.
import { Auth, BanataClient, BanataError, Forwarder, InvalidArgumentError, InvalidTokenError, RateLimitError, requireSession, type AuthEvent, type VerifiedSession, type ForwardingFailure, type ForwardingStats, type SessionWithUser, type Subscription, type VerifyEmailResult } from '../index.js'

// Node's `process`, without pulling in @types/node.
declare const process: { env: Record<string, string | undefined> }

async function example(): Promise<void> {
  const client = new BanataClient({ baseUrl: 'https://auth.example.com', apiKey: 'key', timeoutMs: 5000 })
  // Checked with exactOptionalPropertyTypes: an unset environment variable is fine.
  const fromEnv = new BanataClient({ baseUrl: process.env.BANATA_BASE_URL, apiKey: process.env.BANATA_API_KEY })
  const isAuth: boolean = fromEnv.auth instanceof Auth
  const handle: Subscription = fromEnv.on('*', () => {})
  handle.close()
  const verified: VerifyEmailResult = await client.auth.verifyEmail({ token: 't', callbackURL: undefined }, { timeoutMs: 1000, idempotencyKey: 'k' })
  try {
    await client.auth.revokeSession('token')
  } catch (e) {
    if (e instanceof InvalidArgumentError) console.log(e.kind, e.message)
  }
  // Session JWTs: verified from a Fetch Request (a route handler) or a token.
  const backend = new BanataClient({ baseUrl: 'https://auth.example.com', jwt: { source: 'platform', clockSkewSeconds: 10 } })
  const { token } = await client.auth.token()
  const who: VerifiedSession = await backend.authenticate(new Request('https://app.example.com', { headers: { authorization: `Bearer ${token}` } }))
  const same: string = (await backend.verifySessionJwt(token)).userId
  try {
    await backend.authenticate({ headers: { cookie: 'a=b' } })
  } catch (e) {
    if (e instanceof InvalidTokenError) console.log(e.code)
  }
  const guard = requireSession(backend)
  void who, same, guard
  void isAuth
  void verified
  const off: () => void = client.on('user.created', (event: AuthEvent) => {
    const userId: string | undefined = event.data.userId
    void userId
  })
  const result = await client.auth.signInEmail({ email: 'ada@example.com', password: 'pw', rememberMe: true })
  // The result narrows on `status`; the switch is exhaustive (`never` otherwise).
  let id = ''
  switch (result.status) {
    case 'signed_in':
      id = result.user.id
      break
    case 'verification_required': {
      const address: string = result.email
      void address
      break
    }
    case 'second_factor_required':
      break
    default: {
      const unreachable: never = result
      void unreachable
    }
  }
  const session: SessionWithUser | null = await client.auth.getSession()
  const enabled: boolean | undefined = (await client.addons.save({ stripe: { enabled: true } })).addons.stripe?.enabled
  try {
    await client.addons.get()
  } catch (e) {
    if (e instanceof RateLimitError) console.log(e.retryAfter)
    else if (e instanceof BanataError) console.log(e.kind, e.status, e.code, e.requestId)
  }
  off()
  await client.close()
  void id
  void session
  void enabled
}
void example

async function forwardingAndStore(): Promise<void> {
  const tokens = new Map<string, string>()
  const client = new BanataClient({
    baseUrl: 'https://auth.example.com',
    sessionStore: {
      get: async () => tokens.get('user-1') ?? null,
      set: (token: string) => void tokens.set('user-1', token),
      clear: () => void tokens.delete('user-1'),
    },
  })
  const forwarder = new Forwarder(client, {
    posthogHost: 'https://eu.i.posthog.com',
    onError: (failure: ForwardingFailure) => console.warn(failure.addon, failure.status, failure.events),
  })
  await forwarder.flush(2_000)
  const stats: ForwardingStats = forwarder.stats()
  const dropped: number = stats.dropped + (stats.destinations[0]?.dropped ?? 0)
  await forwarder.shutdown()
  void dropped
}
void forwardingAndStore
