#!/usr/bin/env bash
# The Node soak and worker-termination checks against the release devserver and binding.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
scripts/install.sh >/dev/null
(cd bindings-node && npx napi build --platform --release --js native.js --dts native.d.ts)
source bench/devserver.sh
node bench/node/soak.mjs --url "$url" --key "$key" "$@"
