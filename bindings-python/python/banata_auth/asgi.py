"""Request guards for ASGI apps (FastAPI, Starlette): who a request is for, from its session JWT,
verified in the process without asking the server.

FastAPI, as a dependency::

    from banata_auth import AsyncClient, VerifiedSession
    from banata_auth.asgi import require_session

    banata = AsyncClient("https://auth.example.com")
    current_session = require_session(banata)

    @app.get("/me")
    async def me(session: VerifiedSession = Depends(current_session)) -> dict[str, str]:
        return {"user": session.user_id}

Any ASGI app, as middleware (the session lands in ``scope["state"]["session"]``, i.e.
``request.state.session`` in Starlette)::

    app.add_middleware(SessionMiddleware, client=banata, public_paths=("/health",))

Django and Flask: ``client.authenticate(request.headers)`` with the blocking :class:`Client`.
"""

from __future__ import annotations

import json

from .client import AsyncClient
from .errors import InvalidTokenError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable, MutableMapping
    from typing import Any

    from ._generated import VerifiedSession

__all__ = ["SessionMiddleware", "require_session", "unauthorized_body"]


def unauthorized_body(error: InvalidTokenError) -> dict[str, str | None]:
    """The 401 answer's body: the reason's code and message (never the token)."""
    return {"code": error.code, "message": str(error)}


def require_session(client: AsyncClient) -> Callable[[Any], Awaitable[VerifiedSession]]:
    """A FastAPI dependency giving the request's :class:`VerifiedSession`, or raising
    ``HTTPException(401)`` with ``{code, message}`` and ``WWW-Authenticate: Bearer``."""
    if not isinstance(client, AsyncClient):
        raise TypeError("require_session(client) takes an AsyncClient")
    from fastapi import HTTPException, Request

    async def current_session(request: Request) -> VerifiedSession:
        try:
            return await client.authenticate(request.headers)
        except InvalidTokenError as error:
            raise HTTPException(
                status_code=401,
                detail=unauthorized_body(error),
                headers={"WWW-Authenticate": "Bearer"},
            ) from None

    # FastAPI reads the parameter's type to inject the request; with postponed annotations it
    # would be the string "Request", unresolvable from this module's globals.
    current_session.__annotations__["request"] = Request
    return current_session


class SessionMiddleware:
    """ASGI middleware: every HTTP request outside ``public_paths`` (exact paths, or prefixes
    ending in ``/``) must carry a valid session JWT; it is put in ``scope["state"]["session"]``,
    else the answer is 401 with ``{code, message}``."""

    def __init__(self, app: Any, client: AsyncClient, public_paths: Iterable[str] = ()) -> None:
        if not isinstance(client, AsyncClient):
            raise TypeError("SessionMiddleware takes client=AsyncClient(...)")
        self.app = app
        self.client = client
        self.public_paths = tuple(public_paths)

    def _public(self, path: str) -> bool:
        return any(path == p or (p.endswith("/") and path.startswith(p)) for p in self.public_paths)

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[MutableMapping[str, Any]]],
        send: Callable[[MutableMapping[str, Any]], Awaitable[None]],
    ) -> None:
        if scope.get("type") != "http" or self._public(str(scope.get("path", ""))):
            await self.app(scope, receive, send)
            return
        try:
            session = await self.client.authenticate(scope.get("headers", []))
        except InvalidTokenError as error:
            body = json.dumps(unauthorized_body(error)).encode()
            await send({
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"www-authenticate", b"Bearer"),
                    (b"content-length", str(len(body)).encode()),
                ],
            })
            await send({"type": "http.response.body", "body": body})
            return
        scope.setdefault("state", {})["session"] = session
        await self.app(scope, receive, send)
