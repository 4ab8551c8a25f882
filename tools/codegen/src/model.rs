//! The operations and models, read from the core's declarations and JSON Schemas into the
//! few shapes the emitters need.

use banata_auth::api::{Operation, operations};
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value};

/// A type, as far as the bindings care.
#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    Str,
    Bool,
    Int,
    /// An unsigned integer of this many bits (Swift/Kotlin keep the width).
    UInt(u8),
    Num,
    /// An RFC 3339 string on the wire.
    Time,
    /// A credential: kept out of `repr`/`Debug`/`description`.
    Secret,
    /// Any JSON value.
    Unknown,
    /// Nothing (an operation without a result).
    Unit,
    List(Box<Ty>),
    Map(Box<Ty>),
    Optional(Box<Ty>),
    /// A named model.
    Ref(String),
    /// `true`/`false` or a model: what add-on saves accept per id.
    BoolOr(String),
}

#[derive(Debug)]
pub struct Field {
    /// The JSON name, e.g. `callbackURL`.
    pub wire: String,
    pub doc: String,
    pub ty: Ty,
    pub required: bool,
}

#[derive(Debug)]
pub struct Model {
    pub name: String,
    pub doc: String,
    pub fields: Vec<Field>,
    /// Keeps fields it does not name (`[field: string]: unknown`, `extra`).
    pub open: bool,
}

/// One case of a [`Union`]: the tag value and the model holding its fields.
#[derive(Debug)]
pub struct Variant {
    /// The tag's value, e.g. `signed_in`.
    pub tag: String,
    /// The model with the case's fields, e.g. `AuthResult`.
    pub model: String,
    pub doc: String,
}

/// A tagged union (a Rust enum serialized with `#[serde(tag = "...")]`): the JSON is the case's
/// model plus the tag field.
#[derive(Debug)]
pub struct Union {
    pub name: String,
    pub doc: String,
    /// The tag field, e.g. `status`.
    pub tag_field: String,
    pub variants: Vec<Variant>,
}

impl Variant {
    /// The case's name in the bindings: `signed_in` → `SignedIn`.
    pub fn name(&self) -> String {
        pascal(&self.tag)
    }
}

pub struct Op {
    pub resource: String,
    pub name: String,
    pub id: String,
    pub doc: String,
    pub emits: Vec<String>,
    pub input: Option<String>,
    pub output: Ty,
}

/// An error class of the Node and Python packages: one per kind that has its own.
pub struct ErrorClass {
    /// e.g. `RateLimitError`.
    pub class: String,
    /// e.g. `rate_limited`.
    pub kind: String,
    pub doc: String,
}

pub struct Api {
    pub ops: Vec<Op>,
    /// In `ErrorKind` order; `BanataError` itself (kinds without a class) is not listed.
    pub errors: Vec<ErrorClass>,
    /// Every model: the ones operations return, as they are serialized (a field is required
    /// when it is always written), then the ones only taken as input, as they are read.
    pub models: Vec<Model>,
    /// How many of `models` are returned by operations.
    outputs: usize,
    /// The tagged unions operations return.
    pub unions: Vec<Union>,
}

impl Api {
    pub fn load() -> Api {
        let mut reads = SchemaSettings::draft2020_12().into_generator();
        let mut writes = SchemaSettings::draft2020_12()
            .with(|s| s.contract = schemars::generate::Contract::Serialize)
            .into_generator();
        let ops: Vec<Op> = operations()
            .iter()
            .map(|op| load_op(op, &mut reads, &mut writes))
            .collect();
        for model in banata_auth::api::models() {
            model(&mut writes);
        }
        let mut models: Vec<Model> = writes
            .definitions()
            .iter()
            .filter_map(|(name, schema)| load_model(name, schema))
            .collect();
        let outputs = models.len();
        let unions = writes
            .definitions()
            .iter()
            .filter_map(|(name, schema)| load_union(name, schema))
            .collect();
        for (name, schema) in reads.definitions() {
            if !models.iter().any(|m| &m.name == name) {
                models.extend(load_model(name, schema));
            }
        }
        let errors = banata_auth::ErrorKind::ALL
            .iter()
            .filter(|k| k.class_name() != "BanataError")
            .map(|k| ErrorClass {
                class: k.class_name().to_owned(),
                kind: k.as_str().to_owned(),
                doc: wrap(k.description(), 88),
            })
            .collect();
        Api {
            ops,
            errors,
            models,
            outputs,
            unions,
        }
    }

