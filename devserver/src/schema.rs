//! Request bodies as Better Auth 1.4.21 reads and validates them: better-call's `getBody`
//! (JSON or form bodies, its media-type errors) and the endpoints' zod schemas, whose issues
//! are reported together, in schema order, as `[body.<field>] <issue>; …`.

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, header};
use serde_json::{Map, Value};

use crate::http::{ApiError, ApiResult, type_name};

/// A body as the endpoint sees it: `None` when the request had none.
pub type Body = Option<Value>;

/// What a field must hold.
#[derive(Clone, Copy, Debug)]
pub enum Ty {
    /// `z.string()`
    String,
    /// `z.string().nonempty()`
    NonEmpty,
    /// `z.email()`
    Email,
    /// `z.boolean()`
    Boolean,
    /// `z.number()`
    Number,
    /// `z.number().nullable()`
    NumberOrNull,
    /// `z.enum([...])`
    OneOf(&'static [&'static str]),
}

/// One field of a body schema.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    pub name: &'static str,
    pub ty: Ty,
    pub required: bool,
}

/// A required field.
pub const fn req(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        required: true,
    }
}

/// An optional field (absent is fine; `null` is not, as in zod).
pub const fn opt(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        required: false,
    }
}

/// A `z.object({...})` body schema; `open` is `.and(z.record(...))` (sign-up's extra fields).
#[derive(Clone, Copy, Debug)]
pub struct Schema {
    pub fields: &'static [Field],
    pub open: bool,
}

impl Schema {
    pub const fn object(fields: &'static [Field]) -> Self {
        Schema {
            fields,
            open: false,
        }
    }

    pub const fn open(fields: &'static [Field]) -> Self {
        Schema { fields, open: true }
    }

    /// Validates `body`, reporting every issue at once as zod does; the body, known to be an
    /// object, on success.
    pub fn check<'a>(&self, body: &'a Body) -> ApiResult<&'a Map<String, Value>> {
        let Some(Value::Object(map)) = body else {
            let received = body.as_ref().map_or("undefined", type_name);
            let mut issues = vec![format!(
                "[body] Invalid input: expected object, received {received}"
            )];
            if self.open {
                issues.push(format!(
                    "[body] Invalid input: expected record, received {received}"
                ));
            }
            return Err(ApiError::validation(issues.join("; ")));
        };
        let issues: Vec<String> = self
            .fields
            .iter()
            .filter_map(|f| field_issue(f, map.get(f.name)))
            .collect();
        if issues.is_empty() {
            Ok(map)
        } else {
            Err(ApiError::validation(issues.join("; ")))
        }
    }
}

fn field_issue(field: &Field, value: Option<&Value>) -> Option<String> {
    let expected = match field.ty {
        Ty::Boolean => "boolean",
        Ty::Number | Ty::NumberOrNull => "number",
        Ty::String | Ty::NonEmpty | Ty::Email | Ty::OneOf(_) => "string",
    };
    let name = field.name;
    match (value, field.ty) {
        (None, _) if !field.required => None,
        // An enum reports its options whatever is wrong, even a missing value.
        (None, Ty::OneOf(options)) => {
            let quoted: Vec<String> = options.iter().map(|o| format!("{o:?}")).collect();
            Some(format!(
                "[body.{name}] Invalid option: expected one of {}",
                quoted.join("|")
            ))
        }
        (None, _) => Some(format!(
            "[body.{name}] Invalid input: expected {expected}, received undefined"
        )),
        (Some(Value::Bool(_)), Ty::Boolean) => None,
        (Some(Value::Number(_)), Ty::Number | Ty::NumberOrNull) => None,
        (Some(Value::Null), Ty::NumberOrNull) => None,
        (Some(Value::String(s)), Ty::Email) if !is_email(s) => {
            Some(format!("[body.{name}] Invalid email address"))
        }
        (Some(Value::String(s)), Ty::NonEmpty) if s.is_empty() => Some(format!(
            "[body.{name}] Too small: expected string to have >=1 characters"
        )),
        (Some(Value::String(_)), Ty::String | Ty::NonEmpty | Ty::Email) => None,
        (Some(Value::String(s)), Ty::OneOf(options)) if options.contains(&s.as_str()) => None,
        (Some(_), Ty::OneOf(options)) => {
            let quoted: Vec<String> = options.iter().map(|o| format!("{o:?}")).collect();
            Some(format!(
                "[body.{name}] Invalid option: expected one of {}",
                quoted.join("|")
            ))
        }
        (Some(other), _) => Some(format!(
            "[body.{name}] Invalid input: expected {expected}, received {}",
            type_name(other)
        )),
    }
}

/// zod 4's `z.email()` pattern, in short: a dot-atom local part, `@`, and a domain of labels
/// with a TLD of at least two letters.
pub fn is_email(email: &str) -> bool {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
    local_ok && domain_ok
}

/// Media types an endpoint takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Media {
    /// Sign-in and sign-up: `application/x-www-form-urlencoded` and `application/json`.
    FormOrJson,
    /// Every other endpoint: the router's default, `application/json` only.
    Json,
}

/// better-call's `getBody`: no bytes is no body; JSON and form bodies are read; a malformed
/// JSON body, or one without a content type, is the unhandled exception it is there (500,
/// empty body).
pub fn read(headers: &HeaderMap, bytes: &Bytes, media: Media) -> ApiResult<Body> {
    if bytes.is_empty() {
        return Ok(None);
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let lower = content_type.to_lowercase();
    let base = lower.split(';').next().unwrap_or_default().trim();
    let json = base.contains("application/json");
    let form = media == Media::FormOrJson && base.contains("application/x-www-form-urlencoded");
    if content_type.is_empty() {
        return Err(ApiError::empty(StatusCode::INTERNAL_SERVER_ERROR));
    }
    if !json && !form {
        let allowed = match media {
            Media::FormOrJson => "application/x-www-form-urlencoded, application/json",
            Media::Json => "application/json",
        };
        return Err(ApiError::coded(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            &format!("Content-Type \"{content_type}\" is not allowed. Allowed types: {allowed}"),
        ));
    }
    if json {
        return serde_json::from_slice::<Value>(bytes)
            .map(Some)
            .map_err(|_| ApiError::empty(StatusCode::INTERNAL_SERVER_ERROR));
    }
    if form {
        let map = url::form_urlencoded::parse(bytes)
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect();
        return Ok(Some(Value::Object(map)));
    }
    unreachable!("the media type was checked above")
}

/// A field of a body that passed its schema.
pub fn str_field<'a>(body: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    body.get(name).and_then(Value::as_str)
}

/// A boolean field of a body that passed its schema.
pub fn bool_field(body: &Map<String, Value>, name: &str) -> Option<bool> {
    body.get(name).and_then(Value::as_bool)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(is_email("ada@example.com"));
        assert!(is_email("a.b+c@sub.example.co"));
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a da@example.com",
            "ada@.com",
            "ada\u{0}@example.com",
            "a..b@example.com",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn issues_are_reported_together_in_schema_order() {
        const S: Schema = Schema::object(&[
            req("newPassword", Ty::String),
            req("currentPassword", Ty::String),
            opt("revokeOtherSessions", Ty::Boolean),
        ]);
        let body: Body = Some(serde_json::json!({"revokeOtherSessions": null}));
        let e = format!("{:?}", S.check(&body).unwrap_err());
        assert!(e.contains("[body.newPassword] Invalid input: expected string, received undefined; [body.currentPassword] Invalid input: expected string, received undefined; [body.revokeOtherSessions] Invalid input: expected boolean, received null"), "{e}");
    }
}
