//! The mobile binding's generated half, `bindings-swift/src/generated.rs`: a UniFFI record for
//! every model an operation returns and a `BanataClient` method per operation. UniFFI turns
//! both into Swift and Kotlin.

use crate::header;
use crate::model::{Api, Field, Model, Op, Ty, Union, doc_lines, snake};

fn rust(ty: &Ty, input: bool) -> String {
    match ty {
        Ty::Str => "String".into(),
        Ty::Secret => "Arc<SessionToken>".into(),
        Ty::Time => "SystemTime".into(),
        Ty::Bool => "bool".into(),
        Ty::Int => "i64".into(),
        Ty::UInt(bits) => format!("u{bits}"),
        Ty::Num => "f64".into(),
        Ty::Unit => "()".into(),
        Ty::List(t) => format!("Vec<{}>", rust(t, input)),
        Ty::Map(t) => format!("HashMap<String, {}>", rust(t, input)),
        Ty::Optional(t) => format!("Option<{}>", rust(t, input)),
        Ty::Ref(name) => name.clone(),
        Ty::BoolOr(_) if input => "bool".into(),
        Ty::BoolOr(name) => name.clone(),
        Ty::Unknown => panic!("an untyped value cannot cross to Swift/Kotlin"),
    }
}

/// The record field: the wire name in snake_case, except that `type` (a keyword in Rust, Swift
/// and Kotlin) becomes `<model>_type`, e.g. `event_type` for an event.
fn field_name(model: &Model, field: &Field) -> String {
    match snake(&field.wire).as_str() {
        "type" => format!(
            "{}_type",
            snake(model.name.trim_start_matches("Auth")).trim_start_matches('_')
        ),
        name => name.to_owned(),
    }
}

fn is_json_object(ty: &Ty) -> bool {
    match ty {
        Ty::Map(value) => **value == Ty::Unknown,
        Ty::Optional(inner) => is_json_object(inner),
        _ => false,
    }
}

/// Non-required fields are optional in the record whatever their Rust type.
fn field_type(field: &Field) -> Ty {
    match &field.ty {
        t @ (Ty::Optional(_) | Ty::Map(_) | Ty::List(_) | Ty::Bool) => t.clone(),
        t if !field.required => Ty::Optional(Box::new(t.clone())),
        t => t.clone(),
    }
}

/// The fields of a record or enum case, each with its serde mapping.
fn fields(model: &Model, indent: &str) -> String {
    let mut out = String::new();
    for field in &model.fields {
        if is_json_object(&field.ty) {
            // A free JSON object (e.g. a token's claims) crosses as its JSON text.
            out.push_str(&doc_lines(
                &format!("{} As a JSON object.", field.doc),
                &format!("{indent}/// "),
            ));
            out.push_str(&format!(
                "{indent}#[serde(default, rename = {:?}, with = \"wire::extra\")]\n{indent}{}{}_json: Option<String>,\n",
                field.wire,
                if indent.len() == 4 { "pub " } else { "" },
                field_name(model, field),
            ));
            continue;
        }
        let ty = field_type(field);
        out.push_str(&doc_lines(&field.doc, &format!("{indent}/// ")));
        let helper = match &ty {
            Ty::Optional(t) if **t == Ty::Time => ", with = \"wire::time\"",
            Ty::Optional(t) if **t == Ty::Secret => ", with = \"wire::token\"",
            Ty::Time => ", with = \"wire::instant\"",
            Ty::Secret => ", with = \"wire::required_token\"",
            Ty::List(t) if **t == Ty::Secret => ", with = \"wire::tokens\"",
            _ => "",
        };
        let default = if field.required { "" } else { "default, " };
        out.push_str(&format!(
            "{indent}#[serde({default}rename = {:?}{helper})]\n{indent}{}{}: {},\n",
            field.wire,
            if indent.len() == 4 { "pub " } else { "" },
            field_name(model, field),
            rust(&ty, false)
        ));
    }
    if model.open {
        out.push_str(&format!(
            "{indent}/// Other fields the server sent, as a JSON object.\n"
        ));
        out.push_str(&format!(
            "{indent}#[serde(flatten, with = \"wire::extra\")]\n{indent}{}extra_json: Option<String>,\n",
            if indent.len() == 4 { "pub " } else { "" }
        ));
    }
    out
}

fn record(model: &Model) -> String {
    let mut out = doc_lines(&model.doc, "/// ");
    out.push_str("#[derive(Clone, Debug, uniffi::Record, serde::Serialize, serde::Deserialize)]\n");
    out.push_str(&format!("pub struct {} {{\n", model.name));
    out.push_str(&fields(model, "    "));
    out.push_str("}\n\n");
    out
}

