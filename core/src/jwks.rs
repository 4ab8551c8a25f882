//! The server's JSON Web Key Set, cached once per process and per key-set URL, so every client
//! of a project verifies session JWTs with the same keys and fetches them at most once per
//! cooldown: lazily on first use, again when a token names an unknown key (rotation), and
//! when the answer's `Cache-Control: max-age` runs out (Better Auth sends none, so its keys are
//! kept until a token needs another one). A failed refetch keeps the keys already known.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey};

use crate::error::{Error, ErrorKind, Result};

/// A verification key and the one algorithm it may be used with.
#[derive(Clone)]
pub(crate) struct Key {
    pub decoding: DecodingKey,
    pub algorithm: Algorithm,
}

#[derive(Default)]
struct Known {
    keys: HashMap<String, Key>,
    /// When the keys were last fetched (successfully or not).
    last_fetch: Option<Instant>,
    /// Until when the server said the keys may be used without asking again.
    fresh_until: Option<Instant>,
}

/// One key set (one URL), shared by every client of the process.
pub(crate) struct KeySet {
    known: RwLock<Known>,
    /// One fetch at a time; the others wait for it and use its result.
    fetching: tokio::sync::Mutex<()>,
    /// Tokens whose signature and claims already verified, by the exact token text and the
    /// issuer and audience they were checked for: a backend sees the same token on every
    /// request of its 15 minutes. Only the time claims are checked again. Emptied whenever
    /// the keys change, so a withdrawn key stops vouching at once.
    verified: Mutex<HashMap<(String, String, String), Arc<crate::VerifiedSession>>>,
}

/// The most verified tokens kept per key set; past it, expired ones go, then all.
const MAX_VERIFIED: usize = 10_000;

static KEY_SETS: LazyLock<Mutex<HashMap<String, Arc<KeySet>>>> = LazyLock::new(Default::default);

/// Bumped whenever any key set of the process changes (and its remembered tokens go).
static GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A number that changes whenever a key set of the process is fetched anew and the tokens it
/// vouched for are forgotten. A binding that remembers verified requests itself keeps an
/// answer only while this number is unchanged.
pub fn keys_generation() -> u64 {
    GENERATION.load(std::sync::atomic::Ordering::Acquire)
}

/// The process's key set for `url`.
pub(crate) fn key_set(url: &str) -> Arc<KeySet> {
    let mut sets = KEY_SETS.lock().unwrap_or_else(|p| p.into_inner());
    Arc::clone(sets.entry(url.to_owned()).or_insert_with(|| {
        Arc::new(KeySet {
            known: RwLock::default(),
            fetching: tokio::sync::Mutex::new(()),
            verified: Mutex::default(),
        })
    }))
}

/// What a fetch of the key set answered: its body and `Cache-Control` header.
pub(crate) struct Fetched {
    pub body: bytes::Bytes,
    pub cache_control: Option<String>,
}

