// The browser side's endpoints: GET session, POST sign-out, GET callback?ott=.
import { banata } from '@/lib/banata'

export const { GET, POST } = banata.handler()
export const dynamic = 'force-dynamic'
