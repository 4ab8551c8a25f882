"""The base of the exception classes (the subclasses, one per core error kind, are generated
into ``errors.py``)."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["BanataError"]


class BanataError(Exception):
    """A Banata Auth call failed.

    Attributes:
        message: What went wrong, from the server when it said.
        kind: ``"authentication"``, ``"forbidden"``, ``"not_found"``, ``"conflict"``,
            ``"validation"``, ``"rate_limited"``, ``"server"``, ``"api"``, ``"timeout"``,
            ``"connection"``, ``"decode"``, ``"configuration"``, ``"session_store"`` or
            ``"invalid_argument"``.
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
