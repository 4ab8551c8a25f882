#!/usr/bin/env bash
# Builds the Kotlin library as a JVM jar: the generated bindings, Events.kt and SocialSignIn.kt
# compiled with kotlinc, the native libraries in JNA's resource layout (linux-x86-64/,
# darwin-aarch64/, win32-x86-64/, …, so JNA loads them from the classpath), and a POM naming
# JNA and kotlinx-coroutines. The Android part (src/android) goes into the AAR instead.
#
#   scripts/build-kotlin-jar.sh [<jna-prefix>=<library file> ...]
#
# Without arguments it packs the host's debug library (what CI tests); the release workflow
# passes each platform's release library. Prints the jar's path.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
kotlin_home=bindings-swift/kotlin/node_modules/kotlin-compiler
jna=${JNA_JAR:-/usr/share/java/jna.jar}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
out="$CARGO_TARGET_DIR/kotlin"
jar="$out/banata-auth-kotlin-$version.jar"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

libraries=("$@")
if [ ${#libraries[@]} -eq 0 ]; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) libraries=("linux-x86-64=$CARGO_TARGET_DIR/debug/libbanata_auth_ffi.so") ;;
    Linux-aarch64) libraries=("linux-aarch64=$CARGO_TARGET_DIR/debug/libbanata_auth_ffi.so") ;;
    Darwin-arm64) libraries=("darwin-aarch64=$CARGO_TARGET_DIR/debug/libbanata_auth_ffi.dylib") ;;
    Darwin-x86_64) libraries=("darwin-x86-64=$CARGO_TARGET_DIR/debug/libbanata_auth_ffi.dylib") ;;
    *) echo "build-kotlin-jar.sh: name the libraries (<jna-prefix>=<file>) on this platform" >&2; exit 1 ;;
  esac
fi

mkdir -p "$out" "$work/classes"
"$kotlin_home/bin/kotlinc" -nowarn -cp "$jna:$kotlin_home/lib/kotlinx-coroutines-core-jvm.jar" \
  -d "$work/classes" bindings-swift/kotlin/src/main/kotlin/dev/banata/auth/*.kt
for entry in "${libraries[@]}"; do
  prefix=${entry%%=*} file=${entry#*=}
  [ -f "$file" ] || { echo "build-kotlin-jar.sh: no library at $file" >&2; exit 1; }
  mkdir -p "$work/classes/$prefix"
  cp "$file" "$work/classes/$prefix/"
done
cp LICENSE "$work/classes/META-INF/LICENSE" 2>/dev/null || { mkdir -p "$work/classes/META-INF"; cp LICENSE "$work/classes/META-INF/LICENSE"; }
rm -f "$jar"
(cd "$work/classes" && jar --create --file "$jar" .)

cat >"${jar%.jar}.pom" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by scripts/build-kotlin-jar.sh. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.banata</groupId>
  <artifactId>banata-auth-kotlin</artifactId>
  <version>$version</version>
  <name>Banata Auth for Kotlin</name>
  <description>Banata Auth for Kotlin and Android: sign-up, sign-in, sessions, social sign-in, organizations and auth events, on one Rust core</description>
  <url>https://github.com/banata-auth/banata-auth-native</url>
  <licenses><license><name>MIT</name><url>https://opensource.org/license/mit</url></license></licenses>
  <scm><url>https://github.com/banata-auth/banata-auth-native</url></scm>
  <dependencies>
    <dependency><groupId>net.java.dev.jna</groupId><artifactId>jna</artifactId><version>5.13.0</version></dependency>
    <dependency><groupId>org.jetbrains.kotlinx</groupId><artifactId>kotlinx-coroutines-core-jvm</artifactId><version>1.8.0</version></dependency>
    <dependency><groupId>org.jetbrains.kotlin</groupId><artifactId>kotlin-stdlib</artifactId><version>2.4.20</version></dependency>
  </dependencies>
</project>
POM
echo "$jar"
