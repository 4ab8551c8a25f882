import type { ReactNode } from 'react'
import { BanataProvider } from '@banata-auth/react'
import { banata } from '@/lib/banata'

export const metadata = { title: 'Banata Auth with Next.js' }
export const dynamic = 'force-dynamic'

export default async function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <BanataProvider initialSession={await banata.auth()}>{children}</BanataProvider>
      </body>
    </html>
  )
}
