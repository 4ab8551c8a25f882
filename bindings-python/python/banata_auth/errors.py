"""Exceptions raised by Banata Auth calls.

Every failure is a :class:`BanataError`. Its subclass says what kind of failure it was, so
``except banata_auth.RateLimitError`` reads as intended. :class:`TimeoutError` and
:class:`ConnectionError` also derive from the built-in exceptions of the same name.
"""

from __future__ import annotations

import builtins

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "BanataError",
    "AuthenticationError",
    "ForbiddenError",
    "NotFoundError",
    "ConflictError",
    "ValidationError",
    "RateLimitError",
    "ServerError",
    "TimeoutError",
    "ConnectionError",
    "ConfigurationError",
    "SessionStoreError",
    "InvalidArgumentError",
]


class BanataError(Exception):
    """A Banata Auth call failed.

    Attributes:
        message: What went wrong, from the server when it said.
        kind: ``"authentication"``, ``"forbidden"``, ``"not_found"``, ``"conflict"``,
            ``"validation"``, ``"rate_limited"``, ``"server"``, ``"api"``, ``"timeout"``,
            ``"connection"``, ``"decode"``, ``"configuration"`` or ``"session_store"``.
        status: The HTTP status, when there was a response.
        code: The server's error code (``"INVALID_EMAIL_OR_PASSWORD"``, ...).
        request_id: The ``x-request-id`` of the response, for support requests.
        retry_after: Seconds the server asked to wait before retrying.
        body: The raw response body.
        connection_cause: For a failure to connect, what kind: ``"certificate"`` (not trusted:
            see ``ca_certificates``), ``"tls"``, ``"dns"``, ``"refused"``, ``"reset"`` or
            ``"other"``.
    """

    def __init__(
        self,
        message: str,
        *,
        kind: str = "api",
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
        body: str | None = None,
        connection_cause: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.status = status
        self.code = code
        self.request_id = request_id
        self.retry_after = retry_after
        self.body = body
        self.connection_cause = connection_cause

    def __str__(self) -> str:
        parts = [self.message]
        if self.status is not None:
            parts.append(f"status {self.status}")
        if self.code:
            parts.append(f"code {self.code}")
        if self.request_id:
            parts.append(f"request id {self.request_id}")
        return parts[0] if len(parts) == 1 else f"{parts[0]} ({', '.join(parts[1:])})"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, kind={self.kind!r}, status={self.status!r}, "
            f"code={self.code!r}, request_id={self.request_id!r}, retry_after={self.retry_after!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only fields do not survive the default exception pickling.
        return (_rebuild, (type(self), self.message, self._fields()))

    def _fields(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "status": self.status,
            "code": self.code,
            "request_id": self.request_id,
            "retry_after": self.retry_after,
            "body": self.body,
            "connection_cause": self.connection_cause,
        }


def _rebuild(cls: type[BanataError], message: str, fields: dict[str, Any]) -> BanataError:
    return cls(message, **fields)


class AuthenticationError(BanataError):
    """401: wrong credentials, a missing or expired session, or an invalid API key."""


class ForbiddenError(BanataError):
    """403: authenticated, but not allowed (e.g. the API key lacks a permission)."""


class NotFoundError(BanataError):
    """404: the resource or endpoint does not exist."""


class ConflictError(BanataError):
    """409 or a duplicate (e.g. the e-mail address already has an account)."""


class ValidationError(BanataError):
    """400 or 422: the request was malformed or a field is invalid."""


class RateLimitError(BanataError):
    """429: too many requests; ``retry_after`` says how long to wait."""


class ServerError(BanataError):
    """5xx: the server failed (after the retries)."""


class TimeoutError(BanataError, builtins.TimeoutError):
    """No answer in time (after the retries)."""


class ConnectionError(BanataError, builtins.ConnectionError):
    """The server could not be reached (after the retries)."""


class ConfigurationError(BanataError):
    """The client is not set up for the call (bad base URL, no API key for a management call)."""


class SessionStoreError(BanataError):
    """The ``session_store`` raised while reading, saving or clearing the token. The message names
    the exception's type only: its text could contain the token."""


class InvalidArgumentError(BanataError, builtins.TypeError):
    """A call got an argument of the wrong type or shape. The message names the argument and
    what was expected, never the value given (it could be a password)."""
