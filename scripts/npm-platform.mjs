// Prints the napi-rs platform id of this machine (linux-x64-gnu, darwin-arm64, …): the suffix of
// the binding's `.node` file and of its npm platform package.
const libc = process.platform === 'linux' ? (process.report.getReport().header.glibcVersionRuntime ? '-gnu' : '-musl') : ''
console.log(`${process.platform}-${process.arch}${process.platform === 'win32' ? '-msvc' : libc}`)
