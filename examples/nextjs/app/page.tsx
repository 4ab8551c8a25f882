import Link from 'next/link'

export default function Home() {
  return (
    <main>
      <h1>Banata Auth with Next.js</h1>
      <p>
        <Link href="/sign-up">Sign up</Link> · <Link href="/sign-in">Sign in</Link> · <Link href="/dashboard">Dashboard</Link>
      </p>
    </main>
  )
}
