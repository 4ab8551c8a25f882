#!/usr/bin/env bash
# Builds the devserver and the Node binding in release mode, starts the devserver on a free
# port and runs the addons.get() benchmark. Not part of the tests. Afterwards bindings-node
# holds the release build; scripts/test-all.sh puts the debug build back.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
scripts/install.sh >/dev/null
cargo build --locked --release -p banata-devserver
(cd bindings-node && npx napi build --platform --release --js native.js --dts native.d.ts)

log=$(mktemp)
"$CARGO_TARGET_DIR/release/banata-devserver" --port 0 >"$log" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do grep -q '^ADMIN_API_KEY ' "$log" && break; sleep 0.1; done
url=$(awk '/^READY /{print $2}' "$log")
key=$(awk '/^ADMIN_API_KEY /{print $2}' "$log")
node bench/node/addons_get.mjs --url "$url" --key "$key" "$@"
