//! Social providers as OpenID Connect relying party: the devserver signs users in with any
//! OIDC issuer (a local test provider, a company's own, Google's), found by discovery, as
//! Better Auth's built-in providers do with theirs: authorization code with PKCE (S256),
//! `client_secret_post` at the token endpoint, ID tokens checked against the issuer's keys.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::{Map, Value};
use tokio::sync::OnceCell;

/// A social provider the devserver offers at `/sign-in/social`: an id apps use (`google`,
/// `github`, or any name) backed by an OpenID Connect issuer and a client registered there.
///
/// Parsed from `id=<id>,issuer=<url>,client-id=<id>,client-secret=<secret>[,scopes=<a b c>]`.
#[derive(Clone, PartialEq, Eq)]
pub struct SocialProviderConfig {
    /// The provider id apps pass (`provider: "google"`); the callback is
    /// `/api/auth/callback/<id>`.
    pub id: String,
    /// The issuer URL; `<issuer>/.well-known/openid-configuration` describes it.
    pub issuer: String,
    /// The client id registered with the issuer (the audience of its ID tokens).
    pub client_id: String,
    /// The client secret (never printed).
    pub client_secret: String,
    /// The scopes asked for (default `openid email profile`, as Better Auth's Google provider).
    pub scopes: Vec<String>,
}

impl fmt::Debug for SocialProviderConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SocialProviderConfig")
            .field("id", &self.id)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("scopes", &self.scopes)
            .finish()
    }
}

impl FromStr for SocialProviderConfig {
    type Err = String;

    fn from_str(spec: &str) -> Result<Self, String> {
        let mut config = SocialProviderConfig {
            id: String::new(),
            issuer: String::new(),
            client_id: String::new(),
            client_secret: String::new(),
            scopes: ["openid", "email", "profile"].map(str::to_owned).to_vec(),
        };
        for part in spec.split(',') {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| format!("`{part}` is not key=value"))?;
            let value = value.trim().to_owned();
            match key.trim() {
                "id" => config.id = value.to_lowercase(),
                "issuer" => config.issuer = value.trim_end_matches('/').to_owned(),
                "client-id" => config.client_id = value,
                "client-secret" => config.client_secret = value,
                "scopes" => config.scopes = value.split_whitespace().map(str::to_owned).collect(),
                other => {
                    return Err(format!(
                        "unknown key `{other}` (id, issuer, client-id, client-secret, scopes)"
                    ));
                }
            }
        }
        for (name, value) in [
            ("id", &config.id),
            ("issuer", &config.issuer),
            ("client-id", &config.client_id),
            ("client-secret", &config.client_secret),
        ] {
            if value.is_empty() {
                return Err(format!("`{name}=` is missing"));
            }
        }
        url::Url::parse(&config.issuer).map_err(|e| format!("issuer: {e}"))?;
        Ok(config)
    }
}

/// The parts of an issuer's discovery document the devserver uses.
#[derive(Clone, Debug, Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    #[serde(default)]
    userinfo_endpoint: Option<String>,
    jwks_uri: String,
}

/// Tokens from the token endpoint.
#[derive(Clone, Debug, Default)]
pub struct Tokens {
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
    pub id_token: Option<String>,
    /// Epoch milliseconds.
    pub access_token_expires_at: Option<i64>,
    pub refresh_token_expires_at: Option<i64>,
    pub scope: Option<String>,
}

/// The user as the provider describes them (Better Auth's `OAuth2UserInfo`).
#[derive(Clone, Debug, Default)]
pub struct UserInfo {
    pub id: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    pub image: Option<String>,
    /// The claims or profile as sent.
    pub data: Map<String, Value>,
}

/// One configured provider, its discovery document fetched on first use.
pub struct Provider {
    pub config: SocialProviderConfig,
    discovery: OnceCell<Discovery>,
}

/// The configured providers and the HTTP client they share.
pub struct Providers {
    http: reqwest::Client,
    list: Vec<Provider>,
}

