#!/usr/bin/env bash
# Compiles and runs examples/kotlin/SignIn.kt on the JVM with the debug library:
#   scripts/run-kotlin-example.sh [base-url]      (default $BANATA_BASE_URL or http://127.0.0.1:8787)
# Needs scripts/install.sh (kotlinc, JNA) and `cargo build -p banata-auth-uniffi`.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
kotlin_home=bindings-swift/kotlin/node_modules/kotlin-compiler
classpath="${JNA_JAR:-/usr/share/java/jna.jar}:$kotlin_home/lib/kotlinx-coroutines-core-jvm.jar"
jar="$CARGO_TARGET_DIR/kotlin/banata-auth-example.jar"
mkdir -p "$(dirname "$jar")"
cargo build --locked -q -p banata-auth-uniffi --lib
"$kotlin_home/bin/kotlinc" -nowarn -cp "$classpath" -d "$jar" \
  bindings-swift/kotlin/src/main/kotlin/dev/banata/auth/*.kt examples/kotlin/SignIn.kt
java -Djna.library.path="$CARGO_TARGET_DIR/debug" -cp "$jar:$classpath:$kotlin_home/lib/kotlin-stdlib.jar" example.SignInKt "$@"
