// Banata clients for route handlers. One project client per server process holds the
// connections, the API key and any event listeners; each request gets a light per-user client
// from it (`withSessionStore`) whose session store is the request's cookie.
import { BanataClient } from '@banata-auth/native'

export const SESSION_COOKIE = 'banata_session'

function baseUrl(): string {
  const url = process.env.BANATA_BASE_URL
  if (!url) throw new Error('set BANATA_BASE_URL to your Banata deployment')
  return url
}

let shared: BanataClient | undefined

/** The process's client for project-level calls; needs `BANATA_API_KEY` for the add-ons. */
export function project(): BanataClient {
  shared ??= new BanataClient({ baseUrl: baseUrl(), apiKey: process.env.BANATA_API_KEY })
  return shared
}

/** A client for one request's user: the token comes from, and goes to, `token`. */
export function userClient(token: { value: string | null }): BanataClient {
  return project().withSessionStore({
    get: () => token.value,
    set: (value) => {
      token.value = value
    },
    clear: () => {
      token.value = null
    },
  })
}
