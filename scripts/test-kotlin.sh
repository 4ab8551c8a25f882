#!/usr/bin/env bash
# Builds the Kotlin library jar (scripts/build-kotlin-jar.sh: the generated Kotlin and the
# hand-written extensions, with the debug native library inside), compiles the example and the
# JVM test against it with kotlinc, and runs the test against the devserver binary. Its last line is
# "N passed, N failed"; the exit code is non-zero when a test failed.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
kotlin_home=bindings-swift/kotlin/node_modules/kotlin-compiler
jna=${JNA_JAR:-/usr/share/java/jna.jar}
gson=${GSON_JAR:-/usr/share/java/gson.jar}
classpath="$jna:$gson:$kotlin_home/lib/kotlinx-coroutines-core-jvm.jar"
jar="$CARGO_TARGET_DIR/kotlin/banata-auth-test.jar"
mkdir -p "$(dirname "$jar")"

# The library as users get it: the jar with the native library inside (JNA's resource layout),
# so the test runs without jna.library.path.
cargo build --locked -p banata-auth-uniffi --lib
# BANATA_KOTLIN_JAR tests a given jar instead (scripts/release-build.sh: the release jar).
library=${BANATA_KOTLIN_JAR:-$(scripts/build-kotlin-jar.sh | tail -n1)}
"$kotlin_home/bin/kotlinc" -nowarn -cp "$library:$classpath" -d "$jar" \
  bindings-swift/kotlin/src/test/kotlin/*.kt examples/kotlin/*.kt
java -cp "$jar:$library:$classpath:$kotlin_home/lib/kotlin-stdlib.jar" BanataAuthTestKt
