'use client'
import { useEffect } from 'react'
import { useRouter } from 'next/navigation'
import { useSession } from '@banata-auth/react'

// The browser's view of the session: signing out here (or in another tab) leaves the page.
export function Account() {
  const { data, status, signOut } = useSession()
  const router = useRouter()
  useEffect(() => {
    if (status === 'unauthenticated') router.replace('/sign-in')
  }, [status, router])
  return (
    <section>
      <p data-testid="client-user">{data?.user.email}</p>
      <button onClick={() => void signOut()}>Sign out</button>
    </section>
  )
}
