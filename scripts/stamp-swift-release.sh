#!/usr/bin/env bash
# Points the Swift package at a released XCFramework: rewrites the `ffiRelease` line of
# Package.swift with the version (its zip is the GitHub release v<version>'s
# BanataAuthFFI.xcframework.zip) and the zip's SHA-256, which SwiftPM checks on download.
# The release workflow runs it before it commits and tags the release.
#
#   scripts/stamp-swift-release.sh <version> <sha256> [manifest, default Package.swift]
set -euo pipefail
version=${1:?usage: stamp-swift-release.sh <version> <sha256> [Package.swift]}
checksum=${2:?usage: stamp-swift-release.sh <version> <sha256> [Package.swift]}
manifest=${3:-"$(dirname "$0")/../Package.swift"}

[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] ||
  { echo "stamp-swift-release.sh: '$version' is not a version (1.2.3)" >&2; exit 1; }
[[ $checksum =~ ^[0-9a-f]{64}$ ]] ||
  { echo "stamp-swift-release.sh: the checksum must be a SHA-256 in hex (shasum -a 256)" >&2; exit 1; }
grep -q '^let ffiRelease = ' "$manifest" ||
  { echo "stamp-swift-release.sh: no 'let ffiRelease = ' line in $manifest" >&2; exit 1; }

sed -i.bak "s/^let ffiRelease = .*/let ffiRelease = (version: \"$version\", checksum: \"$checksum\")/" "$manifest"
rm -f "$manifest.bak"
grep '^let ffiRelease = ' "$manifest"
