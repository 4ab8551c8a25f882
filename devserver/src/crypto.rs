//! Secrets as Better Auth handles them: argon2 password hashes, random tokens, HMAC-signed
//! session tokens and SHA-256-hashed API keys.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use rand::Rng;
use rand::distr::Alphanumeric;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Hashes a password with argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> String {
    let salt =
        SaltString::encode_b64(&rand::random::<[u8; 16]>()).expect("16 bytes is a valid salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters cannot fail")
        .to_string()
}

/// Whether `password` matches a PHC `hash`.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A random alphanumeric string of `len` characters from the OS generator.
pub fn random_token(len: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// PKCE's S256 code challenge of `verifier` (RFC 7636).
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A random API key: `prefix` + 64 letters, as Better Auth's api-key plugin makes them.
pub fn new_api_key(prefix: &str) -> String {
    let letters: String = rand::rng()
        .sample_iter(&Alphanumeric)
        .filter(u8::is_ascii_alphabetic)
        .take(64)
        .map(char::from)
        .collect();
    format!("{prefix}{letters}")
}

/// How API keys are stored: base64url(SHA-256(key)), no padding.
pub fn hash_api_key(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(key.as_bytes()))
}

/// `<token>.<base64 HMAC-SHA256(secret, token)>`, the cookie and `set-auth-token` value.
pub fn sign_token(secret: &[u8], token: &str) -> String {
    format!("{token}.{}", STANDARD.encode(mac(secret, token)))
}

/// The raw token from a bearer value: signed values must carry a valid signature.
pub fn unsign_token(secret: &[u8], value: &str) -> Option<String> {
    match value.split_once('.') {
        None => Some(value.to_owned()).filter(|v| !v.is_empty()),
        Some((token, signature)) => {
            let given = STANDARD.decode(signature).ok()?;
            let expected = mac(secret, token);
            (bool::from(given.ct_eq(&expected)) && !token.is_empty()).then(|| token.to_owned())
        }
    }
}

/// A JWT signed with HS256, as Better Auth makes e-mail verification tokens.
pub fn jwt_hs256(secret: &[u8], claims: &serde_json::Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signing_input = format!("{header}.{payload}");
    let signature = URL_SAFE_NO_PAD.encode(mac(secret, &signing_input));
    format!("{signing_input}.{signature}")
}

/// Why a JWT was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum JwtError {
    /// Malformed, another algorithm, or a bad signature.
    Invalid,
    /// Past its `exp`.
    Expired,
}

/// The claims of an HS256 JWT signed with `secret` that has not expired at `now_s`.
pub fn verify_jwt_hs256(
    secret: &[u8],
    token: &str,
    now_s: i64,
) -> Result<serde_json::Value, JwtError> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Invalid);
    };
    let header: serde_json::Value = URL_SAFE_NO_PAD
        .decode(header)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(JwtError::Invalid)?;
    if header.get("alg").and_then(|a| a.as_str()) != Some("HS256") {
        return Err(JwtError::Invalid);
    }
    let given = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| JwtError::Invalid)?;
    let expected = mac(
        secret,
        &format!("{}.{payload}", token.split('.').next().unwrap_or("")),
    );
    if !bool::from(given.ct_eq(&expected)) {
        return Err(JwtError::Invalid);
    }
    let claims: serde_json::Value = URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(JwtError::Invalid)?;
    match claims.get("exp").and_then(|e| e.as_i64()) {
        Some(exp) if exp <= now_s => Err(JwtError::Expired),
        _ => Ok(claims),
    }
}

/// HMAC-SHA256 of `message`, base64url without padding (Better Auth's `createHMAC(…,
/// "base64urlnopad")`).
pub fn hmac_base64url(secret: &[u8], message: &str) -> String {
    URL_SAFE_NO_PAD.encode(mac(secret, message))
}

fn mac(secret: &[u8], token: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any size");
    mac.update(token.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwts_verify_and_refuse_tampering_and_expiry() {
        let secret = b"s3cret";
        let token = jwt_hs256(secret, &serde_json::json!({"email": "a@b.c", "exp": 100}));
        assert_eq!(
            verify_jwt_hs256(secret, &token, 99).unwrap()["email"],
            "a@b.c"
        );
        assert_eq!(
            verify_jwt_hs256(secret, &token, 100),
            Err(JwtError::Expired)
        );
        assert_eq!(
            verify_jwt_hs256(b"other", &token, 99),
            Err(JwtError::Invalid)
        );
        let tampered = token.replacen('.', ".e", 1);
        assert_eq!(
            verify_jwt_hs256(secret, &tampered, 99),
            Err(JwtError::Invalid)
        );
        assert_eq!(verify_jwt_hs256(secret, "a.b", 99), Err(JwtError::Invalid));
    }

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse battery");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn signed_tokens_round_trip_and_reject_tampering() {
        let secret = b"s3cret";
        let signed = sign_token(secret, "abc");
        assert_eq!(unsign_token(secret, &signed).as_deref(), Some("abc"));
        assert_eq!(unsign_token(secret, "abc").as_deref(), Some("abc"));
        assert_eq!(unsign_token(b"other", &signed), None);
        assert_eq!(unsign_token(secret, "abd.AAAA"), None);
    }

    #[test]
    fn api_keys_are_64_letters_after_the_prefix() {
        let k = new_api_key("bnt_");
        assert_eq!(k.len(), 68);
        assert!(k[4..].chars().all(|c| c.is_ascii_alphabetic()));
        assert_eq!(hash_api_key("k").len(), 43);
    }
}
