import { banata } from '@/lib/banata'
import { Account } from './account'

export const dynamic = 'force-dynamic'

// Reached only with a verified session (middleware.ts).
export default async function Dashboard() {
  const current = await banata.auth()
  const { addons } = await banata.client.addons.get()
  const enabled = Object.entries(addons).filter(([, a]) => a.enabled).map(([id]) => id)
  return (
    <main>
      <h1>Dashboard</h1>
      <p data-testid="server-user">Signed in as {current?.user.email}</p>
      <p>Add-ons on: {enabled.join(', ') || 'none'}</p>
      <Account />
    </main>
  )
}
