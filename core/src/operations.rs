//! Every operation of the client, declared once.
//!
//! Each entry reads
//!
//! ```text
//! /// Documentation (shown in every language).
//! call|flow name(Input) -> Output = GET|POST "/path", None|Session|ApiKey, Safe|Unsafe emits ["event.type", …];
//! ```
//!
//! `call` generates the Rust method too; `flow` means the method is written by hand (in
//! `auth.rs`, `addons/config.rs`) because it does more than one request: keeping the session
//! token, emitting events. Either way the bindings get the operation from this list alone:
//! `scripts/generate-bindings.sh` turns it into the TypeScript, Python and Swift/Kotlin surfaces.
//! `Safe` calls are retried on any retryable failure; `Unsafe` ones (they create something or
//! consume a secret) only when the server certainly did not act.

use crate::account::{Account, ChangeEmail, DeleteUser, DeleteUserResult};
use crate::addons::{AddonConfig, AddonConfigUpdate, Addons};
use crate::api::declare_operations;
use crate::auth::{Auth, PasswordResetRequested};
use crate::email_otp::{
    CheckVerificationOtp, EmailOtp, EmailOtpVerified, RequestPasswordResetOtp, ResetPasswordOtp,
    SendVerificationOtp, Success,
};
use crate::magic_link::{SignInMagicLink, VerifyMagicLink};
use crate::models::{
    AuthResult, ChangePassword, RequestPasswordReset, ResetPassword, RevokeSession,
    SendVerificationEmail, Session, SessionWithUser, SignInEmail, SignUpEmail, Status, UpdateUser,
    VerifyEmail, VerifyEmailResult,
};
use crate::multi_session::DeviceSession;
use crate::organizations::{
    ActiveMemberRoleQuery, CheckSlug, CreateOrganization, GetInvitation, Invitation,
    InvitationAnswer, InvitationId, InvitationList, InviteMember, Member, MemberList, MemberRole,
    Organization, OrganizationId, OrganizationList, OrganizationSelector, Organizations,
    RemoveMember, RemovedMember, UpdateMemberRole, UpdateOrganization,
};
use crate::session_jwt::SessionJwt;
use crate::sign_in::{
    IsUsernameAvailable, OneTimeToken, SignInResult, SignInUsername, UsernameAvailability,
    VerifyOneTimeToken, VerifyPassword,
};
use crate::social::{
    AccessToken, AccountInfo, AccountInfoQuery, ProviderAccount, ProviderTokens, SignInSocial,
    SignInWithIdToken, SocialCallback, SocialRedirect,
};
use crate::two_factor::{BackupCodes, TotpUri, TwoFactorCode, TwoFactorPassword, TwoFactorSetup};

