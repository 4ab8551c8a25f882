"""The GIL is released during calls; a client keeps working in a forked child."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

from banata_auth import Client

from .conftest import PASSWORD, Answer, DevServer, Scripted, unique_email


def test_other_threads_run_while_a_call_waits(scripted: Callable[[Callable[[str, str], Answer]], Scripted]) -> None:
    slow = scripted(lambda m, p: Answer(200, '{"addons":{}}', delay=1.0))
    client = Client(slow.url, api_key="bnt_test_key")
    ticks = 0
    stop = threading.Event()

    def count() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            time.sleep(0.001)

    counter = threading.Thread(target=count)
    counter.start()
    started = time.monotonic()
    client.addons.get()
    elapsed = time.monotonic() - started
    stop.set()
    counter.join()
    assert elapsed >= 0.9
    # With the GIL held for the call the counter could not tick at all; with it released it
    # ticks about once a millisecond.
    assert ticks > 100, f"only {ticks} ticks in {elapsed:.2f} s"


def test_calls_from_many_threads(devserver: DevServer) -> None:
    client = Client(devserver.url, api_key=devserver.admin_key)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(20):
                client.addons.get()
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_client_works_in_a_forked_child(devserver: DevServer) -> None:
    client = Client(devserver.url, api_key=devserver.admin_key)
    email = unique_email("fork")
    client.auth.sign_up_email("Fo", email, PASSWORD)
    assert client.addons.get() is not None  # the parent's runtime and pool are in use
    derived = client.with_session_store()
    derived_email = unique_email("fork-derived")
    derived.auth.sign_up_email("Fd", derived_email, PASSWORD)

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        code = 1
        try:
            os.close(read)
            session = client.auth.get_session()
            config = client.addons.get()
            derived_session = derived.auth.get_session()
            ok = (
                session is not None and session.user.email == email and config is not None
                and derived_session is not None and derived_session.user.email == derived_email
            )
            os.write(write, b"ok" if ok else b"wrong answer")
            code = 0
        except BaseException as e:  # noqa: BLE001 - reported to the parent
            os.write(write, repr(e).encode()[:500])
        finally:
            os._exit(code)
    os.close(write)
    deadline = time.monotonic() + 20
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            raise AssertionError("the forked child hung")
        time.sleep(0.02)
    report = os.read(read, 1000)
    os.close(read)
    assert report == b"ok", report
    assert os.waitstatus_to_exitcode(status) == 0
    # And the parent still works.
    assert client.auth.get_session() is not None
