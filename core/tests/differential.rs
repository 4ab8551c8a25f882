//! The devserver against the real Better Auth 1.4.21 (the platform's version): one list of raw
//! requests (tests/differential/cases.json, see its README) sent to both, one trial per case,
//! failing on any observable difference the case does not allow.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use banata_devserver::{DevServer, DevServerHandle};
use common::oidc::OidcProvider;
use common::peer::{Peer, PeerVersion};
use libtest_mimic::{Arguments, Failed, Trial};
use reqwest::header::HeaderMap;
use serde_json::{Map, Value, json};

const PASSWORD: &str = "correct horse battery staple";
const TRUSTED_ORIGIN: &str = "http://localhost:3000";
const UNTRUSTED_ORIGIN: &str = "https://evil.example";

fn main() {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/differential/cases.json");
    let cases: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("cases.json is readable"))
            .expect("cases.json is JSON");
    let args = Arguments::from_args();
    let runtime = Arc::new(tokio::runtime::Runtime::new().expect("a runtime"));
    // Each profile's pair of servers starts on first use and is shared by its cases (each case
    // signs up its own user).
    let targets = Arc::new(Profiles::default());
    let trials = cases
        .into_iter()
        .map(|case| {
            let name = case["name"].as_str().expect("a case has a name").to_owned();
            let (runtime, targets) = (Arc::clone(&runtime), Arc::clone(&targets));
            Trial::test(name, move || {
                runtime.block_on(async {
                    let profile = case["profile"].as_str().unwrap_or("platform");
                    let pair = targets.get(profile).await;
                    let _alone = match profile {
                        "expiring" => Some(targets.one_expiring_case.lock().await),
                        _ => None,
                    };
                    compare(pair, &case).await
                })
            })
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    drop(targets);
    conclusion.exit();
}

/// How long codes and links live in the `expiring` profile (cases wait past it with `waitMs`).
const EXPIRING_CODE_SECONDS: u64 = 1;
const EXPIRING_CODE_SECONDS_STR: &str = "1";

/// The server pairs, by profile: `platform` (a managed project's defaults), and the same with
/// one plugin on that managed projects have off: `two-factor`, `email-otp`, `magic-link`; and
/// `expiring`, all three with codes and links that live a second; `delete-by-mail`, account
/// deletions confirmed by a mailed link; `social`, both offering the loopback OpenID provider
/// (tests/oidc-provider) as `oidc` and `other`.
#[derive(Default)]
struct Profiles {
    social: tokio::sync::OnceCell<Targets>,
    /// The `social` profile's provider, started with it.
    oidc: std::sync::OnceLock<OidcProvider>,
    platform: tokio::sync::OnceCell<Targets>,
    two_factor: tokio::sync::OnceCell<Targets>,
    email_otp: tokio::sync::OnceCell<Targets>,
    magic_link: tokio::sync::OnceCell<Targets>,
    expiring: tokio::sync::OnceCell<Targets>,
    delete_by_mail: tokio::sync::OnceCell<Targets>,
    /// Held by each `expiring` case: a lookup by one case clears every expired row (both
    /// servers do), so a concurrent case's link could vanish before its own lookup.
    one_expiring_case: tokio::sync::Mutex<()>,
}

impl Profiles {
    async fn get(&self, profile: &str) -> &Targets {
        if profile == "social" {
            return self.social.get_or_init(|| self.social_targets()).await;
        }
        let (cell, env): (_, &'static [(&str, &str)]) = match profile {
            "platform" => (&self.platform, &[]),
            "two-factor" => (&self.two_factor, &[("PEER_TWO_FACTOR", "1")]),
            "email-otp" => (&self.email_otp, &[("PEER_EMAIL_OTP", "1")]),
            "magic-link" => (&self.magic_link, &[("PEER_MAGIC_LINK", "1")]),
            "expiring" => (
                &self.expiring,
                &[
                    ("PEER_TWO_FACTOR", "1"),
                    ("PEER_EMAIL_OTP", "1"),
                    ("PEER_MAGIC_LINK", "1"),
                    ("PEER_CODE_LIFETIME", EXPIRING_CODE_SECONDS_STR),
                ],
            ),
            "delete-by-mail" => (&self.delete_by_mail, &[("PEER_DELETE_VERIFICATION", "1")]),
            other => panic!("unknown profile {other}"),
        };
        cell.get_or_init(|| async move {
            let devserver = DevServer::start(banata_devserver::DevServerConfig {
                two_factor: matches!(profile, "two-factor" | "expiring"),
                email_otp: matches!(profile, "email-otp" | "expiring"),
                magic_link: matches!(profile, "magic-link" | "expiring"),
                code_lifetime_seconds: (profile == "expiring").then_some(EXPIRING_CODE_SECONDS),
                confirm_deletion_by_mail: profile == "delete-by-mail",
                ..Default::default()
            })
            .await
            .expect("devserver starts");
            let peer = Peer::start_with(PeerVersion::V1_4, env);
            Targets { devserver, peer }
        })
        .await
    }
}

impl Profiles {
    async fn social_targets(&self) -> Targets {
        let provider = self.oidc.get_or_init(OidcProvider::start);
        let _ = ISSUER.set(provider.issuer.clone());
        let devserver = DevServer::start(banata_devserver::DevServerConfig {
            trusted_origins: vec!["myapp://".into()],
            social_providers: provider.devserver_providers(),
            ..Default::default()
        })
        .await
        .expect("devserver starts");
        let peer = Peer::start_with(PeerVersion::V1_4, &[("PEER_OIDC_ISSUER", &provider.issuer)]);
        Targets { devserver, peer }
    }
}

/// The `social` profile's OpenID provider, once started.
static ISSUER: std::sync::OnceLock<String> = std::sync::OnceLock::new();

struct Targets {
    devserver: DevServerHandle,
    peer: Peer,
}

/// One server under test.
#[derive(Clone, Copy)]
enum Target<'a> {
    Devserver(&'a DevServerHandle),
    Peer(&'a Peer),
}

impl Target<'_> {
    fn base(&self) -> String {
        match self {
            Target::Devserver(d) => d.url(),
            Target::Peer(p) => p.url.clone(),
        }
    }

    fn http() -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client")
    }

    /// The newest mail of `kind` to `to`.
    async fn mail(&self, to: &str, kind: &str) -> Result<Value, Failed> {
        let request = match self {
            Target::Devserver(d) => Self::http()
                .get(format!("{}/__dev/mailbox", d.url()))
                .bearer_auth(d.admin_api_key()),
            Target::Peer(p) => Self::http().get(format!("{}/__peer/mailbox", p.url)),
        };
        let body: Value = request.query(&[("to", to)]).send().await?.json().await?;
        body["mails"]
            .as_array()
            .and_then(|m| m.iter().rev().find(|m| m["kind"] == kind).cloned())
            .ok_or_else(|| format!("no {kind} mail to {to}").into())
    }

    async fn post(&self, path: &str, body: Value) -> Result<reqwest::Response, Failed> {
        Ok(Self::http()
            .post(format!("{}/api/auth{path}", self.base()))
            .json(&body)
            .send()
            .await?)
    }

    async fn post_as(
        &self,
        path: &str,
        token: &str,
        body: Value,
    ) -> Result<reqwest::Response, Failed> {
        Ok(Self::http()
            .post(format!("{}/api/auth{path}", self.base()))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await?)
    }

    async fn post_with_cookie(
        &self,
        path: &str,
        cookie: &str,
        body: Value,
    ) -> Result<reqwest::Response, Failed> {
        Ok(Self::http()
            .post(format!("{}/api/auth{path}", self.base()))
            .header("cookie", cookie)
            .header("origin", self.base())
            .json(&body)
            .send()
            .await?)
    }

    /// Signs `email` in, presenting `cookie` (none when empty).
    async fn sign_in_cookies(
        &self,
        email: &str,
        cookie: &str,
    ) -> Result<reqwest::Response, Failed> {
        let body = json!({ "email": email, "password": PASSWORD });
        if cookie.is_empty() {
            self.post("/sign-in/email", body).await
        } else {
            self.post_with_cookie("/sign-in/email", cookie, body).await
        }
    }

    /// Asks for a sign-in link for `email` and reads its token from the mailbox.
    async fn mailed_link(&self, email: &str) -> Result<String, Failed> {
        let sent = self
            .post("/sign-in/magic-link", json!({ "email": email }))
            .await?;
        if !sent.status().is_success() {
            return Err(format!("setup: sign-in/magic-link answered {}", sent.status()).into());
        }
        let mail = self.mail(email, "magic-link").await?;
        Ok(mail["token"].as_str().unwrap_or_default().to_owned())
    }

    /// Asks for an e-mail code of `kind` for `email` and reads it from the mailbox.
    async fn mailed_otp(&self, email: &str, kind: &str) -> Result<String, Failed> {
        let sent = self
            .post(
                "/email-otp/send-verification-otp",
                json!({ "email": email, "type": kind }),
            )
            .await?;
        if !sent.status().is_success() {
            return Err(format!("setup: send-verification-otp answered {}", sent.status()).into());
        }
        let mail = self.mail(email, "email-otp").await?;
        Ok(mail["token"].as_str().unwrap_or_default().to_owned())
    }

    /// Prepares what a case needs and returns its variables.
    async fn setup(&self, setup: &str) -> Result<BTreeMap<String, String>, Failed> {
        let mut vars = BTreeMap::new();
        let email = common::unique_email("diff");
        vars.insert("email".into(), email.clone());
        vars.insert("password".into(), PASSWORD.into());
        vars.insert("origin".into(), TRUSTED_ORIGIN.into());
        vars.insert("untrusted".into(), UNTRUSTED_ORIGIN.into());
        vars.insert("base".into(), self.base());
        if setup == "none" {
            return Ok(vars);
        }
        if setup.starts_with("social-") {
            let issuer = ISSUER
                .get()
                .ok_or("the social profile's provider is not running")?;
            return Ok(
                common::social_flow::vars(&self.base(), issuer, setup, &email, vars)
                    .await
                    .map_err(|e| e.to_string())?,
            );
        }
        if setup == "link" {
            vars.insert("linkToken".into(), self.mailed_link(&email).await?);
            return Ok(vars);
        }
        if let Some(kind) = setup.strip_prefix("otp:") {
            // A code of `kind` mailed to a fresh address (sign-in makes the account).
            vars.insert("otp".into(), self.mailed_otp(&email, kind).await?);
            return Ok(vars);
        }
        // Every set-up user has a username too (the username plugin is on everywhere).
        let username = email
            .split('@')
            .next()
            .unwrap_or_default()
            .replace('-', "_");
        vars.insert("username".into(), username.clone());
        let signed_up = self
            .post(
                "/sign-up/email",
                json!({ "name": "Diff", "email": email, "password": PASSWORD, "username": username }),
            )
            .await?;
        if !signed_up.status().is_success() {
            return Err(format!("setup: sign-up answered {}", signed_up.status()).into());
        }
        let token = self.mail(&email, "verification").await?["token"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        vars.insert("verifyToken".into(), token.clone());
        if setup == "user" {
            return Ok(vars);
        }
        if setup == "user-link" {
            vars.insert("linkToken".into(), self.mailed_link(&email).await?);
            return Ok(vars);
        }
        if let Some(kind) = setup.strip_prefix("user-otp:") {
            vars.insert("otp".into(), self.mailed_otp(&email, kind).await?);
            return Ok(vars);
        }
        let verified = Self::http()
            .get(format!("{}/api/auth/verify-email", self.base()))
            .query(&[("token", &token)])
            .send()
            .await?;
        if !verified.status().is_success() {
            return Err(format!("setup: verify-email answered {}", verified.status()).into());
        }
        if setup == "verified" {
            return Ok(vars);
        }
        assert!(
            matches!(
                setup,
                "session"
                    | "revoked"
                    | "key"
                    | "ott"
                    | "2fa"
                    | "pending"
                    | "pending-otp"
                    | "trusted"
                    | "trusted-spent"
                    | "changing"
                    | "deleting"
            ),
            "unknown setup {setup}"
        );
        let signed_in = self
            .post(
                "/sign-in/email",
                json!({ "email": email, "password": PASSWORD }),
            )
            .await?;
        if !signed_in.status().is_success() {
            return Err(format!("setup: sign-in answered {}", signed_in.status()).into());
        }
        let header = |name: &str| {
            signed_in
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let received = header("set-auth-token");
        let signed = percent_decode(&received);
        let cookie = set_cookie(&signed_in, |c| c.starts_with("better-auth.session_token="))
            .unwrap_or_default();
        let multi = set_cookie(&signed_in, |c| c.contains("_multi-")).unwrap_or_default();
        vars.insert("multiCookie".into(), multi);
        vars.insert(
            "raw".into(),
            signed.split('.').next().unwrap_or_default().into(),
        );
        vars.insert("encoded".into(), percent_encode(&signed));
        vars.insert("signed".into(), signed);
        vars.insert("token".into(), received);
        vars.insert("cookie".into(), cookie);
        if setup == "key" {
            let created: Value = Self::http()
                .post(format!("{}/api/auth/api-key/create", self.base()))
                .bearer_auth(&vars["token"])
                .json(&json!({ "name": "diff" }))
                .send()
                .await?
                .json()
                .await?;
            for (var, field) in [("apiKey", "key"), ("keyId", "id")] {
                let value = created[field].as_str().ok_or("setup: no key created")?;
                vars.insert(var.into(), value.to_owned());
            }
        }
        if matches!(
            setup,
            "2fa" | "pending" | "pending-otp" | "trusted" | "trusted-spent"
        ) {
            let enabled: Value = self
                .post_as(
                    "/two-factor/enable",
                    &vars["token"],
                    json!({ "password": PASSWORD }),
                )
                .await?
                .json()
                .await?;
            let uri = enabled["totpURI"]
                .as_str()
                .ok_or("setup: no totpURI")?
                .to_owned();
            let code = totp_code(&uri)?;
            let confirmed = self
                .post_as(
                    "/two-factor/verify-totp",
                    &vars["token"],
                    json!({ "code": code }),
                )
                .await?;
            if !confirmed.status().is_success() {
                return Err(format!("setup: verify-totp answered {}", confirmed.status()).into());
            }
            let token = confirmed
                .headers()
                .get("set-auth-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            vars.insert("token".into(), token);
            let backup = enabled["backupCodes"][0]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            vars.insert("backupCode".into(), backup);
            vars.insert("totpUri".into(), uri);
        }
        if matches!(setup, "pending" | "pending-otp") {
            let pending = self
                .post(
                    "/sign-in/email",
                    json!({ "email": email, "password": PASSWORD }),
                )
                .await?;
            let cookie = cookie_pair(&pending, "better-auth.two_factor=")?;
            vars.insert("pendingCookie".into(), cookie);
        }
        if setup == "pending-otp" {
            // The pending sign-in asked for a mailed code.
            let sent = self
                .post_with_cookie("/two-factor/send-otp", &vars["pendingCookie"], json!({}))
                .await?;
            if !sent.status().is_success() {
                return Err(format!("setup: send-otp answered {}", sent.status()).into());
            }
            let code = self.mail(&email, "two-factor-otp").await?["token"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            vars.insert("twoFactorOtp".into(), code);
        }
        if matches!(setup, "trusted" | "trusted-spent") {
            // A sign-in completed with `trustDevice`, whose mark the case presents.
            let pending = self.sign_in_cookies(&email, "").await?;
            let code = totp_code(&vars["totpUri"])?;
            let trusted = self
                .post_with_cookie(
                    "/two-factor/verify-totp",
                    &cookie_pair(&pending, "better-auth.two_factor=")?,
                    json!({ "code": code, "trustDevice": true }),
                )
                .await?;
            let mark = cookie_pair(&trusted, "better-auth.trust_device=")?;
            if setup == "trusted-spent" {
                // Used once: the mark is renewed, the old one spent.
                let renewed = self.sign_in_cookies(&email, &mark).await?;
                cookie_pair(&renewed, "better-auth.trust_device=")?;
            }
            vars.insert("trustCookie".into(), mark);
        }
        if setup == "deleting" {
            let asked = self
                .post_as("/delete-user", &vars["token"], json!({}))
                .await?;
            if !asked.status().is_success() {
                return Err(format!("setup: delete-user answered {}", asked.status()).into());
            }
            let mail = self.mail(&email, "delete-account").await?;
            let token = mail["token"].as_str().unwrap_or_default().to_owned();
            vars.insert("deleteToken".into(), token);
        }
        if setup == "changing" {
            let new_email = format!("new-{email}");
            let asked = self
                .post_as(
                    "/change-email",
                    &vars["token"],
                    json!({ "newEmail": new_email }),
                )
                .await?;
            if !asked.status().is_success() {
                return Err(format!("setup: change-email answered {}", asked.status()).into());
            }
            let mail = self.mail(&new_email, "verification").await?;
            let token = mail["token"].as_str().unwrap_or_default().to_owned();
            vars.insert("changeToken".into(), token);
        }
        if setup == "ott" {
            let generated: Value = Self::http()
                .get(format!("{}/api/auth/one-time-token/generate", self.base()))
                .bearer_auth(&vars["token"])
                .send()
                .await?
                .json()
                .await?;
            let token = generated["token"]
                .as_str()
                .ok_or("setup: no one-time token")?;
            vars.insert("ott".into(), token.to_owned());
        }
        if setup == "revoked" {
            let signed_out = Self::http()
                .post(format!("{}/api/auth/sign-out", self.base()))
                .bearer_auth(&vars["token"])
                .send()
                .await?;
            if !signed_out.status().is_success() {
                return Err(format!("setup: sign-out answered {}", signed_out.status()).into());
            }
        }
        Ok(vars)
    }

    /// Sends the case's request and reduces the answer to what is compared.
    async fn observe(&self, case: &Value) -> Result<BTreeMap<String, Value>, Failed> {
        let vars = self.setup(case["setup"].as_str().unwrap_or("none")).await?;
        let mut vars = vars;
        if let Some(wait) = case["waitMs"].as_u64() {
            // Past a code's lifetime, on both servers alike.
            tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
        }
        if let Some(uri) = vars.get("totpUri").cloned() {
            // The authenticator's current code, as late as possible.
            vars.insert("totp".into(), totp_code(&uri)?);
        }
        let fill = |s: &str| {
            vars.iter()
                .fold(s.to_owned(), |s, (k, v)| s.replace(&format!("{{{k}}}"), v))
        };
        let method: reqwest::Method = case["method"].as_str().unwrap_or("GET").parse()?;
        let url = format!(
            "{}/api/auth{}",
            self.base(),
            fill(case["path"].as_str().unwrap())
        );
        let mut request = Self::http().request(method, url);
        for (name, value) in case["headers"].as_object().into_iter().flatten() {
            request = request.header(
                name,
                fill(value.as_str().expect("header values are strings")),
            );
        }
        if let Some(body) = case.get("json") {
            let body: Value = serde_json::from_str(&fill(&body.to_string()))?;
            request = request.json(&body);
        } else if let Some(body) = case["body"].as_str() {
            request = request.body(fill(body));
        }
        let response = request.send().await?;
        let mut seen = BTreeMap::new();
        seen.insert("status".into(), json!(response.status().as_u16()));
        let headers = response.headers().clone();
        let base = self.base();
        seen.insert(
            "location".into(),
            header(&headers, "location").map_or(Value::Null, |l| {
                json!(provider_url(
                    &without_ott(&l.replace(&base, "{base}")),
                    &base
                ))
            }),
        );
        seen.insert(
            "set-auth-token".into(),
            match header(&headers, "set-auth-token") {
                None => Value::Null,
                Some(t) if t.contains('%') => json!("url-encoded"),
                Some(t) if t.contains('.') => json!("signed"),
                Some(_) => json!("unsigned"),
            },
        );
        seen.insert("cookies".into(), cookies(&headers));
        let bytes = response.bytes().await?;
        let body: Option<Value> = serde_json::from_slice(&bytes).ok();
        seen.insert(
            "body.shape".into(),
            match &body {
                _ if bytes.is_empty() => json!("empty"),
                Some(v) => shape(v),
                None => json!("not json"),
            },
        );
        for field in ["code", "message"] {
            seen.insert(
                format!("body.{field}"),
                body.as_ref()
                    .and_then(|b| b.get(field))
                    .cloned()
                    .unwrap_or(Value::Null),
            );
        }
        Ok(seen)
    }
}

/// The current code of an `otpauth://totp/` URI (RFC 6238, through a TOTP library).
fn totp_code(uri: &str) -> Result<String, Failed> {
    let totp = totp_rs::TOTP::from_url_unchecked(uri).map_err(|e| format!("totpURI: {e}"))?;
    Ok(totp.generate_current().map_err(|e| e.to_string())?)
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The `name=value` of the cookie an answer sets whose line starts with `prefix`.
fn cookie_pair(response: &reqwest::Response, prefix: &str) -> Result<String, Failed> {
    Ok(set_cookie(response, |c| c.starts_with(prefix))
        .ok_or_else(|| format!("setup: no {prefix} cookie"))?)
}

/// The `name=value` of the first cookie an answer sets whose line `matches`.
fn set_cookie(response: &reqwest::Response, matches: impl Fn(&str) -> bool) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| matches(c))
        .and_then(|c| c.split(';').next())
        .map(str::to_owned)
}

/// Every cookie set, by name: set or cleared, and its attributes in a fixed order.
fn cookies(headers: &HeaderMap) -> Value {
    let mut out = Map::new();
    for line in headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
    {
        let Ok(c) = cookie::Cookie::parse(line.to_owned()) else {
            out.insert(line.to_owned(), json!("unparsable"));
            continue;
        };
        let cleared = c.value().is_empty() || c.max_age().is_some_and(|a| a.is_zero());
        let mut attrs = vec![if cleared { "cleared" } else { "set" }.to_owned()];
        if let Some(age) = c.max_age() {
            attrs.push(format!("Max-Age={}", age.whole_seconds()));
        }
        if c.expires().is_some() {
            attrs.push("Expires".into());
        }
        if let Some(path) = c.path() {
            attrs.push(format!("Path={path}"));
        }
        if c.http_only() == Some(true) {
            attrs.push("HttpOnly".into());
        }
        if c.secure() == Some(true) {
            attrs.push("Secure".into());
        }
        if let Some(same_site) = c.same_site() {
            attrs.push(format!("SameSite={same_site}"));
        }
        // Multi-session cookies are named after their token.
        let name = match c.name().split_once("_multi-") {
            Some((base, _)) => format!("{base}_multi-{{token}}"),
            None => c.name().to_owned(),
        };
        // A name set twice (an older multi-session cookie cleared, a new one set) keeps both,
        // in order.
        let attrs = json!(attrs.join("; "));
        match out.get_mut(&name) {
            Some(Value::Array(seen)) => seen.push(attrs),
            Some(first) => *first = json!([first.take(), attrs]),
            None => {
                out.insert(name, attrs);
            }
        }
    }
    Value::Object(out)
}

/// The keys of a JSON value, recursively, with the type of each leaf.
fn shape(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), shape(v))).collect()),
        Value::Array(items) => json!([items.first().map(shape).unwrap_or(json!("none"))]),
        Value::Null => json!("null"),
        Value::Bool(_) => json!("boolean"),
        Value::Number(_) => json!("number"),
        Value::String(_) => json!("string"),
    }
}

