#!/usr/bin/env bash
# Builds and runs the Swift package's XCTest suite on Linux: the host builds the debug
# libbanata_auth_ffi.so and the devserver, scripts/swift-toolchain.sh provides a cached Debian 13
# chroot with Swift, and `swift test` runs there on a scratch copy of the package (the root
# Package.swift with the directories it names, in the same layout; on Linux the manifest takes
# the Rust library as a system library, from lib/ through BANATA_FFI_LIB_DIR) against a devserver
# on a free port. Arguments go to `swift test` (e.g. --filter testTypedErrors). Then it runs the
# examples (examples/swift, targets of the same package) and checks what they print, and checks
# that scripts/stamp-swift-release.sh turns the manifest into a release one that still parses.
# Exits non-zero when a test or an example failed.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo

cargo build --locked -p banata-auth-uniffi --lib
cargo build --locked -p banata-devserver
root=$(bash scripts/swift-toolchain.sh | tail -n1)

tmp=$(mktemp -d)
pkg=""; devserver=""; oidc=""
cleanup() {
  [ -z "$devserver" ] || { kill "$devserver" 2>/dev/null || true; wait "$devserver" 2>/dev/null || true; }
  [ -z "$oidc" ] || { kill "$oidc" 2>/dev/null || true; wait "$oidc" 2>/dev/null || true; }
  [ -z "$pkg" ] || [ -n "${BANATA_SWIFT_KEEP:-}" ] || $sudo rm -rf "$root$pkg"
  rm -rf "$tmp"
}
trap cleanup EXIT

# The scratch package; $pkg is its path inside the chroot.
scratch=$($sudo mktemp -d "$root/tmp/banata-swift.XXXXXX"); pkg=${scratch#"$root"}
$sudo mkdir -p "$scratch/bindings-swift" "$scratch/examples" "$scratch/lib" "$scratch/tmp"
$sudo cp Package.swift "$scratch/"
$sudo cp -R bindings-swift/Sources bindings-swift/Tests bindings-swift/include bindings-swift/linux "$scratch/bindings-swift/"
$sudo cp -R examples/swift "$scratch/examples/"
$sudo cp -R tests/scenarios "$scratch/scenarios"
$sudo cp "$CARGO_TARGET_DIR/debug/libbanata_auth_ffi.so" "$scratch/lib/"

# The OpenID provider for the social sign-in tests, on the host too.
node tests/oidc-provider/server.mjs >"$tmp/oidc.out" 2>/dev/null &
oidc=$!
for _ in $(seq 300); do grep -q '^READY ' "$tmp/oidc.out" && break; sleep 0.1; done
issuer=$(awk '$1 == "READY" { print $2 }' "$tmp/oidc.out")
[ -n "$issuer" ] || { echo "the OpenID provider did not start" >&2; exit 1; }
social=(--trusted-origin 'myapp://')
for pair in oidc:banata-app other:other-app; do
  social+=(--social-provider "id=${pair%%:*},issuer=$issuer,client-id=${pair#*:},client-secret=${pair#*:}-secret")
done

# The devserver runs on the host (the chroot shares its network); it prints READY and ADMIN_API_KEY.
"${BANATA_DEVSERVER_BIN:-$CARGO_TARGET_DIR/debug/banata-devserver}" --port 0 --no-email-verification --email-otp --magic-link --two-factor "${social[@]}" >"$tmp/devserver.out" &
devserver=$!
for _ in $(seq 300); do
  grep -q '^ADMIN_API_KEY ' "$tmp/devserver.out" && break
  kill -0 "$devserver" 2>/dev/null || { echo "the devserver exited before it was ready" >&2; exit 1; }
  sleep 0.1
done
url=$(awk '$1 == "READY" { print $2 }' "$tmp/devserver.out")
key=$(awk '$1 == "ADMIN_API_KEY" { print $2 }' "$tmp/devserver.out")
[ -n "$url" ] && [ -n "$key" ] || { echo "the devserver did not print READY/ADMIN_API_KEY in 30 s" >&2; exit 1; }
echo "devserver at $url (pid $devserver)" >&2

in_chroot() {
  $sudo chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    TMPDIR="$pkg/tmp" LD_LIBRARY_PATH="$pkg/lib" BANATA_FFI_LIB_DIR="$pkg/lib" BANATA_BASE_URL="$url" BANATA_API_KEY="$key" \
    BANATA_OIDC_ISSUER="$issuer" BANATA_SCENARIOS="$pkg/scenarios" EXAMPLE_EMAIL="swift-example-$RANDOM$RANDOM@example.com" "$@"
}
# XCTest only: the package has no swift-testing tests, whose runner would report "0 tests passed".
in_chroot swift test --disable-swift-testing --package-path "$pkg" "$@"

# Each example must exit 0 and print the lines given.
passed=0; failed=0
check_example() {
  local name=$1 out rc=0 missing=""; shift
  out=$(in_chroot swift run --package-path "$pkg" "$name" "$url" 2>&1) || rc=$?
  for line in "$@"; do grep -qF -- "$line" <<<"$out" || missing="$missing [$line]"; done
  if [ "$rc" -eq 0 ] && [ -z "$missing" ]; then
    passed=$((passed + 1)); echo "example $name: ok"
  else
    failed=$((failed + 1)); echo "example $name: FAILED (exit $rc), missing$missing" >&2; printf '%s\n' "$out" >&2
  fi
}
check_example SignIn "no account yet (INVALID_EMAIL_OR_PASSWORD), signing up" "signed in as" "signed out"
check_example TwoFactor "enable     authenticator URI and 10 backup codes issued" "confirm    two-factor on" \
  "sign-in    a second factor is required" "verify     signed in as" "session    "

# The release manifest: stamped as the release workflow stamps it, it must still be a manifest
# SwiftPM reads, and name the version and checksum it was given.
release="$scratch/release"
$sudo mkdir -p "$release" && $sudo cp "$scratch/Package.swift" "$release/"
checksum=$(printf 'banata' | sha256sum | cut -d' ' -f1)
$sudo scripts/stamp-swift-release.sh 9.8.7 "$checksum" "$release/Package.swift" >/dev/null
out=$(in_chroot swift package --package-path "$pkg/release" dump-package 2>&1) || rc=$?
if [ "${rc:-0}" -eq 0 ] && grep -q '"name" : "BanataAuth"' <<<"$out" &&
  grep -qF "let ffiRelease = (version: \"9.8.7\", checksum: \"$checksum\")" "$release/Package.swift"; then
  passed=$((passed + 1)); echo "release manifest: ok"
else
  failed=$((failed + 1)); echo "release manifest: FAILED" >&2; printf '%s\n' "$out" >&2
fi
echo "examples and release manifest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
