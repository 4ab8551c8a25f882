#!/usr/bin/env bash
# Packs what users install, from this tree, and tries it as they would: the crates (cargo
# package, which builds each from its .crate), the npm package with the host's platform package
# (npm pack), and the Python wheel (maturin build), the last two installed into an empty project
# and run against a devserver. It catches what the in-tree tests cannot: a
# missing loader, a stray binary, files left out of a package.
#
# Uses the debug builds of the test run (test-all.sh builds them first). scripts/release-build.sh
# runs it on release builds instead: BANATA_NODE_BINARY names the .node to pack,
# BANATA_WHEEL the wheel to install; BANATA_SKIP_CRATES=1 and BANATA_SKIP_WHEEL=1 leave out the
# crates and the wheel. For another platform's builds, BANATA_NODE_PLATFORM names the npm platform
# package and BANATA_NODE / BANATA_PYTHON the commands that run the smoke scripts (under qemu-user,
# scripts/arm64-runtime.sh, or in a musl root, scripts/musl-runtime.sh, with TMPDIR inside that
# root so the projects are there); npm then installs for that platform (--os/--cpu/--libc, --force), pip
# into a directory for the wheel's platform tag, and the commands get relative paths only.
# Ends with "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
repo=$PWD
work=$(mktemp -d)
devserver=""
cleanup() {
  [ -z "$devserver" ] || { kill "$devserver" 2>/dev/null || true; wait "$devserver" 2>/dev/null || true; }
  rm -f bindings-node/npm/*/*.node
  rm -rf "$work"
}
trap cleanup EXIT

"$CARGO_TARGET_DIR/debug/banata-devserver" --port 0 --no-email-verification >"$work/devserver.out" &
devserver=$!
for _ in $(seq 300); do
  grep -q '^READY ' "$work/devserver.out" && break
  kill -0 "$devserver" 2>/dev/null || { echo "the devserver exited before it was ready" >&2; exit 1; }
  sleep 0.1
done
url=$(awk '$1 == "READY" { print $2 }' "$work/devserver.out")
export BANATA_BASE_URL="$url"

passed=0; failed=0
report() { # name, status
  if [ "$2" -eq 0 ]; then passed=$((passed + 1)); echo "ok - $1"; else failed=$((failed + 1)); echo "FAIL - $1" >&2; fi
}

# --- crates: packaged as crates.io would get them, and built from the package alone.
if [ -z "${BANATA_SKIP_CRATES:-}" ]; then
  status=0
  cargo package --locked --quiet -p banata-auth -p banata-devserver || status=$?
  report "crates: banata-auth and banata-devserver package and build from their .crate files" "$status"
fi

# --- npm: the main package and the host's platform package, as npm would install them.
platform=${BANATA_NODE_PLATFORM:-$(node scripts/npm-platform.mjs)}
read -r -a run_node <<<"${BANATA_NODE:-node}"
npm_for_platform=()
if [ -n "${BANATA_NODE_PLATFORM:-}" ]; then # linux-arm64-gnu -> --os=linux --cpu=arm64 --libc=glibc
  IFS=- read -r os cpu libc <<<"$platform"
  # npm checks a package named on the command line against this machine, whatever --cpu says.
  npm_for_platform=(--force --os="$os" --cpu="$cpu")
  [ -z "$libc" ] || npm_for_platform+=(--libc="$( [ "$libc" = gnu ] && echo glibc || echo "$libc")")
fi
cp "${BANATA_NODE_BINARY:-bindings-node/banata-auth.$platform.node}" "bindings-node/npm/$platform/banata-auth.$platform.node"
(cd bindings-node && npm pack --silent --pack-destination "$work" >/dev/null)
(cd "bindings-node/npm/$platform" && npm pack --silent --pack-destination "$work" >/dev/null)
(cd bindings-node/react && npm pack --silent --pack-destination "$work" >/dev/null)
react_tgz=$(ls "$work"/banata-auth-react-[0-9]*.tgz)
main_tgz=$(ls "$work"/banata-auth-native-[0-9]*.tgz)
platform_tgz=$(ls "$work"/banata-auth-native-"$platform"-*.tgz)
npm_contents() {
  local listing
  listing=$(tar tzf "$main_tgz")
  # The loader and the generated code are in; no binary of any platform is.
  grep -qx 'package/native.js' <<<"$listing" && grep -qx 'package/generated.js' <<<"$listing" &&
    grep -qx 'package/LICENSE' <<<"$listing" && ! grep -q '\.node$' <<<"$listing" &&
    grep -qx 'package/next.js' <<<"$listing" &&
    tar tzf "$platform_tgz" | grep -qx "package/banata-auth.$platform.node" &&
    # The React package is browser code only.
    [ "$(tar tzf "$react_tgz" | sort | tr '\n' ' ')" = "package/LICENSE package/index.d.ts package/index.js package/package.json " ]
}
status=0; npm_contents || status=$?
report "npm: the package has the loader, next.js and no binary; the platform package has the binary; the React package only its module" "$status"

mkdir "$work/node-app"
cat >"$work/node-app/smoke.mjs" <<'EOF'
import { BanataClient, ValidationError } from '@banata-auth/native'
const client = new BanataClient({ baseUrl: process.env.BANATA_BASE_URL })
const email = `smoke-${Date.now()}@example.com`
const signedUp = await client.auth.signUpEmail({ name: 'Smoke', email, password: 'correct horse battery staple' })
const session = await client.auth.getSession()
if (session?.user.id !== signedUp.user.id) throw new Error('no session after sign-up')
await client.auth.signOut()
try {
  await client.auth.signUpEmail({ name: 'Smoke', email: 'not an address', password: 'x' })
  throw new Error('a bad address was accepted')
} catch (e) {
  if (!(e instanceof ValidationError)) throw e
}
console.log('signed up, in and out as', email)
EOF
status=0
(
  cd "$work/node-app" && npm init -y >/dev/null &&
    npm install --no-audit --no-fund --loglevel=error "${npm_for_platform[@]}" "$platform_tgz" "$main_tgz" >/dev/null &&
    "${run_node[@]}" smoke.mjs && "${run_node[@]}" -e "require('@banata-auth/native').BanataClient" &&
    "${run_node[@]}" -e "if (typeof require('@banata-auth/native/next').createBanataAuth !== 'function') process.exit(1)"
) || status=$?
report "npm ($platform): installed into an empty project, it signs up, in and out (ESM and CommonJS)" "$status"

# --- Python: the wheel, installed into a fresh virtual environment.
if [ -z "${BANATA_SKIP_WHEEL:-}" ]; then
status=0
wheel() {
  mkdir -p "$work/wheels"
  if [ -n "${BANATA_WHEEL:-}" ]; then
    cp "$BANATA_WHEEL" "$work/wheels/"
  else
    VIRTUAL_ENV="$repo/.venv" PATH="$repo/.venv/bin:$PATH" \
      .venv/bin/maturin build --locked --profile dev -m bindings-python/Cargo.toml --out "$work/wheels" -q
  fi
}
install_wheel() { # prints the Python command that sees the installed wheel
  if [ -z "${BANATA_PYTHON:-}" ]; then
    python3 -m venv "$work/venv" && "$work/venv/bin/pip" install -q --no-index "$work"/wheels/*.whl &&
      echo "$work/venv/bin/python"
  else # another architecture's wheel: pip installs it for its own platform tag into a directory
    local file tag; file=$(basename "$work"/wheels/*.whl); tag=${file##*-}; tag=${tag%%.*}
    python3 -m pip install -q --no-index --no-deps --only-binary=:all: --platform "$tag" \
      --target "$work/site" "$work"/wheels/*.whl && echo "env PYTHONPATH=site $BANATA_PYTHON"
  fi
}
(
  # From $work: the Python command may run in another root, where only relative paths hold.
  wheel && python=$(install_wheel) && read -r -a run_python <<<"$python" && cd "$work" &&
    "${run_python[@]}" - <<'EOF'
import os, time
from importlib.metadata import metadata
import banata_auth
meta = metadata("banata-auth")
assert meta["License-Expression"] == "MIT" or meta["License"] == "MIT", meta.get_all("License")
client = banata_auth.Client(base_url=os.environ["BANATA_BASE_URL"])
email = f"smoke-{time.time_ns()}@example.com"
signed_up = client.auth.sign_up_email("Smoke", email, "correct horse battery staple")
session = client.auth.get_session()
assert session is not None and session.user.id == signed_up.user.id
client.auth.sign_out()
try:
    client.auth.sign_up_email("Smoke", "not an address", "x")
    raise AssertionError("a bad address was accepted")
except banata_auth.ValidationError:
    pass
print("signed up, in and out as", email)
EOF
) || status=$?
report "Python ($(basename "$work"/wheels/*.whl)): the wheel, installed, signs up, in and out" "$status"
fi

echo "packages: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
