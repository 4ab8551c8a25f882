'use client'
import { useState, type FormEvent } from 'react'
import { signUp } from '../actions'

export default function SignUp() {
  const [message, setMessage] = useState('')
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const result = await signUp({ name: String(form.get('name')), email: String(form.get('email')), password: String(form.get('password')) })
    if (result.status === 'verification_required') setMessage(`Check ${result.email} for a link to confirm it.`)
    else if (result.status === 'signed_in') window.location.assign('/dashboard')
    else if (result.status === 'error') setMessage(result.message)
  }
  return (
    <main>
      <h1>Sign up</h1>
      <form onSubmit={submit}>
        <input name="name" placeholder="Name" required />
        <input name="email" type="email" placeholder="E-mail" required />
        <input name="password" type="password" placeholder="Password" required />
        <button type="submit">Sign up</button>
      </form>
      <p role="status">{message}</p>
    </main>
  )
}
