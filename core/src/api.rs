//! The one list of the client's operations, and the machinery it drives.
//!
//! Every public call (`client.auth().sign_in_email(…)`, `client.addons().get()`, …) is declared
//! once in [`crate::operations`] with its HTTP method, path, credential, replay safety, input
//! and output types, the events it emits and its documentation. From that declaration come:
//!
//! - the endpoint constants the Rust methods send ([`Endpoint`]);
//! - the Rust method itself for plain calls (flows with behaviour — keeping the token, emitting
//!   events — are ordinary methods written beside it);
//! - [`Client::call_json`], the one entry point every language binding calls with an operation
//!   name and a JSON input;
//! - [`operations`], the metadata (with JSON Schemas of the inputs and outputs under the `schema`
//!   feature) that generates each binding's typed surface.

use std::borrow::Cow;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::transport::{Call, Credential, Replay, RequestOptions, Response};

/// The HTTP method of an endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpMethod {
    /// Input, if any, goes in the query string.
    Get,
    /// Input goes in a JSON body (`{}` when there is none).
    Post,
}

impl HttpMethod {
    /// `"GET"` or `"POST"`.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
        }
    }
}

/// Where and how one endpoint is reached.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Endpoint {
    pub method: HttpMethod,
    pub path: &'static str,
    pub credential: Credential,
    pub replay: Replay,
}

impl Endpoint {
    /// The call for `input` (a JSON object, or `None` for no input).
    pub fn call(&self, input: Option<Value>) -> Call {
        match self.method {
            HttpMethod::Get => {
                let mut call = Call::get(self.path, self.credential);
                call.query = input;
                call
            }
            HttpMethod::Post => Call::post(
                self.path,
                input.unwrap_or_else(|| Value::Object(Default::default())),
                self.credential,
                self.replay,
            ),
        }
    }
}

/// One operation as the bindings see it: everything its declaration says.
#[derive(Clone, Copy)]
pub struct Operation {
    /// The resource it belongs to: `"auth"` or `"addons"`.
    pub resource: &'static str,
    /// Its snake_case name, e.g. `"sign_in_email"`.
    pub name: &'static str,
    /// `resource.name`, what [`Client::call_json`] takes.
    pub id: &'static str,
    /// Its documentation, one line per doc-comment line.
    pub doc: &'static [&'static str],
    /// The HTTP method.
    pub method: HttpMethod,
    /// The path below the base URL.
    pub path: &'static str,
    /// `"none"`, `"session"` or `"api_key"`.
    pub credential: &'static str,
    /// Whether a retry after an unclear failure is harmless.
    pub replay_safe: bool,
    /// The event types it may emit.
    pub emits: &'static [&'static str],
    /// The Rust name of the input type, if it takes one.
    pub input: Option<&'static str>,
    /// The Rust spelling of the output type.
    pub output: &'static str,
    /// Adds the input's JSON Schema to a generator and returns a reference to it.
    #[cfg(feature = "schema")]
    pub input_schema: Option<fn(&mut schemars::SchemaGenerator) -> schemars::Schema>,
    /// The same for the output.
    #[cfg(feature = "schema")]
    pub output_schema: fn(&mut schemars::SchemaGenerator) -> schemars::Schema,
}

impl std::fmt::Debug for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Operation")
            .field("id", &self.id)
            .field("method", &self.method)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// Models the bindings need beyond the operations' inputs and outputs: the events listeners
/// receive, the forwarding counters and failures, and a verified session JWT. Each adds its JSON Schema to a generator and returns a reference to it.
#[cfg(feature = "schema")]
pub fn models() -> &'static [fn(&mut schemars::SchemaGenerator) -> schemars::Schema] {
    &[
        |g| g.subschema_for::<crate::AuthEvent>(),
        |g| g.subschema_for::<crate::addons::ForwardingStats>(),
        |g| g.subschema_for::<crate::addons::ForwardingError>(),
        |g| g.subschema_for::<crate::EventBusStats>(),
        |g| g.subschema_for::<crate::VerifiedSession>(),
    ]
}

/// Every operation of the client, in declaration order.
pub fn operations() -> &'static [Operation] {
    crate::operations::OPERATIONS
}