fn percent_encode(v: &str) -> String {
    percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)
        .to_string()
        .replace("%2E", ".")
        .replace("%2D", "-")
        .replace("%5F", "_")
}

fn percent_decode(v: &str) -> String {
    percent_encoding::percent_decode_str(v)
        .decode_utf8_lossy()
        .into_owned()
}

async fn compare(targets: &Targets, case: &Value) -> Result<(), Failed> {
    let dev = Target::Devserver(&targets.devserver).observe(case).await?;
    let peer = Target::Peer(&targets.peer).observe(case).await?;
    // DIFFERENTIAL_SHOW=1 prints what both answered, to read a case (with `--nocapture`).
    if std::env::var_os("DIFFERENTIAL_SHOW").is_some() {
        println!("devserver: {}\n1.4.21:    {}", json!(dev), json!(peer));
    }
    let allowed = case["allow"].as_object();
    let differences: Vec<String> = dev
        .iter()
        .filter(|(field, value)| {
            peer.get(*field) != Some(*value) && allowed.is_none_or(|a| !a.contains_key(*field))
        })
        .map(|(field, value)| {
            format!(
                "  {field}:\n    devserver: {value}\n    1.4.21:    {}",
                peer.get(field).unwrap_or(&Value::Null)
            )
        })
        .collect();
    if differences.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "differs from Better Auth 1.4.21:\n{}",
            differences.join("\n")
        )
        .into())
    }
}

/// A redirect's one-time token (`?ott=`, the cross-domain plugin's) is random: only its
/// presence is compared.
fn without_ott(location: &str) -> String {
    match location.find("ott=") {
        Some(at) => {
            let end = location[at..].find('&').map_or(location.len(), |e| at + e);
            format!("{}ott={{ott}}{}", &location[..at], &location[end..])
        }
        None => location.to_owned(),
    }
}

/// A redirect to the OpenID provider: its state and PKCE challenge are random, so they are
/// compared by presence; the other parameters in order of name.
fn provider_url(location: &str, base: &str) -> String {
    let Some(issuer) = ISSUER.get().filter(|i| location.starts_with(i.as_str())) else {
        return location.to_owned();
    };
    let Ok(url) = url::Url::parse(location) else {
        return location.to_owned();
    };
    let mut pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| match k.as_ref() {
            "state" | "code_challenge" => (k.into_owned(), "{random}".to_owned()),
            _ => (k.into_owned(), v.replace(base, "{base}")),
        })
        .collect();
    pairs.sort();
    let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{{issuer}}{}?{}", url.path(), query.join("&")).replace(issuer.as_str(), "{issuer}")
}
