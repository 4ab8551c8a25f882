#!/usr/bin/env bash
# Builds the Android shared libraries of the Kotlin bindings into
# bindings-swift/kotlin/build/jniLibs/<abi>/libbanata_auth_ffi.so, with the release-small profile
# and 16 KB page alignment (.cargo/config.toml). Needs rustup and an Android NDK (r27 or newer):
#   ANDROID_NDK_HOME=/path/to/ndk scripts/build-android.sh [api-level, default 24]
# Prints each library's size and checks its LOAD segments' alignment.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${ANDROID_NDK_HOME:?set ANDROID_NDK_HOME to an Android NDK}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
api=${1:-24}
profile=release-small
toolchain=$(echo "$ANDROID_NDK_HOME"/toolchains/llvm/prebuilt/*)
out=bindings-swift/kotlin/build/jniLibs

build() { # rust target, ABI directory, clang prefix
  local target=$1 abi=$2 clang="$toolchain/bin/$3$api-clang"
  local env_target=${target//-/_}
  rustup target add "$target"
  echo "==> $target ($abi)"
  env "CC_$env_target=$clang" "AR_$env_target=$toolchain/bin/llvm-ar" \
    "CARGO_TARGET_$(echo "$env_target" | tr '[:lower:]' '[:upper:]')_LINKER=$clang" \
    cargo build --locked -p banata-auth-uniffi --lib --profile "$profile" --target "$target"
  mkdir -p "$out/$abi"
  cp "$CARGO_TARGET_DIR/$target/$profile/libbanata_auth_ffi.so" "$out/$abi/"
}
build aarch64-linux-android arm64-v8a aarch64-linux-android
build x86_64-linux-android x86_64 x86_64-linux-android
build armv7-linux-androideabi armeabi-v7a armv7a-linux-androideabi

for so in "$out"/*/libbanata_auth_ffi.so; do
  align=$("$toolchain/bin/llvm-readelf" -lW "$so" | awk '$1 == "LOAD" {print $NF}' | sort -u | tr '\n' ' ')
  printf '  %8s  %s  (LOAD alignment: %s)\n' "$(du -h "$so" | cut -f1)" "$so" "$align"
done