/// The client for the providers' endpoints. A Linux system without CA certificates (a slim
/// container image) leaves reqwest's platform verifier with no roots; the Mozilla roots stand in
/// there, as in the SDK's own clients, so the devserver still starts.
fn provider_client() -> reqwest::Client {
    let configure = || {
        reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
    };
    configure().build().unwrap_or_else(|_| {
        let mozilla = webpki_root_certs::TLS_SERVER_ROOT_CERTS
            .iter()
            .filter_map(|der| reqwest::Certificate::from_der(der.as_ref()).ok());
        tracing::warn!("no CA certificates found on this system; social providers are verified against the built-in Mozilla roots");
        configure().tls_certs_only(mozilla).build().expect("an HTTP client builds")
    })
}

impl Providers {
    pub fn new(configs: &[SocialProviderConfig]) -> Providers {
        Providers {
            http: provider_client(),
            list: configs
                .iter()
                .map(|config| Provider {
                    config: config.clone(),
                    discovery: OnceCell::new(),
                })
                .collect(),
        }
    }

    /// The provider with this id.
    pub fn get(&self, id: &str) -> Option<&Provider> {
        self.list.iter().find(|p| p.config.id == id)
    }

    async fn discovery<'a>(&self, provider: &'a Provider) -> Result<&'a Discovery, String> {
        provider
            .discovery
            .get_or_try_init(|| async {
                let url = format!(
                    "{}/.well-known/openid-configuration",
                    provider.config.issuer
                );
                let response = self
                    .http
                    .get(&url)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                if !response.status().is_success() {
                    return Err(format!("{url} answered {}", response.status()));
                }
                response
                    .json::<Discovery>()
                    .await
                    .map_err(|e| format!("{url}: {e}"))
            })
            .await
    }

    /// The provider's authorization URL for a code flow with PKCE.
    pub async fn authorization_url(
        &self,
        provider: &Provider,
        redirect_uri: &str,
        state: &str,
        code_verifier: &str,
        extra_scopes: &[String],
        login_hint: Option<&str>,
    ) -> Result<String, String> {
        let discovery = self.discovery(provider).await?;
        let mut url = url::Url::parse(&discovery.authorization_endpoint)
            .map_err(|e| format!("authorization_endpoint: {e}"))?;
        let mut scopes = provider.config.scopes.clone();
        scopes.extend(extra_scopes.iter().cloned());
        let challenge = crate::crypto::pkce_challenge(code_verifier);
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("response_type", "code")
                .append_pair("client_id", &provider.config.client_id)
                .append_pair("state", state)
                .append_pair("scope", &scopes.join(" "))
                .append_pair("redirect_uri", redirect_uri)
                .append_pair("code_challenge_method", "S256")
                .append_pair("code_challenge", &challenge);
            if let Some(hint) = login_hint {
                q.append_pair("login_hint", hint);
            }
        }
        Ok(url.into())
    }

    /// Exchanges an authorization code (with its PKCE verifier) for tokens.
    pub async fn exchange_code(
        &self,
        provider: &Provider,
        code: &str,
        code_verifier: &str,
        redirect_uri: &str,
    ) -> Result<Tokens, String> {
        self.token_request(
            provider,
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("code_verifier", code_verifier),
                ("redirect_uri", redirect_uri),
            ],
        )
        .await
    }

    /// The refresh grant.
    pub async fn refresh(
        &self,
        provider: &Provider,
        refresh_token: &str,
    ) -> Result<Tokens, String> {
        self.token_request(
            provider,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
            ],
        )
        .await
    }

    async fn token_request(
        &self,
        provider: &Provider,
        grant: &[(&str, &str)],
    ) -> Result<Tokens, String> {
        let discovery = self.discovery(provider).await?;
        let mut form: Vec<(&str, &str)> = grant.to_vec();
        form.push(("client_id", &provider.config.client_id));
        form.push(("client_secret", &provider.config.client_secret));
        let response = self
            .http
            .post(&discovery.token_endpoint)
            .header("accept", "application/json")
            .form(&form)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let body: Value = response.json().await.map_err(|e| e.to_string())?;
        if !status.is_success() || body.get("error").is_some() {
            return Err(format!(
                "token endpoint answered {status}: {}",
                body["error"]
            ));
        }
        let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
        let now = crate::store::now_ms();
        let after = |k: &str| body.get(k).and_then(Value::as_i64).map(|s| now + s * 1000);
        Ok(Tokens {
            access_token: text("access_token"),
            refresh_token: text("refresh_token"),
            id_token: text("id_token"),
            access_token_expires_at: after("expires_in"),
            refresh_token_expires_at: after("refresh_token_expires_in"),
            scope: text("scope"),
        })
    }

    /// Checks an ID token as Better Auth's providers do (`jwtVerify` with the issuer's keys,
    /// issuer, audience = client id, at most an hour old) and, when `nonce` is given, that it
    /// carries that nonce. The user it describes, or `None` when it does not check out.
    pub async fn verify_id_token(
        &self,
        provider: &Provider,
        token: &str,
        nonce: Option<&str>,
    ) -> Option<UserInfo> {
        let discovery = self.discovery(provider).await.ok()?;
        let header = jsonwebtoken::decode_header(token).ok()?;
        if !matches!(
            header.alg,
            Algorithm::RS256
                | Algorithm::RS384
                | Algorithm::RS512
                | Algorithm::PS256
                | Algorithm::ES256
                | Algorithm::ES384
                | Algorithm::EdDSA
        ) {
            return None;
        }
        let keys: JwkSet = self
            .http
            .get(&discovery.jwks_uri)
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        let jwk = match &header.kid {
            Some(kid) => keys.find(kid)?,
            None => keys.keys.first()?,
        };
        let key = DecodingKey::from_jwk(jwk).ok()?;
        let mut validation = Validation::new(header.alg);
        validation.leeway = 0;
        validation.set_issuer(&[&discovery.issuer]);
        validation.set_audience(&[&provider.config.client_id]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub", "iat"]);
        let claims = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)
            .ok()?
            .claims;
        let issued_at = claims.get("iat").and_then(Value::as_i64)?;
        if crate::store::now_ms() / 1000 - issued_at > 3600 {
            return None;
        }
        if let Some(nonce) = nonce
            && claims.get("nonce").and_then(Value::as_str) != Some(nonce)
        {
            return None;
        }
        Some(user_info(claims))
    }

    /// The user behind a code flow's tokens: from the ID token the token endpoint returned, or
    /// else from the userinfo endpoint.
    pub async fn user_info(&self, provider: &Provider, tokens: &Tokens) -> Option<UserInfo> {
        if let Some(id_token) = &tokens.id_token {
            return self.verify_id_token(provider, id_token, None).await;
        }
        self.profile(provider, tokens.access_token.as_deref()?)
            .await
    }

    /// The userinfo endpoint's profile for an access token.
    pub async fn profile(&self, provider: &Provider, access_token: &str) -> Option<UserInfo> {
        let discovery = self.discovery(provider).await.ok()?;
        let endpoint = discovery.userinfo_endpoint.as_deref()?;
        let response = self
            .http
            .get(endpoint)
            .bearer_auth(access_token)
            .send()
            .await
            .ok()?;
        if !response.status().is_success() {
            return None;
        }
        Some(user_info(response.json().await.ok()?))
    }
}

