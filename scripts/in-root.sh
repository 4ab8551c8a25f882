#!/usr/bin/env bash
# Runs a program inside a root directory (chroot) in the same working directory, which must lie
# inside that root, with /proc mounted there in a mount namespace of its own (musl finds a
# program's $ORIGIN through /proc/self/exe; the mount ends with the program). The environment
# passes through, but for variables naming certificate files the root does not have (a host's
# NODE_EXTRA_CA_CERTS would make the SDK refuse to start, as it should). For the smoke tests in
# a musl root (scripts/musl-runtime.sh), where no shell or chroot(1) of the host's C library runs.
#
#   scripts/in-root.sh <root> <program inside the root> [arguments…]
set -euo pipefail
root=$(cd "$1" && pwd -P); shift
case "$(pwd -P)/" in
  "$root"/*) ;;
  *) echo "in-root.sh: the working directory $(pwd -P) is not inside $root" >&2; exit 1 ;;
esac
exec unshare --mount --propagation private -- python3 -c '
import os, subprocess, sys
root, program, args = sys.argv[1], sys.argv[2], sys.argv[2:]
inside = "/" + os.path.relpath(os.getcwd(), root)
os.makedirs(root + "/proc", exist_ok=True)
subprocess.run(["mount", "-t", "proc", "proc", root + "/proc"], check=True)
os.chroot(root)
os.chdir(inside)
for name in ("NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR"):
    if name in os.environ and not os.path.exists(os.environ[name]):
        del os.environ[name]
os.execv(program, args)
' "$root" "$@"
