//! Session JWTs: who a request is for without a round trip. The server signs a short-lived
//! JWT for a session (the platform: RS256, 15 minutes, `iss` the site URL, `aud` `"convex"`,
//! from `/convex/token`, keys at `/convex/jwks`); a backend verifies it locally with the key
//! set ([`crate::jwks`], cached per process). A well-kept JOSE crate does the cryptography.

use std::fmt;
use std::time::Duration;

use jsonwebtoken::{Algorithm, Validation};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind, Result};
use crate::jwks::{Fetched, key_set};
use crate::models::Timestamp;
use crate::session_store::SessionToken;
use crate::transport::{Call, Credential};

/// Where the session JWTs come from and what they must say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JwtSettings {
    /// Which plugin issues the tokens: the paths and the default `iss` and `aud`.
    pub source: JwtSource,
    /// The required `iss`; `None`: the source's default for the base URL.
    pub issuer: Option<String>,
    /// The required `aud`; `None`: the source's default.
    pub audience: Option<String>,
    /// How far `exp`, `nbf` and `iat` may be off, for clocks that differ (default 30 s).
    pub clock_skew: Duration,
    /// The shortest time between two fetches of the key set (default 30 s), so tokens naming
    /// unknown keys cannot make the server be asked on every request.
    pub refetch_cooldown: Duration,
    /// Whether [`crate::Client::authenticate`] asks the server about a request that carries
    /// no session JWT but a session (the `better-auth.session_token` cookie, or a session
    /// token as bearer): one `get-session` round trip (default off).
    pub session_fallback: bool,
}

/// Which Better Auth plugin issues the tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JwtSource {
    /// Banata's platform (the `convex` plugin): `/convex/token` and `/convex/jwks`, `iss` the
    /// site URL (the client's base URL), `aud` `"convex"`.
    Platform,
    /// Better Auth's own `jwt()` plugin: `/token` and `/jwks`, `iss` and `aud` the server's
    /// `baseURL` (the client's base URL).
    JwtPlugin,
}

/// [`JwtSettings`] as the bindings give them (JSON, every field optional):
/// `{"source": "platform" | "jwt_plugin", "issuer", "audience", "clockSkewSeconds",
/// "refetchCooldownSeconds", "sessionFallback"}`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct JwtSettingsInput {
    source: Option<String>,
    issuer: Option<String>,
    audience: Option<String>,
    clock_skew_seconds: Option<u64>,
    refetch_cooldown_seconds: Option<u64>,
    session_fallback: Option<bool>,
}

impl JwtSettings {
    /// Settings from the bindings' JSON object; a wrong field is an
    /// [`ErrorKind::Configuration`] error that names it.
    pub fn from_json(json: &str) -> Result<JwtSettings> {
        let bad = |e: String| Error::configuration(format!("the jwt option: {e}"));
        let input: JwtSettingsInput = serde_json::from_str(json).map_err(|e| bad(e.to_string()))?;
        let source = match input.source.as_deref() {
            None | Some("platform") => JwtSource::Platform,
            Some("jwt_plugin") => JwtSource::JwtPlugin,
            Some(other) => {
                return Err(bad(format!(
                    "source must be \"platform\" or \"jwt_plugin\", not {other:?}"
                )));
            }
        };
        let mut settings = JwtSettings::new(source);
        settings.issuer = input.issuer;
        settings.audience = input.audience;
        if let Some(s) = input.clock_skew_seconds {
            settings.clock_skew = Duration::from_secs(s);
        }
        if let Some(s) = input.refetch_cooldown_seconds {
            settings.refetch_cooldown = Duration::from_secs(s);
        }
        settings.session_fallback = input.session_fallback.unwrap_or(false);
        Ok(settings)
    }
}

impl Default for JwtSettings {
    fn default() -> Self {
        JwtSettings::new(JwtSource::Platform)
    }
}

impl JwtSettings {
    /// The defaults for `source`.
    pub fn new(source: JwtSource) -> Self {
        JwtSettings {
            source,
            issuer: None,
            audience: None,
            clock_skew: Duration::from_secs(30),
            refetch_cooldown: Duration::from_secs(30),
            session_fallback: false,
        }
    }

