"""Users, sessions, the answers of the auth flows, and the add-on configuration.

Models are frozen dataclasses generated from the core's definitions (``_generated.py``).
Timestamps are timezone-aware :class:`datetime.datetime` objects in UTC. Fields the server sends
that this version does not model are kept in ``extra``. ``to_dict()`` gives a JSON-ready dict with
snake_case keys and ISO 8601 timestamps; ``to_wire()`` the JSON form. Session tokens are left out
of ``repr()``.
"""

from __future__ import annotations

from ._generated import (
    AddonConfig,
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

__all__ = [
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
    "AddonSettings",
    "AddonConfig",
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


class AddonId:
    """The documented add-on ids; any other string is accepted too."""

    GOOGLE_ANALYTICS = "google-analytics"
    SEGMENT = "segment"
    STRIPE = "stripe"
    POSTHOG = "posthog"
