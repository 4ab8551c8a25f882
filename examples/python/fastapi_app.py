"""A FastAPI app that signs users in and reads their session and the add-on configuration
through `banata_auth.AsyncClient`.

One AsyncClient per process holds the connections and the API key; each request derives a
client from it with `with_session_store` (microseconds, no new connections) whose store is the
browser session's (here a dict keyed by a cookie; use Redis or your framework's encrypted
session in production), so the Banata session token never reaches the browser.

    BANATA_BASE_URL=http://127.0.0.1:4000 BANATA_API_KEY=... uvicorn fastapi_app:app
"""

from __future__ import annotations

import os
import secrets
from functools import cache
from typing import Any

from fastapi import Cookie, FastAPI, HTTPException, Response
from pydantic import BaseModel

import banata_auth

app = FastAPI(title="Banata Auth + FastAPI example")

# Server-side token storage per browser session id. A real app would use Redis or a database.
_TOKENS: dict[str, str] = {}


class CookieStore:
    """A `banata_auth.SessionStore` that keeps the token server-side under a browser session id."""

    def __init__(self, session_id: str) -> None:
        self.session_id = session_id

    def get(self) -> str | None:
        return _TOKENS.get(self.session_id)

    def set(self, token: str) -> None:
        _TOKENS[self.session_id] = token

    def clear(self) -> None:
        _TOKENS.pop(self.session_id, None)


@cache
def project() -> banata_auth.AsyncClient:
    """The process's client: connections, API key and event listeners live here."""
    return banata_auth.AsyncClient(os.environ["BANATA_BASE_URL"], api_key=os.environ.get("BANATA_API_KEY"))


def banata(session_id: str | None) -> banata_auth.AsyncClient:
    """A client for one browser session's user."""
    return project().with_session_store(CookieStore(session_id or ""))


class SignIn(BaseModel):
    email: str
    password: str


@app.post("/sign-in")
async def sign_in(body: SignIn, response: Response) -> dict[str, Any]:
    session_id = secrets.token_urlsafe(24)
    try:
        result = await banata(session_id).auth.sign_in_email(body.email, body.password)
    except banata_auth.AuthenticationError as e:
        raise HTTPException(status_code=401, detail=e.message) from e
    if not isinstance(result, banata_auth.SignedIn):
        # e.g. VerificationRequired: the address must be verified before the first sign-in.
        raise HTTPException(status_code=403, detail=f"sign-in is not complete: {result.status}")
    response.set_cookie("sid", session_id, httponly=True, samesite="lax")
    return {"user": result.user.to_dict()}


@app.get("/me")
async def me(sid: str | None = Cookie(default=None)) -> dict[str, Any]:
    current = await banata(sid).auth.get_session()
    if current is None:
        raise HTTPException(status_code=401, detail="not signed in")
    return current.to_dict()


@app.get("/addons")
async def addons() -> dict[str, Any]:
    config = await project().addons.get()
    return {"enabled": config.enabled_ids, "config": config.to_dict()}


@app.post("/sign-out")
async def sign_out(response: Response, sid: str | None = Cookie(default=None)) -> dict[str, bool]:
    await banata(sid).auth.sign_out()
    response.delete_cookie("sid")
    return {"signed_out": True}