/// The claims of a JWT read without checking it, as Better Auth's providers read an ID token
/// they stored themselves (`decodeJwt`).
pub fn decode_claims(token: &str) -> Option<UserInfo> {
    use base64::Engine;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    Some(user_info(serde_json::from_slice(&bytes).ok()?))
}

fn user_info(claims: Map<String, Value>) -> UserInfo {
    let text = |k: &str| claims.get(k).and_then(Value::as_str).map(str::to_owned);
    UserInfo {
        id: text("sub").unwrap_or_default(),
        email: text("email"),
        email_verified: claims
            .get("email_verified")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        name: text("name"),
        image: text("picture"),
        data: claims,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_specs_parse_and_hide_the_secret() {
        let p: SocialProviderConfig =
            "id=Google,issuer=http://127.0.0.1:9000/,client-id=app,client-secret=s3cret"
                .parse()
                .unwrap();
        assert_eq!(p.id, "google");
        assert_eq!(p.issuer, "http://127.0.0.1:9000");
        assert_eq!(p.scopes, ["openid", "email", "profile"]);
        assert!(!format!("{p:?}").contains("s3cret"));
        let missing = "id=x,issuer=http://a".parse::<SocialProviderConfig>();
        assert_eq!(missing.unwrap_err(), "`client-id=` is missing");
        assert!("id=x,colour=red".parse::<SocialProviderConfig>().is_err());
    }
}