/// Decodes a binding's JSON input into an operation's input type. The message names the field
/// and what was expected, never the value given (it may be a password).
pub(crate) fn decode_input<T: DeserializeOwned>(operation: &str, input: Value) -> Result<T> {
    let input = if input.is_null() {
        Value::Object(Default::default())
    } else {
        input
    };
    serde_path_to_error::deserialize(input).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            String::new()
        } else {
            format!(" `{path}`")
        };
        Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "{operation}: invalid argument{field}: {}",
                without_values(&e.inner().to_string())
            ),
        )
    })
}

/// serde says `invalid type: string "hunter2", expected a boolean`; keep the shape, drop the
/// value.
fn without_values(message: &str) -> Cow<'_, str> {
    let Some((head, expected)) = message.split_once(", expected ") else {
        return Cow::Borrowed(message);
    };
    let head = match head.split_once(": ") {
        Some((what, given)) => {
            let kind = given.split([' ', '(']).next().unwrap_or(given);
            format!("{what}: {kind}")
        }
        None => head.to_owned(),
    };
    Cow::Owned(format!("{head}, expected {expected}"))
}

/// Encodes an operation's output for a binding.
pub(crate) fn encode_output<T: Serialize>(output: &T) -> Result<String> {
    serde_json::to_string(output)
        .map_err(|e| Error::decode(format!("the result could not be encoded: {e}")).with_source(e))
}

/// The JSON form of a typed input.
pub(crate) fn to_input<T: Serialize>(input: &T) -> Option<Value> {
    Some(serde_json::to_value(input).expect("operation inputs always serialize"))
}

impl Client {
    /// Runs the operation `id` (`"auth.sign_in_email"`, see [`operations`]) with a JSON input
    /// and returns its JSON output: the same typed method a Rust caller reaches, so behaviour,
    /// events and errors are identical. This is what the language bindings call.
    ///
    /// Two ids are local, not HTTP operations: `session.verify_jwt {token}` and
    /// `session.authenticate {headers: [[name, value], …]}` ([`Client::verify_session_jwt`],
    /// [`Client::authenticate`]).
    ///
    /// An unknown id or an input of the wrong shape is an
    /// [`ErrorKind::InvalidArgument`] error that names the field but never its value.
    pub async fn call_json(&self, id: &str, input: Value) -> Result<String> {
        if let Some(local) = self.local_call(id, &input).await {
            return Ok(local?.to_string());
        }
        crate::operations::dispatch(self, id, input).await
    }

    /// [`Client::call_json`] with the input as JSON text (`None` for no input), as the bindings
    /// hand it over; text that is not JSON is an [`ErrorKind::InvalidArgument`] error.
    pub async fn call_json_text(&self, id: &str, input: Option<&str>) -> Result<String> {
        let input = match input {
            Some(text) => serde_json::from_str(text).map_err(|e| {
                Error::new(
                    ErrorKind::InvalidArgument,
                    format!("{id}: the input is not valid JSON (column {})", e.column()),
                )
            })?,
            None => Value::Null,
        };
        self.call_json(id, input).await
    }

    /// Sends a declared endpoint with a typed input and decodes its typed answer.
    pub(crate) async fn send_endpoint(
        &self,
        endpoint: &Endpoint,
        input: Option<Value>,
    ) -> Result<Response> {
        self.send(endpoint.call(input)).await
    }

    /// [`Client::send_endpoint`], decoding the body.
    pub(crate) async fn request<O: DeserializeOwned>(
        &self,
        endpoint: &Endpoint,
        input: Option<Value>,
    ) -> Result<O> {
        self.send_endpoint(endpoint, input).await?.json()
    }
}

impl RequestOptions {
    pub(crate) fn merged(&self, over: &RequestOptions) -> RequestOptions {
        RequestOptions {
            timeout: over.timeout.or(self.timeout),
            max_retries: over.max_retries.or(self.max_retries),
            idempotency_key: over
                .idempotency_key
                .clone()
                .or_else(|| self.idempotency_key.clone()),
            headers: self
                .headers
                .iter()
                .chain(over.headers.iter())
                .cloned()
                .collect(),
        }
    }
}

