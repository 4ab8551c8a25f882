#!/usr/bin/env bash
# Every C function the generated Swift and Kotlin call must be declared in the generated header
# and exported by the library. There is no Swift compiler here, so this is how the Swift side is
# held to the library; the header is also parsed by a C compiler.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
library="$CARGO_TARGET_DIR/debug/libbanata_auth_ffi.so"
header=bindings-swift/include/BanataAuthFFI.h
swift=bindings-swift/Sources/BanataAuth/BanataAuth.swift
kotlin=bindings-swift/kotlin/src/main/kotlin/dev/banata/auth/banata_auth.kt

# The header uses clang's nullability qualifiers, which gcc does not know.
cc=$(command -v cc || command -v gcc)
printf '#include "BanataAuthFFI.h"\n' |
  "$cc" -fsyntax-only -Wall -Werror -D_Nullable= -D_Nonnull= -D_Null_unspecified= -I "$(dirname "$header")" -x c -

symbols() { grep -oE '\b(uniffi|ffi)_banata_auth_[A-Za-z0-9_]+' "$@" | sort -u; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
symbols "$header" >"$work/header"
symbols "$swift" >"$work/swift"
symbols "$kotlin" >"$work/kotlin"
nm -D --defined-only "$library" | awk '{print $3}' | grep -E '^(uniffi|ffi)_banata_auth_' | sort -u >"$work/library"

failed=0
for side in swift kotlin header library; do
  [ -s "$work/$side" ] || { echo "no UniFFI symbols found in $side: the pattern is out of date" >&2; exit 1; }
done
for side in swift kotlin; do
  missing_header=$(comm -23 "$work/$side" "$work/header")
  missing_library=$(comm -23 "$work/$side" "$work/library")
  if [ -n "$missing_header" ]; then echo "$side calls symbols the header does not declare:" >&2; echo "$missing_header" >&2; failed=1; fi
  if [ -n "$missing_library" ]; then echo "$side calls symbols the library does not export:" >&2; echo "$missing_library" >&2; failed=1; fi
done
missing=$(comm -23 "$work/header" "$work/library")
if [ -n "$missing" ]; then echo "the header declares symbols the library does not export:" >&2; echo "$missing" >&2; failed=1; fi
[ "$failed" -eq 0 ] || exit 1
printf 'FFI symbols consistent: swift %d, kotlin %d, header %d, library %d\n' \
  "$(wc -l <"$work/swift")" "$(wc -l <"$work/kotlin")" "$(wc -l <"$work/header")" "$(wc -l <"$work/library")"
