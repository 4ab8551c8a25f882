#!/usr/bin/env bash
# Builds the Android library (AAR) of the Kotlin bindings: classes.jar (the generated bindings,
# Events.kt, SocialSignIn.kt and the Android part, src/android, compiled with kotlinc against
# the Android platform and androidx.browser), jni/<abi>/libbanata_auth_ffi.so from
# scripts/build-android.sh, the manifest (minSdk 24, INTERNET), consumer ProGuard rules that
# keep what JNA reaches by reflection, and a POM naming JNA's AAR, kotlinx-coroutines-android
# and androidx.browser. The release workflow runs it; it needs the Android SDK's android.jar,
# which no registry this project installs from carries.
#
#   ANDROID_JAR=…/platforms/android-34/android.jar ANDROIDX_BROWSER_AAR=…/browser-1.8.0.aar \
#     scripts/build-aar.sh [jniLibs directory, default bindings-swift/kotlin/build/jniLibs]
#
# Prints the AAR's path.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${ANDROID_JAR:?set ANDROID_JAR to an Android SDK platform's android.jar}"
: "${ANDROIDX_BROWSER_AAR:?set ANDROIDX_BROWSER_AAR to androidx.browser's AAR (Google Maven)}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
jni=${1:-bindings-swift/kotlin/build/jniLibs}
kotlin_home=bindings-swift/kotlin/node_modules/kotlin-compiler
jna=${JNA_JAR:-/usr/share/java/jna.jar}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
abis=(arm64-v8a armeabi-v7a x86_64)
# The versions the POM names; the JNA and coroutines ones match the JVM jar's POM.
jna_version=5.13.0 coroutines_version=1.8.0 browser_version=1.8.0 kotlin_version=2.4.20
out="$CARGO_TARGET_DIR/kotlin"
aar="$out/banata-auth-android-$version.aar"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for abi in "${abis[@]}"; do
  [ -f "$jni/$abi/libbanata_auth_ffi.so" ] ||
    { echo "build-aar.sh: no $jni/$abi/libbanata_auth_ffi.so (scripts/build-android.sh builds it)" >&2; exit 1; }
done

# androidx.browser's classes, to compile against (the app gets the library itself from the POM).
mkdir -p "$work/browser" "$work/classes" "$work/aar"
(cd "$work/browser" && jar --extract --file "$ANDROIDX_BROWSER_AAR" classes.jar)
"$kotlin_home/bin/kotlinc" -nowarn -jvm-target 1.8 -no-reflect \
  -cp "$ANDROID_JAR:$work/browser/classes.jar:$jna:$kotlin_home/lib/kotlinx-coroutines-core-jvm.jar" \
  -d "$work/classes" bindings-swift/kotlin/src/main/kotlin/dev/banata/auth/*.kt \
  bindings-swift/kotlin/src/android/kotlin/dev/banata/auth/*.kt
rm -rf "$work/classes/META-INF/versions"
(cd "$work/classes" && jar --create --file "$work/aar/classes.jar" .)

for abi in "${abis[@]}"; do
  mkdir -p "$work/aar/jni/$abi"
  cp "$jni/$abi/libbanata_auth_ffi.so" "$work/aar/jni/$abi/"
done
cat >"$work/aar/AndroidManifest.xml" <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="dev.banata.auth">
    <uses-sdk android:minSdkVersion="24" />
    <uses-permission android:name="android.permission.INTERNET" />
</manifest>
XML
cat >"$work/aar/proguard.txt" <<'RULES'
# JNA and the UniFFI bindings reach these classes and their fields by reflection.
-keep class com.sun.jna.** { *; }
-keep class * implements com.sun.jna.** { *; }
-keep class dev.banata.auth.** { *; }
-dontwarn java.awt.**
RULES
: >"$work/aar/R.txt"
cp LICENSE "$work/aar/LICENSE"
mkdir -p "$out"
rm -f "$aar"
(cd "$work/aar" && jar --create --file "$aar" --no-manifest .)

cat >"${aar%.aar}.pom" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by scripts/build-aar.sh. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.banata</groupId>
  <artifactId>banata-auth-android</artifactId>
  <version>$version</version>
  <packaging>aar</packaging>
  <name>Banata Auth for Android</name>
  <description>Banata Auth for Android: sign-up, sign-in, sessions, social sign-in in a Custom Tab, organizations and auth events, on one Rust core</description>
  <url>https://github.com/banata-auth/banata-auth-native</url>
  <licenses><license><name>MIT</name><url>https://opensource.org/license/mit</url></license></licenses>
  <scm><url>https://github.com/banata-auth/banata-auth-native</url></scm>
  <dependencies>
    <dependency><groupId>net.java.dev.jna</groupId><artifactId>jna</artifactId><version>$jna_version</version><type>aar</type></dependency>
    <dependency><groupId>org.jetbrains.kotlinx</groupId><artifactId>kotlinx-coroutines-android</artifactId><version>$coroutines_version</version></dependency>
    <dependency><groupId>androidx.browser</groupId><artifactId>browser</artifactId><version>$browser_version</version></dependency>
    <dependency><groupId>org.jetbrains.kotlin</groupId><artifactId>kotlin-stdlib</artifactId><version>$kotlin_version</version></dependency>
  </dependencies>
</project>
POM
echo "$aar"
