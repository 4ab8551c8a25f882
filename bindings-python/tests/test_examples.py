"""The Python examples run: the FastAPI app through a real uvicorn server, and the script."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from banata_auth import Client

from .conftest import PASSWORD, REPO, DevServer, unique_email

EXAMPLES = REPO / "examples" / "python"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_fastapi_app_on_uvicorn(devserver: DevServer) -> None:
    email = unique_email("fastapi")
    Client(devserver.url).auth.sign_up_email("Fa", email, PASSWORD)
    Client(devserver.url, api_key=devserver.admin_key).addons.save({"segment": True})
    port = free_port()
    env = {**os.environ, "BANATA_BASE_URL": devserver.url, "BANATA_API_KEY": devserver.admin_key}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "fastapi_app:app", "--port", str(port), "--log-level", "warning"],
        cwd=EXAMPLES,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(base + "/docs", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("uvicorn did not start")
                time.sleep(0.1)
        with httpx.Client(base_url=base) as browser:
            assert browser.get("/me").status_code == 401
            wrong = browser.post("/sign-in", json={"email": email, "password": "nope"})
            assert wrong.status_code == 401
            signed_in = browser.post("/sign-in", json={"email": email, "password": PASSWORD})
            assert signed_in.status_code == 200, signed_in.text
            assert signed_in.json()["user"]["email"] == email
            me = browser.get("/me").json()
            assert me["user"]["email"] == email and me["session"]["user_id"] == me["user"]["id"]
            assert "." not in (browser.cookies.get("sid") or ""), "the Banata token stays server-side"
            addons = browser.get("/addons").json()
            assert "segment" in addons["enabled"]
            assert browser.post("/sign-out").json() == {"signed_out": True}
            assert browser.get("/me").status_code == 401
    finally:
        server.terminate()
        server.wait(10)


@pytest.mark.parametrize("own_devserver", [True, False], ids=["its-own-devserver", "BANATA_BASE_URL"])
def test_quickstart_script(devserver: DevServer, own_devserver: bool) -> None:
    # On its own devserver (the platform's defaults) the quickstart verifies the address; the
    # suite's devserver signs users in at sign-up.
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANATA_")}
    if not own_devserver:
        env |= {"BANATA_BASE_URL": devserver.url, "BANATA_API_KEY": devserver.admin_key}
    run = subprocess.run([sys.executable, str(EXAMPLES / "quickstart.py")], env=env, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    expected = ["sign-up", "sign-in", "session", "saved      ['segment'", "sign-out", '"type":"user.created"']
    if own_devserver:
        expected += ["verify     e-mail verified: True", '"type":"email.verified"']
    for line in expected:
        assert line in run.stdout


def test_two_factor_example() -> None:
    run = subprocess.run([sys.executable, str(EXAMPLES / "two_factor.py")], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr
    for line in ("enable     authenticator URI and 10 backup codes issued", "confirm    two-factor on: True",
                 "sign-in    a second factor is required", "verify     signed in as ada-", "session    "):
        assert line in run.stdout
    assert "otpauth" not in run.stdout, "the secret is never printed"
