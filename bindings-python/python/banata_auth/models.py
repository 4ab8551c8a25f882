"""Users, sessions, the answers of the auth flows, and the add-on configuration.

Models are frozen dataclasses. Timestamps are timezone-aware :class:`datetime.datetime` objects
in UTC (the server may send epoch milliseconds or ISO strings; both arrive as ``datetime``).
Fields the server sends that this version does not model are kept in ``extra``. ``to_dict()``
gives a JSON-ready dict with snake_case keys and ISO 8601 timestamps. Session tokens are left out
of ``repr()``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Mapping

__all__ = [
    "User",
    "Session",
    "SessionWithUser",
    "AuthResult",
    "PasswordResetRequested",
    "AddonSettings",
    "AddonConfig",
    "AddonId",
]


def _time(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value / 1000, tz=timezone.utc)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _rest(wire: Mapping[str, Any], known: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in wire.items() if k not in known}


class _Model:
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: snake_case keys, ISO 8601 timestamps."""
        plain: dict[str, Any] = _plain(self)
        return plain


_USER_KEYS = (
    "id", "email", "name", "emailVerified", "image", "username", "role", "banned",
    "createdAt", "updatedAt",
)


@dataclass(frozen=True, slots=True)
class User(_Model):
    """A user account."""

    id: str
    email: str | None = None
    name: str | None = None
    email_verified: bool | None = None
    image: str | None = None
    username: str | None = None
    role: str | None = None
    """Comma-joined role names, e.g. ``"user"`` or ``"admin,super_admin"``."""
    banned: bool | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any]) -> User:
        return cls(
            id=wire["id"],
            email=wire.get("email"),
            name=wire.get("name"),
            email_verified=wire.get("emailVerified"),
            image=wire.get("image"),
            username=wire.get("username"),
            role=wire.get("role"),
            banned=wire.get("banned"),
            created_at=_time(wire.get("createdAt")),
            updated_at=_time(wire.get("updatedAt")),
            extra=_rest(wire, _USER_KEYS),
        )


_SESSION_KEYS = (
    "id", "userId", "token", "expiresAt", "ipAddress", "userAgent", "activeOrganizationId",
    "impersonatedBy", "createdAt", "updatedAt",
)


@dataclass(frozen=True, slots=True)
class Session(_Model):
    """One signed-in device or browser."""

    id: str
    user_id: str | None = None
    token: str | None = field(default=None, repr=False)
    """The unsigned session token; pass it to ``revoke_session``. Not shown by ``repr()``."""
    expires_at: datetime | None = None
    ip_address: str | None = None
    user_agent: str | None = None
    active_organization_id: str | None = None
    impersonated_by: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any]) -> Session:
        return cls(
            id=wire["id"],
            user_id=wire.get("userId"),
            token=wire.get("token"),
            expires_at=_time(wire.get("expiresAt")),
            ip_address=wire.get("ipAddress"),
            user_agent=wire.get("userAgent"),
            active_organization_id=wire.get("activeOrganizationId"),
            impersonated_by=wire.get("impersonatedBy"),
            created_at=_time(wire.get("createdAt")),
            updated_at=_time(wire.get("updatedAt")),
            extra=_rest(wire, _SESSION_KEYS),
        )


@dataclass(frozen=True, slots=True)
class SessionWithUser(_Model):
    """The current session and its user."""

    session: Session
    user: User

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any]) -> SessionWithUser:
        return cls(session=Session.from_wire(wire["session"]), user=User.from_wire(wire["user"]))


@dataclass(frozen=True, slots=True)
class AuthResult(_Model):
    """The answer to a sign-up, sign-in or password change."""

    user: User
    token: str | None = field(default=None, repr=False)
    """The new session's token (also kept in the client's session store); ``None`` when the
    server did not sign the user in. Not shown by ``repr()``."""
    redirect: bool | None = None
    url: str | None = None

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any]) -> AuthResult:
        return cls(
            user=User.from_wire(wire["user"]),
            token=wire.get("token"),
            redirect=wire.get("redirect"),
            url=wire.get("url"),
        )


@dataclass(frozen=True, slots=True)
class PasswordResetRequested(_Model):
    """The answer to a password reset request (it never says whether the address exists)."""

    message: str | None = None

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any]) -> PasswordResetRequested:
        return cls(message=wire.get("message"))


class AddonId:
    """The documented add-on ids; any other string is accepted too."""

    GOOGLE_ANALYTICS = "google-analytics"
    SEGMENT = "segment"
    STRIPE = "stripe"
    POSTHOG = "posthog"


@dataclass(frozen=True, slots=True)
class AddonSettings(_Model):
    """One add-on's settings. Credentials are never here: they come from the environment."""

    enabled: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any]) -> AddonSettings:
        return cls(enabled=bool(wire.get("enabled", False)), extra=_rest(wire, ("enabled",)))

    def to_wire(self) -> dict[str, Any]:
        return {**self.extra, "enabled": self.enabled}


@dataclass(frozen=True, slots=True)
class AddonConfig(_Model):
    """The project's add-on configuration; an id that is absent is disabled."""

    addons: dict[str, AddonSettings] = field(default_factory=dict)

    def is_enabled(self, addon_id: str) -> bool:
        settings = self.addons.get(addon_id)
        return settings is not None and settings.enabled

    @property
    def enabled_ids(self) -> list[str]:
        """The ids that are switched on, sorted."""
        return sorted(k for k, v in self.addons.items() if v.enabled)

    @classmethod
    def from_wire(cls, wire: Mapping[str, Any]) -> AddonConfig:
        addons = wire.get("addons") or {}
        return cls(addons={k: AddonSettings.from_wire(v) for k, v in addons.items()})
