"""``Client`` (blocking) and ``AsyncClient`` (asyncio): the same surface, in snake_case.

Blocking calls release the GIL for the whole network call, so other Python threads keep running.
Async calls return awaitables bound to the running event loop. Both kinds of client are safe to
share between threads and coroutines, and keep working in a child process after ``os.fork()``
(the child gets its own connections and keeps the session token and the subscriptions).
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any, Mapping, Protocol, TypeVar

from . import _native
from .events import EventCallback, Subscription, _dispatcher
from .models import (
    AddonConfig,
    AddonSettings,
    AuthResult,
    PasswordResetRequested,
    Session,
    SessionWithUser,
)

if TYPE_CHECKING:
    from types import TracebackType

__all__ = ["Client", "AsyncClient", "SessionStore", "AddonUpdate"]


class SessionStore(Protocol):
    """Where a client keeps the end user's session token (the default is process memory).

    Any object with these three plain methods works: a dict per server-side user, a signed
    cookie, a database row. They are called from the client's I/O threads with the GIL held.
    """

    def get(self) -> str | None: ...

    def set(self, token: str) -> None: ...

    def clear(self) -> None: ...


AddonUpdate = Mapping[str, "Mapping[str, Any] | AddonSettings | bool"]
"""A partial add-on change: ``{"stripe": {"enabled": True}}`` (or ``{"stripe": True}``)."""


def _update_json(update: AddonUpdate) -> str:
    if not isinstance(update, Mapping):
        raise TypeError(f"expected a mapping of add-on id to settings, got {type(update).__name__}")
    addons: dict[str, Any] = {}
    for addon_id, settings in update.items():
        if not isinstance(addon_id, str) or not addon_id:
            raise TypeError(f"add-on ids are non-empty strings, got {addon_id!r}")
        if isinstance(settings, bool):
            addons[addon_id] = {"enabled": settings}
        elif isinstance(settings, AddonSettings):
            addons[addon_id] = settings.to_wire()
        elif isinstance(settings, Mapping):
            addons[addon_id] = dict(settings)
        else:
            raise TypeError(
                f"settings for {addon_id!r} must be a mapping like {{'enabled': True}}, "
                f"got {type(settings).__name__}"
            )
    return json.dumps({"addons": addons})


def _doc(document: str | None) -> Any:
    return None if document is None else json.loads(document)


def _native_client(
    base_url: str | None,
    api_key: str | None,
    timeout: float | None,
    max_retries: int | None,
    initial_retry_delay: float | None,
    headers: Mapping[str, str] | None,
    session_store: SessionStore | None,
    allow_insecure_http: bool,
) -> _native.NativeClient:
    base_url = base_url or os.environ.get("BANATA_BASE_URL")
    if not base_url:
        raise ValueError("base_url is required (or set BANATA_BASE_URL)")
    if api_key is None:
        api_key = os.environ.get("BANATA_API_KEY") or None
    return _native.NativeClient(
        base_url,
        api_key=api_key,
        timeout=timeout,
        max_retries=max_retries,
        initial_retry_delay=initial_retry_delay,
        headers=dict(headers) if headers else None,
        session_store=session_store,
        allow_insecure_http=allow_insecure_http,
    )


_Client = TypeVar("_Client", bound="_BaseClient")


class _BaseClient:
    def __init__(
        self,
        base_url: str | None = None,
        *,
        api_key: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        initial_retry_delay: float | None = None,
        headers: Mapping[str, str] | None = None,
        session_store: SessionStore | None = None,
        allow_insecure_http: bool = False,
    ) -> None:
        """Creates a client.

        Args:
            base_url: The Banata deployment, e.g. ``"https://auth.example.com"``; defaults to
                ``BANATA_BASE_URL``. Must be ``https://`` unless the host is loopback or
                ``allow_insecure_http`` is set.
            api_key: The project API key, needed for the add-on configuration; defaults to
                ``BANATA_API_KEY``. Never shown by ``repr()``, logs or errors.
            timeout: Seconds per attempt, covering the whole response (default 30).
            max_retries: Retries of 408/429/5xx, timeouts and connection failures (default 3).
            initial_retry_delay: Seconds before the first retry (default 0.2, doubling).
            headers: Extra headers for every request.
            session_store: Where to keep the session token (default: process memory).
        """
        self._adopt(_native_client(
            base_url, api_key, timeout, max_retries, initial_retry_delay, headers,
            session_store, allow_insecure_http,
        ))

    @property
    def base_url(self) -> str:
        return self._native.base_url

    def on(self, event_type: str, callback: EventCallback) -> Subscription:
        """Calls ``callback(event)`` for each event of ``event_type`` (``"*"`` for all), in order,
        on the client's event thread. Returns a :class:`Subscription`; ``close()`` it (or use it
        as a context manager) to stop. What the callback raises is logged, never raised."""
        if not callable(callback):
            raise TypeError("callback must be callable")
        native = self._native.subscribe(None if event_type == "*" else event_type, _dispatcher(callback))
        return Subscription(native, event_type)

    def with_session_store(self: _Client, session_store: SessionStore | None = None) -> _Client:
        """A client for another session: it shares this client's connections, API key, settings
        and event listeners (so one :class:`Forwarder` sees every user's events) and keeps its
        token in ``session_store`` (default: its own memory). Cheap enough to make one per
        request, with a store over the request's cookie."""
        derived = object.__new__(type(self))
        derived._adopt(self._native.with_session_store(session_store))
        return derived

    def _adopt(self, native: _native.NativeClient) -> None:
        self._native = native

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"


class Auth:
    """``client.auth``: sign-up, sign-in and the session flows (blocking)."""

    __slots__ = ("_native",)

    def __init__(self, native: _native.NativeAuth) -> None:
        self._native = native

    def sign_up_email(
        self,
        name: str,
        email: str,
        password: str,
        *,
        image: str | None = None,
        callback_url: str | None = None,
        remember_me: bool | None = None,
    ) -> AuthResult:
        """Creates an account; the new session's token goes to the session store."""
        doc = self._native.sign_up_email(
            name, email, password, image=image, callback_url=callback_url, remember_me=remember_me
        )
        return AuthResult.from_wire(_doc(doc))

    def sign_in_email(
        self,
        email: str,
        password: str,
        *,
        remember_me: bool | None = None,
        callback_url: str | None = None,
    ) -> AuthResult:
        """Signs in; ``remember_me=False`` makes the session end with the browser session."""
        doc = self._native.sign_in_email(
            email, password, remember_me=remember_me, callback_url=callback_url
        )
        return AuthResult.from_wire(_doc(doc))

    def get_session(self) -> SessionWithUser | None:
        """The current session and user, or ``None`` when signed out or expired."""
        doc = _doc(self._native.get_session())
        return None if doc is None else SessionWithUser.from_wire(doc)

    def list_sessions(self) -> list[Session]:
        """The user's active sessions."""
        return [Session.from_wire(s) for s in _doc(self._native.list_sessions())]

    def revoke_session(self, token: str) -> None:
        """Revokes one session by its token (``Session.token``)."""
        self._native.revoke_session(token)

    def revoke_other_sessions(self) -> None:
        """Revokes every session but the current one."""
        self._native.revoke_other_sessions()

    def revoke_sessions(self) -> None:
        """Revokes every session, the current one included."""
        self._native.revoke_sessions()

    def sign_out(self) -> None:
        """Ends the current session and forgets its token."""
        self._native.sign_out()

    def update_user(self, *, name: str | None = None, image: str | None = None) -> None:
        """Changes the signed-in user's profile; fields left ``None`` stay as they are."""
        self._native.update_user(name=name, image=image)

    def change_password(
        self, current_password: str, new_password: str, *, revoke_other_sessions: bool | None = None
    ) -> AuthResult:
        """Changes the password; with ``revoke_other_sessions`` the other sessions end."""
        doc = self._native.change_password(
            current_password, new_password, revoke_other_sessions=revoke_other_sessions
        )
        return AuthResult.from_wire(_doc(doc))

    def request_password_reset(
        self, email: str, *, redirect_to: str | None = None
    ) -> PasswordResetRequested:
        """Asks the server to e-mail a reset link."""
        doc = self._native.request_password_reset(email, redirect_to=redirect_to)
        return PasswordResetRequested.from_wire(_doc(doc))

    def reset_password(self, token: str, new_password: str) -> None:
        """Sets a new password with the token from a reset link."""
        self._native.reset_password(token, new_password)


class Addons:
    """``client.addons``: the project's add-on configuration (blocking; needs the API key)."""

    __slots__ = ("_native",)

    def __init__(self, native: _native.NativeAddons) -> None:
        self._native = native

    def get(self) -> AddonConfig:
        """The configuration; an add-on that is absent is disabled."""
        return AddonConfig.from_wire(_doc(self._native.get()))

    def save(self, update: AddonUpdate) -> AddonConfig:
        """Merges ``update`` per add-on id (ids not named stay as they are) and returns the result."""
        return AddonConfig.from_wire(_doc(self._native.save(_update_json(update))))


class Client(_BaseClient):
    """The blocking client.

    >>> client = Client("https://auth.example.com", api_key=os.environ["BANATA_API_KEY"])
    >>> client.auth.sign_in_email("ada@example.com", "correct horse battery")  # doctest: +SKIP
    >>> client.addons.save({"segment": {"enabled": True}})                       # doctest: +SKIP
    """

    def __init__(self, base_url: str | None = None, **options: Any) -> None:
        super().__init__(base_url, **options)

    def _adopt(self, native: _native.NativeClient) -> None:
        super()._adopt(native)
        self.auth = Auth(native.auth)
        self.addons = Addons(native.addons)

    def session_token(self) -> str | None:
        """The stored session token, if signed in."""
        doc: str | None = _doc(self._native.session_token())
        return doc

    def close(self) -> None:
        """Closes every subscription of this client. Calls still work afterwards."""
        self._native.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncAuth:
    """``client.auth`` of :class:`AsyncClient`: the same flows as awaitables."""

    __slots__ = ("_native",)

    def __init__(self, native: _native.NativeAuth) -> None:
        self._native = native

    async def sign_up_email(
        self,
        name: str,
        email: str,
        password: str,
        *,
        image: str | None = None,
        callback_url: str | None = None,
        remember_me: bool | None = None,
    ) -> AuthResult:
        doc = await self._native.sign_up_email(
            name, email, password, image=image, callback_url=callback_url,
            remember_me=remember_me, asynchronous=True,
        )
        return AuthResult.from_wire(_doc(doc))

    async def sign_in_email(
        self,
        email: str,
        password: str,
        *,
        remember_me: bool | None = None,
        callback_url: str | None = None,
    ) -> AuthResult:
        doc = await self._native.sign_in_email(
            email, password, remember_me=remember_me, callback_url=callback_url, asynchronous=True
        )
        return AuthResult.from_wire(_doc(doc))

    async def get_session(self) -> SessionWithUser | None:
        doc = _doc(await self._native.get_session(asynchronous=True))
        return None if doc is None else SessionWithUser.from_wire(doc)

    async def list_sessions(self) -> list[Session]:
        return [Session.from_wire(s) for s in _doc(await self._native.list_sessions(asynchronous=True))]

    async def revoke_session(self, token: str) -> None:
        await self._native.revoke_session(token, asynchronous=True)

    async def revoke_other_sessions(self) -> None:
        await self._native.revoke_other_sessions(asynchronous=True)

    async def revoke_sessions(self) -> None:
        await self._native.revoke_sessions(asynchronous=True)

    async def sign_out(self) -> None:
        await self._native.sign_out(asynchronous=True)

    async def update_user(self, *, name: str | None = None, image: str | None = None) -> None:
        await self._native.update_user(name=name, image=image, asynchronous=True)

    async def change_password(
        self, current_password: str, new_password: str, *, revoke_other_sessions: bool | None = None
    ) -> AuthResult:
        doc = await self._native.change_password(
            current_password, new_password, revoke_other_sessions=revoke_other_sessions,
            asynchronous=True,
        )
        return AuthResult.from_wire(_doc(doc))

    async def request_password_reset(
        self, email: str, *, redirect_to: str | None = None
    ) -> PasswordResetRequested:
        doc = await self._native.request_password_reset(
            email, redirect_to=redirect_to, asynchronous=True
        )
        return PasswordResetRequested.from_wire(_doc(doc))

    async def reset_password(self, token: str, new_password: str) -> None:
        await self._native.reset_password(token, new_password, asynchronous=True)


class AsyncAddons:
    """``client.addons`` of :class:`AsyncClient`."""

    __slots__ = ("_native",)

    def __init__(self, native: _native.NativeAddons) -> None:
        self._native = native

    async def get(self) -> AddonConfig:
        return AddonConfig.from_wire(_doc(await self._native.get(asynchronous=True)))

    async def save(self, update: AddonUpdate) -> AddonConfig:
        document = _update_json(update)
        return AddonConfig.from_wire(_doc(await self._native.save(document, asynchronous=True)))


class AsyncClient(_BaseClient):
    """The asyncio client: every call returns an awaitable bound to the running loop.

    >>> async with AsyncClient("https://auth.example.com") as client:  # doctest: +SKIP
    ...     await client.auth.sign_in_email("ada@example.com", "correct horse battery")
    """

    def __init__(self, base_url: str | None = None, **options: Any) -> None:
        super().__init__(base_url, **options)

    def _adopt(self, native: _native.NativeClient) -> None:
        super()._adopt(native)
        self.auth = AsyncAuth(native.auth)
        self.addons = AsyncAddons(native.addons)

    async def session_token(self) -> str | None:
        doc: str | None = _doc(await self._native.session_token(asynchronous=True))
        return doc

    async def aclose(self) -> None:
        """Closes every subscription of this client. Calls still work afterwards."""
        self._native.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
