#!/usr/bin/env bash
# Compiles the generated Kotlin, the hand-written extensions, the example and the JVM test with
# kotlinc, and
# runs the test against the debug library and the devserver binary. Its last line is
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

"$kotlin_home/bin/kotlinc" -nowarn -cp "$classpath" -d "$jar" \
  bindings-swift/kotlin/src/main/kotlin/dev/banata/auth/*.kt bindings-swift/kotlin/src/test/kotlin/*.kt \
  examples/kotlin/*.kt
java -Djna.library.path="$CARGO_TARGET_DIR/debug" -cp "$jar:$classpath:$kotlin_home/lib/kotlin-stdlib.jar" BanataAuthTestKt
