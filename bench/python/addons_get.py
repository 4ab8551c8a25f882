"""Benchmark: `addons.get()` through banata_auth against plain HTTP clients, same devserver,
same run.

    bench/python/run.sh          # builds release artifacts, starts a devserver, runs this

Sync: `Client.addons.get()` vs a `requests.Session` POST of the same endpoint (threads for
concurrency). Async: `AsyncClient.addons.get()` vs `httpx.AsyncClient` (asyncio.gather).
Prints calls per second at concurrency 1 and 64 and the ratio binding / baseline; each pair is
measured interleaved, in rounds, so machine noise hits both sides alike.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import threading
import time
from collections.abc import Awaitable, Callable

import httpx
import requests

import banata_auth

PATH = "/api/auth/banata/config/addons/get"


def sync_rate(call: Callable[[], object], concurrency: int, seconds: float) -> float:
    done = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        nonlocal done
        n = 0
        while time.monotonic() < stop:
            call()
            n += 1
        with lock:
            done += n

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done / (time.monotonic() - started)


async def async_rate(call: Callable[[], Awaitable[object]], concurrency: int, seconds: float) -> float:
    done = 0
    stop = time.monotonic() + seconds

    async def worker() -> None:
        nonlocal done
        while time.monotonic() < stop:
            await call()
            done += 1

    started = time.monotonic()
    await asyncio.gather(*[worker() for _ in range(concurrency)])
    return done / (time.monotonic() - started)


def compare(name: str, rounds: list[tuple[float, float]]) -> None:
    ours = statistics.median(r[0] for r in rounds)
    base = statistics.median(r[1] for r in rounds)
    print(f"{name:<50} {ours:>10,.0f} /s  {base:>10,.0f} /s  {ours / base:>6.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    url, key, seconds = args.url, args.key, args.seconds

    client = banata_auth.Client(url, api_key=key)
    session = requests.Session()
    headers = {"authorization": f"Bearer {key}", "content-type": "application/json"}

    def plain_requests() -> object:
        response = session.post(url + PATH, data=b"{}", headers=headers, timeout=30)
        response.raise_for_status()
        return json.loads(response.content)

    # Same work on both sides: one POST, status check, JSON decoded into objects.
    assert client.addons.get() is not None and plain_requests() is not None
    print(f"{'benchmark':<50} {'banata_auth':>13}  {'baseline':>13}  {'ratio':>7}")
    for concurrency in (1, 64):
        rounds = [
            (sync_rate(client.addons.get, concurrency, seconds), sync_rate(plain_requests, concurrency, seconds))
            for _ in range(args.rounds)
        ]
        compare(f"Client vs requests, concurrency {concurrency}", rounds)

    async def run_async() -> None:
        aclient = banata_auth.AsyncClient(url, api_key=key)
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
        async with httpx.AsyncClient(limits=limits, timeout=30) as plain:

            async def plain_httpx() -> object:
                response = await plain.post(url + PATH, content=b"{}", headers=headers)
                response.raise_for_status()
                return response.json()

            await aclient.addons.get()
            await plain_httpx()
            for concurrency in (1, 64):
                rounds = []
                for _ in range(args.rounds):
                    ours = await async_rate(aclient.addons.get, concurrency, seconds)
                    base = await async_rate(plain_httpx, concurrency, seconds)
                    rounds.append((ours, base))
                compare(f"AsyncClient vs httpx.AsyncClient, concurrency {concurrency}", rounds)

    asyncio.run(run_async())
    print(f"python {sys.version.split()[0]}, banata_auth {banata_auth.__version__}, "
          f"requests {requests.__version__}, httpx {httpx.__version__}")


if __name__ == "__main__":
    main()
