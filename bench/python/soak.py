"""Long-running check (not a test): 100,000 add-on reads from 32 threads with the resident
memory sampled. Prints figures.

    bench/python/soak.sh
"""

from __future__ import annotations

import argparse
import resource
import threading
import time

import banata_auth


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--calls", type=int, default=100_000)
    args = parser.parse_args()
    client = banata_auth.Client(args.url, api_key=args.key)
    lock = threading.Lock()
    state = {"done": 0, "errors": 0}
    samples: list[float] = []

    def work() -> None:
        while True:
            with lock:
                if state["done"] >= args.calls:
                    return
                state["done"] += 1
                if state["done"] % (args.calls // 10) == 0:
                    samples.append(rss_mib())
            try:
                client.addons.get()
            except banata_auth.BanataError:
                with lock:
                    state["errors"] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=work) for _ in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    print(f"soak: {args.calls} calls in {seconds:.1f} s ({args.calls / seconds:.0f}/s), {state['errors']} errors")
    print("rss MiB at each tenth: " + " ".join(f"{m:.0f}" for m in samples))
    print(f"rss growth over the second half: {samples[-1] - samples[4]:.1f} MiB")


if __name__ == "__main__":
    main()