    pub fn model(&self, name: &str) -> &Model {
        self.models
            .iter()
            .find(|m| m.name == name)
            .unwrap_or_else(|| panic!("no model {name}"))
    }

    /// The union named `name`, if it is one.
    pub fn union(&self, name: &str) -> Option<&Union> {
        self.unions.iter().find(|u| u.name == name)
    }

    /// The union case a model is, if it is one (and which union).
    pub fn variant_of(&self, model: &str) -> Option<(&Union, &Variant)> {
        self.unions
            .iter()
            .find_map(|u| u.variants.iter().find(|v| v.model == model).map(|v| (u, v)))
    }

    pub fn resources(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for op in &self.ops {
            if !out.contains(&op.resource.as_str()) {
                out.push(&op.resource);
            }
        }
        out
    }

    /// The models operations return (the ones the mobile and Python sides decode).
    pub fn output_models(&self) -> Vec<&Model> {
        self.models[..self.outputs].iter().collect()
    }
}

fn load_op(
    op: &Operation,
    reads: &mut schemars::SchemaGenerator,
    writes: &mut schemars::SchemaGenerator,
) -> Op {
    let input = op.input_schema.map(|f| {
        let schema = f(reads).to_value();
        match ty(&schema) {
            Ty::Ref(name) => name,
            other => panic!("{}: inputs must be named models, got {other:?}", op.id),
        }
    });
    let output = ty(&(op.output_schema)(writes).to_value());
    Op {
        resource: op.resource.to_owned(),
        name: op.name.to_owned(),
        id: op.id.to_owned(),
        doc: op
            .doc
            .iter()
            .map(|l| l.trim())
            .collect::<Vec<_>>()
            .join("\n"),
        emits: op.emits.iter().map(|e| e.to_string()).collect(),
        input,
        output,
    }
}

/// A `oneOf` of `{"$ref": <model>, "properties": {<tag>: {"const": <value>}}}`.
fn load_union(name: &str, schema: &Value) -> Option<Union> {
    let cases = schema.get("oneOf")?.as_array()?;
    let mut tag_field = String::new();
    let variants = cases
        .iter()
        .map(|case| {
            let model = case["$ref"].as_str().expect("a union case is a model");
            let (field, tag) = case["properties"]
                .as_object()
                .and_then(|p| p.iter().next())
                .expect("a union case has its tag");
            tag_field = field.clone();
            Variant {
                tag: tag["const"].as_str().expect("a constant tag").to_owned(),
                model: model.rsplit('/').next().unwrap_or(model).to_owned(),
                doc: doc(case),
            }
        })
        .collect();
    Some(Union {
        name: name.to_owned(),
        doc: doc(schema),
        tag_field,
        variants,
    })
}

fn load_model(name: &str, schema: &Value) -> Option<Model> {
    let object = schema.as_object()?;
    // Unions (AddonSettingsInput) are folded into the fields that use them; an object
    // without properties is a model without fields.
    let empty = Map::new();
    let properties = match object.get("properties") {
        Some(p) => p.as_object()?,
        None if object.get("type") == Some(&Value::String("object".into())) => &empty,
        None => return None,
    };
    let required: Vec<&str> = object
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let fields = properties
        .iter()
        .map(|(wire, schema)| Field {
            wire: wire.clone(),
            doc: doc(schema),
            ty: ty(schema),
            required: required.contains(&wire.as_str()),
        })
        .collect();
    Some(Model {
        name: name.to_owned(),
        doc: doc(schema),
        fields,
        open: object.get("additionalProperties") == Some(&Value::Bool(true)),
    })
}

