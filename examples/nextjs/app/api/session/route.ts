// POST /api/session signs a user in (JSON { email, password }), sets the session cookie and
// returns the session and the project's add-on configuration. GET /api/session reads the
// session back from the cookie.
import { NextResponse, type NextRequest } from 'next/server'
import { BanataError, type Session } from '@banata-auth/native'
import { SESSION_COOKIE, project, userClient } from '@/lib/banata'

// The package is a native addon: Node.js runtime only, and never prerendered.
export const runtime = 'nodejs'
export const dynamic = 'force-dynamic'

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/** The session as sent to the browser: the token stays in the httpOnly cookie. */
function publicSession(session: Session): Omit<Session, 'token'> {
  const { token: _token, ...rest } = session
  return rest
}

function failure(error: unknown): NextResponse {
  if (error instanceof BanataError) {
    return NextResponse.json({ error: error.message, kind: error.kind }, { status: error.status ?? 502 })
  }
  throw error
}

export async function POST(request: NextRequest): Promise<NextResponse> {
  const body: unknown = await request.json().catch(() => null)
  const { email, password } = (body ?? {}) as { email?: unknown; password?: unknown }
  if (typeof email !== 'string' || typeof password !== 'string') {
    return NextResponse.json({ error: 'send JSON { "email": ..., "password": ... }' }, { status: 400 })
  }
  const token = { value: null as string | null }
  const client = userClient(token)
  try {
    const signedIn = await client.auth.signInEmail({ email, password })
    if (signedIn.status !== 'signed_in') {
      // e.g. `verification_required`: the address must be verified before the first sign-in.
      return NextResponse.json({ error: 'sign-in is not complete', next: signedIn.status }, { status: 403 })
    }
    const current = await client.auth.getSession()
    const config = await project().addons.get()
    const response = NextResponse.json({
      user: current?.user ?? null,
      session: current ? publicSession(current.session) : null,
      addons: config.addons,
    })
    if (token.value) {
      response.cookies.set(SESSION_COOKIE, token.value, {
        httpOnly: true,
        sameSite: 'lax',
        // Secure everywhere but a local machine (behind a TLS-terminating proxy the request
        // itself may arrive over http).
        secure: !LOCAL_HOSTS.has(request.nextUrl.hostname),
        path: '/',
      })
    }
    return response
  } catch (error) {
    return failure(error)
  }
}

export async function GET(request: NextRequest): Promise<NextResponse> {
  const token = { value: request.cookies.get(SESSION_COOKIE)?.value ?? null }
  const client = userClient(token)
  try {
    const current = await client.auth.getSession()
    if (!current) return NextResponse.json({ error: 'not signed in' }, { status: 401 })
    return NextResponse.json({ user: current.user, session: publicSession(current.session) })
  } catch (error) {
    return failure(error)
  }
}
