"""Banata Auth for Python.

>>> from banata_auth import Client
>>> client = Client("https://auth.example.com")                       # doctest: +SKIP
>>> client.auth.sign_in_email("ada@example.com", "correct horse battery")  # doctest: +SKIP

One Rust core does the work (HTTP, retries, sessions, events, forwarding); this package gives it
a Python shape: :class:`Client` (blocking, GIL released) and :class:`AsyncClient` (asyncio).
"""

from __future__ import annotations

import atexit

from . import _native, errors
from ._generated import Addons, AsyncAddons, AsyncAuth, Auth
from .client import AddonUpdate, AsyncClient, Client, RequestOptions, SessionStore
from .errors import (
    AuthenticationError,
    BanataError,
    ConfigurationError,
    ConflictError,
    ConnectionError,
    ForbiddenError,
    InvalidArgumentError,
    NotFoundError,
    RateLimitError,
    ServerError,
    SessionStoreError,
    TimeoutError,
    ValidationError,
)
from .events import AuthEvent, EventData, EventType, Subscription
from .forwarding import DestinationStats, Forwarder, ForwardingFailure, ForwardingStats
from .models import (
    AddonConfig,
    AddonId,
    AddonSettings,
    AuthResult,
    PasswordResetRequested,
    Session,
    SessionWithUser,
    Status,
    User,
    VerifyEmailResult,
)

__version__: str = _native.__version__

# Event callbacks, async results and stores are called from native threads; once the
# interpreter starts to shut down they must not be, and the ones running are waited for.
atexit.register(_native._shutdown)

__all__ = [
    "__version__",
    "Client",
    "AsyncClient",
    "SessionStore",
    "AddonUpdate",
    "RequestOptions",
    "Auth",
    "AsyncAuth",
    "Addons",
    "AsyncAddons",
    "AuthEvent",
    "EventData",
    "EventType",
    "Subscription",
    "Forwarder",
    "ForwardingStats",
    "DestinationStats",
    "ForwardingFailure",
    "User",
    "Session",
    "SessionWithUser",
    "AuthResult",
    "PasswordResetRequested",
    "Status",
    "VerifyEmailResult",
    "AddonConfig",
    "AddonSettings",
    "AddonId",
]
__all__ += [  # the exception classes, as errors.__all__ lists them (a test checks they match)
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
