//! The route table.

pub mod account;
pub mod api_keys;
pub mod auth;
pub mod config;
pub mod cross_domain;
pub mod deletion;
pub mod dev;
pub mod email_otp;
pub mod faults;
pub mod magic_link;
pub mod multi_session;
pub mod organization;
pub mod session_jwt;
pub mod sinks;
pub mod social;
pub mod trusted_device;
pub mod two_factor;
pub mod verification;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{any, get, post};

use crate::AppState;

/// Every route the devserver answers; anything else is Better Auth's empty-bodied 404.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/sign-up/email", post(auth::sign_up_email))
        .route("/sign-in/email", post(auth::sign_in_email))
        .route("/sign-in/username", post(account::sign_in_username))
        .route(
            "/is-username-available",
            post(account::is_username_available),
        )
        .route("/verify-password", post(account::verify_password_route))
        .route("/list-accounts", get(account::list_accounts))
        .route("/sign-in/social", post(social::sign_in_social))
        .route(
            "/callback/{id}",
            get(social::callback).post(social::callback_post),
        )
        .route("/link-social", post(social::link_social))
        .route("/unlink-account", post(social::unlink_account))
        .route("/get-access-token", post(social::get_access_token))
        .route("/refresh-token", post(social::refresh_token))
        .route("/account-info", get(social::account_info))
        .route("/error", get(social::error_page))
        .route(
            "/cross-domain/one-time-token/verify",
            post(account::verify_one_time_token),
        )
        .route("/change-email", post(account::change_email))
        .route("/delete-user", post(deletion::delete_user))
        .route("/delete-user/callback", get(deletion::delete_user_callback))
        .route(
            "/one-time-token/generate",
            get(account::generate_one_time_token),
        )
        .route(
            "/multi-session/list-device-sessions",
            get(multi_session::list),
        )
        .route("/multi-session/set-active", post(multi_session::set_active))
        .route("/multi-session/revoke", post(multi_session::revoke))
        .merge(organization_routes())
        .route("/convex/token", get(session_jwt::token))
        .route("/convex/jwks", get(session_jwt::jwks))
        .route(
            "/convex/.well-known/openid-configuration",
            get(session_jwt::openid_configuration),
        )
        .route("/get-session", get(auth::get_session))
        .route("/list-sessions", get(auth::list_sessions))
        .route("/revoke-session", post(auth::revoke_session))
        .route("/revoke-sessions", post(auth::revoke_sessions))
        .route("/revoke-other-sessions", post(auth::revoke_other_sessions))
        .route("/sign-out", post(auth::sign_out))
        .route("/update-user", post(auth::update_user))
        .route("/change-password", post(auth::change_password))
        .route(
            "/request-password-reset",
            post(auth::request_password_reset),
        )
        .route("/reset-password", post(auth::reset_password))
        .route(
            "/send-verification-email",
            post(verification::send_verification_email),
        )
        .route("/verify-email", get(verification::verify_email))
        .route("/banata/config/addons/get", post(config::get_addons))
        .route("/banata/config/addons/save", post(config::save_addons))
        .route("/banata/audit-logs/list", post(config::list_audit_logs))
        .route(
            "/banata/rbac/check-permission",
            post(config::check_permission),
        )
        .route("/api-key/create", post(api_keys::create))
        .route("/api-key/list", get(api_keys::list))
        .route("/api-key/get", get(api_keys::get))
        .route("/api-key/update", post(api_keys::update))
        .route("/api-key/delete", post(api_keys::delete))
        .route(
            "/ok",
            get(|| async { axum::Json(serde_json::json!({ "ok": true })) }),
        );
    // The two-factor plugin only where it is on (managed projects have it off: 404 there).
    let api = if state.two_factor {
        api.merge(two_factor_routes())
    } else {
        api
    };
    let api = if state.email_otp {
        api.merge(email_otp_routes())
    } else {
        api
    };
    let api = if state.magic_link {
        api.route("/sign-in/magic-link", post(magic_link::sign_in))
            .route("/magic-link/verify", get(magic_link::verify))
    } else {
        api
    };
    // The multi-session plugin's hooks see every auth answer.
    let api = api
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            multi_session::hooks,
        ))
        // The convex plugin comes after multi-session: its hook runs (and sets its cookie) later.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session_jwt::hooks,
        ));
    let dev = Router::new()
        .route("/health", get(dev::health))
        .route("/password-reset-token", get(dev::password_reset_token))
        .route("/api-keys", post(dev::create_api_key))
        .route("/mailbox", get(dev::mailbox))
        .route("/members", post(dev::set_member))
        .route("/rotate-keys", post(session_jwt::rotate_keys))
        .route("/sign-jwt", post(session_jwt::sign_jwt))
        .route("/faults", post(faults::script).delete(faults::clear))
        .route("/sinks", get(sinks::list).delete(sinks::clear))
        .route("/sinks/{service}/script", post(sinks::script));
    Router::new()
        .nest("/api/auth", api)
        .nest("/__dev", dev)
        .route("/__sinks/{service}/{*path}", any(sinks::receive))
        .fallback(|| async { StatusCode::NOT_FOUND })
        .method_not_allowed_fallback(|| async { StatusCode::NOT_FOUND })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            faults::intercept,
        ))
        .with_state(state)
}

