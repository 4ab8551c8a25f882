// Next.js 16: the guard is a proxy (always the Node.js runtime). The app itself is the one in
// ../nextjs (copied here by scripts/test-all.sh); only this file differs.
import { banata } from '@/lib/banata'

export default banata.middleware({ publicRoutes: ['/', '/sign-up'], signInUrl: '/sign-in' })

export const config = {
  matcher: ['/((?!api/|_next/|favicon.ico).*)'],
}