fn doc(schema: &Value) -> String {
    schema
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// The type a schema describes.
pub fn ty(schema: &Value) -> Ty {
    let Some(object) = schema.as_object() else {
        return Ty::Unknown;
    };
    if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        // A union alias is only ever "a boolean or a model".
        if name.ends_with("Input") {
            return Ty::BoolOr(name.trim_end_matches("Input").to_owned());
        }
        return Ty::Ref(name.to_owned());
    }
    if let Some(any) = object.get("anyOf").and_then(Value::as_array) {
        let types: Vec<Ty> = any.iter().map(ty).collect();
        return match types.as_slice() {
            [t, Ty::Unit] | [Ty::Unit, t] => Ty::Optional(Box::new(t.clone())),
            [Ty::Bool, Ty::Ref(name)] => Ty::BoolOr(name.clone()),
            _ => Ty::Unknown,
        };
    }
    let format = object.get("format").and_then(Value::as_str);
    let (kind, nullable) = match object.get("type") {
        Some(Value::String(kind)) => (kind.as_str(), false),
        Some(Value::Array(kinds)) => {
            let kinds: Vec<&str> = kinds.iter().filter_map(Value::as_str).collect();
            match kinds.as_slice() {
                [kind, "null"] | ["null", kind] => (*kind, true),
                _ => return Ty::Unknown,
            }
        }
        _ => return Ty::Unknown,
    };
    let base = match (kind, format) {
        ("string", Some("date-time")) => Ty::Time,
        ("string", Some("secret")) => Ty::Secret,
        ("string", _) => Ty::Str,
        ("boolean", _) => Ty::Bool,
        ("integer", Some("uint16")) => Ty::UInt(16),
        ("integer", Some("uint32")) => Ty::UInt(32),
        ("integer", Some("uint64")) => Ty::UInt(64),
        ("integer", _) => Ty::Int,
        ("number", _) => Ty::Num,
        ("null", _) => Ty::Unit,
        ("array", _) => Ty::List(Box::new(object.get("items").map(ty).unwrap_or(Ty::Unknown))),
        ("object", _) => match object.get("additionalProperties") {
            Some(Value::Object(_)) => Ty::Map(Box::new(ty(&object["additionalProperties"]))),
            _ => Ty::Map(Box::new(Ty::Unknown)),
        },
        _ => Ty::Unknown,
    };
    if nullable {
        Ty::Optional(Box::new(base))
    } else {
        base
    }
}

/// `text` in lines of at most `width` characters, broken at spaces.
pub fn wrap(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.len() + 1 + word.len() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    lines.join("\n")
}

/// `callbackURL` → `callback_url`, `emailVerified` → `email_verified`.
pub fn snake(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let after_lower =
                i > 0 && (chars[i - 1].is_lowercase() || chars[i - 1].is_ascii_digit());
            let ends_acronym = i > 0
                && chars[i - 1].is_uppercase()
                && chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if after_lower || ends_acronym {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `sign_in_email` → `signInEmail`.
pub fn camel(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `auth` → `Auth`.
pub fn pascal(name: &str) -> String {
    let camel = camel(name);
    let mut chars = camel.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Doc text as comment lines with `prefix`, e.g. `"  /// "`.
pub fn doc_lines(doc: &str, prefix: &str) -> String {
    doc.lines()
        .map(|l| format!("{prefix}{l}").trim_end().to_owned() + "\n")
        .collect()
}

#[allow(dead_code)]
pub fn object(value: &Value) -> &Map<String, Value> {
    value.as_object().expect("an object")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(snake("callbackURL"), "callback_url");
        assert_eq!(snake("emailVerified"), "email_verified");
        assert_eq!(snake("URLPath"), "url_path");
        assert_eq!(camel("sign_in_email"), "signInEmail");
        assert_eq!(pascal("addons"), "Addons");
    }
}
