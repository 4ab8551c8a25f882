// Types of the ESM entry (index.mjs): the same classes as the CommonJS one (index.d.ts).
import * as banata from './index.js'
export * from './index.js'
export default banata
