#!/usr/bin/env bash
# Instructions per call of the core against bare reqwest doing the same request, counted with
# callgrind (exact and repeatable where wall time is noisy). Each side runs twice with different
# call counts so start-up cancels out; prints both figures and their ratio. Not part of the tests.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
if ! command -v valgrind >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
fi
cargo build --locked --release -p banata-bench --bin call_cost
source bench/devserver.sh
bin="$CARGO_TARGET_DIR/release/call_cost"
few=${FEW:-50}
many=${MANY:-550}

instructions() { # mode calls -> instructions counted
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" "$url" "$key" 2>&1 |
    awk '/Collected :/ {print $NF}'
}

declare -A per_call
for mode in reqwest banata; do
  a=$(instructions "$mode" "$few")
  b=$(instructions "$mode" "$many")
  per_call[$mode]=$(( (b - a) / (many - few) ))
  echo "$mode: ${per_call[$mode]} instructions per call"
done
awk -v c="${per_call[banata]}" -v r="${per_call[reqwest]}" \
  'BEGIN { printf "core / reqwest: %.3fx (+%d instructions per call)\n", c / r, c - r }'
