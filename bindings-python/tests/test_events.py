"""Events: order, filters, raising callbacks, closing, and interpreter exit with live subscriptions."""

from __future__ import annotations

import gc
import logging
import subprocess
import sys
import threading
import time

import pytest

from banata_auth import AsyncClient, AuthEvent, Client, EventType

from .conftest import PASSWORD, DevServer, unique_email


def wait_for(events: list[AuthEvent], n: int, timeout: float = 5.0) -> list[AuthEvent]:
    deadline = time.monotonic() + timeout
    while len(events) < n and time.monotonic() < deadline:
        time.sleep(0.01)
    return list(events)


def test_events_in_order_with_a_raising_callback(devserver: DevServer, caplog: pytest.LogCaptureFixture) -> None:
    client = Client(devserver.url)
    caplog.set_level(logging.ERROR, logger="banata_auth")

    def broken(event: AuthEvent) -> None:
        raise RuntimeError("a buggy callback")

    raising = client.on("*", broken)
    events: list[AuthEvent] = []
    recorder = client.on("*", events.append)
    email = unique_email("events")

    result = client.auth.sign_up_email("Eve", email, PASSWORD)
    client.auth.sign_out()
    client.auth.sign_in_email(email, PASSWORD)
    client.auth.sign_out()

    got = wait_for(events, 4 + 1)
    assert [e.type for e in got] == [
        EventType.USER_CREATED,
        EventType.SESSION_CREATED,
        EventType.SESSION_REVOKED,
        EventType.SESSION_CREATED,
        EventType.SESSION_REVOKED,
    ]
    assert all(e.data.user_id == result.user.id for e in got)
    assert got[1].data.reason == "sign_up" and got[1].data.method == "password"
    assert got[4].data.reason == "sign_out"
    assert got[0].id.startswith("evt_") and got[0].occurred_at.tzinfo is not None
    for e in got:
        assert PASSWORD not in e.json
        assert result.token is not None and result.token.split(".")[0] not in e.json
    deadline = time.monotonic() + 5
    while len([r for r in caplog.records if "event callback raised" in r.getMessage()]) < 5:
        assert time.monotonic() < deadline, "every raise is logged"
        time.sleep(0.01)
    raising.close()
    recorder.close()


def test_filter_close_and_context_manager(devserver: DevServer) -> None:
    client = Client(devserver.url)
    created: list[AuthEvent] = []
    with client.on(EventType.USER_CREATED, created.append) as subscription:
        client.auth.sign_up_email("F", unique_email("filter"), PASSWORD)
        assert [e.type for e in wait_for(created, 1)] == ["user.created"]
        assert not subscription.closed
    assert subscription.closed
    client.auth.sign_up_email("G", unique_email("filter"), PASSWORD)
    time.sleep(0.2)
    assert len(created) == 1, "no delivery after close"


def test_client_close_ends_subscriptions(devserver: DevServer) -> None:
    client = Client(devserver.url)
    seen: list[AuthEvent] = []
    subscription = client.on("*", seen.append)
    client.close()
    assert subscription.closed
    client.auth.sign_up_email("H", unique_email("closed"), PASSWORD)
    time.sleep(0.2)
    assert seen == []


@pytest.mark.asyncio
async def test_async_client_events_reach_callbacks(devserver: DevServer) -> None:
    client = AsyncClient(devserver.url, api_key=devserver.admin_key)
    seen: list[AuthEvent] = []
    done = threading.Event()

    def record(event: AuthEvent) -> None:
        seen.append(event)
        done.set()

    with client.on(EventType.ADDON_CONFIG_UPDATED, record):
        await client.addons.save({"segment": True})
        assert done.wait(5)
    assert seen[0].data.addons is not None and seen[0].data.addons["segment"].enabled
    await client.addons.save({"segment": False})


def test_interpreter_exits_cleanly_with_live_subscriptions(devserver: DevServer) -> None:
    script = f"""
import banata_auth, uuid
client = banata_auth.Client({devserver.url!r})
seen = []
subscription = client.on("*", seen.append)
client.auth.sign_up_email("Z", f"exit-{{uuid.uuid4().hex}}@example.com", "correct horse battery staple")
print("signed up", flush=True)
"""
    finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30)
    assert finished.returncode == 0, finished.stderr
    assert "signed up" in finished.stdout
    assert "Fatal" not in finished.stderr and "panicked" not in finished.stderr


EXIT_WHILE_DELIVERING = """
import sys, time, uuid
import banata_auth
client = banata_auth.Client(sys.argv[1])
subscription = client.on("*", lambda event: time.sleep(0.05))
for _ in range(3):
    client.auth.sign_up_email("X", f"exit-{uuid.uuid4().hex[:10]}@example.com", sys.argv[2])
# Exits at once: events are still queued and a callback is running on the event thread.
"""


def test_exit_while_a_callback_runs_is_clean(devserver: DevServer) -> None:
    # Before the atexit hook waited for running callbacks, about one run in four aborted with
    # "Fatal Python error: PyGILState_Release"; eight runs would have caught it.
    for _ in range(8):
        run = subprocess.run(
            [sys.executable, "-c", EXIT_WHILE_DELIVERING, devserver.url, PASSWORD],
            capture_output=True, text=True, timeout=60,
        )
        assert run.returncode == 0 and "Fatal Python error" not in run.stderr, run.stderr


def test_a_dropped_subscription_unsubscribes(devserver: DevServer) -> None:
    client = Client(devserver.url)
    seen: list[AuthEvent] = []
    subscription = client.on("*", seen.append)
    native = subscription._native
    del subscription
    gc.collect()
    assert native.closed, "dropping the last reference closed it"
    client.auth.sign_up_email("D", unique_email("dropped"), PASSWORD)
    time.sleep(0.2)
    assert seen == []


def test_event_counters_are_exposed(devserver: DevServer) -> None:
    client = Client(devserver.url)
    seen: list[AuthEvent] = []
    with client.on("*", seen.append):
        client.auth.sign_up_email("S", unique_email("stats"), PASSWORD)
        wait_for(seen, 2)
    stats = client.event_stats()
    assert stats.delivered >= 2 and stats.dropped == 0 and stats.listener_panics == 0