    pub(crate) fn token_path(&self) -> &'static str {
        match self.source {
            JwtSource::Platform => "/api/auth/convex/token",
            JwtSource::JwtPlugin => "/api/auth/token",
        }
    }

    fn jwks_path(&self) -> &'static str {
        match self.source {
            JwtSource::Platform => "/api/auth/convex/jwks",
            JwtSource::JwtPlugin => "/api/auth/jwks",
        }
    }

    fn issuer_for(&self, base: &url::Url) -> String {
        // Both name the server's configured URL: the platform's site URL, Better Auth's
        // `baseURL`; the client's base URL is that URL.
        self.issuer
            .clone()
            .unwrap_or_else(|| base.as_str().trim_end_matches('/').to_owned())
    }

    fn audience_for(&self, base: &url::Url) -> String {
        self.audience.clone().unwrap_or_else(|| match self.source {
            JwtSource::Platform => "convex".to_owned(),
            JwtSource::JwtPlugin => self.issuer_for(base),
        })
    }
}

/// Who a request is for: a session JWT that verified or, with the session fallback, the
/// server's answer.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct VerifiedSession {
    /// The user (`sub`).
    pub user_id: String,
    /// The session (`sessionId`, where the server includes it: the platform does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// When the token stops being valid (`exp`).
    pub expires_at: Timestamp,
    /// When it was issued (`iat`), if it says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<Timestamp>,
    /// Every claim, as signed (e.g. `email`, `name`, `emailVerified`); after a round trip,
    /// the user's fields.
    pub claims: Map<String, Value>,
    /// Whether the server was asked (the session fallback of `authenticate`) rather than a
    /// JWT verified locally. Such an answer holds only for this request: the session may end
    /// at any time.
    #[serde(default)]
    pub round_trip: bool,
}

impl fmt::Debug for VerifiedSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedSession")
            .field("user_id", &self.user_id)
            .field("session_id", &self.session_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

fn invalid(code: &'static str, message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidToken, message).with_code(code)
}

/// The `alg` a token's header names, before anything else is trusted.
fn header_algorithm(token: &str) -> Result<(String, Option<String>)> {
    #[derive(Deserialize)]
    struct Header {
        alg: Option<String>,
        kid: Option<String>,
    }
    let malformed = || invalid("MALFORMED_TOKEN", "the token is not a signed JWT");
    let mut parts = token.split('.');
    let (Some(header), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed());
    };
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| malformed())?;
    let header: Header = serde_json::from_slice(&bytes).map_err(|_| malformed())?;
    Ok((header.alg.ok_or_else(malformed)?, header.kid))
}

/// A session JWT from the server, for a request to the app's own backend (send it as
/// `Authorization: Bearer`). Redacted in `Debug`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SessionJwt {
    /// The token (redacted in `Debug`).
    pub token: SessionToken,
}

/// A token is fetched again once it has less than this left.
const REFRESH_BEFORE_EXPIRY_S: i64 = 60;

/// The last session JWT of a client, for the session it was made for.
#[derive(Default)]
pub(crate) struct CachedJwt {
    slot: tokio::sync::Mutex<Option<(String, SessionToken, i64)>>,
}

/// A JWT's `exp`, read without verifying (the client only decides when to ask again).
fn unverified_expiry(token: &str) -> Option<i64> {
    use base64::Engine;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    serde_json::from_slice::<Value>(&bytes)
        .ok()?
        .get("exp")?
        .as_i64()
}

impl crate::Auth<'_> {
    /// A session JWT for the signed-in user (the platform's lasts 15 minutes), from the
    /// source the client is set up for ([`JwtSettings`]). The client keeps it and answers with
    /// it while it has more than a minute left; then one call fetches a new one while the
    /// others wait for it.
    pub async fn token(&self) -> Result<SessionJwt> {
        let session = self
            .client
            .session_token()
            .await?
            .map(|t| t.raw().to_owned())
            .unwrap_or_default();
        let mut slot = self.client.cached_jwt().slot.lock().await;
        let now = chrono::Utc::now().timestamp();
        if let Some((owner, token, exp)) = slot.as_ref()
            && *owner == session
            && !session.is_empty()
            && *exp - now > REFRESH_BEFORE_EXPIRY_S
        {
            return Ok(SessionJwt {
                token: token.clone(),
            });
        }
        let path = self.client.jwt_settings().token_path();
        let fetched: SessionJwt = self
            .client
            .send(Call::get(path, Credential::Session))
            .await?
            .json()?;
        *slot = unverified_expiry(fetched.token.expose())
            .map(|exp| (session, fetched.token.clone(), exp));
        Ok(fetched)
    }
}

