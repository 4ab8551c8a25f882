"""Typed auth events and subscriptions.

``client.on("user.created", callback)`` (or ``"*"`` for every event) calls ``callback(event)``
with an :class:`AuthEvent` for each event the client emits, in order, on the client's event
thread. Exceptions raised by a callback are logged through the ``banata_auth`` logger and never
reach the flow that emitted the event.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Mapping

from ._base import _Model, _time
from ._generated import AddonSettings

if TYPE_CHECKING:
    from types import TracebackType

    from ._native import NativeSubscription

__all__ = ["AuthEvent", "EventData", "EventType", "Subscription", "EventCallback"]

logger = logging.getLogger("banata_auth")


class EventType:
    """The documented event types. Types are open strings; these are the known ones."""

    USER_CREATED = "user.created"
    USER_UPDATED = "user.updated"
    USER_DELETED = "user.deleted"
    USER_BANNED = "user.banned"
    USER_UNBANNED = "user.unbanned"
    SESSION_CREATED = "session.created"
    SESSION_REVOKED = "session.revoked"
    PASSWORD_CHANGED = "password.changed"
    PASSWORD_RESET_REQUESTED = "password.reset_requested"
    PASSWORD_RESET = "password.reset"
    EMAIL_VERIFIED = "email.verified"
    ORGANIZATION_CREATED = "organization.created"
    ORGANIZATION_UPDATED = "organization.updated"
    ORGANIZATION_DELETED = "organization.deleted"
    MEMBER_ADDED = "member.added"
    MEMBER_REMOVED = "member.removed"
    MEMBER_ROLE_UPDATED = "member.role_updated"
    INVITATION_CREATED = "invitation.created"
    INVITATION_ACCEPTED = "invitation.accepted"
    INVITATION_REVOKED = "invitation.revoked"
    TWO_FACTOR_ENABLED = "two_factor.enabled"
    TWO_FACTOR_DISABLED = "two_factor.disabled"
    API_KEY_CREATED = "api_key.created"
    API_KEY_REVOKED = "api_key.revoked"
    ADDON_CONFIG_UPDATED = "addon_config.updated"
    ALL = "*"


def _rest(wire: Mapping[str, Any], known: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in wire.items() if k not in known}


_DATA_KEYS = ("userId", "email", "name", "sessionId", "method", "reason", "addons")


@dataclass(frozen=True, slots=True)
class EventData(_Model):
    """What an event is about. Never holds a password, session token or API key."""

    user_id: str | None = None
    email: str | None = None
    name: str | None = None
    session_id: str | None = None
    """The session's id (not its token)."""
    method: str | None = None
    """How the user authenticated, e.g. ``"password"``."""
    reason: str | None = None
    """Why a session began (``"sign_up"``, ``"sign_in"``) or ended (``"sign_out"``,
    ``"revoked"``, ``"revoked_others"``, ``"revoked_all"``)."""
    addons: dict[str, AddonSettings] | None = None
    """The add-on states a save applied (``addon_config.updated``)."""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any]) -> EventData:
        addons = wire.get("addons")
        return cls(
            user_id=wire.get("userId"),
            email=wire.get("email"),
            name=wire.get("name"),
            session_id=wire.get("sessionId"),
            method=wire.get("method"),
            reason=wire.get("reason"),
            addons=None
            if addons is None
            else {k: AddonSettings.from_wire(v) for k, v in addons.items()},
            extra=_rest(wire, _DATA_KEYS),
        )


@dataclass(frozen=True, slots=True)
class AuthEvent(_Model):
    """One auth event."""

    id: str
    """Unique id, ``evt_`` and 32 hex digits."""
    type: str
    """What happened, e.g. ``"user.created"`` (see :class:`EventType`)."""
    occurred_at: datetime
    data: EventData
    json: str = field(repr=False, compare=False, default="")
    """The event's stable JSON form, as the Rust core and the other bindings write it."""

    @classmethod
    def from_json(cls, document: str) -> AuthEvent:
        wire = json.loads(document)
        occurred_at = _time(wire["occurredAt"])
        assert occurred_at is not None
        return cls(
            id=wire["id"],
            type=wire["type"],
            occurred_at=occurred_at,
            data=EventData.from_wire(wire.get("data") or {}),
            json=document,
        )


EventCallback = Callable[[AuthEvent], Any]


def _dispatcher(callback: EventCallback) -> Callable[[str], None]:
    """Wraps a callback for the native event thread: builds the event, contains exceptions."""

    def dispatch(document: str) -> None:
        try:
            callback(AuthEvent.from_json(document))
        except Exception:
            logger.exception("an event callback raised; the event was still delivered to the others")

    return dispatch


class Subscription:
    """A callback's registration. ``close()``, leaving a ``with`` block, or dropping the last
    reference to it unsubscribes (as a dropped handle does in every other language), so keep it
    for as long as events should arrive."""

    __slots__ = ("_native", "event_type")

    def __init__(self, native: NativeSubscription, event_type: str) -> None:
        self._native = native
        self.event_type = event_type

    def close(self) -> None:
        """Stops delivery. Calling it again does nothing."""
        self._native.close()

    @property
    def closed(self) -> bool:
        return self._native.closed

    def __del__(self) -> None:
        try:
            self._native.close()
        except Exception:  # noqa: BLE001 - at interpreter exit the native side may be gone
            pass

    def __enter__(self) -> Subscription:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<Subscription {self.event_type!r} {state}>"
