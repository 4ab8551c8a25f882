#!/usr/bin/env bash
# The Python soak against the release devserver and binding.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
scripts/install.sh >/dev/null
VIRTUAL_ENV="$PWD/.venv" PATH="$PWD/.venv/bin:$PATH" .venv/bin/maturin develop --locked --release -m bindings-python/Cargo.toml
source bench/devserver.sh
.venv/bin/python bench/python/soak.py --url "$url" --key "$key" "$@"