fn organization_routes() -> Router<AppState> {
    use organization as o;
    Router::new()
        .route("/organization/create", post(o::create))
        .route(
            "/organization/list",
            get(o::list_organizations).post(o::list_organizations_post),
        )
        .route("/organization/get-full-organization", get(o::get_full))
        .route("/organization/set-active", post(o::set_active))
        .route("/organization/check-slug", post(o::check_slug))
        .route("/organization/update", post(o::update))
        .route("/organization/delete", post(o::delete))
        .route("/organization/invite-member", post(o::invite_member))
        .route(
            "/organization/accept-invitation",
            post(o::accept_invitation),
        )
        .route(
            "/organization/reject-invitation",
            post(o::reject_invitation),
        )
        .route(
            "/organization/cancel-invitation",
            post(o::cancel_invitation),
        )
        .route("/organization/get-invitation", get(o::get_invitation))
        .route("/organization/list-invitations", get(o::list_invitations))
        .route(
            "/organization/list-user-invitations",
            get(o::list_user_invitations),
        )
        .route("/organization/list-members", get(o::list_members))
        .route(
            "/organization/update-member-role",
            post(o::update_member_role),
        )
        .route("/organization/remove-member", post(o::remove_member))
        .route("/organization/leave", post(o::leave))
        .route("/organization/get-active-member", get(o::get_active_member))
        .route(
            "/organization/get-active-member-role",
            get(o::get_active_member_role),
        )
}

fn two_factor_routes() -> Router<AppState> {
    Router::new()
        .route("/two-factor/enable", post(two_factor::enable))
        .route("/two-factor/disable", post(two_factor::disable))
        .route("/two-factor/get-totp-uri", post(two_factor::get_totp_uri))
        .route("/two-factor/verify-totp", post(two_factor::verify_totp))
        .route(
            "/two-factor/verify-backup-code",
            post(two_factor::verify_backup_code),
        )
        .route(
            "/two-factor/generate-backup-codes",
            post(two_factor::generate_backup_codes),
        )
        .route("/two-factor/send-otp", post(two_factor::send_otp))
        .route("/two-factor/verify-otp", post(two_factor::verify_otp))
}

fn email_otp_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/email-otp/send-verification-otp",
            post(email_otp::send_verification_otp),
        )
        .route(
            "/email-otp/check-verification-otp",
            post(email_otp::check_verification_otp),
        )
        .route("/email-otp/verify-email", post(email_otp::verify_email))
        .route("/sign-in/email-otp", post(email_otp::sign_in))
        .route(
            "/email-otp/request-password-reset",
            post(email_otp::request_password_reset),
        )
        .route(
            "/forget-password/email-otp",
            post(email_otp::request_password_reset),
        )
        .route("/email-otp/reset-password", post(email_otp::reset_password))
}
