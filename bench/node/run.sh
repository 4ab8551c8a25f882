#!/usr/bin/env bash
# Builds the devserver and the Node binding in release mode, starts the devserver on a free
# port and runs the addons.get() benchmark, the session-JWT one, then the start-up one. Not part
# of the tests.
# Afterwards bindings-node holds the release build; scripts/test-all.sh puts the debug build back.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
scripts/install.sh >/dev/null
(cd bindings-node && npx napi build --platform --release --js native.js --dts native.d.ts)

source bench/devserver.sh
node bench/node/addons_get.mjs --url "$url" --key "$key" "$@"
node bench/node/session_jwt.mjs --url "$url"
node bench/node/startup.mjs
