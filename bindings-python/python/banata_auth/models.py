"""Users, sessions, the answers of the auth flows, and the add-on configuration.

Models are frozen dataclasses generated from the core's definitions (``_generated.py``).
Timestamps are timezone-aware :class:`datetime.datetime` objects in UTC. Fields the server sends
that this version does not model are kept in ``extra``. ``to_dict()`` gives a JSON-ready dict with
snake_case keys and ISO 8601 timestamps; ``to_wire()`` the JSON form. Session tokens are left out
of ``repr()``.
"""

from __future__ import annotations

from ._generated import (
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

__all__ = [
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
    "AddonId",
]


class AddonId:
    """The documented add-on ids; any other string is accepted too."""

    GOOGLE_ANALYTICS = "google-analytics"
    SEGMENT = "segment"
    STRIPE = "stripe"
    POSTHOG = "posthog"
