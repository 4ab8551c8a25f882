// ESM entry point: the same classes as the CommonJS one. Node finds the named exports by
// reading index.js's `module.exports = { ... }`, so they are listed in one place only.
export * from './index.js'
export { default } from './index.js'
