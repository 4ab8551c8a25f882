// Every page but the public ones needs a verified session (not just a cookie).
import { banata } from '@/lib/banata'

export default banata.middleware({ publicRoutes: ['/', '/sign-up'], signInUrl: '/sign-in' })

export const config = {
  // The session is verified by the native core: Node.js runtime (Next.js 15.5+; in 16, proxy.ts).
  runtime: 'nodejs',
  matcher: ['/((?!api/|_next/|favicon.ico).*)'],
}
