'use server'
// Server actions: each sets or clears the session cookies on its answer.
import { banata } from '@/lib/banata'

export async function signUp(form: { name: string; email: string; password: string }) {
  return banata.signUp({ ...form, callbackURL: '/sign-in?verified=1' })
}

export async function signIn(form: { email: string; password: string }) {
  return banata.signIn(form)
}

export async function verifyTotp(code: string) {
  return banata.verifyTotp({ code })
}
