'use client'
// @banata-auth/react: the browser side of @banata-auth/native/next. No native code and no
// token: the session lives in HttpOnly cookies, and this package only ever sees who is
// signed in (the app's route handler answers `GET <basePath>/session` without any token).
import { createContext, createElement, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react'

const SessionContext = createContext(null)
// Every tab of the app listens here: a sign-out (or sign-in) in one is followed by the others.
const CHANNEL = 'banata-auth'

const statusOf = (session) => (session === undefined ? 'loading' : session === null ? 'unauthenticated' : 'authenticated')

/**
 * Holds the current session for the components below it. Pass `initialSession` from the server
 * (`await banata.auth()` in a layout) so the first render is already right; without it the
 * provider asks the route handler. `basePath` is where `banata.handler()` is mounted.
 */
export function BanataProvider({ initialSession, basePath = '/api/banata', refetchOnFocus = true, children }) {
  const [session, setSession] = useState(initialSession)
  const channel = useRef(null)
  const latest = useRef(0)

  const refetch = useCallback(async () => {
    const asked = ++latest.current
    const response = await fetch(`${basePath}/session`, { credentials: 'same-origin', cache: 'no-store' })
    if (!response.ok) throw new Error(`${basePath}/session answered ${response.status}`)
    const body = await response.json()
    const next = body && body.user ? body : null
    // An older answer arriving late does not overwrite a newer one.
    if (asked === latest.current) setSession(next)
    return next
  }, [basePath])

  useEffect(() => {
    if (initialSession === undefined) refetch().catch(() => setSession(null))
    // Only on mount: later changes come from refetch, focus and the other tabs.
  }, [])

  useEffect(() => {
    if (!refetchOnFocus) return undefined
    const onFocus = () => {
      if (document.visibilityState === 'visible') refetch().catch(() => {})
    }
    window.addEventListener('focus', onFocus)
    document.addEventListener('visibilitychange', onFocus)
    return () => {
      window.removeEventListener('focus', onFocus)
      document.removeEventListener('visibilitychange', onFocus)
    }
  }, [refetch, refetchOnFocus])

  useEffect(() => {
    if (typeof BroadcastChannel === 'undefined') return undefined
    const tabs = new BroadcastChannel(CHANNEL)
    channel.current = tabs
    tabs.onmessage = (event) => {
      if (event.data && event.data.type === 'signed-out') {
        latest.current++
        setSession(null)
      } else if (event.data && event.data.type === 'changed') {
        refetch().catch(() => {})
      }
    }
    return () => {
      tabs.close()
      channel.current = null
    }
  }, [refetch])

  const signOut = useCallback(async () => {
    const response = await fetch(`${basePath}/sign-out`, { method: 'POST', credentials: 'same-origin' })
    if (!response.ok) throw new Error(`${basePath}/sign-out answered ${response.status}`)
    latest.current++
    setSession(null)
    channel.current?.postMessage({ type: 'signed-out' })
  }, [basePath])

  // After a sign-in by a server action: read the new session and tell the other tabs.
  const refresh = useCallback(async () => {
    const next = await refetch()
    channel.current?.postMessage({ type: 'changed' })
    return next
  }, [refetch])

  const value = useMemo(
    () => ({ data: session ?? null, status: statusOf(session), refetch, refresh, signOut }),
    [session, refetch, refresh, signOut],
  )
  return createElement(SessionContext.Provider, { value }, children)
}

/** The session (`data`: `{ user, session }` or null), its `status`, and `refetch`, `refresh`, `signOut`. */
export function useSession() {
  const value = useContext(SessionContext)
  if (value === null) throw new Error('useSession() must be called inside <BanataProvider>')
  return value
}

/** The signed-in user (or null) and the session's status. */
export function useUser() {
  const { data, status } = useSession()
  return { user: data ? data.user : null, status }
}
