"""``Client`` (blocking) and ``AsyncClient`` (asyncio): the same surface, in snake_case.

Blocking calls release the GIL for the whole network call, so other Python threads keep running.
Async calls return awaitables bound to the running event loop. Both kinds of client are safe to
share between threads and coroutines, and keep working in a child process after ``os.fork()``
(the child gets its own connections and keeps the session token and the subscriptions).
"""

from __future__ import annotations

import json
import time
from typing import Any, Generic, TypeVar

from . import _native
from ._generated import EventBusStats, VerifiedSession, _AsyncResources, _Resources
from .events import Subscription, _dispatcher

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from types import TracebackType

    from ._types import AddonUpdate, EventCallback, RequestOptions, SessionStore


__all__ = ["Client", "AsyncClient", "CookieSession"]

_Client = TypeVar("_Client", bound="_BaseClient")


def _doc(document: str | None) -> Any:
    return None if document is None else json.loads(document)


def _credentials(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> tuple[list[list[str]], str]:
    """What the core reads of a request's headers (every ``Authorization`` and ``Cookie``), as
    ``[[name, value], ...]``, and a key made of them. Takes a mapping (Starlette, Django
    ``request.headers``, a WSGI-style dict) or pairs (Flask's ``request.headers`` iterates them;
    ASGI scopes give bytes)."""
    items = headers.items() if hasattr(headers, "items") else headers
    pairs: list[list[str]] = []
    for name, value in items:
        if isinstance(name, bytes):
            name = name.decode("latin-1")
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        if isinstance(name, str) and isinstance(value, str) and name.lower() in ("authorization", "cookie"):
            pairs.append([name.lower(), value])
    return pairs, "\n".join(f"{n}:{v}" for n, v in pairs)


# A request's answer is kept by its Authorization and Cookie headers: the same headers give the
# same answer while the core's keys are unchanged and the token has not expired (the core
# remembers verified tokens the same way; this only saves the call into it).
_VERIFIED_LIMIT = 10_000


class _VerifiedRequests:
    __slots__ = ("_known",)

    def __init__(self) -> None:
        self._known: dict[str, tuple[VerifiedSession, int, float]] = {}

    def recall(self, key: str, generation: int) -> VerifiedSession | None:
        known = self._known.get(key)
        if known is not None and known[1] == generation and time.time() < known[2]:
            return known[0]
        return None

    def keep(self, key: str, generation: int, session: VerifiedSession) -> None:
        if session.round_trip:
            # The server's answer about a session holds for that request only.
            return
        if len(self._known) >= _VERIFIED_LIMIT:
            self._known.clear()
        # Until the token's exp at most: past it, the core decides (with its clock skew).
        self._known[key] = (session, generation, session.expires_at.timestamp())


def _token_input(token: str) -> str:
    if not isinstance(token, str):
        raise TypeError("verify_session_jwt(token) takes the JWT as a str")
    return json.dumps({"token": token})


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
        ca_certificates: Sequence[str] | None = None,
        max_response_bytes: int | None = None,
        jwt: Mapping[str, Any] | None = None,
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
            allow_insecure_http: Allow plain http to a non-loopback host (never in production).
            ca_certificates: CA certificates (PEM) to trust besides the system's, e.g. a company
                proxy's. ``SSL_CERT_FILE``, ``HTTPS_PROXY`` and ``NO_PROXY`` are honoured too.
            max_response_bytes: Largest response body accepted (default 10 MiB).
            jwt: Session JWT settings: ``source`` (``"platform"``, the default: ``/convex/token``
                and ``/convex/jwks``, ``aud`` ``"convex"``; or ``"jwt_plugin"``, Better Auth's
                ``jwt()``), ``issuer``, ``audience``, ``clockSkewSeconds`` (default 30),
                ``refetchCooldownSeconds`` (default 30) and ``sessionFallback`` (default
                false: with it, :meth:`authenticate` asks the server about a request that has
                the session cookie but no JWT).
        """
        self._adopt(_native.NativeClient(
            base_url,
            api_key=api_key,
            timeout=timeout,
            max_retries=max_retries,
            initial_retry_delay=initial_retry_delay,
            headers=dict(headers) if headers else None,
            session_store=session_store,
            allow_insecure_http=allow_insecure_http,
            ca_certificates=list(ca_certificates) if ca_certificates else None,
            max_response_bytes=max_response_bytes,
            jwt=json.dumps(dict(jwt)) if jwt is not None else None,
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
        native = self._native.subscribe(event_type, _dispatcher(callback))
        return Subscription(native, event_type)

    def event_stats(self) -> EventBusStats:
        """Event delivery counters: delivered, dropped (the listeners' queue was full) and
        listener panics."""
        return EventBusStats.from_wire(json.loads(self._native.event_stats()))

    def with_session_store(self: _Client, session_store: SessionStore | None = None) -> _Client:
        """A client for another session: it shares this client's connections, API key, settings
        and event listeners (so one :class:`Forwarder` sees every user's events) and keeps its
        token in ``session_store`` (default: its own memory). Cheap enough to make one per
        request, with a store over the request's cookie."""
        derived = object.__new__(type(self))
        derived._adopt(self._native.with_session_store(session_store))
        return derived

    def with_cookie_session(
        self: _Client, cookie_header: str | None = None, *, secure: bool = True, domain: str | None = None
    ) -> CookieSession[_Client]:
        """A client for one browser request whose session lives in Better Auth's own cookies
        (``better-auth.session_token``, ``dont_remember``, ``convex_jwt``, the multi-session and
        two-factor cookies), from the request's ``Cookie`` header. Every cookie the server sets
        is relayed to :meth:`CookieSession.set_cookie_headers` for the answer, so the session is
        the one the hosted page and the ``better-auth`` browser client see. ``secure=False``
        for an app on plain http (a development machine); ``domain`` shares the cookies with
        subdomains."""
        if cookie_header is not None and not isinstance(cookie_header, str):
            raise TypeError("cookie_header must be the request's Cookie header (a str) or None")
        if not isinstance(secure, bool):
            raise TypeError("secure must be a bool")
        if domain is not None and not isinstance(domain, str):
            raise TypeError("domain must be a str")
        native, cookies = self._native.with_cookie_session(cookie_header, secure=secure, domain=domain)
        derived = object.__new__(type(self))
        derived._adopt(native)
        return CookieSession(derived, cookies)

    def _adopt(self, native: _native.NativeClient) -> None:
        self._native = native
        self._verified = _VerifiedRequests()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"


class CookieSession(Generic[_Client]):
    """One browser request's Better Auth cookies: :attr:`client` uses them, and the answer must
    set :meth:`set_cookie_headers` (one ``Set-Cookie`` header each; with Starlette,
    ``response.headers.append("set-cookie", line)``)."""

    __slots__ = ("client", "_native")

    def __init__(self, client: _Client, native: _native.NativeCookieSession) -> None:
        self.client = client
        self._native = native

    def set_cookie_headers(self) -> list[str]:
        """The ``Set-Cookie`` values the answer must carry (empty when nothing changed)."""
        return self._native.set_cookie_headers()

    def set_cookies(self) -> list[dict[str, Any]]:
        """The same cookies as fields (``name``, ``value`` as Better Auth writes it, ``path``,
        ``domain``, ``maxAge``, ``expires``, ``httpOnly``, ``secure``, ``sameSite``)."""
        fields: list[dict[str, Any]] = json.loads(self._native.set_cookies())
        return fields

    @property
    def has_session(self) -> bool:
        """Whether the browser holds a session token after this answer."""
        return self._native.has_session

    def __repr__(self) -> str:
        return f"CookieSession(client={self.client!r}, cookies={len(self.set_cookie_headers())} to set)"


class Client(_Resources, _BaseClient):
    """The blocking client.

    >>> client = Client("https://auth.example.com", api_key=os.environ["BANATA_API_KEY"])
    >>> client.auth.sign_in_email("ada@example.com", "correct horse battery")  # doctest: +SKIP
    >>> client.addons.save({"segment": {"enabled": True}})                       # doctest: +SKIP
    """

    def __init__(self, base_url: str | None = None, **options: Any) -> None:
        super().__init__(base_url, **options)

    def _adopt(self, native: _native.NativeClient) -> None:
        super()._adopt(native)
        self._attach_resources(native)

    def session_token(self) -> str | None:
        """The stored session token, if signed in."""
        doc: str | None = _doc(self._native.session_token())
        return doc

    def verify_session_jwt(self, token: str) -> VerifiedSession:
        """Verifies a session JWT locally (the key set is fetched once and cached for the
        process): signature, algorithm, ``exp``/``nbf``/``iat``, ``iss`` and ``aud``. Raises
        :class:`InvalidTokenError` whose ``code`` says why (``TOKEN_EXPIRED``,
        ``BAD_SIGNATURE``, ``UNKNOWN_KEY``, ...)."""
        raw = self._native.call("session.verify_jwt", _token_input(token))
        return VerifiedSession.from_wire(json.loads(raw))

    def authenticate(self, headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> VerifiedSession:
        """Who a request is for, from its headers: the session JWT in ``Authorization: Bearer``
        or the ``better-auth.convex_jwt`` cookie, verified locally; with ``sessionFallback``, a
        request with only the session cookie is answered by the server (``round_trip`` true;
        ``UNKNOWN_SESSION`` when it has ended). Raises :class:`InvalidTokenError`
        (``MISSING_TOKEN`` without one): answer 401."""
        pairs, key = _credentials(headers)
        generation = _native.keys_generation()
        known = self._verified.recall(key, generation)
        if known is not None:
            return known
        raw = self._native.call("session.authenticate", json.dumps({"headers": pairs}))
        session = VerifiedSession.from_wire(json.loads(raw))
        self._verified.keep(key, generation, session)
        return session

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


class AsyncClient(_AsyncResources, _BaseClient):
    """The asyncio client: every call returns an awaitable bound to the running loop.

    >>> async with AsyncClient("https://auth.example.com") as client:  # doctest: +SKIP
    ...     await client.auth.sign_in_email("ada@example.com", "correct horse battery")
    """

    def __init__(self, base_url: str | None = None, **options: Any) -> None:
        super().__init__(base_url, **options)

    def _adopt(self, native: _native.NativeClient) -> None:
        super()._adopt(native)
        self._attach_resources(native)

    async def verify_session_jwt(self, token: str) -> VerifiedSession:
        """:meth:`Client.verify_session_jwt`, awaitable."""
        raw = await self._native.call("session.verify_jwt", _token_input(token), asynchronous=True)
        return VerifiedSession.from_wire(json.loads(raw))

    async def authenticate(self, headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> VerifiedSession:
        """:meth:`Client.authenticate`, awaitable."""
        pairs, key = _credentials(headers)
        generation = _native.keys_generation()
        known = self._verified.recall(key, generation)
        if known is not None:
            return known
        raw = await self._native.call("session.authenticate", json.dumps({"headers": pairs}), asynchronous=True)
        session = VerifiedSession.from_wire(json.loads(raw))
        self._verified.keep(key, generation, session)
        return session

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
