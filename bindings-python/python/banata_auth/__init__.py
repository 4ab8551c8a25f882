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
from ._generated import (
    # generated: resources
    Addons,
    AsyncAddons,
    AsyncAuth,
    AsyncOrganizations,
    Auth,
    Organizations,
    # end generated: resources
)
from .client import AsyncClient, Client, CookieSession
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
from .events import EventType, Subscription
from .models import (
    AddonId,
    # generated: models
    AccessToken,
    Account,
    AccountInfo,
    AddonConfig,
    AddonSettings,
    AuthEvent,
    AuthResult,
    BackupCodes,
    DeleteUserResult,
    DestinationStats,
    EmailOtpVerified,
    EventBusStats,
    EventData,
    ForwardingFailure,
    ForwardingStats,
    Invitation,
    InvitationAnswer,
    InvitationList,
    ListMetadata,
    Member,
    MemberList,
    MemberRole,
    OneTimeToken,
    Organization,
    OrganizationList,
    PasswordResetRequested,
    ProviderTokens,
    RemovedMember,
    SecondFactorRequired,
    Session,
    SessionJwt,
    SessionWithUser,
    SignInResult,
    SignedIn,
    SocialRedirect,
    Status,
    Success,
    TotpUri,
    TwoFactorSetup,
    User,
    UsernameAvailability,
    VerificationRequired,
    VerifiedSession,
    VerifyEmailResult,
    # end generated: models
)

__version__: str = _native.__version__

# Loaded on first use, so that `import banata_auth` stays cheap for serverless cold starts: the
# forwarding controls, and the names that exist for type checkers (they need `typing`).
_LAZY = {
    "Forwarder": "forwarding",
    "SessionStore": "_types",
    "RequestOptions": "_types",
    "AddonUpdate": "_types",
    "EventCallback": "_types",
}

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._types import AddonUpdate, EventCallback, RequestOptions, SessionStore
    from .forwarding import Forwarder


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
    "CookieSession",
    "SessionStore",
    "AddonUpdate",
    "RequestOptions",
    "EventCallback",
    "EventType",
    "Subscription",
    "Forwarder",
    "AddonId",
    # generated: resource names
    "Addons",
    "AsyncAddons",
    "AsyncAuth",
    "AsyncOrganizations",
    "Auth",
    "Organizations",
    # end generated: resource names
    # generated: model names
    "AccessToken",
    "Account",
    "AccountInfo",
    "AddonConfig",
    "AddonSettings",
    "AuthEvent",
    "AuthResult",
    "BackupCodes",
    "DeleteUserResult",
    "DestinationStats",
    "EmailOtpVerified",
    "EventBusStats",
    "EventData",
    "ForwardingFailure",
    "ForwardingStats",
    "Invitation",
    "InvitationAnswer",
    "InvitationList",
    "ListMetadata",
    "Member",
    "MemberList",
    "MemberRole",
    "OneTimeToken",
    "Organization",
    "OrganizationList",
    "PasswordResetRequested",
    "ProviderTokens",
    "RemovedMember",
    "SecondFactorRequired",
    "Session",
    "SessionJwt",
    "SessionWithUser",
    "SignInResult",
    "SignedIn",
    "SocialRedirect",
    "Status",
    "Success",
    "TotpUri",
    "TwoFactorSetup",
    "User",
    "UsernameAvailability",
    "VerificationRequired",
    "VerifiedSession",
    "VerifyEmailResult",
    # end generated: model names
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
