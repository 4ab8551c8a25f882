"""What the generated models and resource classes (``_generated.py``) stand on.

The resource classes hold the native client and run an operation through
``NativeClient.call``: blocking (``_Resource``) or as an awaitable (``_AsyncResource``). The
models read the JSON the core returns; the core has already checked and normalised it, so
timestamps are always RFC 3339 strings.
"""

from __future__ import annotations

import json
from datetime import datetime

# `typing` is only for type checkers: importing it would cost start-up time.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Awaitable
    from typing import Any, Callable, TypeVar

    from . import _native
    from ._types import RequestOptions

    _T = TypeVar("_T")


def _optional(decode: Callable[[Any], _T], value: Any) -> _T | None:
    return None if value is None else decode(value)


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _to_wire(value: Any) -> Any:
    if isinstance(value, _Model):
        return value.to_wire()
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dict):
        return {k: _to_wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_wire(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, _Model):
        return {name: _plain(getattr(value, name)) for name in value.__slots__}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return _to_wire(value)


_set = object.__setattr__


class _Model:
    """Frozen value objects with slots (what ``@dataclass(frozen=True, slots=True)`` gives,
    without importing ``dataclasses`` at start-up). The generated classes set ``__slots__`` in
    their ``__init__`` order and name the fields ``repr()`` leaves out in ``_hidden``."""

    __slots__: tuple[str, ...] = ()
    _hidden: tuple[str, ...] = ()

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{name}={getattr(self, name)!r}" for name in self.__slots__ if name not in self._hidden
        )
        return f"{type(self).__name__}({shown})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self.__slots__)

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, n) for n in self.__slots__))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; cannot delete {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), tuple(getattr(self, n) for n in self.__slots__))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: snake_case keys, ISO 8601 timestamps."""
        plain: dict[str, Any] = _plain(self)
        return plain

    def to_wire(self) -> dict[str, Any]:
        raise NotImplementedError


class _AddonConfigMixin:
    __slots__ = ()
    addons: dict[str, Any]

    def is_enabled(self, addon_id: str) -> bool:
        """Whether ``addon_id`` is switched on (an id that is absent is off)."""
        settings = self.addons.get(addon_id)
        return settings is not None and bool(settings.enabled)

    @property
    def enabled_ids(self) -> list[str]:
        """The ids that are switched on, sorted."""
        return sorted(k for k, v in self.addons.items() if v.enabled)


class _ForwardingStatsMixin:
    __slots__ = ()
    destinations: list[Any]

    def for_addon(self, addon: str) -> Any:
        """The counters of one add-on, or ``None`` when it has no credentials."""
        return next((d for d in self.destinations if d.addon == addon), None)


class _AuthEventMixin:
    __slots__ = ()

    def to_wire(self) -> dict[str, Any]:
        raise NotImplementedError

    @property
    def json(self) -> str:
        """The event's stable JSON form, as the Rust core and the other bindings write it."""
        return json.dumps(self.to_wire(), separators=(",", ":"), ensure_ascii=False)


def _encode(operation: str, values: dict[str, Any]) -> str:
    try:
        return json.dumps({k: v for k, v in values.items() if v is not None}, default=_to_wire)
    except (TypeError, ValueError) as error:
        from .errors import InvalidArgumentError

        # The message names the type only: the value could be a password.
        raise InvalidArgumentError(f"{operation}: an argument is not JSON ({type(error).__name__})") from None


def _settings(options: RequestOptions | None) -> dict[str, Any]:
    if not options:
        return {}
    settings: dict[str, Any] = {**options}
    if "headers" in settings:
        settings["headers"] = dict(settings["headers"])
    return settings


class _Resource:
    """A resource of the blocking ``Client``."""

    __slots__ = ("_native",)

    def __init__(self, native: _native.NativeClient) -> None:
        self._native = native

    def _call(
        self,
        operation: str,
        values: dict[str, Any],
        decode: Callable[[Any], _T] | None,
        options: RequestOptions | None,
    ) -> _T:
        raw = self._native.call(operation, _encode(operation, values), **_settings(options))
        return None if decode is None else decode(json.loads(raw))  # type: ignore[return-value]


class _AsyncResource:
    """A resource of the asyncio ``AsyncClient``."""

    __slots__ = ("_native",)

    def __init__(self, native: _native.NativeClient) -> None:
        self._native = native

    async def _call(
        self,
        operation: str,
        values: dict[str, Any],
        decode: Callable[[Any], _T] | None,
        options: RequestOptions | None,
    ) -> _T:
        pending: Awaitable[str] = self._native.call(
            operation, _encode(operation, values), **_settings(options), asynchronous=True
        )
        raw = await pending
        return None if decode is None else decode(json.loads(raw))  # type: ignore[return-value]
