"""Typed auth events and subscriptions.

``client.on("user.created", callback)`` (or ``"*"`` for every event) calls ``callback(event)``
with an :class:`AuthEvent` for each event the client emits, in order, on the client's event
thread. Exceptions raised by a callback are logged through the ``banata_auth`` logger and never
reach the flow that emitted the event.
"""

from __future__ import annotations

import json

from ._generated import AuthEvent, EventData

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import TracebackType
    from typing import Callable

    from ._native import NativeSubscription
    from ._types import EventCallback

__all__ = ["AuthEvent", "EventData", "EventType", "Subscription"]


class EventType:
    """The documented event types (the core's catalog). Types are open strings; these are the
    known ones."""

    # generated: event types
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
    INVITATION_REJECTED = "invitation.rejected"
    INVITATION_CANCELED = "invitation.canceled"
    ACCOUNT_LINKED = "account.linked"
    ACCOUNT_UNLINKED = "account.unlinked"
    TWO_FACTOR_ENABLED = "two_factor.enabled"
    TWO_FACTOR_DISABLED = "two_factor.disabled"
    API_KEY_CREATED = "api_key.created"
    API_KEY_REVOKED = "api_key.revoked"
    ADDON_CONFIG_UPDATED = "addon_config.updated"
    # end generated: event types
    ALL = "*"


def _dispatcher(callback: EventCallback) -> Callable[[str], None]:
    """Wraps a callback for the native event thread: builds the event, contains exceptions."""

    def dispatch(document: str) -> None:
        try:
            callback(AuthEvent.from_wire(json.loads(document)))
        except Exception:
            import logging  # only now: logging is a start-up cost most processes never need here

            logging.getLogger("banata_auth").exception(
                "an event callback raised; the event was still delivered to the others"
            )

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
