// Banata clients for route handlers. A client holds one session token, so a server makes one
// per request for user calls (its session store reads the request's cookie) and shares one,
// with the project API key, for project-level calls such as the add-on configuration.
import { BanataClient } from '@banata-auth/native'

export const SESSION_COOKIE = 'banata_session'

function baseUrl(): string {
  const url = process.env.BANATA_BASE_URL
  if (!url) throw new Error('set BANATA_BASE_URL to your Banata deployment')
  return url
}

let projectClient: BanataClient | undefined

/** The shared client for project-level calls; needs `BANATA_API_KEY`. */
export function project(): BanataClient {
  projectClient ??= new BanataClient({ baseUrl: baseUrl(), apiKey: process.env.BANATA_API_KEY })
  return projectClient
}

/** A client for one request's user: the token comes from, and goes to, `token`. */
export function userClient(token: { value: string | null }): BanataClient {
  return new BanataClient({
    baseUrl: baseUrl(),
    sessionStore: {
      get: () => token.value,
      set: (value) => {
        token.value = value
      },
      clear: () => {
        token.value = null
      },
    },
  })
}
