# Sourced by the benchmark scripts: builds the release devserver, starts it on a free port for
# the rest of the script, and sets $url and $key (its admin API key).
cargo build --locked --release -p banata-devserver
devserver_log=$(mktemp)
"$CARGO_TARGET_DIR/release/banata-devserver" --port 0 --no-email-verification >"$devserver_log" &
devserver_pid=$!
trap 'kill $devserver_pid 2>/dev/null || true; rm -f "$devserver_log"' EXIT
for _ in $(seq 100); do grep -q '^ADMIN_API_KEY ' "$devserver_log" && break; sleep 0.1; done
url=$(awk '/^READY /{print $2}' "$devserver_log")
key=$(awk '/^ADMIN_API_KEY /{print $2}' "$devserver_log")
