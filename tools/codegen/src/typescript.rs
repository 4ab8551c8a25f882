//! The Node package's generated half: `generated.d.ts` (every model and resource class) and
//! `generated.js` (the resource classes, each method one call into the native `call`).

use crate::header;
use crate::model::{Api, Field, Model, Op, Ty, Union, camel, pascal};

fn ts(ty: &Ty, input: bool) -> String {
    match ty {
        Ty::Str | Ty::Time | Ty::Secret => "string".into(),
        Ty::Bool => "boolean".into(),
        Ty::Int | Ty::UInt(_) | Ty::Num => "number".into(),
        Ty::Unknown => "unknown".into(),
        Ty::Unit => "void".into(),
        Ty::List(t) => format!("{}[]", ts(t, input)),
        Ty::Map(t) => format!("Record<string, {}>", ts(t, input)),
        Ty::Optional(t) => format!("{} | null", ts(t, input)),
        Ty::Ref(name) => name.clone(),
        Ty::BoolOr(name) if input => format!("boolean | Partial<{name}>"),
        Ty::BoolOr(name) => name.clone(),
    }
}

fn jsdoc(doc: &str, indent: &str) -> String {
    if doc.is_empty() {
        return String::new();
    }
    let mut out = format!("{indent}/**\n");
    for line in doc.lines() {
        out.push_str(format!("{indent} * {line}").trim_end());
        out.push('\n');
    }
    out.push_str(&format!("{indent} */\n"));
    out
}

fn property(field: &Field, input: bool) -> String {
    let name = if field.wire.chars().all(|c| c.is_alphanumeric() || c == '_') {
        field.wire.clone()
    } else {
        format!("{:?}", field.wire)
    };
    let ty = ts(&field.ty, input);
    if field.required {
        format!("{name}: {ty}")
    } else if input {
        // `| undefined` so `{ key: process.env.X }` type-checks under exactOptionalPropertyTypes.
        format!("{name}?: {ty} | undefined")
    } else {
        // An output field that may be absent is skipped when empty, never sent as null.
        let ty = match &field.ty {
            Ty::Optional(inner) => ts(inner, input),
            _ => ty,
        };
        format!("{name}?: {ty}")
    }
}

fn interface(api: &Api, model: &Model, input: bool) -> String {
    let mut out = jsdoc(&model.doc, "");
    out.push_str(&format!("export interface {} {{\n", model.name));
    // A model that is a union case of the same name carries the tag itself.
    if let Some((union, variant)) = api.variant_of(&model.name)
        && variant.name() == model.name
    {
        out.push_str(&format!("  {}: '{}'\n", union.tag_field, variant.tag));
    }
    for field in &model.fields {
        out.push_str(&jsdoc(&field.doc, "  "));
        out.push_str(&format!("  {}\n", property(field, input)));
    }
    if model.open {
        out.push_str("  [field: string]: unknown\n");
    }
    out.push_str("}\n\n");
    out
}

/// A tagged union: narrow it on the tag (`if (result.status === 'signed_in')`).
fn union_type(union: &Union) -> String {
    let mut out = String::new();
    let mut cases = Vec::new();
    for variant in &union.variants {
        let name = variant.name();
        if name != variant.model {
            out.push_str(&jsdoc(&variant.doc, ""));
            out.push_str(&format!(
                "export type {name} = {} & {{ {}: '{}' }}\n\n",
                variant.model, union.tag_field, variant.tag
            ));
        }
        cases.push(name);
    }
    out.push_str(&jsdoc(&union.doc, ""));
    out.push_str(&format!(
        "export type {} = {}\n\n",
        union.name,
        cases.join(" | ")
    ));
    out
}

/// An input with one field is passed as that field's value (`revokeSession(token)`).
pub fn positional<'a>(api: &'a Api, op: &Op) -> Option<&'a Field> {
    let model = api.model(op.input.as_deref()?);
    match model.fields.as_slice() {
        [only] => Some(only),
        _ => None,
    }
}

fn signature(api: &Api, op: &Op) -> String {
    let options = "options?: RequestOptions";
    let params = match (&op.input, positional(api, op)) {
        (None, _) => options.to_owned(),
        (Some(_), Some(field)) => format!("{}: {}, {options}", field.wire, ts(&field.ty, true)),
        (Some(input), None) => {
            let optional = api.model(input).fields.iter().all(|f| !f.required);
            format!(
                "input{}: {input}, {options}",
                if optional { "?" } else { "" }
            )
        }
    };
    format!(
        "{}({params}): Promise<{}>",
        camel(&op.name),
        ts(&op.output, false)
    )
}

fn op_doc(op: &Op) -> String {
    let mut doc = op.doc.clone();
    if !op.emits.is_empty() {
        let emits: Vec<String> = op.emits.iter().map(|e| format!("`{e}`")).collect();
        doc.push_str(&format!("\n\nEmits {}.", emits.join(", ")));
    }
    doc
}

/// The error classes, one per kind with a class of its own. A wrong argument is a `TypeError`
/// in JavaScript, so that class extends it instead of `BanataError`.
const TYPE_ERRORS: &[&str] = &["InvalidArgumentError"];