impl crate::Client {
    /// Verifies a session JWT locally: the signature with the server's key set (fetched once
    /// and cached for the process), the algorithm the key is for (never `none`, never a shared
    /// secret), `exp`/`nbf`/`iat` within the clock skew, `iss` and `aud`. A failure is an
    /// [`ErrorKind::InvalidToken`] error whose code says why: `MALFORMED_TOKEN`,
    /// `ALGORITHM_NOT_ALLOWED`, `UNKNOWN_KEY`, `BAD_SIGNATURE`, `TOKEN_EXPIRED`,
    /// `TOKEN_NOT_YET_VALID`, `WRONG_ISSUER` or `WRONG_AUDIENCE`.
    pub async fn verify_session_jwt(&self, token: &str) -> Result<VerifiedSession> {
        let settings = self.jwt_settings();
        let (alg, kid) = header_algorithm(token)?;
        let named: Algorithm = alg.parse().map_err(|_| {
            invalid(
                "ALGORITHM_NOT_ALLOWED",
                format!("algorithm {alg:?} is not accepted"),
            )
        })?;
        if matches!(
            named,
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
        ) {
            // A shared secret is no proof from a public key set.
            return Err(invalid(
                "ALGORITHM_NOT_ALLOWED",
                format!("algorithm {alg:?} is not accepted"),
            ));
        }
        let base = self.base_url().clone();
        let jwks_url = format!(
            "{}{}",
            base.as_str().trim_end_matches('/'),
            settings.jwks_path()
        );
        let keys = key_set(&jwks_url);
        let (issuer, audience) = (settings.issuer_for(&base), settings.audience_for(&base));
        if let Some(known) = keys.recall(token, &issuer, &audience) {
            // Verified before: only time has moved.
            let now = chrono::Utc::now().timestamp();
            let skew = i64::try_from(settings.clock_skew.as_secs()).unwrap_or(i64::MAX);
            if known.expires_at.0.timestamp().saturating_add(skew) > now {
                return Ok((*known).clone());
            }
            keys.forget(token, &issuer, &audience);
            return Err(invalid("TOKEN_EXPIRED", "the token has expired"));
        }
        let key = keys
            .key(kid.as_deref(), settings.refetch_cooldown, || async {
                let response = self
                    .send(Call::get(settings.jwks_path(), Credential::None))
                    .await?;
                Ok(Fetched {
                    cache_control: response.header("cache-control").map(str::to_owned),
                    body: response.body,
                })
            })
            .await?;
        if named != key.algorithm {
            return Err(invalid(
                "ALGORITHM_NOT_ALLOWED",
                format!("the key is for {:?}, the token says {alg:?}", key.algorithm),
            ));
        }
        let mut validation = Validation::new(key.algorithm);
        validation.leeway = settings.clock_skew.as_secs();
        validation.validate_nbf = true;
        validation.set_issuer(&[issuer.as_str()]);
        validation.set_audience(&[audience.as_str()]);
        validation.set_required_spec_claims(&["exp", "sub"]);
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, &key.decoding, &validation)
            .map_err(|e| {
                use jsonwebtoken::errors::ErrorKind as Jwt;
                match e.kind() {
                    Jwt::ExpiredSignature => invalid("TOKEN_EXPIRED", "the token has expired"),
                    Jwt::ImmatureSignature => {
                        invalid("TOKEN_NOT_YET_VALID", "the token is not valid yet (nbf)")
                    }
                    Jwt::InvalidSignature => {
                        invalid("BAD_SIGNATURE", "the token's signature does not verify")
                    }
                    Jwt::InvalidIssuer => {
                        invalid("WRONG_ISSUER", "the token is from another issuer")
                    }
                    Jwt::InvalidAudience => {
                        invalid("WRONG_AUDIENCE", "the token is for another audience")
                    }
                    Jwt::InvalidAlgorithm | Jwt::InvalidAlgorithmName => invalid(
                        "ALGORITHM_NOT_ALLOWED",
                        "the token's algorithm is not accepted",
                    ),
                    _ => invalid("MALFORMED_TOKEN", format!("the token is malformed: {e}")),
                }
            })?;
        let claims = data.claims;
        let seconds = |name: &str| claims.get(name).and_then(Value::as_i64);
        let at = |s: i64| chrono::DateTime::from_timestamp(s, 0).map(Timestamp);
        let now = chrono::Utc::now().timestamp();
        let skew = i64::try_from(settings.clock_skew.as_secs()).unwrap_or(i64::MAX);
        if seconds("iat").is_some_and(|iat| iat > now.saturating_add(skew)) {
            return Err(invalid(
                "TOKEN_NOT_YET_VALID",
                "the token was issued in the future (iat)",
            ));
        }
        let user_id = claims
            .get("sub")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| invalid("MALFORMED_TOKEN", "the token names no user (sub)"))?
            .to_owned();
        let expires_at = seconds("exp")
            .and_then(at)
            .ok_or_else(|| invalid("MALFORMED_TOKEN", "the token's exp is not a time"))?;
        let verified = VerifiedSession {
            user_id,
            session_id: claims
                .get("sessionId")
                .and_then(Value::as_str)
                .map(str::to_owned),
            expires_at,
            issued_at: seconds("iat").and_then(at),
            claims,
            round_trip: false,
        };
        keys.remember(
            token,
            &issuer,
            &audience,
            std::sync::Arc::new(verified.clone()),
        );
        Ok(verified)
    }
}

