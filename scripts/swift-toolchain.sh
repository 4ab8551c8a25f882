#!/usr/bin/env bash
# Makes a Debian 13 ("trixie") chroot with Debian's `swiftlang` (Swift 6.0.x, Foundation, XCTest), so
# CI on a Debian 12 host, which has no Swift, can build and test the Swift package (scripts/test-swift.sh).
# The chroot is a cache outside the repo (${BANATA_SWIFT_CHROOT:-/var/cache/banata-auth/swift-chroot},
# about 3 GB), reused by later runs and fresh clones. It counts as ready only when its stamp file
# exists and `swift --version` runs inside; otherwise it is deleted and rebuilt. Safe to run again.
# The Debian mirror is the one the host's apt already uses (override: BANATA_DEBIAN_MIRROR).
# Prints the chroot's path as its last line.
set -euo pipefail

root="${BANATA_SWIFT_CHROOT:-/var/cache/banata-auth/swift-chroot}"
stamp="$root/.banata-swift-ready"
case "$root" in /*/*) ;; *) echo "BANATA_SWIFT_CHROOT must be an absolute path below /: $root" >&2; exit 1 ;; esac
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive

in_chroot() { $sudo chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }
mount_proc() { mountpoint -q "$root/proc" || $sudo mount -t proc proc "$root/proc"; }

$sudo mkdir -p "$(dirname "$root")"; $sudo touch "$root.lock"
exec 9<"$root.lock"; flock 9   # one builder at a time; concurrent runs wait here

if [ -f "$stamp" ] && mount_proc && in_chroot swift --version >/dev/null 2>&1; then
  echo "$root"; exit 0
fi

# The first deb source of the host's own release (deb822 *.sources or one-line *.list).
host_mirror() {
  local codename; codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  shopt -s nullglob
  awk -v RS= -v c="$codename" '$0 ~ "(^|\n)Types:[^\n]*deb( |\n|$)" && $0 ~ "(^|\n)Suites:([^\n]* )?" c "( |\n|$)" && $0 !~ "(^|\n)Enabled: *no" {
         if (match($0, /(^|\n)URIs: *[^ \n]+/)) { u = substr($0, RSTART, RLENGTH); sub(/.*URIs: */, "", u); print u; exit } }' \
    /etc/apt/sources.list.d/*.sources
  awk -v c="$codename" '$1 == "deb" { sub(/\[[^]]*\] */, ""); if ($3 == c) { print $2; exit } }' \
    /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true
}
mirror="${BANATA_DEBIAN_MIRROR:-$(host_mirror | head -n1)}"
[ -n "$mirror" ] || { echo "no Debian mirror in the host's apt sources; set BANATA_DEBIAN_MIRROR" >&2; exit 1; }

if ! command -v debootstrap >/dev/null 2>&1; then
  { $sudo apt-get install -y debootstrap || { $sudo apt-get update && $sudo apt-get install -y debootstrap; }; } >&2
fi

echo "building the Swift chroot in $root from $mirror" >&2
if [ -e "$root" ]; then
  ! mountpoint -q "$root/proc" || $sudo umount "$root/proc"
  if grep -qF " $root/" /proc/mounts; then echo "$root still has mounts; not deleting it" >&2; exit 1; fi
  $sudo rm -rf "$root"
fi
$sudo debootstrap --variant=minbase trixie "$root" "$mirror" >&2
mount_proc
$sudo cp /etc/resolv.conf "$root/etc/resolv.conf"
in_chroot apt-get update >&2
in_chroot DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
  swiftlang ca-certificates libc6-dev libstdc++-14-dev >&2
in_chroot apt-get clean
version=$(in_chroot swift --version)   # the stamp only after this works
echo "$version" | $sudo tee "$stamp" >&2
echo "$root"