/// Declares the operations: see [`crate::operations`] for the list and the syntax.
macro_rules! declare_operations {
    ($(
        $resource:ident: $Resource:ident {$(
            $(#[doc = $doc:literal])*
            $kind:ident $name:ident ( $($input:ty)? ) -> $output:ty
                = $method:ident $path:literal, $credential:ident, $replay:ident
                  emits [$($event:literal),*];
        )*}
    )*) => {
        /// The endpoint of every operation, by operation name.
        #[allow(non_upper_case_globals, dead_code)]
        pub(crate) mod endpoint {
            use crate::api::{Endpoint, HttpMethod};
            use crate::transport::{Credential, Replay};
            $($(
                pub const $name: Endpoint = Endpoint {
                    method: HttpMethod::$method,
                    path: $path,
                    credential: Credential::$credential,
                    replay: Replay::$replay,
                };
            )*)*
        }

        $(
            impl $Resource<'_> {$(
                declare_operations!(@method $kind $resource $name ($($input)?) -> $output; $(#[doc = $doc])*);
            )*}
        )*

        pub(crate) static OPERATIONS: &[crate::api::Operation] = &[$($(
            crate::api::Operation {
                resource: stringify!($resource),
                name: stringify!($name),
                id: concat!(stringify!($resource), ".", stringify!($name)),
                doc: &[$($doc),*],
                method: crate::api::HttpMethod::$method,
                path: $path,
                credential: crate::transport::Credential::$credential.as_str(),
                replay_safe: matches!(crate::transport::Replay::$replay, crate::transport::Replay::Safe),
                emits: &[$($event),*],
                input: declare_operations!(@name $($input)?),
                output: stringify!($output),
                #[cfg(feature = "schema")]
                input_schema: declare_operations!(@schema $($input)?),
                #[cfg(feature = "schema")]
                output_schema: |g| g.subschema_for::<$output>(),
            },
        )*)*];

        pub(crate) async fn dispatch(
            client: &crate::Client,
            id: &str,
            input: serde_json::Value,
        ) -> crate::Result<String> {
            match id {
                $($(
                    concat!(stringify!($resource), ".", stringify!($name)) => {
                        // The annotation checks the declaration against the method.
                        let output: $output = client.$resource().$name(
                            $(crate::api::decode_input::<$input>(id, input)?)?
                        ).await?;
                        crate::api::encode_output(&output)
                    }
                )*)*
                _ => Err(crate::Error::new(
                    crate::ErrorKind::InvalidArgument,
                    format!("there is no operation {id:?}"),
                )),
            }
        }
    };

    // A plain call: the method is generated from the declaration.
    (@method call $resource:ident $name:ident ($input:ty) -> $output:ty; $(#[doc = $doc:literal])*) => {
        $(#[doc = $doc])*
        pub async fn $name(&self, input: $input) -> crate::Result<$output> {
            self.client.request(&endpoint::$name, crate::api::to_input(&input)).await
        }
    };
    (@method call $resource:ident $name:ident () -> $output:ty; $(#[doc = $doc:literal])*) => {
        $(#[doc = $doc])*
        pub async fn $name(&self) -> crate::Result<$output> {
            self.client.request(&endpoint::$name, None).await
        }
    };
    // A flow: the method is written by hand next to the declarations, using `endpoint::$name`.
    (@method flow $($rest:tt)*) => {};

    (@name $input:ty) => { Some(stringify!($input)) };
    (@name) => { None };
    (@schema $input:ty) => { Some(|g| g.subschema_for::<$input>()) };
    (@schema) => { None };
}

pub(crate) use declare_operations;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_errors_name_the_field_and_hide_the_value() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Input {
            password: String,
            remember: Option<bool>,
        }
        let e = decode_input::<Input>(
            "auth.x",
            serde_json::json!({"password": "hunter22secret", "remember": "hunter22secret"}),
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(e.message().contains("`remember`"), "{}", e.message());
        assert!(!e.message().contains("hunter22"), "{}", e.message());
        let e = decode_input::<Input>(
            "auth.x",
            serde_json::json!({"password": ["hunter22secret"]}),
        )
        .unwrap_err();
        assert!(
            e.message().contains("`password`") && !e.message().contains("hunter22"),
            "{}",
            e.message()
        );
        let e = decode_input::<Input>("auth.x", serde_json::json!({})).unwrap_err();
        assert!(
            e.message().contains("missing field `password`"),
            "{}",
            e.message()
        );
    }
}
