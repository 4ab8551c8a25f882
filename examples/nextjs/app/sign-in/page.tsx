'use client'
import { useState, type FormEvent } from 'react'
import { useRouter, useSearchParams } from 'next/navigation'
import { useSession } from '@banata-auth/react'
import { signIn, verifyTotp } from '../actions'

export default function SignIn() {
  const router = useRouter()
  const params = useSearchParams()
  const { refresh } = useSession()
  const [step, setStep] = useState<'password' | 'code'>('password')
  const [message, setMessage] = useState(params.get('verified') ? 'Your address is confirmed: sign in.' : '')

  async function done() {
    await refresh()
    router.replace(params.get('redirectTo') ?? '/dashboard')
  }
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const result = step === 'password'
      ? await signIn({ email: String(form.get('email')), password: String(form.get('password')) })
      : await verifyTotp(String(form.get('code')))
    if (result.status === 'signed_in') await done()
    else if (result.status === 'second_factor_required') setStep('code')
    else if (result.status === 'verification_required') setMessage('Confirm your address first: check your mail.')
    else if (result.status === 'error') setMessage(result.message)
  }
  return (
    <main>
      <h1>Sign in</h1>
      <form onSubmit={submit}>
        {step === 'password' ? (
          <>
            <input name="email" type="email" placeholder="E-mail" required />
            <input name="password" type="password" placeholder="Password" required />
          </>
        ) : (
          <input name="code" inputMode="numeric" placeholder="Authenticator code" required />
        )}
        <button type="submit">{step === 'password' ? 'Sign in' : 'Verify'}</button>
      </form>
      <p role="status">{message}</p>
    </main>
  )
}
