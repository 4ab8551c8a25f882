"""Session JWTs verified in the process: devserver tokens (the platform's RS256 tokens) and
Better Auth 1.7's jwt plugin, request headers from any framework, the FastAPI dependency and
the ASGI middleware over a real app, and bad tokens refused with their reason."""

from __future__ import annotations

import base64
import json
import time

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from starlette.requests import Request

import banata_auth
from banata_auth import AsyncClient, Client, InvalidTokenError, VerifiedSession
from banata_auth.asgi import SessionMiddleware, require_session

from .conftest import PASSWORD, DevServer, Peer, unique_email


def tamper(jwt: str) -> str:
    header, payload, signature = jwt.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_devserver_tokens_verify_from_any_headers(devserver: DevServer) -> None:
    client = Client(devserver.url)
    email = unique_email("py-jwt")
    user = client.auth.sign_up_email("Jo", email, PASSWORD).user
    token = client.auth.token().token
    backend = Client(devserver.url)
    verified = backend.verify_session_jwt(token)
    assert isinstance(verified, VerifiedSession) and verified.user_id == user.id
    assert verified.claims["email"] == email and verified.session_id
    for headers in (
        {"Authorization": f"Bearer {token}"},
        [("cookie", f"theme=dark; better-auth.convex_jwt={token}")],
        [(b"authorization", f"Bearer {token}".encode())],
    ):
        assert backend.authenticate(headers).user_id == user.id  # type: ignore[arg-type]
    for bad, code in ((tamper(token), "BAD_SIGNATURE"), ("junk", "MALFORMED_TOKEN")):
        with pytest.raises(InvalidTokenError) as refused:
            backend.verify_session_jwt(bad)
        assert refused.value.code == code and refused.value.kind == "invalid_token"
        assert token not in repr(refused.value)
    with pytest.raises(InvalidTokenError) as missing:
        backend.authenticate({})
    assert missing.value.code == "MISSING_TOKEN"
    with pytest.raises(TypeError):
        backend.verify_session_jwt(42)  # type: ignore[arg-type]


