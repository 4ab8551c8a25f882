"""Fixtures: the devserver and the Better Auth peer as real processes on free loopback ports,
and a scripted HTTP server for error paths."""

from __future__ import annotations

import http.server
import json
import os
import queue
import subprocess
import threading
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"


def unique_email(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:12]}@example.com"


def _read_ready(process: subprocess.Popen[str], prefixes: tuple[str, ...], timeout: float) -> dict[str, str]:
    """Reads the process's stdout until every prefix was seen (on a thread, so it can time out)."""
    found: dict[str, str] = {}
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    while len(found) < len(prefixes):
        line = lines.get(timeout=timeout)
        if line is None:
            raise RuntimeError(f"process exited before printing {prefixes}: {process.wait()}")
        for prefix in prefixes:
            if line.startswith(prefix + " "):
                found[prefix] = line[len(prefix) + 1 :].split()[0]
    return found


@dataclass
class DevServer:
    url: str
    admin_key: str
    process: subprocess.Popen[str] = field(repr=False)

    def _request(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"authorization": f"Bearer {self.admin_key}", "content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
            return json.loads(raw) if raw else None

    def reset_token(self, email: str) -> str:
        token: str = self._request("GET", f"/__dev/password-reset-token?email={email}")["token"]
        return token

    def mailbox(self, to: str) -> list[dict[str, Any]]:
        mails: list[dict[str, Any]] = self._request("GET", f"/__dev/mailbox?to={urllib.parse.quote(to)}")["mails"]
        return mails

    def fault(self, script: dict[str, Any]) -> None:
        self._request("POST", "/__dev/faults", script)

    def create_api_key(self, permissions: list[str]) -> str:
        key: str = self._request("POST", "/__dev/api-keys", {"name": "test", "permissions": permissions})["key"]
        return key

    def sink_url(self, service: str) -> str:
        return f"{self.url}/__sinks/{service}"

    def clear_sinks(self) -> None:
        self._request("DELETE", "/__dev/sinks")

    def sink_requests(self, service: str) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = self._request("GET", f"/__dev/sinks?service={service}")["data"]
        return data

    def script_sink(self, service: str, answers: list[dict[str, Any]]) -> None:
        self._request("POST", f"/__dev/sinks/{service}/script", {"responses": answers})

    def rotate_keys(self) -> None:
        """New session-JWT keys; tokens signed with the old ones stop verifying."""
        self._request("POST", "/__dev/rotate-keys", {})

    def sign_jwt(self, claims: dict[str, Any]) -> str:
        """Any claims signed with the project's session-JWT key."""
        token: str = self._request("POST", "/__dev/sign-jwt", {"claims": claims})["token"]
        return token


def _devserver_binary() -> Path:
    configured = os.environ.get("BANATA_DEVSERVER_BIN")
    if configured:
        return Path(configured)
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    binary = target / "debug" / "banata-devserver"
    if not binary.exists():
        subprocess.run(["cargo", "build", "-q", "-p", "banata-devserver"], cwd=REPO, check=True)
    return binary


@pytest.fixture(scope="session")
def devserver() -> Iterator[DevServer]:
    process = subprocess.Popen(
        [str(_devserver_binary()), "--port", "0", "--no-email-verification", "--email-otp", "--magic-link"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        ready = _read_ready(process, ("READY", "ADMIN_API_KEY"), timeout=60)
        yield DevServer(url=ready["READY"], admin_key=ready["ADMIN_API_KEY"], process=process)
    finally:
        process.kill()
        process.wait()


@dataclass
class OidcProvider:
    """The loopback OpenID provider (tests/oidc-provider) with its test clients."""

    issuer: str

    def _post(self, path: str, data: bytes, content_type: str) -> Any:
        request = urllib.request.Request(
            self.issuer + path, data=data, method="POST", headers={"content-type": content_type}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def approve(self, url: str, login: str) -> str:
        """Plays the user at the provider: where it sends the browser back (code and state)."""
        answer = self._post("/__test/approve", json.dumps({"url": url, "login": login}).encode(), "application/json")
        location: str = answer["location"]
        return location

    def id_token(self, client: str, login: str, nonce: str) -> str:
        """What a native app gets from the provider's SDK (the provider runs the app's code flow)."""
        body = json.dumps({"client": client, "login": login, "nonce": nonce}).encode()
        token: str = self._post("/__test/id-token", body, "application/json")["id_token"]
        return token

    def devserver_args(self) -> list[str]:
        args = ["--trusted-origin", "myapp://"]
        for provider_id, client in (("oidc", "banata-app"), ("other", "other-app")):
            spec = f"id={provider_id},issuer={self.issuer},client-id={client},client-secret={client}-secret"
            args += ["--social-provider", spec]
        return args


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[OidcProvider]:
    process = subprocess.Popen(
        ["node", "server.mjs"],
        cwd=REPO / "tests" / "oidc-provider",
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        yield OidcProvider(issuer=_read_ready(process, ("READY",), timeout=30)["READY"])
    finally:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def social_devserver(oidc_provider: OidcProvider) -> Iterator[DevServer]:
    """A devserver offering the provider as `oidc` and `other`, trusting `myapp://`."""
    process = subprocess.Popen(
        [str(_devserver_binary()), "--port", "0", *oidc_provider.devserver_args()],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        ready = _read_ready(process, ("READY", "ADMIN_API_KEY"), timeout=60)
        yield DevServer(url=ready["READY"], admin_key=ready["ADMIN_API_KEY"], process=process)
    finally:
        process.kill()
        process.wait()


@dataclass
class Peer:
    """A real Better Auth server: 1.7.25, or 1.4.21 (the platform's version, configured like a
    managed project: e-mail verification required)."""

    url: str
    version: str

    @property
    def requires_verification(self) -> bool:
        return self.version == "1.4"

    def reset_token(self, email: str) -> str:
        with urllib.request.urlopen(f"{self.url}/__peer/reset-token?email={email}", timeout=10) as r:
            token: str = json.loads(r.read())["token"]
            return token

    def newest_mail(self, to: str) -> dict[str, str]:
        query = urllib.parse.urlencode({"to": to})
        with urllib.request.urlopen(f"{self.url}/__peer/mailbox?{query}", timeout=10) as r:
            mails: list[dict[str, str]] = json.loads(r.read())["mails"]
            return mails[-1]


def _start_peer(version: str) -> Iterator[Peer]:
    directory = REPO / "tests" / ("better-auth-peer-1.4" if version == "1.4" else "better-auth-peer")
    if not (directory / "node_modules" / "better-auth").is_dir():
        pytest.fail(f"the Better Auth {version} peer is not installed: run scripts/install.sh")
    process = subprocess.Popen(
        ["node", "server.mjs"],
        cwd=directory,
        env={**os.environ, "PEER_PORT": "0", "PEER_DB": "memory"},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        ready = _read_ready(process, ("READY",), timeout=60)
        yield Peer(url=ready["READY"], version=version)
    finally:
        process.kill()
        process.wait()


@pytest.fixture(scope="session", params=["1.4", "1.7"], ids=["better-auth-1.4", "better-auth-1.7"])
def peer(request: pytest.FixtureRequest) -> Iterator[Peer]:
    """Each Better Auth version in turn."""
    yield from _start_peer(request.param)


@pytest.fixture(scope="session")
def peer_1_7() -> Iterator[Peer]:
    """Better Auth 1.7 alone: the peer with the two-factor plugin."""
    yield from _start_peer("1.7")


@dataclass
class Answer:
    status: int
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class Scripted:
    """A loopback HTTP server answering from a script; records what it received."""

    def __init__(self, answer: Callable[[str, str], Answer]) -> None:
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        scripted = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                if length:
                    self.rfile.read(length)
                scripted.requests.append((self.command, self.path, dict(self.headers)))
                reply = answer(self.command, self.path)
                if reply.delay:
                    threading.Event().wait(reply.delay)
                body = reply.body.encode()
                self.send_response(reply.status)
                if body:
                    self.send_header("content-type", "application/json")
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:
                    pass

            do_GET = _handle
            do_POST = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def scripted() -> Iterator[Callable[[Callable[[str, str], Answer]], Scripted]]:
    servers: list[Scripted] = []

    def start(answer: Callable[[str, str], Answer]) -> Scripted:
        server = Scripted(answer)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()
