"""Benchmark: verifying a session JWT in the process with banata_auth
(``client.authenticate(headers)``) against PyJWT with ``cryptography`` (the key fetched and
parsed once, the same issuer and audience checks), and a guarded request against a
``get_session()`` round trip to the devserver. Same devserver, same run, interleaved in rounds;
medians are shown.

    bench/python/run.sh          # builds release artifacts, starts a devserver, runs this too
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Callable

import jwt
import requests

import banata_auth


def rate(call: Callable[[], object], seconds: float) -> float:
    done = 0
    started = time.perf_counter()
    stop = started + seconds
    while time.perf_counter() < stop:
        call()
        done += 1
    return done / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    url: str = args.url

    client = banata_auth.Client(url)
    client.auth.sign_up_email("Bench", f"bench-{uuid.uuid4().hex[:8]}@example.com", "correct horse battery staple")
    token = client.auth.token().token
    headers = {"authorization": f"Bearer {token}"}
    client.authenticate(headers)

    key_set = jwt.PyJWKSet.from_dict(requests.get(f"{url}/api/auth/convex/jwks", timeout=10).json())
    key = key_set.keys[0].key
    issuer = url.rstrip("/")

    def with_pyjwt() -> object:
        # What PyJWT needs first too: the token from the request.
        return jwt.decode(headers["authorization"][7:], key, algorithms=["RS256"], audience="convex", issuer=issuer)

    with_pyjwt()
    core: list[float] = []
    baseline: list[float] = []
    round_trip: list[float] = []
    for _ in range(args.rounds):
        core.append(rate(lambda: client.authenticate(headers), args.seconds))
        baseline.append(rate(with_pyjwt, args.seconds))
        round_trip.append(rate(client.auth.get_session, args.seconds))
    c, b, r = statistics.median(core), statistics.median(baseline), statistics.median(round_trip)
    print(f"session JWT (RS256), medians of {args.rounds} interleaved rounds, one thread:")
    print(f"  client.authenticate(headers)   {c:>10,.0f} /s")
    print(f"  PyJWT + cryptography decode    {b:>10,.0f} /s   binding / PyJWT = {c / b:.2f}")
    print(f"  get_session() round trip       {r:>10,.0f} /s   guarded / round trip = {c / r:.1f}x")


if __name__ == "__main__":
    main()
