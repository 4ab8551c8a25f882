// Types of @banata-auth/native/next.
import type { BanataClient, BanataClientOptions, SignInEmail, SignUpEmail, TwoFactorCode, User } from './index.js'

export interface BanataAuthOptions extends BanataClientOptions {
  /** An existing project client to use instead of making one from the options. */
  client?: BanataClient | undefined
  /** The cookies' `Secure` flag and `__Secure-` names (default: from the request; loopback is plain http). */
  secure?: boolean | undefined
  /** The cookies' `Domain`, to share the session with subdomains (default: the app's host). */
  domain?: string | undefined
  /** Where `handler()` is mounted (default `/api/banata`). */
  basePath?: string | undefined
}

/** Who a request is for, from the verified session JWT (or the server's answer). */
export interface CurrentSession {
  user: { id: string; email: string | null; name: string | null; emailVerified: boolean; image: string | null }
  session: { id: string | null; userId: string; expiresAt: string }
}

/** A server action's result; errors the user can fix come back as `status: 'error'`. */
export type AuthActionResult =
  | { status: 'signed_in'; user: User }
  | { status: 'verification_required'; email: string }
  | { status: 'second_factor_required'; methods: string[] }
  | { status: 'signed_out' }
  | { status: 'error'; kind: string; code: string | null; message: string }

export interface MiddlewareConfig {
  /** Paths that need no session: exact ("/about"), a prefix ("/blog/*"), or RegExps. */
  publicRoutes?: Array<string | RegExp> | undefined
  /** Where visitors without a session go (default `/sign-in`), with `?redirectTo=`. */
  signInUrl?: string | undefined
}

type NextRequestLike = Request & { nextUrl: URL }

export interface BanataAuth {
  /** The project's client (add-on configuration, events, management calls). */
  readonly client: BanataClient
  /** The current request's user and session, or null; verified locally, once per request. */
  auth(): Promise<CurrentSession | null>
  /** The guard for middleware.ts (Next.js 15, `runtime: 'nodejs'`) or proxy.ts (16): verifies the session. */
  middleware(config?: MiddlewareConfig): (request: NextRequestLike) => Promise<Response>
  /** `export const { GET, POST } = banata.handler()` at `app/api/banata/[...banata]/route.ts`. */
  handler(): { GET(request: Request): Promise<Response>; POST(request: Request): Promise<Response> }
  /** Runs `work(client)` with the request's cookie session and sets the answer's cookies. */
  withCookies<T>(work: (client: BanataClient) => Promise<T>): Promise<T>
  signUp(input: SignUpEmail): Promise<AuthActionResult>
  signIn(input: SignInEmail): Promise<AuthActionResult>
  verifyTotp(input: TwoFactorCode): Promise<AuthActionResult>
  verifyBackupCode(input: TwoFactorCode): Promise<AuthActionResult>
  signOut(): Promise<AuthActionResult>
}

/** Banata Auth for a Next.js app (App Router, Node.js runtime). */
export function createBanataAuth(options?: BanataAuthOptions): BanataAuth