/// The cookie the platform keeps the current session JWT in (`__Secure-` on HTTPS).
const JWT_COOKIE: &str = "better-auth.convex_jwt";
/// Better Auth's session cookie (`__Secure-` on HTTPS): the signed session token.
const SESSION_COOKIE: &str = "better-auth.session_token";

/// What a request carries to say who it is for.
#[derive(Default)]
struct Presented {
    /// A session JWT: as bearer, else the `convex_jwt` cookie.
    jwt: Option<String>,
    /// A session token: a bearer that is not a JWT, else the session cookie.
    session: Option<String>,
}

fn presented<'a>(headers: impl IntoIterator<Item = (&'a str, &'a str)>) -> Presented {
    let (mut bearer_jwt, mut cookie_jwt) = (None, None);
    let (mut bearer_session, mut cookie_session) = (None, None);
    for (name, value) in headers {
        if name.eq_ignore_ascii_case("authorization") {
            let value = value.trim();
            let scheme = value.get(..7).unwrap_or_default();
            if scheme.eq_ignore_ascii_case("bearer ") {
                let token = value[7..].trim();
                if token.split('.').count() == 3 {
                    bearer_jwt.get_or_insert_with(|| token.to_owned());
                } else if !token.is_empty() {
                    bearer_session.get_or_insert_with(|| token.to_owned());
                }
            }
        } else if name.eq_ignore_ascii_case("cookie") {
            for c in cookie::Cookie::split_parse(value.to_owned()).filter_map(|c| c.ok()) {
                let plain = c.name().trim_start_matches("__Secure-");
                if plain == JWT_COOKIE && cookie_jwt.is_none() {
                    cookie_jwt = Some(c.value().to_owned());
                } else if plain == SESSION_COOKIE
                    && cookie_session.is_none()
                    && !c.value().is_empty()
                {
                    cookie_session = Some(c.value().to_owned());
                }
            }
        }
    }
    Presented {
        jwt: bearer_jwt.or(cookie_jwt),
        session: bearer_session.or(cookie_session),
    }
}

/// The session JWT a request carries: `Authorization: Bearer <jwt>`, else the platform's
/// `better-auth.convex_jwt` cookie. A bearer value that is not a JWT (a session token) does not
/// count.
pub fn session_jwt_from_headers<'a>(
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Option<String> {
    presented(headers).jwt
}

