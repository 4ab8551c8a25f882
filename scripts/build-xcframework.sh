#!/usr/bin/env bash
# Builds bindings-swift/build/BanataAuthFFI.xcframework, the binary target of the Swift package:
# iOS device, iOS simulator (arm64 + x86_64) and macOS (arm64 + x86_64) static libraries with the
# generated C header and module map. Runs on macOS with Xcode and rustup. Prints the sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(uname -s)" != Darwin ]; then
  echo "build-xcframework.sh needs macOS with Xcode (xcodebuild, lipo)" >&2
  exit 1
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
profile=release-small
targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin)
rustup target add "${targets[@]}"
for target in "${targets[@]}"; do
  echo "==> $target"
  # A staticlib only here: the crate's own crate-type list leaves it out of ordinary builds.
  cargo rustc --locked -p banata-auth-uniffi --lib --profile "$profile" --target "$target" --crate-type staticlib
done

lib() { echo "$CARGO_TARGET_DIR/$1/$profile/libbanata_auth_ffi.a"; }
fat="$CARGO_TARGET_DIR/xcframework"
rm -rf "$fat" && mkdir -p "$fat/ios-simulator" "$fat/macos"
lipo -create "$(lib aarch64-apple-ios-sim)" "$(lib x86_64-apple-ios)" -output "$fat/ios-simulator/libbanata_auth_ffi.a"
lipo -create "$(lib aarch64-apple-darwin)" "$(lib x86_64-apple-darwin)" -output "$fat/macos/libbanata_auth_ffi.a"

headers=bindings-swift/include   # BanataAuthFFI.h + module.modulemap (module BanataAuthFFI)
out=bindings-swift/build/BanataAuthFFI.xcframework
rm -rf "$out"
xcodebuild -create-xcframework \
  -library "$(lib aarch64-apple-ios)" -headers "$headers" \
  -library "$fat/ios-simulator/libbanata_auth_ffi.a" -headers "$headers" \
  -library "$fat/macos/libbanata_auth_ffi.a" -headers "$headers" \
  -output "$out"

echo "sizes (static libraries; the linker keeps only what the app uses):"
for f in "$(lib aarch64-apple-ios)" "$fat/ios-simulator/libbanata_auth_ffi.a" "$fat/macos/libbanata_auth_ffi.a"; do
  printf '  %8s  %s\n' "$(du -h "$f" | cut -f1)" "$f"
done
printf '  %8s  %s\n' "$(du -sh "$out" | cut -f1)" "$out"
