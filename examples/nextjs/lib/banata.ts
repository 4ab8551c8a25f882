// One Banata Auth instance for the app: the project's client (BANATA_BASE_URL, BANATA_API_KEY)
// and the cookie sessions of its users.
import { createBanataAuth } from '@banata-auth/native/next'

export const banata = createBanataAuth()
