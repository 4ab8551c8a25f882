//! The cross-domain plugin (`@convex-dev/better-auth` 0.10.13), which every managed project runs
//! for its hosted sign-in page, as far as the wire shows it:
//!
//! - relative callback URLs become absolute on the site URL (the hosted page's; here the
//!   devserver's own URL) before the endpoint sees them, on `/sign-in/*` (also the new-user and
//!   error callbacks), `/link-social`, `/send-verification-email`, `/sign-in/magic-link`,
//!   `/change-email`, `/delete-user*` and `GET /verify-email`. The hook reads the body without
//!   checking there is one: a matched request without a body answers 500, and so does every
//!   `GET /delete-user/callback`;
//! - a redirect that signed someone in (`/callback/*`, `/magic-link/verify`) carries `?ott=`, a
//!   one-time token for the new session (`social::with_one_time_token`);
//! - its `/cross-domain/one-time-token/verify` replaces the one-time-token plugin's
//!   `/one-time-token/verify` (both are the `verifyOneTimeToken` endpoint; the later plugin wins),
//!   so only the cross-domain path answers.

use axum::http::{Method, StatusCode};
use serde_json::Value;

use crate::http::ApiError;

/// Whether the plugin's callback rewrite hook runs for this request (`startsWith` matches, as
/// the plugin's: `/sign-in/email` also matches `/sign-in/email-otp`).
fn rewrites(method: &Method, route: &str) -> bool {
    (method == Method::POST && route.starts_with("/link-social"))
        || [
            "/send-verification-email",
            "/sign-in/email",
            "/sign-in/social",
            "/sign-in/magic-link",
            "/delete-user",
            "/change-email",
        ]
        .iter()
        .any(|p| route.starts_with(p))
}

/// A relative callback URL made absolute on `site_url`.
pub fn absolute(callback: &str, site_url: &str) -> String {
    if !callback.starts_with('/') {
        return callback.to_owned();
    }
    url::Url::parse(site_url)
        .and_then(|base| base.join(callback))
        .map(String::from)
        .unwrap_or_else(|_| callback.to_owned())
}

/// The plugin's before-hook on a request body; `route` is the path under `/api/auth`.
pub fn rewrite_body(
    method: &Method,
    route: &str,
    site_url: &str,
    body: &mut Option<Value>,
) -> Result<(), ApiError> {
    if !rewrites(method, route) {
        return Ok(());
    }
    // `ctx.body.callbackURL = …` on a request without a body: a TypeError, Better Auth's 500.
    let Some(Value::Object(fields)) = body else {
        return Err(ApiError::empty(StatusCode::INTERNAL_SERVER_ERROR).before_endpoint());
    };
    let mut names = vec!["callbackURL"];
    if route.starts_with("/sign-in") {
        names.extend(["newUserCallbackURL", "errorCallbackURL"]);
    }
    for name in names {
        if let Some(Value::String(url)) = fields.get_mut(name) {
            *url = absolute(url, site_url);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_callbacks_become_absolute_on_matched_routes_only() {
        let site = "http://127.0.0.1:4000";
        let mut body = Some(serde_json::json!({"callbackURL": "/home", "errorCallbackURL": "/e"}));
        rewrite_body(&Method::POST, "/sign-in/social", site, &mut body).unwrap();
        assert_eq!(
            body.as_ref().unwrap()["callbackURL"],
            "http://127.0.0.1:4000/home"
        );
        assert_eq!(
            body.as_ref().unwrap()["errorCallbackURL"],
            "http://127.0.0.1:4000/e"
        );
        let mut body = Some(serde_json::json!({"callbackURL": "/x", "errorCallbackURL": "/e"}));
        rewrite_body(&Method::POST, "/change-email", site, &mut body).unwrap();
        assert_eq!(
            body.as_ref().unwrap()["callbackURL"],
            "http://127.0.0.1:4000/x"
        );
        assert_eq!(body.as_ref().unwrap()["errorCallbackURL"], "/e");
        let mut untouched = Some(serde_json::json!({"callbackURL": "/x"}));
        rewrite_body(&Method::POST, "/sign-up/email", site, &mut untouched).unwrap();
        assert_eq!(untouched.unwrap()["callbackURL"], "/x");
        let mut none = None;
        assert!(rewrite_body(&Method::POST, "/sign-in/email-otp", site, &mut none).is_err());
        assert_eq!(absolute("myapp://auth", site), "myapp://auth");
    }
}
