"""The names that exist for type checkers: the session store protocol, per-call options, the
add-on update shape and the event callback. Imported on first use (``banata_auth.SessionStore``)
rather than with the package, because ``typing`` alone costs several milliseconds of start-up."""

from __future__ import annotations

from typing import Any, Callable, Mapping, Protocol, TypedDict

from ._generated import AddonSettings, AuthEvent

__all__ = ["SessionStore", "RequestOptions", "AddonUpdate", "EventCallback"]


class SessionStore(Protocol):
    """Where a client keeps the end user's session token (the default is process memory).

    Any object with these three plain methods works: a dict per server-side user, a signed
    cookie, a database row. They are called from the client's I/O threads with the GIL held.
    """

    def get(self) -> str | None: ...

    def set(self, token: str) -> None: ...

    def clear(self) -> None: ...


class RequestOptions(TypedDict, total=False):
    """Settings for one call; the ones not given fall back to the client's."""

    timeout: float
    """Seconds per attempt, covering the whole response."""
    max_retries: int
    """Retries after the first attempt."""
    idempotency_key: str
    """The ``Idempotency-Key`` every attempt of a POST sends (default: a new random key)."""
    headers: Mapping[str, str]
    """Extra headers for this call."""


AddonUpdate = Mapping[str, "Mapping[str, Any] | AddonSettings | bool"]
"""A partial add-on change: ``{"stripe": {"enabled": True}}`` (or ``{"stripe": True}``)."""

EventCallback = Callable[[AuthEvent], Any]
"""What ``client.on`` calls with each event."""