/// A tagged union as an enum whose cases hold their model's fields (a Swift enum with
/// associated values, a Kotlin sealed class).
fn union_enum(api: &Api, union: &Union) -> String {
    let mut out = doc_lines(&union.doc, "/// ");
    out.push_str("#[derive(Clone, Debug, uniffi::Enum, serde::Serialize, serde::Deserialize)]\n");
    // The cases are as large as their models: one value per call, not worth boxing.
    out.push_str("#[allow(clippy::large_enum_variant)]\n");
    out.push_str(&format!(
        "#[serde(tag = {:?})]\npub enum {} {{\n",
        union.tag_field, union.name
    ));
    for variant in &union.variants {
        let model = api.model(&variant.model);
        let doc = if variant.doc.is_empty() {
            &model.doc
        } else {
            &variant.doc
        };
        out.push_str(&doc_lines(doc, "    /// "));
        out.push_str(&format!("    #[serde(rename = {:?})]\n", variant.tag));
        if model.fields.is_empty() && !model.open {
            out.push_str(&format!("    {},\n", variant.name()));
        } else {
            out.push_str(&format!("    {} {{\n", variant.name()));
            out.push_str(&fields(model, "        "));
            out.push_str("    },\n");
        }
    }
    out.push_str("}\n\n");
    out
}

/// The mobile method name: auth operations as they are, others prefixed with their resource.
fn method_name(op: &Op) -> String {
    if op.resource == "auth" {
        op.name.clone()
    } else {
        format!("{}_{}", op.resource, op.name)
    }
}

fn method(api: &Api, op: &Op) -> String {
    let mut params = vec!["&self".to_owned()];
    let mut defaults = Vec::new();
    let mut entries = Vec::new();
    if let Some(input) = &op.input {
        let model = api.model(input);
        let mut fields: Vec<&Field> = model.fields.iter().filter(|f| f.required).collect();
        fields.extend(model.fields.iter().filter(|f| !f.required));
        for field in fields {
            // `type` is a keyword in Rust, Swift and Kotlin.
            let name = match snake(&field.wire).as_str() {
                "type" => "kind".to_owned(),
                other => other.to_owned(),
            };
            if is_json_object(&field.ty) {
                // A free JSON object (e.g. metadata) is given as its JSON text.
                params.push(format!("{name}_json: Option<String>"));
                defaults.push(format!("{name}_json = None"));
                entries.push(format!(
                    "{:?}: wire::object_argument({:?}, {name}_json.as_deref())?",
                    field.wire,
                    format!("{name}_json")
                ));
                continue;
            }
            let ty = field_type(field);
            params.push(format!("{name}: {}", rust(&ty, true)));
            if !field.required {
                defaults.push(format!("{name} = None"));
            }
            let value = match &ty {
                Ty::Secret => format!("{name}.expose()"),
                Ty::Optional(t) if **t == Ty::Secret => {
                    format!("{name}.as_ref().map(|t| t.expose())")
                }
                _ => name.clone(),
            };
            entries.push(format!("{:?}: {value}", field.wire));
        }
    }
    let mut doc = op.doc.clone();
    if !op.emits.is_empty() {
        let emits: Vec<String> = op.emits.iter().map(|e| format!("`{e}`")).collect();
        doc.push_str(&format!("\n\nEmits {}.", emits.join(", ")));
    }
    params.push("options: Option<RequestOptions>".into());
    defaults.push("options = None".into());
    let mut out = doc_lines(&doc, "    /// ");
    if !defaults.is_empty() {
        out.push_str(&format!(
            "    #[uniffi::method(default({}))]\n",
            defaults.join(", ")
        ));
    }
    out.push_str(&format!(
        "    pub async fn {}({}) -> Result<{}> {{\n        self.call({:?}, json!({{{}}}), options).await\n    }}\n\n",
        method_name(op),
        params.join(", "),
        rust(&op.output, false),
        op.id,
        entries.join(", ")
    ));
    out
}

pub fn module(api: &Api) -> String {
    let mut out = header("//");
    out.push_str(
        "//! Records and `BanataClient` methods for every operation of the core.\n\n\
         #![allow(clippy::too_many_arguments)]\n\n\
         use std::collections::HashMap;\n\
         use std::sync::Arc;\n\
         use std::time::SystemTime;\n\n\
         use serde_json::json;\n\n\
         use crate::client::{BanataClient, RequestOptions};\n\
         use crate::error::Result;\n\
         use crate::models::{SessionToken, wire};\n\n",
    );
    for model in api.output_models() {
        // A model that is only a union case of the same name lives in the enum.
        let case_only = api
            .variant_of(&model.name)
            .is_some_and(|(_, v)| v.name() == model.name);
        if !case_only {
            out.push_str(&record(model));
        }
    }
    for union in &api.unions {
        out.push_str(&union_enum(api, union));
    }
    out.push_str("#[uniffi::export(async_runtime = \"tokio\")]\nimpl BanataClient {\n");
    for op in &api.ops {
        out.push_str(&method(api, op));
    }
    out = out.trim_end().to_owned() + "\n}\n";
    if !out.contains("HashMap<") {
        out = out.replace("use std::collections::HashMap;\n", "");
    }
    out
}
