"""Start-up cost of ``import banata_auth`` (and of requests, for scale): each measured in fresh
interpreters against an empty one, in the same run, so the figures are differences on this
machine at this moment. Prints medians in milliseconds."""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def median_ms(code: str, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    empty = median_ms("pass", args.runs)
    ours = median_ms("import banata_auth", args.runs)
    client = median_ms("import banata_auth; banata_auth.Client('http://127.0.0.1:9')", args.runs)
    try:
        requests = median_ms("import requests", args.runs) - empty
        baseline = f", requests adds {requests:.1f} ms"
    except subprocess.CalledProcessError:
        baseline = ""
    print(f"empty interpreter {empty:.1f} ms (median of {args.runs})")
    print(f"import banata_auth adds {ours - empty:.1f} ms{baseline}")
    print(f"import + first Client adds {client - empty:.1f} ms")


if __name__ == "__main__":
    main()
