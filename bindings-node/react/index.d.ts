// Types of @banata-auth/react.
import type { ReactNode, ReactElement } from 'react'

/** Who is signed in, as `banata.auth()` returns it on the server; never a token. */
export interface CurrentSession {
  user: { id: string; email: string | null; name: string | null; emailVerified: boolean; image: string | null }
  session: { id: string | null; userId: string; expiresAt: string }
}

export type SessionStatus = 'loading' | 'authenticated' | 'unauthenticated'

export interface BanataProviderProps {
  /** The server's answer (`await banata.auth()`): null when signed out; leave it out to ask the route handler. */
  initialSession?: CurrentSession | null | undefined
  /** Where `banata.handler()` is mounted (default `/api/banata`). */
  basePath?: string | undefined
  /** Ask again when the tab comes back into view (default true). */
  refetchOnFocus?: boolean | undefined
  children?: ReactNode
}

export interface SessionValue {
  data: CurrentSession | null
  status: SessionStatus
  /** Asks the route handler who is signed in. */
  refetch(): Promise<CurrentSession | null>
  /** `refetch`, and every other tab of the app does too (call it after a sign-in action). */
  refresh(): Promise<CurrentSession | null>
  /** Signs out through the route handler; every other tab of the app follows. */
  signOut(): Promise<void>
}

export function BanataProvider(props: BanataProviderProps): ReactElement
export function useSession(): SessionValue
export function useUser(): { user: CurrentSession['user'] | null; status: SessionStatus }
