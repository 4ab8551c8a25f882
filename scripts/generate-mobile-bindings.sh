#!/usr/bin/env bash
# Generates the Swift and Kotlin sources of bindings-swift/ from the library's UniFFI metadata.
#
#   scripts/generate-mobile-bindings.sh           # rewrite the checked-in sources
#   scripts/generate-mobile-bindings.sh --check   # fail if they differ from what the code generates
#
# Outputs: Sources/BanataAuth/BanataAuth.swift, include/BanataAuthFFI.h + module.modulemap (the
# C side, packed into the XCFramework), kotlin/src/main/kotlin/dev/banata/auth/banata_auth.kt.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"

check=false
[ "${1:-}" = "--check" ] && check=true

cargo build --locked -p banata-auth-uniffi --features cli --lib --bin uniffi-bindgen
bindgen="$CARGO_TARGET_DIR/debug/uniffi-bindgen"
library="$CARGO_TARGET_DIR/debug/libbanata_auth_ffi.so"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$bindgen" generate "$library" --language swift --out-dir "$out/swift" --no-format
"$bindgen" generate "$library" --language kotlin --out-dir "$out/kotlin" --no-format

mkdir -p "$out/tree/Sources/BanataAuth" "$out/tree/include" "$out/tree/kotlin/src/main/kotlin/dev/banata/auth"
cp "$out/swift/BanataAuth.swift" "$out/tree/Sources/BanataAuth/BanataAuth.swift"
cp "$out/swift/BanataAuthFFI.h" "$out/tree/include/BanataAuthFFI.h"
cp "$out/swift/BanataAuthFFI.modulemap" "$out/tree/include/module.modulemap"
cp "$out/kotlin/dev/banata/auth/banata_auth.kt" "$out/tree/kotlin/src/main/kotlin/dev/banata/auth/banata_auth.kt"

stale=0
for file in Sources/BanataAuth/BanataAuth.swift include/BanataAuthFFI.h include/module.modulemap \
  kotlin/src/main/kotlin/dev/banata/auth/banata_auth.kt; do
  if $check; then
    if ! cmp -s "$out/tree/$file" "bindings-swift/$file"; then
      echo "stale: bindings-swift/$file (run scripts/generate-mobile-bindings.sh and commit)" >&2
      diff -u "bindings-swift/$file" "$out/tree/$file" | head -40 >&2 || true
      stale=1
    fi
  else
    mkdir -p "$(dirname "bindings-swift/$file")"
    cp "$out/tree/$file" "bindings-swift/$file"
    echo "wrote bindings-swift/$file"
  fi
done
if $check; then
  [ "$stale" -eq 0 ] || exit 1
  echo "generated Swift and Kotlin sources are current"
fi