declare_operations! {
    auth: Auth {
        /// Creates an account and, unless the server requires e-mail verification first, signs
        /// it in; the client keeps the session token.
        flow sign_up_email(SignUpEmail) -> AuthResult
            = Post "/api/auth/sign-up/email", None, Unsafe emits ["user.created", "session.created"];
        /// Signs in with e-mail and password. The result is signed in (the client keeps the
        /// session token), or the step the user must take first: verify the e-mail address, or
        /// give a second factor.
        flow sign_in_email(SignInEmail) -> SignInResult
            = Post "/api/auth/sign-in/email", None, Safe emits ["session.created"];
        /// Signs in with a username and password, with the same result as e-mail sign-in.
        flow sign_in_username(SignInUsername) -> SignInResult
            = Post "/api/auth/sign-in/username", None, Safe emits ["session.created"];
        /// Whether a username is still free (3 to 30 letters, digits, `_` and `.`; compared
        /// without case).
        call is_username_available(IsUsernameAvailable) -> UsernameAvailability
            = Post "/api/auth/is-username-available", None, Safe emits [];
        /// The current session and user, or none when signed out or the session has ended (the
        /// stale token is then forgotten).
        flow get_session() -> Option<SessionWithUser>
            = Get "/api/auth/get-session", Session, Safe emits [];
        /// Every active session of the signed-in user, each with its (unsigned) token.
        call list_sessions() -> Vec<Session>
            = Get "/api/auth/list-sessions", Session, Safe emits [];
        /// Ends the session with this token (from a listed session). Ending the current session
        /// forgets the stored token.
        flow revoke_session(RevokeSession) -> ()
            = Post "/api/auth/revoke-session", Session, Safe emits ["session.revoked"];
        /// Ends every session of the user except the current one.
        flow revoke_other_sessions() -> ()
            = Post "/api/auth/revoke-other-sessions", Session, Safe emits ["session.revoked"];
        /// Ends every session of the user, the current one included, and forgets the stored
        /// token.
        flow revoke_sessions() -> ()
            = Post "/api/auth/revoke-sessions", Session, Safe emits ["session.revoked"];
        /// The accounts signed in on this client, one session each (multi-session: every
        /// sign-in on the client adds its account), e.g. for an account switcher.
        call list_device_sessions() -> Vec<SessionWithUser>
            = Get "/api/auth/multi-session/list-device-sessions", Session, Safe emits [];
        /// Makes another account signed in on this client the current one; the client keeps its
        /// token.
        flow set_active_session(DeviceSession) -> SessionWithUser
            = Post "/api/auth/multi-session/set-active", Session, Safe emits [];
        /// Signs one account of this client out; when it was the current one, another account of
        /// the client becomes current, or the client is signed out.
        flow revoke_device_session(DeviceSession) -> Status
            = Post "/api/auth/multi-session/revoke", Session, Safe emits ["session.revoked"];
        /// Signs out: ends the current session on the server and forgets the stored token (every
        /// account of the client, with several signed in).
        flow sign_out() -> ()
            = Post "/api/auth/sign-out", Session, Safe emits ["session.revoked"];
        /// Changes the signed-in user's name or image; unset fields stay as they are.
        flow update_user(UpdateUser) -> ()
            = Post "/api/auth/update-user", Session, Safe emits ["user.updated"];
        /// Changes the signed-in user's password, optionally ending every other session (the
        /// current one then gets a new token, which is kept).
        flow change_password(ChangePassword) -> AuthResult
            = Post "/api/auth/change-password", Session, Unsafe emits ["password.changed"];
        /// Asks the server to mail a password reset link. The answer never says whether the
        /// address has an account.
        flow request_password_reset(RequestPasswordReset) -> PasswordResetRequested
            = Post "/api/auth/request-password-reset", None, Unsafe emits ["password.reset_requested"];
        /// Sets a new password with the token from a reset link.
        flow reset_password(ResetPassword) -> ()
            = Post "/api/auth/reset-password", None, Unsafe emits ["password.reset"];
        /// Checks the signed-in user's password, e.g. before a sensitive step; a wrong one is a
        /// `validation` error with code `INVALID_PASSWORD`.
        call verify_password(VerifyPassword) -> Status
            = Post "/api/auth/verify-password", Session, Safe emits [];
        /// A one-time token for the current session (three minutes, single use), to hand the
        /// session to another client, e.g. from a web page to the app.
        call generate_one_time_token() -> OneTimeToken
            = Get "/api/auth/one-time-token/generate", Session, Unsafe emits [];
        /// Takes over the session a one-time token was made for; the client keeps its token.
        flow verify_one_time_token(VerifyOneTimeToken) -> SessionWithUser
            = Post "/api/auth/cross-domain/one-time-token/verify", None, Unsafe emits ["session.created"];
        /// A session JWT for the signed-in user (the platform's: RS256, 15 minutes), for calls
        /// to the app's own backend, which verifies it locally without asking the server. The
        /// client reuses it while it has more than a minute left, then fetches one new token
        /// for all callers at once.
        flow token() -> SessionJwt
            = Get "/api/auth/convex/token", Session, Safe emits [];
        /// The ways the signed-in user signs in (`credential`, social providers).
        call list_accounts() -> Vec<Account>
            = Get "/api/auth/list-accounts", Session, Safe emits [];
        /// Starts a sign-in with a social or OAuth provider: the provider's URL to open in a
        /// browser (the server keeps the state and PKCE verifier). The browser comes back to
        /// `callback_url` with a one-time token, which `complete_social_sign_in` exchanges.
        flow sign_in_social(SignInSocial) -> SocialRedirect
            = Post "/api/auth/sign-in/social", None, Safe emits [];
        /// Signs in with an ID token from the provider's own SDK (Sign in with Apple, Google
        /// Sign-In), with its nonce; the account is made on first use and the client keeps the
        /// session token.
        flow sign_in_with_id_token(SignInWithIdToken) -> AuthResult
            = Post "/api/auth/sign-in/social", None, Unsafe emits ["session.created"];
        /// Completes a redirect sign-in from the URL the browser came back to: its one-time
        /// token becomes the session (kept by the client); its `error` an `authentication`
        /// error with that code.
        flow complete_social_sign_in(SocialCallback) -> AuthResult
            = Post "/api/auth/cross-domain/one-time-token/verify", None, Unsafe emits ["session.created"];
        /// Starts linking a provider account to the signed-in user: the provider's URL to open
        /// in a browser, which comes back to `callback_url`.
        flow link_social(SignInSocial) -> SocialRedirect
            = Post "/api/auth/link-social", Session, Safe emits [];
        /// Completes linking from the URL the browser came back to: the linked account, or an
        /// `authentication` error with the server's code.
        flow complete_link_social(SocialCallback) -> Account
            = Get "/api/auth/list-accounts", Session, Safe emits ["account.linked"];
        /// Unlinks a provider account from the signed-in user (never the last way to sign in;
        /// needs a fresh session).
        flow unlink_account(ProviderAccount) -> Status
            = Post "/api/auth/unlink-account", Session, Unsafe emits ["account.unlinked"];
        /// A valid access token for the user's provider account, refreshed by the server when
        /// it is about to expire, to call the provider's API.
        call get_access_token(ProviderAccount) -> AccessToken
            = Post "/api/auth/get-access-token", Session, Safe emits [];
        /// New provider tokens from the provider's refresh grant.
        call refresh_access_token(ProviderAccount) -> ProviderTokens
            = Post "/api/auth/refresh-token", Session, Unsafe emits [];
        /// The user as the provider describes them, read with the account's access token.
        call account_info(AccountInfoQuery) -> AccountInfo
            = Get "/api/auth/account-info", Session, Safe emits [];
        /// Asks to move the signed-in user to a new e-mail address: the new address gets a link
        /// (`verify_email`), which makes the change.
        call change_email(ChangeEmail) -> Status
            = Post "/api/auth/change-email", Session, Unsafe emits [];
        /// Deletes the signed-in user (with their password unless the session is fresh) and ends
        /// their sessions; where the server confirms deletions by mail, sends the link instead,
        /// and a second call with the link's `token` deletes (as following the link does).
        flow delete_user(DeleteUser) -> DeleteUserResult
            = Post "/api/auth/delete-user", Session, Unsafe emits ["user.deleted"];
        /// Mails a six-digit code (five minutes, three tries) for `type`: `sign-in` (the account
        /// is made on first use), `email-verification` or `forget-password`. The answer does
        /// not say whether the address has an account.
        call send_verification_otp(SendVerificationOtp) -> Success
            = Post "/api/auth/email-otp/send-verification-otp", None, Unsafe emits [];
        /// Whether a mailed code is right, without using it.
        call check_verification_otp(CheckVerificationOtp) -> Success
            = Post "/api/auth/email-otp/check-verification-otp", None, Safe emits [];
        /// Signs in with a mailed code (type `sign-in`), with the same result as the other
        /// sign-ins; the account is made on first use.
        flow sign_in_email_otp(EmailOtp) -> SignInResult
            = Post "/api/auth/sign-in/email-otp", None, Unsafe emits ["session.created"];
        /// Verifies the address with a mailed code (type `email-verification`).
        flow verify_email_otp(EmailOtp) -> EmailOtpVerified
            = Post "/api/auth/email-otp/verify-email", None, Unsafe emits ["email.verified", "session.created"];
        /// Mails a password-reset code; the answer does not say whether the address has an
        /// account.
        call request_password_reset_otp(RequestPasswordResetOtp) -> Success
            = Post "/api/auth/email-otp/request-password-reset", None, Unsafe emits [];
        /// Sets a new password with a mailed password-reset code.
        flow reset_password_otp(ResetPasswordOtp) -> Success
            = Post "/api/auth/email-otp/reset-password", None, Unsafe emits ["password.reset"];
        /// Mails a sign-in link (five minutes, once); the answer does not say whether the
        /// address has an account (one is made on first use).
        call sign_in_magic_link(SignInMagicLink) -> Status
            = Post "/api/auth/sign-in/magic-link", None, Unsafe emits [];
        /// Signs in with the token of a mailed sign-in link; the client keeps the session token.
        flow verify_magic_link(VerifyMagicLink) -> AuthResult
            = Get "/api/auth/magic-link/verify", None, Unsafe emits ["session.created"];
        /// Starts turning two-factor on: the authenticator URI and backup codes; it is on once
        /// a code is confirmed with `verify_totp`.
        flow enable_two_factor(TwoFactorPassword) -> TwoFactorSetup
            = Post "/api/auth/two-factor/enable", Session, Unsafe emits [];
        /// Turns two-factor off for the signed-in user.
        flow disable_two_factor(TwoFactorPassword) -> Status
            = Post "/api/auth/two-factor/disable", Session, Unsafe emits ["two_factor.disabled"];
        /// The authenticator URI of a user with two-factor set up (to show it again).
        call get_totp_uri(TwoFactorPassword) -> TotpUri
            = Post "/api/auth/two-factor/get-totp-uri", Session, Safe emits [];
        /// Gives the second factor of a pending sign-in (a code from the authenticator), which
        /// then completes and keeps its token; or, right after `enable_two_factor`, confirms the
        /// authenticator, which turns two-factor on.
        flow verify_totp(TwoFactorCode) -> AuthResult
            = Post "/api/auth/two-factor/verify-totp", Session, Unsafe emits ["session.created", "two_factor.enabled"];
        /// Mails a one-time code to the user of the pending sign-in, or to the signed-in user
        /// turning two-factor on (servers with an OTP sender).
        flow send_two_factor_otp() -> Status
            = Post "/api/auth/two-factor/send-otp", Session, Unsafe emits [];
        /// Gives a mailed one-time code as the second factor of a pending sign-in; or, right after
        /// `enable_two_factor`, confirms it, which turns two-factor on.
        flow verify_two_factor_otp(TwoFactorCode) -> AuthResult
            = Post "/api/auth/two-factor/verify-otp", Session, Unsafe emits ["session.created", "two_factor.enabled"];
        /// Gives a backup code as the second factor of a pending sign-in (each works once).
        flow verify_backup_code(TwoFactorCode) -> AuthResult
            = Post "/api/auth/two-factor/verify-backup-code", Session, Unsafe emits ["session.created"];
        /// New backup codes for the signed-in user; the old ones stop working.
        flow generate_backup_codes(TwoFactorPassword) -> BackupCodes
            = Post "/api/auth/two-factor/generate-backup-codes", Session, Unsafe emits [];
        /// Mails the address a link to verify it (for a user who signed up and was not sent
        /// one, or lost it). The answer does not say whether the address has an account; for a
        /// signed-in user the address must be theirs and not verified yet.
        call send_verification_email(SendVerificationEmail) -> Status
            = Post "/api/auth/send-verification-email", Session, Unsafe emits [];
        /// Verifies an e-mail address with the token from a verification link. When the server
        /// signs the user in on verification, the client keeps the new session token.
        flow verify_email(VerifyEmail) -> VerifyEmailResult
            = Get "/api/auth/verify-email", None, Unsafe emits ["email.verified", "session.created"];
    }
    organizations: Organizations {
        /// Creates an organization: the signed-in user becomes its `super_admin` and, unless
        /// asked not to, it becomes the session's active organization.
        flow create(CreateOrganization) -> Organization
            = Post "/api/auth/organization/create", SessionCookie, Unsafe emits ["organization.created", "member.added"];
        /// The organizations the signed-in user is a member of (all of the project's for a
        /// project owner), newest first.
        call list() -> OrganizationList
            = Get "/api/auth/organization/list", SessionCookie, Safe emits [];
        /// An organization with its members and invitations (by id, by slug, or the active
        /// one), or none when there is no such organization. Needs `member.read`.
        call get_full_organization(OrganizationSelector) -> Option<Organization>
            = Get "/api/auth/organization/get-full-organization", SessionCookie, Safe emits [];
        /// Makes an organization the session's active one (neither id nor slug: none).
        call set_active(OrganizationSelector) -> Option<Organization>
            = Post "/api/auth/organization/set-active", SessionCookie, Safe emits [];
        /// Whether a slug is free in the project: `status` true, or a `validation` error
        /// ("Organization slug already taken").
        call check_slug(CheckSlug) -> Status
            = Post "/api/auth/organization/check-slug", SessionCookie, Safe emits [];
        /// Changes an organization's name, slug, logo or metadata. Needs `organization.update`.
        flow update(UpdateOrganization) -> Organization
            = Post "/api/auth/organization/update", SessionCookie, Safe emits ["organization.updated"];
        /// Deletes an organization (by id or slug). Needs `organization.delete`.
        flow delete(OrganizationSelector) -> Organization
            = Post "/api/auth/organization/delete", SessionCookie, Unsafe emits ["organization.deleted"];
        /// Invites an address to an organization with one or more roles (48 hours; the
        /// invitee gets a mail). Needs `member.invite`.
        flow invite_member(InviteMember) -> Invitation
            = Post "/api/auth/organization/invite-member", SessionCookie, Unsafe emits ["invitation.created"];
        /// Accepts an invitation addressed to the signed-in user, who becomes a member.
        flow accept_invitation(InvitationId) -> InvitationAnswer
            = Post "/api/auth/organization/accept-invitation", SessionCookie, Unsafe emits ["invitation.accepted", "member.added"];
        /// Declines an invitation addressed to the signed-in user.
        flow reject_invitation(InvitationId) -> InvitationAnswer
            = Post "/api/auth/organization/reject-invitation", SessionCookie, Unsafe emits ["invitation.rejected"];
        /// Withdraws an invitation. Needs `member.invite`.
        flow cancel_invitation(InvitationId) -> Invitation
            = Post "/api/auth/organization/cancel-invitation", SessionCookie, Unsafe emits ["invitation.canceled"];
        /// One invitation, for its invitee or a member of its organization.
        call get_invitation(GetInvitation) -> Invitation
            = Get "/api/auth/organization/get-invitation", SessionCookie, Safe emits [];
        /// An organization's invitations of every status. Needs `member.invite`.
        call list_invitations(OrganizationId) -> InvitationList
            = Get "/api/auth/organization/list-invitations", SessionCookie, Safe emits [];
        /// The pending invitations addressed to the signed-in user, in every organization.
        call list_user_invitations() -> Vec<Invitation>
            = Get "/api/auth/organization/list-user-invitations", SessionCookie, Safe emits [];
        /// An organization's members. Needs `member.read`.
        call list_members(OrganizationId) -> MemberList
            = Get "/api/auth/organization/list-members", SessionCookie, Safe emits [];
        /// Gives a member other roles; at least one `super_admin` must remain. Needs
        /// `member.update_role`.
        flow update_member_role(UpdateMemberRole) -> Member
            = Post "/api/auth/organization/update-member-role", SessionCookie, Safe emits ["member.role_updated"];
        /// Removes a member (by membership id or e-mail address), not the signed-in user and not
        /// the last `super_admin`. Needs `member.remove`.
        flow remove_member(RemoveMember) -> RemovedMember
            = Post "/api/auth/organization/remove-member", SessionCookie, Unsafe emits ["member.removed"];
        /// Leaves an organization (the active one unless given); its last `super_admin`
        /// cannot.
        flow leave(OrganizationId) -> Member
            = Post "/api/auth/organization/leave", SessionCookie, Unsafe emits ["member.removed"];
        /// The signed-in user's membership of the active organization.
        call get_active_member() -> Member
            = Get "/api/auth/organization/get-active-member", SessionCookie, Safe emits [];
        /// A member's roles (the signed-in user's, in the active organization, unless given).
        call get_active_member_role(ActiveMemberRoleQuery) -> MemberRole
            = Get "/api/auth/organization/get-active-member-role", SessionCookie, Safe emits [];
    }
    addons: Addons {
        /// The project's add-on configuration (`{"addons":{}}` when nothing was ever saved).
        /// Needs the project API key with `dashboard.read`.
        flow get() -> AddonConfig
            = Post "/api/auth/banata/config/addons/get", ApiKey, Safe emits [];
        /// Merges a partial change into the stored configuration and returns the result; the
        /// add-ons it names replace their entries (`true`/`false` is short for
        /// `{"enabled": …}`). Needs `dashboard.manage`.
        flow save(AddonConfigUpdate) -> AddonConfig
            = Post "/api/auth/banata/config/addons/save", ApiKey, Safe emits ["addon_config.updated"];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_complete_and_unique() {
        let mut ids = std::collections::BTreeSet::new();
        for op in OPERATIONS {
            assert!(ids.insert(op.id), "{} declared twice", op.id);
            assert!(!op.doc.is_empty(), "{} has no documentation", op.id);
            assert!(op.path.starts_with("/api/auth/"), "{}", op.id);
            for event in op.emits {
                assert!(
                    crate::events::EventType::CATALOG
                        .iter()
                        .any(|(_, known)| known.as_str() == *event),
                    "{} emits {event}, which the catalog (events.rs) lacks",
                    op.id
                );
            }
        }
    }
}
