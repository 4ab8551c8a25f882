// Compiled with `tsc --noEmit --strict`: the published types describe the API as used.
import { BanataClient, BanataError, RateLimitError, type AuthEvent, type SessionWithUser } from '../index.js'

async function example(): Promise<void> {
  const client = new BanataClient({ baseUrl: 'https://auth.example.com', apiKey: 'key', timeoutMs: 5000 })
  const off: () => void = client.on('user.created', (event: AuthEvent) => {
    const userId: string | undefined = event.data.userId
    void userId
  })
  const result = await client.auth.signInEmail({ email: 'ada@example.com', password: 'pw', rememberMe: true })
  const id: string = result.user.id
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