def test_bad_tokens_are_refused_with_their_reason(devserver: DevServer) -> None:
    client = Client(devserver.url)
    client.auth.sign_up_email("Ex", unique_email("py-bad-jwt"), PASSWORD)
    token = client.auth.token().token
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    now = int(time.time())

    def b64(value: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    cases: list[tuple[str, str]] = [
        (devserver.sign_jwt({**claims, "exp": now - 120}), "TOKEN_EXPIRED"),
        (devserver.sign_jwt({**claims, "nbf": now + 600}), "TOKEN_NOT_YET_VALID"),
        (devserver.sign_jwt({**claims, "aud": "another-app"}), "WRONG_AUDIENCE"),
        (devserver.sign_jwt({**claims, "iss": "https://elsewhere.example"}), "WRONG_ISSUER"),
        (f"{b64({'alg': 'none'})}.{b64(claims)}.", "ALGORITHM_NOT_ALLOWED"),
        (f"{b64({'alg': 'HS256'})}.{b64(claims)}.c2ln", "ALGORITHM_NOT_ALLOWED"),
    ]
    for bad, code in cases:
        with pytest.raises(InvalidTokenError) as refused:
            client.verify_session_jwt(bad)
        assert refused.value.code == code


def test_a_request_seen_before_is_answered_until_the_keys_change(devserver: DevServer) -> None:
    client = Client(devserver.url)
    client.auth.sign_up_email("Ro", unique_email("py-rotate"), PASSWORD)
    headers = {"authorization": f"Bearer {client.auth.token().token}"}
    backend = Client(devserver.url, jwt={"refetchCooldownSeconds": 0})
    first = backend.authenticate(headers)
    assert backend.authenticate(headers) == first
    devserver.rotate_keys()
    other = Client(devserver.url)
    other.auth.sign_up_email("Nu", unique_email("py-rotate-2"), PASSWORD)
    backend.verify_session_jwt(other.auth.token().token)
    with pytest.raises(InvalidTokenError) as refused:
        backend.authenticate(headers)
    assert refused.value.code == "UNKNOWN_KEY"


def test_fastapi_dependency_and_asgi_middleware(devserver: DevServer) -> None:
    client = Client(devserver.url)
    user = client.auth.sign_up_email("Fa", unique_email("py-guard"), PASSWORD).user
    token = client.auth.token().token
    banata = AsyncClient(devserver.url)

    app = FastAPI()
    current_session = require_session(banata)

    @app.get("/me")
    async def me(session: VerifiedSession = Depends(current_session)) -> dict[str, str]:
        return {"user": session.user_id}

    guarded = FastAPI()
    guarded.add_middleware(SessionMiddleware, client=banata, public_paths=("/health",))

    @guarded.get("/health")
    async def health() -> dict[str, bool]:
        return {"ok": True}

    @guarded.get("/who")
    async def who(request: Request) -> dict[str, str]:
        session: VerifiedSession = request.state.session
        return {"user": session.user_id}

    with TestClient(app) as http:
        ok = http.get("/me", headers={"authorization": f"Bearer {token}"})
        assert ok.status_code == 200 and ok.json() == {"user": user.id}
        refused = http.get("/me", headers={"authorization": f"Bearer {tamper(token)}"})
        assert refused.status_code == 401 and refused.json()["detail"]["code"] == "BAD_SIGNATURE"
        assert refused.headers["www-authenticate"] == "Bearer"
        assert http.get("/me").json()["detail"]["code"] == "MISSING_TOKEN"
    with TestClient(guarded) as http:
        assert http.get("/health").json() == {"ok": True}
        refused = http.get("/who")
        assert refused.status_code == 401 and refused.json()["code"] == "MISSING_TOKEN"
        ok = http.get("/who", cookies={"better-auth.convex_jwt": token})
        assert ok.status_code == 200 and ok.json() == {"user": user.id}


def test_better_auth_jwt_plugin_tokens(peer_1_7: Peer) -> None:
    client = Client(peer_1_7.url, jwt={"source": "jwt_plugin"})
    user = client.auth.sign_up_email("Pe", unique_email("py-peer-jwt"), PASSWORD).user
    token = client.auth.token().token
    assert client.verify_session_jwt(token).user_id == user.id
    strict = Client(peer_1_7.url, jwt={"source": "jwt_plugin", "audience": "another-app"})
    with pytest.raises(InvalidTokenError) as refused:
        strict.verify_session_jwt(token)
    assert refused.value.code == "WRONG_AUDIENCE"
    with pytest.raises(banata_auth.ConfigurationError):
        Client(peer_1_7.url, jwt={"source": "elsewhere"})


def test_the_session_fallback_asks_about_every_request(devserver: DevServer) -> None:
    user_client = Client(devserver.url)
    email = unique_email("py-fallback")
    user = user_client.auth.sign_up_email("Fay", email, PASSWORD).user
    session = user_client.session_token()
    assert session is not None
    backend = Client(devserver.url, jwt={"sessionFallback": True})
    headers = {"Authorization": f"Bearer {session}"}
    who = backend.authenticate(headers)
    assert (who.user_id, who.round_trip, who.claims["email"]) == (user.id, True, email)
    # Signed out, the same headers are refused: the earlier answer was not kept.
    user_client.auth.sign_out()
    with pytest.raises(InvalidTokenError) as ended:
        backend.authenticate(headers)
    assert ended.value.code == "UNKNOWN_SESSION"
    with pytest.raises(InvalidTokenError) as missing:
        Client(devserver.url).authenticate(headers)
    assert missing.value.code == "MISSING_TOKEN"


@pytest.mark.asyncio
async def test_the_session_fallback_asynchronously(devserver: DevServer) -> None:
    user_client = AsyncClient(devserver.url)
    user = (await user_client.auth.sign_up_email("Fay", unique_email("py-fallback-async"), PASSWORD)).user
    backend = AsyncClient(devserver.url, jwt={"sessionFallback": True})
    who = await backend.authenticate({"Authorization": f"Bearer {await user_client.session_token()}"})
    assert who.user_id == user.id and who.round_trip