impl crate::Client {
    /// Who a request to the app's backend is for, from its headers alone: the session JWT in
    /// `Authorization: Bearer` or the `better-auth.convex_jwt` cookie, verified locally (see
    /// [`crate::Client::verify_session_jwt`]). With [`JwtSettings::session_fallback`] on, a
    /// request with no JWT, or an expired one, but a session (the session cookie, or a session
    /// token as bearer) is answered by one `get-session` round trip; an unknown or ended session is an error
    /// with code `UNKNOWN_SESSION`. A request without either is an
    /// [`ErrorKind::InvalidToken`] error with code `MISSING_TOKEN`; answer either with 401.
    pub async fn authenticate<'a>(
        &self,
        headers: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<VerifiedSession> {
        let presented = presented(headers);
        if let Some(token) = presented.jwt {
            let verified = self.verify_session_jwt(&token).await;
            // The JWT cookie outlives its token (15 minutes) beside a live session cookie: with
            // the fallback on, the session cookie is asked about instead.
            return match (verified, presented.session) {
                (Err(e), Some(session))
                    if e.code() == Some("TOKEN_EXPIRED")
                        && self.jwt_settings().session_fallback =>
                {
                    self.look_up_session(&session).await
                }
                (verified, _) => verified,
            };
        }
        match presented.session {
            Some(session) if self.jwt_settings().session_fallback => {
                self.look_up_session(&session).await
            }
            _ => Err(invalid(
                "MISSING_TOKEN",
                "the request carries no session JWT (Authorization: Bearer or the convex_jwt cookie)",
            )),
        }
    }

    /// The session fallback: `get-session` with the request's own token (never this client's
    /// session or device cookies).
    async fn look_up_session(&self, presented: &str) -> Result<VerifiedSession> {
        // As the browser holds it: Better Auth's bearer plugin takes the cookie's URL-encoded
        // form (a decoded `=` would be cut off).
        let token = SessionToken::new(presented);
        let call = Call::get("/api/auth/get-session", Credential::Session);
        let found: Option<crate::models::SessionWithUser> =
            self.send_as(&call, &token).await?.json()?;
        let unknown = || {
            invalid(
                "UNKNOWN_SESSION",
                "the request's session is not signed in (unknown, revoked or expired)",
            )
        };
        let found = found.ok_or_else(unknown)?;
        let expires_at = found.session.expires_at.ok_or_else(unknown)?;
        let claims = match serde_json::to_value(&found.user) {
            Ok(Value::Object(fields)) => fields,
            _ => Map::new(),
        };
        Ok(VerifiedSession {
            user_id: found.user.id.clone(),
            session_id: Some(found.session.id.clone()),
            expires_at,
            issued_at: found.session.created_at,
            claims,
            round_trip: true,
        })
    }

    /// The bindings' entry to the local calls, by id: `session.verify_jwt {token}` and
    /// `session.authenticate {headers: [[name, value], …]}`.
    pub(crate) async fn local_call(&self, id: &str, input: &Value) -> Option<Result<Value>> {
        let argument = |name: &str| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("{id}: `{name}` is missing or of the wrong type"),
            )
        };
        let verified = match id {
            "session.verify_jwt" => match input.get("token").and_then(Value::as_str) {
                Some(token) => self.verify_session_jwt(token).await,
                None => Err(argument("token")),
            },
            "session.authenticate" => {
                let pairs: Option<Vec<(&str, &str)>> =
                    input.get("headers").and_then(Value::as_array).map(|list| {
                        list.iter()
                            .filter_map(|pair| {
                                Some((pair.get(0)?.as_str()?, pair.get(1)?.as_str()?))
                            })
                            .collect()
                    });
                match pairs {
                    Some(pairs) => self.authenticate(pairs).await,
                    None => Err(argument("headers")),
                }
            }
            _ => return None,
        };
        Some(
            verified.and_then(|v| {
                serde_json::to_value(v).map_err(|e| Error::decode(format!("{id}: {e}")))
            }),
        )
    }
}
