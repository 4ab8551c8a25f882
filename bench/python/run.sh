#!/usr/bin/env bash
# Builds the devserver and the Python binding in release mode, starts the devserver on a free
# port and runs the addons.get() benchmark, the session-JWT one, then the start-up one. Not part
# of the tests.
# Afterwards the .venv holds the release build; scripts/test-all.sh puts the debug build back.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
scripts/install.sh >/dev/null
VIRTUAL_ENV="$PWD/.venv" PATH="$PWD/.venv/bin:$PATH" .venv/bin/maturin develop --locked --release -m bindings-python/Cargo.toml

source bench/devserver.sh
.venv/bin/python bench/python/addons_get.py --url "$url" --key "$key" "$@"
.venv/bin/python bench/python/session_jwt.py --url "$url"
.venv/bin/python bench/python/startup.py
