"""Sessions in the browser's own cookies (``with_cookie_session``), one request at a time as a
server sees them: the answer's cookies are Better Auth's, the next request's cookies are that
session (for the server too), sign-out ends them, and bad arguments raise ``TypeError``."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from http.cookies import SimpleCookie

import pytest

from banata_auth import AsyncClient, Client, CookieSession

from .conftest import PASSWORD, DevServer, unique_email


class Browser:
    """A cookie jar: takes an answer's ``Set-Cookie`` values, gives the next ``Cookie`` header."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def take(self, lines: list[str]) -> None:
        for line in lines:
            parsed = SimpleCookie()
            parsed.load(line)
            for name, morsel in parsed.items():
                if morsel.value == "" or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def header(self) -> str | None:
        return "; ".join(f"{n}={v}" for n, v in self.cookies.items()) or None


def test_a_sign_in_in_cookies_is_the_servers_session(devserver: DevServer) -> None:
    project = Client(devserver.url)
    email = unique_email("py-cookies")
    browser = Browser()

    first = project.with_cookie_session(None, secure=False)
    assert isinstance(first, CookieSession) and isinstance(first.client, Client)
    first.client.auth.sign_up_email("Cookie", email, PASSWORD)
    lines = first.set_cookie_headers()
    session_line = next(line for line in lines if line.startswith("better-auth.session_token="))
    assert "HttpOnly" in session_line and "Secure" not in session_line
    assert first.has_session
    fields = {c["name"]: c for c in first.set_cookies()}
    assert fields["better-auth.session_token"]["httpOnly"] is True
    assert fields["better-auth.convex_jwt"]["maxAge"] > 0
    assert "cookies=" in repr(first) and session_line.split("=")[1] not in repr(first)
    browser.take(lines)

    second = project.with_cookie_session(f"theme=dark; {browser.header()}", secure=False)
    current = second.client.auth.get_session()
    assert current is not None and current.user.email == email
    request = urllib.request.Request(f"{devserver.url}/api/auth/get-session", headers={"cookie": browser.header() or ""})
    with urllib.request.urlopen(request) as answer:
        assert json.loads(answer.read())["session"]["id"] == current.session.id

    third = project.with_cookie_session(browser.header(), secure=False)
    third.client.auth.sign_out()
    assert not third.has_session
    browser.take(third.set_cookie_headers())
    assert not [n for n in browser.cookies if n.endswith((".session_token", ".convex_jwt"))]
    assert project.with_cookie_session(browser.header(), secure=False).client.auth.get_session() is None


def test_async_clients_get_async_cookie_sessions(devserver: DevServer) -> None:
    async def flow() -> None:
        project = AsyncClient(devserver.url)
        answer = project.with_cookie_session(None, domain="example.com")
        assert isinstance(answer.client, AsyncClient)
        await answer.client.auth.sign_up_email("Async", unique_email("py-async-cookies"), PASSWORD)
        line = next(v for v in answer.set_cookie_headers() if v.startswith("__Secure-better-auth.session_token="))
        assert "Secure" in line and "Domain=example.com" in line
        again = project.with_cookie_session(line.split(";")[0])
        assert (await again.client.auth.get_session()) is not None

    asyncio.run(flow())


def test_bad_arguments_raise_type_errors(devserver: DevServer) -> None:
    project = Client(devserver.url)
    with pytest.raises(TypeError):
        project.with_cookie_session(b"a=b")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        project.with_cookie_session(None, secure="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        project.with_cookie_session(None, domain=1)  # type: ignore[arg-type]