fn error_declarations(api: &Api) -> String {
    let mut out = String::new();
    for error in &api.errors {
        out.push_str(&jsdoc(&error.doc, ""));
        if TYPE_ERRORS.contains(&error.class.as_str()) {
            out.push_str(&format!(
                "export declare class {} extends TypeError {{\n  readonly kind: '{}'\n  readonly status: null\n  readonly code: string | null\n  readonly requestId: string | null\n  readonly retryAfter: number | null\n  readonly connectionCause: null\n  readonly body: string | null\n}}\n",
                error.class, error.kind
            ));
        } else {
            out.push_str(&format!(
                "export declare class {} extends BanataError {{}}\n",
                error.class
            ));
        }
    }
    out.push('\n');
    out
}

fn error_classes(api: &Api) -> String {
    let mut out =
        String::from("const { BanataError, setFields } = require('./errors-base.js')\n\n");
    for error in &api.errors {
        if TYPE_ERRORS.contains(&error.class.as_str()) {
            out.push_str(&format!(
                "class {} extends TypeError {{\n  constructor(message, fields = {{}}) {{\n    super(message)\n    setFields(this, {{ kind: '{}', ...fields }})\n  }}\n}}\n",
                error.class, error.kind
            ));
        } else {
            out.push_str(&format!("class {} extends BanataError {{}}\n", error.class));
        }
    }
    let names: Vec<&str> = api.errors.iter().map(|e| e.class.as_str()).collect();
    out.push_str(&format!(
        "\n// The classes by name: the core says which one an error is (ErrorKind::class_name).\nconst errorClasses = {{ BanataError, {} }}\n\n",
        names.join(", ")
    ));
    out
}

pub fn declarations(api: &Api) -> String {
    let mut out = header("//");
    out.push_str("import { BanataError, type RequestOptions } from './index'\n\n");
    out.push_str(&error_declarations(api));
    let outputs: Vec<&str> = api
        .output_models()
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    for model in &api.models {
        out.push_str(&interface(
            api,
            model,
            !outputs.contains(&model.name.as_str()),
        ));
    }
    for union in &api.unions {
        out.push_str(&union_type(union));
    }
    out.push_str("/** Every resource of a `BanataClient`. */\nexport interface Resources {\n");
    for resource in api.resources() {
        out.push_str(&format!("  readonly {resource}: {}\n", pascal(resource)));
    }
    out.push_str("}\n\n");
    for resource in api.resources() {
        out.push_str(&format!(
            "/** `client.{resource}`. */\nexport declare class {} {{\n  private constructor()\n",
            pascal(resource)
        ));
        for op in api.ops.iter().filter(|o| o.resource == resource) {
            out.push_str(&jsdoc(&op_doc(op), "  "));
            out.push_str(&format!("  {}\n", signature(api, op)));
        }
        out.push_str("}\n\n");
    }
    out.trim_end().to_owned() + "\n"
}

pub fn classes(api: &Api) -> String {
    let mut out = String::from("'use strict'\n");
    out.push_str(&header("//"));
    out.push_str(
        "// Each method is one call into the native client: `invoke(operation id, input, options,\n\
         // whether the result is decoded)`.\n\n",
    );
    out.push_str(&error_classes(api));
    let resources = api.resources();
    for resource in &resources {
        let class = pascal(resource);
        out.push_str(&format!(
            "class {class} {{\n  #invoke\n  constructor(invoke) {{\n    this.#invoke = invoke\n  }}\n"
        ));
        for op in api.ops.iter().filter(|o| &o.resource == resource) {
            let decode = if op.output == Ty::Unit {
                "false"
            } else {
                "true"
            };
            let (params, input) = match (&op.input, positional(api, op)) {
                (None, _) => ("options".to_owned(), "undefined".to_owned()),
                (Some(_), Some(field)) => (
                    format!("{}, options", field.wire),
                    format!("{{ {}: {} }}", field.wire, field.wire),
                ),
                (Some(_), None) => ("input, options".to_owned(), "input".to_owned()),
            };
            out.push_str(&format!(
                "  {}({params}) {{\n    return this.#invoke('{}', {input}, options, {decode})\n  }}\n",
                camel(&op.name),
                op.id
            ));
        }
        out.push_str("}\n\n");
    }
    out.push_str(
        "// Each operation's method, and the input field a one-field input is passed as.\nconst operations = {\n",
    );
    for op in &api.ops {
        let positional = match positional(api, op) {
            Some(field) => format!("'{}'", field.wire),
            None => "null".to_owned(),
        };
        out.push_str(&format!(
            "  '{}': {{ resource: '{}', method: '{}', positional: {positional} }},\n",
            op.id,
            op.resource,
            camel(&op.name)
        ));
    }
    out.push_str("}\n\n");
    out.push_str(&format!(
        "// The client's resources by property name.\nconst resources = {{ {} }}\n\n",
        resources
            .iter()
            .map(|r| format!("{r}: {}", pascal(r)))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let mut names: Vec<String> = resources.iter().map(|r| pascal(r)).collect();
    names.push("BanataError".into());
    names.extend(api.errors.iter().map(|e| e.class.clone()));
    out.push_str(&format!(
        "module.exports = {{ {} }}\n// For the facade only: not enumerable, so not part of the package's exports.\nObject.defineProperties(module.exports, {{\n  errorClasses: {{ value: errorClasses }},\n  operations: {{ value: operations }},\n  resources: {{ value: resources }},\n}})\n",
        names.join(", ")
    ));
    out
}
