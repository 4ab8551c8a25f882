export default function Home() {
  return (
    <main>
      <h1>Banata Auth with Next.js</h1>
      <p>
        <code>POST /api/session</code> with <code>{'{ "email", "password" }'}</code> signs in and returns the session
        and the add-on configuration; <code>GET /api/session</code> reads it back from the cookie.
      </p>
    </main>
  )
}
