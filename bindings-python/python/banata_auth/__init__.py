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
from ._generated import Addons, AsyncAddons, AsyncAuth, AsyncOrganizations, Auth, Organizations
from .client import AsyncClient, Client
from .errors import (
    AuthenticationError,
    BanataError,
    ConfigurationError,
    ConflictError,
    ConnectionError,
    ForbiddenError,
    InvalidArgumentError,
    InvalidTokenError,
    NotFoundError,
    RateLimitError,
    ServerError,
    SessionStoreError,
    TimeoutError,
    ValidationError,
)
from .events import AuthEvent, EventData, EventType, Subscription
from .models import (
    AddonConfig,
    AddonId,
    AddonSettings,
    Account,
    AuthResult,
    BackupCodes,
    DeleteUserResult,
    EmailOtpVerified,
    OneTimeToken,
    PasswordResetRequested,
    SecondFactorRequired,
    Session,
    SessionWithUser,
    SignedIn,
    SignInResult,
    Status,
    Success,
    TotpUri,
    TwoFactorSetup,
    User,
    UsernameAvailability,
    VerificationRequired,
    VerifiedSession,
    VerifyEmailResult,
    Invitation,
    InvitationAnswer,
    InvitationList,
    ListMetadata,
    Member,
    MemberList,
    MemberRole,
    Organization,
    OrganizationList,
    RemovedMember,
)

__version__: str = _native.__version__

# Loaded on first use, so that `import banata_auth` stays cheap for serverless cold starts: the
# forwarding controls, and the names that exist for type checkers (they need `typing`).
_LAZY = {
    "Forwarder": "forwarding",
    "ForwardingStats": "forwarding",
    "DestinationStats": "forwarding",
    "ForwardingFailure": "forwarding",
    "SessionStore": "_types",
    "RequestOptions": "_types",
    "AddonUpdate": "_types",
    "EventCallback": "_types",
}

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._types import AddonUpdate, EventCallback, RequestOptions, SessionStore
    from .forwarding import DestinationStats, Forwarder, ForwardingFailure, ForwardingStats


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'banata_auth' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


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
    "EventCallback",
    "Auth",
    "AsyncAuth",
    "Addons",
    "AsyncAddons",
    "Organizations",
    "AsyncOrganizations",
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
    "SignInResult",
    "SignedIn",
    "VerificationRequired",
    "SecondFactorRequired",
    "UsernameAvailability",
    "VerifiedSession",
    "OneTimeToken",
    "Account",
    "DeleteUserResult",
    "EmailOtpVerified",
    "Success",
    "TwoFactorSetup",
    "TotpUri",
    "BackupCodes",
    "PasswordResetRequested",
    "Status",
    "VerifyEmailResult",
    "AddonConfig",
    "AddonSettings",
    "AddonId",
    "Organization",
    "Member",
    "Invitation",
    "ListMetadata",
    "OrganizationList",
    "MemberList",
    "InvitationList",
    "InvitationAnswer",
    "RemovedMember",
    "MemberRole",
]
__all__ += [  # the exception classes, as errors.__all__ lists them (test_errors.py checks)
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
    "InvalidTokenError",
]