impl KeySet {
    fn verified(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<(String, String, String), Arc<crate::VerifiedSession>>>
    {
        self.verified.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A token verified before for this issuer and audience.
    pub(crate) fn recall(
        &self,
        token: &str,
        issuer: &str,
        audience: &str,
    ) -> Option<Arc<crate::VerifiedSession>> {
        self.verified()
            .get(&(token.to_owned(), issuer.to_owned(), audience.to_owned()))
            .cloned()
    }

    /// Forgets a token (its time ran out).
    pub(crate) fn forget(&self, token: &str, issuer: &str, audience: &str) {
        self.verified()
            .remove(&(token.to_owned(), issuer.to_owned(), audience.to_owned()));
    }

    /// Keeps a verified token.
    pub(crate) fn remember(
        &self,
        token: &str,
        issuer: &str,
        audience: &str,
        session: Arc<crate::VerifiedSession>,
    ) {
        let mut verified = self.verified();
        if verified.len() >= MAX_VERIFIED {
            let now = chrono::Utc::now();
            verified.retain(|_, s| s.expires_at.0 > now);
            if verified.len() >= MAX_VERIFIED {
                verified.clear();
            }
        }
        verified.insert(
            (token.to_owned(), issuer.to_owned(), audience.to_owned()),
            session,
        );
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Known> {
        self.known.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The key for `kid` (or the only key, for a token without one), fetching the set when it
    /// is not known yet, stale, or lacks the key, at most once per `cooldown`.
    pub(crate) async fn key<F, Fut>(
        &self,
        kid: Option<&str>,
        cooldown: Duration,
        fetch: F,
    ) -> Result<Key>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Fetched>>,
    {
        let (found, fetch_due) = self.lookup(kid, cooldown);
        if let (Some(key), false) = (&found, fetch_due) {
            return Ok(key.clone());
        }
        if fetch_due {
            let _one_at_a_time = self.fetching.lock().await;
            // Someone else may have fetched while this call waited.
            let (_, still_due) = self.lookup(kid, cooldown);
            if still_due {
                let fetched = fetch().await;
                self.store(fetched);
            }
        }
        match self.lookup(kid, cooldown).0.or(found) {
            Some(key) => Ok(key),
            None => Err(Error::new(
                ErrorKind::InvalidToken,
                "the token is signed with a key the server does not list",
            )
            .with_code("UNKNOWN_KEY")),
        }
    }

    /// The key if known, and whether a fetch is due (no key, stale set), within the cooldown.
    fn lookup(&self, kid: Option<&str>, cooldown: Duration) -> (Option<Key>, bool) {
        let known = self.read();
        let key = match kid {
            Some(kid) => known.keys.get(kid).cloned(),
            None if known.keys.len() == 1 => known.keys.values().next().cloned(),
            None => None,
        };
        let now = Instant::now();
        let cooled = known
            .last_fetch
            .is_none_or(|at| now.duration_since(at) >= cooldown);
        let stale = known.fresh_until.is_some_and(|until| now >= until);
        (key.clone(), cooled && (key.is_none() || stale))
    }

    fn store(&self, fetched: Result<Fetched>) {
        let mut known = self.known.write().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        known.last_fetch = Some(now);
        let fetched = match fetched {
            Ok(f) => f,
            Err(e) => {
                tracing::warn!(kind = e.kind().as_str(), "could not fetch the key set: {e}");
                return;
            }
        };
        match serde_json::from_slice::<JwkSet>(&fetched.body) {
            Ok(set) => {
                self.verified().clear();
                GENERATION.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
                known.keys = set
                    .keys
                    .iter()
                    .filter_map(|jwk| Some((jwk.common.key_id.clone()?, usable(jwk)?)))
                    .collect();
                known.fresh_until = fetched
                    .cache_control
                    .as_deref()
                    .and_then(max_age)
                    .map(|age| now + age);
            }
            Err(e) => tracing::warn!("the key set is not a JWK set: {e}"),
        }
    }
}

/// A public key of the set with its algorithm: the one the key names, else the one its type
/// implies. Symmetric keys are never used: a public key set has none.
fn usable(jwk: &Jwk) -> Option<Key> {
    let implied = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => Algorithm::RS256,
        AlgorithmParameters::OctetKeyPair(_) => Algorithm::EdDSA,
        AlgorithmParameters::EllipticCurve(ec) => match ec.curve {
            EllipticCurve::P256 => Algorithm::ES256,
            EllipticCurve::P384 => Algorithm::ES384,
            _ => return None,
        },
        // Symmetric keys (`oct`) and kinds this version does not know.
        _ => return None,
    };
    let algorithm = match jwk.common.key_algorithm {
        None => implied,
        Some(named) => asymmetric(named)?,
    };
    let decoding = DecodingKey::from_jwk(jwk).ok()?;
    Some(Key {
        decoding,
        algorithm,
    })
}

fn asymmetric(named: KeyAlgorithm) -> Option<Algorithm> {
    Some(match named {
        KeyAlgorithm::RS256 => Algorithm::RS256,
        KeyAlgorithm::RS384 => Algorithm::RS384,
        KeyAlgorithm::RS512 => Algorithm::RS512,
        KeyAlgorithm::PS256 => Algorithm::PS256,
        KeyAlgorithm::PS384 => Algorithm::PS384,
        KeyAlgorithm::PS512 => Algorithm::PS512,
        KeyAlgorithm::ES256 => Algorithm::ES256,
        KeyAlgorithm::ES384 => Algorithm::ES384,
        KeyAlgorithm::EdDSA => Algorithm::EdDSA,
        _ => return None,
    })
}

/// `max-age` of a `Cache-Control` value; `no-store`/`no-cache` mean "ask again" (zero).
fn max_age(cache_control: &str) -> Option<Duration> {
    let mut age = None;
    for directive in cache_control.split(',').map(str::trim) {
        let lower = directive.to_ascii_lowercase();
        if lower == "no-store" || lower == "no-cache" {
            return Some(Duration::ZERO);
        }
        if let Some(value) = lower.strip_prefix("max-age=") {
            age = value
                .trim_matches('"')
                .parse()
                .ok()
                .map(Duration::from_secs);
        }
    }
    age
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_control_max_age() {
        assert_eq!(
            max_age("public, max-age=600"),
            Some(Duration::from_secs(600))
        );
        assert_eq!(max_age("no-store"), Some(Duration::ZERO));
        assert_eq!(max_age("public"), None);
    }

    #[test]
    fn symmetric_keys_are_never_used() {
        let set: JwkSet = serde_json::from_str(
            r#"{"keys":[{"kty":"oct","kid":"s","k":"c2VjcmV0","alg":"HS256"}]}"#,
        )
        .unwrap();
        assert!(usable(&set.keys[0]).is_none());
    }
}
