//! The Python package's generated half, `_generated.py`: frozen classes for every model an
//! operation returns, and the resource classes: `Auth` (blocking) and `AsyncAuth` (asyncio)
//! come from the same operation, so the two clients cannot drift apart.

use crate::header;
use crate::model::{Api, Field, Model, Op, Ty, Union, pascal, snake};

/// Hand-written helpers a generated model also inherits (from `_base.py`).
const MIXINS: &[(&str, &str)] = &[
    ("AddonConfig", "_AddonConfigMixin"),
    ("AuthEvent", "_AuthEventMixin"),
    ("ForwardingStats", "_ForwardingStatsMixin"),
];

fn py(api_models: &[&str], ty: &Ty, input: bool) -> String {
    match ty {
        Ty::Str | Ty::Secret => "str".into(),
        Ty::Time => "datetime".into(),
        Ty::Bool => "bool".into(),
        Ty::Int | Ty::UInt(_) => "int".into(),
        Ty::Num => "float".into(),
        Ty::Unknown => "Any".into(),
        Ty::Unit => "None".into(),
        Ty::List(t) if input => format!("Sequence[{}]", py(api_models, t, input)),
        // `builtins.list`: a resource's `list` method would shadow the name in its class.
        Ty::List(t) => format!("builtins.list[{}]", py(api_models, t, input)),
        Ty::Map(t) if input => format!("Mapping[str, {}]", py(api_models, t, input)),
        Ty::Map(t) => format!("dict[str, {}]", py(api_models, t, input)),
        Ty::Optional(t) => format!("{} | None", py(api_models, t, input)),
        Ty::Ref(name) if input && api_models.contains(&name.as_str()) => {
            format!("{name} | Mapping[str, Any]")
        }
        Ty::Ref(_) if input => "Mapping[str, Any]".into(),
        Ty::Ref(name) => name.clone(),
        Ty::BoolOr(name) if api_models.contains(&name.as_str()) => {
            format!("bool | {name} | Mapping[str, Any]")
        }
        Ty::BoolOr(_) => "bool | Mapping[str, Any]".into(),
    }
}

/// The expression that turns wire value `v` into `ty`.
fn decoder(ty: &Ty, v: &str) -> String {
    match ty {
        Ty::Time => format!("_time({v})"),
        Ty::Ref(name) => format!("{name}.from_wire({v})"),
        Ty::Optional(t) => match t.as_ref() {
            Ty::Time | Ty::Ref(_) | Ty::List(_) | Ty::Map(_) => {
                format!("_optional(lambda x: {}, {v})", decoder(t, "x"))
            }
            _ => v.to_owned(),
        },
        Ty::List(t) if needs_decoding(t) => format!("[{} for x in {v}]", decoder(t, "x")),
        Ty::Map(t) if needs_decoding(t) => {
            format!("{{k: {} for k, x in {v}.items()}}", decoder(t, "x"))
        }
        Ty::List(_) => format!("list({v})"),
        Ty::Map(_) => format!("dict({v})"),
        _ => v.to_owned(),
    }
}

fn needs_decoding(ty: &Ty) -> bool {
    matches!(
        ty,
        Ty::Time | Ty::Ref(_) | Ty::Optional(_) | Ty::List(_) | Ty::Map(_)
    )
}

fn docstring(doc: &str, indent: &str) -> String {
    if doc.is_empty() {
        return String::new();
    }
    let doc = doc.replace('`', "``").replace("````", "``");
    let mut lines = doc.lines();
    let mut out = format!("{indent}\"\"\"{}", lines.next().unwrap_or_default());
    let rest: Vec<&str> = lines.collect();
    if rest.is_empty() {
        out.push_str("\"\"\"\n");
    } else {
        out.push('\n');
        for line in rest {
            out.push_str(format!("{indent}{line}").trim_end());
            out.push('\n');
        }
        out.push_str(&format!("{indent}\"\"\"\n"));
    }
    out
}

fn model_class(api: &Api, names: &[&str], model: &Model) -> String {
    let mixin = MIXINS
        .iter()
        .find(|(m, _)| *m == model.name)
        .map(|(_, mixin)| format!("{mixin}, "))
        .unwrap_or_default();
    let mut out = format!("class {}({mixin}_Model):\n", model.name);
    out.push_str(&docstring(&model.doc, "    "));
    let mut fields: Vec<&Field> = model.fields.iter().filter(|f| f.required).collect();
    fields.extend(model.fields.iter().filter(|f| !f.required));
    let mut slots: Vec<String> = fields.iter().map(|f| snake(&f.wire)).collect();
    if model.open {
        slots.push("extra".into());
    }
    let quoted: Vec<String> = slots.iter().map(|s| format!("{s:?}")).collect();
    if quoted.is_empty() {
        out.push_str("\n    __slots__ = ()\n");
    } else {
        out.push_str(&format!("\n    __slots__ = ({},)\n", quoted.join(", ")));
    }
    // A model that is a union case of the same name carries the tag as a class constant.
    let tag = api
        .variant_of(&model.name)
        .filter(|(_, v)| v.name() == model.name)
        .map(|(u, v)| (u.tag_field.clone(), v.tag.clone()));
    if let Some((field, value)) = &tag {
        out.push_str(&format!(
            "    {field}: ClassVar[Literal[{value:?}]] = {value:?}\n"
        ));
    }
    let hidden: Vec<String> = fields
        .iter()
        .filter(|f| is_secret(&f.ty))
        .map(|f| format!("{:?}", snake(&f.wire)))
        .collect();
    if !hidden.is_empty() {
        out.push_str(&format!("    _hidden = ({},)\n", hidden.join(", ")));
    }
    out.push('\n');
    // Annotations (with their docs) for type checkers and readers; values live in the slots.
    let mut params = Vec::new();
    let mut assignments = Vec::new();
    for field in &fields {
        let name = snake(&field.wire);
        let mut ty = py(names, &field.ty, false);
        let (param, value) = if field.required {
            (format!("{name}: {ty}"), name.clone())
        } else {
            match &field.ty {
                Ty::Map(_) => (
                    format!("{name}: {ty} | None = None"),
                    format!("{{}} if {name} is None else {name}"),
                ),
                Ty::List(_) => (
                    format!("{name}: {ty} | None = None"),
                    format!("[] if {name} is None else {name}"),
                ),
                Ty::Bool => (format!("{name}: bool = False"), name.clone()),
                t => {
                    if !matches!(t, Ty::Optional(_)) {
                        ty = format!("{ty} | None");
                    }
                    (format!("{name}: {ty} = None"), name.clone())
                }
            }
        };
        out.push_str(&format!("    {name}: {ty}\n"));
        let secret = if is_secret(&field.ty) {
            "\nNot shown by ``repr()``."
        } else {
            ""
        };
        out.push_str(&docstring(&(field.doc.clone() + secret), "    "));
        params.push(param);
        assignments.push(format!("        _set(self, {name:?}, {value})\n"));
    }
    if model.open {
        out.push_str("    extra: dict[str, Any]\n");
        out.push_str("    \"\"\"Fields the server sent that this version does not model.\"\"\"\n");
        params.push("extra: dict[str, Any] | None = None".into());
        assignments.push("        _set(self, \"extra\", {} if extra is None else extra)\n".into());
    }
    if params.is_empty() {
        out.push_str("\n    def __init__(self) -> None:\n        pass\n");
    } else {
        out.push_str(&format!(
            "\n    def __init__(\n        self,\n        {},\n    ) -> None:\n",
            params.join(",\n        ")
        ));
    }
    out.push_str(&assignments.concat());
    out.push_str(&format!(
        "\n    @classmethod\n    def from_wire(cls, wire: Mapping[str, Any]) -> {}:\n        \"\"\"Reads the JSON form.\"\"\"\n        return cls({}",
        model.name,
        if fields.is_empty() && !model.open { "" } else { "\n" }
    ));
    for field in &fields {
        let value = if field.required {
            format!("wire[{:?}]", field.wire)
        } else {
            format!("wire.get({:?})", field.wire)
        };
        let value = match &field.ty {
            Ty::Map(_) | Ty::List(_) if !field.required => {
                let empty = if matches!(field.ty, Ty::List(_)) {
                    "[]"
                } else {
                    "{}"
                };
                decoder(
                    &field.ty,
                    &format!("(wire.get({:?}) or {empty})", field.wire),
                )
            }
            t if !field.required && needs_decoding(t) && !matches!(t, Ty::Optional(_)) => {
                decoder(&Ty::Optional(Box::new(t.clone())), &value)
            }
            Ty::Bool if !field.required => format!("bool({value})"),
            t => decoder(t, &value),
        };
        out.push_str(&format!("            {}={value},\n", snake(&field.wire)));
    }
    if model.open {
        let keys: Vec<String> = model
            .fields
            .iter()
            .map(|f| format!("{:?}", f.wire))
            .collect();
        out.push_str(&format!(
            "            extra={{k: v for k, v in wire.items() if k not in ({},)}},\n",
            keys.join(", ")
        ));
    }
    out.push_str(if fields.is_empty() && !model.open {
        ")\n\n"
    } else {
        "        )\n\n"
    });
    out.push_str("    def to_wire(self) -> dict[str, Any]:\n        \"\"\"The JSON form, as the core writes it.\"\"\"\n        wire: dict[str, Any] = {}\n");
    if let Some((field, _)) = &tag {
        out.push_str(&format!("        wire[{field:?}] = self.{field}\n"));
    }
    for field in &fields {
        let name = snake(&field.wire);
        if field.required {
            out.push_str(&format!(
                "        wire[{:?}] = _to_wire(self.{name})\n",
                field.wire
            ));
        } else {
            // Absent fields are left out, as the core leaves them out.
            out.push_str(&format!(
                "        if self.{name} is not None:\n            wire[{:?}] = _to_wire(self.{name})\n",
                field.wire
            ));
        }
    }
    if model.open {
        out.push_str("        wire.update(self.extra)\n");
    }
    out.push_str("        return wire\n\n\n");
    out
}

fn is_secret(ty: &Ty) -> bool {
    match ty {
        Ty::Secret => true,
        Ty::Optional(t) | Ty::List(t) => is_secret(t),
        _ => false,
    }
}

/// A tagged union: a class per case (the case's model, or a subclass of it carrying the tag),
/// the union as a type alias, and the function that decodes it by its tag.
fn union_classes(api: &Api, union: &Union) -> String {
    let mut out = String::new();
    let mut cases = Vec::new();
    for variant in &union.variants {
        let name = variant.name();
        if name != variant.model {
            let (field, value) = (&union.tag_field, &variant.tag);
            out.push_str(&format!("\nclass {name}({}):\n", variant.model));
            out.push_str(&docstring(&variant.doc, "    "));
            out.push_str(&format!(
                "\n    __slots__ = ()\n    {field}: ClassVar[Literal[{value:?}]] = {value:?}\n\n\
                 \x20   @classmethod\n    def from_wire(cls, wire: Mapping[str, Any]) -> {name}:\n\
                 \x20       \"\"\"Reads the JSON form.\"\"\"\n\
                 \x20       case = super().from_wire(wire)\n        assert isinstance(case, {name})\n        return case\n\n\
                 \x20   def to_wire(self) -> dict[str, Any]:\n\
                 \x20       \"\"\"The JSON form, as the core writes it.\"\"\"\n\
                 \x20       return {{{field:?}: self.{field}, **super().to_wire()}}\n\n"
            ));
        }
        cases.push(name);
    }
    out.push_str(&format!(
        "\n{}{} = {}\n\"\"\"{}\"\"\"\n\n",
        "",
        union.name,
        cases.join(" | "),
        union.doc.replace('`', "``").replace("````", "``")
    ));
    out.push_str(&format!(
        "\ndef _decode_{}(wire: Mapping[str, Any]) -> {}:\n",
        snake(&union.name),
        union.name
    ));
    for (variant, name) in union.variants.iter().zip(&cases) {
        out.push_str(&format!(
            "    if wire[{:?}] == {:?}:\n        return {name}.from_wire(wire)\n",
            union.tag_field, variant.tag
        ));
    }
    out.push_str(&format!(
        "    raise ValueError(f\"unknown {} {{wire['{}']!r}}\")\n\n",
        union.tag_field, union.tag_field
    ));
    let _ = api;
    out
}

/// The function that decodes an operation's JSON result.
fn result_decoder(api: &Api, op: &Op) -> String {
    match &op.output {
        Ty::Unit => "None".into(),
        Ty::Ref(name) if api.union(name).is_some() => format!("_decode_{}", snake(name)),
        Ty::Ref(name) => format!("{name}.from_wire"),
        t => format!("lambda v: {}", decoder(t, "v")),
    }
}

fn method(api: &Api, names: &[&str], op: &Op, asynchronous: bool) -> String {
    let mut params = vec!["self".to_owned()];
    let mut entries = Vec::new();
    if let Some(input) = &op.input {
        let model = api.model(input);
        for field in model.fields.iter().filter(|f| f.required) {
            params.push(format!(
                "{}: {}",
                snake(&field.wire),
                py(names, &field.ty, true)
            ));
            entries.push(format!("{:?}: {}", field.wire, snake(&field.wire)));
        }
        params.push("*".into());
        for field in model.fields.iter().filter(|f| !f.required) {
            let mut ty = py(names, &field.ty, true);
            if !ty.ends_with("| None") {
                ty.push_str(" | None");
            }
            params.push(format!("{}: {ty} = None", snake(&field.wire)));
            entries.push(format!("{:?}: {}", field.wire, snake(&field.wire)));
        }
    } else {
        params.push("*".into());
    }
    params.push("options: RequestOptions | None = None".into());
    let output = py(names, &op.output, false);
    let (def, ret) = match (asynchronous, &op.output) {
        (true, Ty::Unit) => ("async def", "await"),
        (true, _) => ("async def", "return await"),
        (false, Ty::Unit) => ("def", ""),
        (false, _) => ("def", "return"),
    };
    let ret = if ret.is_empty() {
        String::new()
    } else {
        format!("{ret} ")
    };
    let mut doc = op.doc.clone();
    if !op.emits.is_empty() {
        let emits: Vec<String> = op.emits.iter().map(|e| format!("``{e}``")).collect();
        doc.push_str(&format!("\n\nEmits {}.", emits.join(", ")));
    }
    format!(
        "    {def} {}(\n        {},\n    ) -> {output}:\n{}        {ret}self._call({:?}, {{{}}}, {}, options)\n\n",
        op.name,
        params.join(",\n        "),
        docstring(&doc, "        "),
        op.id,
        entries.join(", "),
        result_decoder(api, op),
    )
}

/// Python classes that also derive from the built-in exception of the same meaning.
const BUILTIN_BASES: &[(&str, &str)] = &[
    ("TimeoutError", "builtins.TimeoutError"),
    ("ConnectionError", "builtins.ConnectionError"),
    ("InvalidArgumentError", "builtins.TypeError"),
];

/// `errors.py`: a class per core error kind that has one, over the hand-written `BanataError`.
pub fn errors_module(api: &Api) -> String {
    let mut out = header("#");
    out.push_str(
        "\"\"\"Exceptions raised by Banata Auth calls.\n\n\
         Every failure is a :class:`BanataError`. Its subclass says what kind of failure it was, so\n\
         ``except banata_auth.RateLimitError`` reads as intended. :class:`TimeoutError`,\n\
         :class:`ConnectionError` and :class:`InvalidArgumentError` also derive from the built-in\n\
         ``TimeoutError``, ``ConnectionError`` and ``TypeError``.\n\"\"\"\n\n\
         from __future__ import annotations\n\n\
         import builtins\n\n\
         from ._error_base import BanataError\n\n",
    );
    let mut names = vec!["BanataError".to_owned()];
    names.extend(api.errors.iter().map(|e| e.class.clone()));
    out.push_str(&format!(
        "__all__ = [\n{}]\n",
        names
            .iter()
            .map(|n| format!("    {n:?},\n"))
            .collect::<String>()
    ));
    for error in &api.errors {
        let extra = BUILTIN_BASES
            .iter()
            .find(|(class, _)| *class == error.class)
            .map(|(_, base)| format!(", {base}"))
            .unwrap_or_default();
        out.push_str(&format!("\n\nclass {}(BanataError{extra}):\n", error.class));
        out.push_str(&docstring(&error.doc, "    "));
    }
    out
}

pub fn module(api: &Api) -> String {
    let mut out = header("#");
    out.push_str(
        "\"\"\"The models and resource classes of ``banata_auth``, from the core's declarations.\"\"\"\n\n\
         from __future__ import annotations\n\n\
\
         from ._base import (\n    _AddonConfigMixin,\n    _AsyncResource,\n    _AuthEventMixin,\n    _ForwardingStatsMixin,\n    _Model,\n    _optional,\n    _Resource,\n    _set,\n    _time,\n    _to_wire,\n)\n\n\
         TYPE_CHECKING = False  # `typing` is for type checkers only: it costs start-up time\n\
         if TYPE_CHECKING:\n    import builtins\n    from collections.abc import Mapping, Sequence\n    from datetime import datetime\n    from typing import Any, ClassVar, Literal\n\n    from ._types import RequestOptions\n\n",
    );
    let models = api.output_models();
    let mut names: Vec<&str> = models.iter().map(|m| m.name.as_str()).collect();
    names.extend(api.unions.iter().map(|u| u.name.as_str()));
    let mut all: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    for model in &models {
        out.push('\n');
        out.push_str(&model_class(api, &names, model));
    }
    for union in &api.unions {
        out.push_str(&union_classes(api, union));
        for variant in &union.variants {
            if !all.contains(&variant.name()) {
                all.push(variant.name());
            }
        }
        all.push(union.name.clone());
    }
    for resource in api.resources() {
        for asynchronous in [false, true] {
            let class = format!(
                "{}{}",
                if asynchronous { "Async" } else { "" },
                pascal(resource)
            );
            let base = if asynchronous {
                "_AsyncResource"
            } else {
                "_Resource"
            };
            out.push_str(&format!(
                "\nclass {class}({base}):\n    \"\"\"``client.{resource}``{}.\"\"\"\n\n    __slots__ = ()\n\n",
                if asynchronous { " of an ``AsyncClient``" } else { "" }
            ));
            for op in api.ops.iter().filter(|o| o.resource == resource) {
                out.push_str(&method(api, &names, op, asynchronous));
            }
            out = out.trim_end().to_owned() + "\n\n";
            all.push(class);
        }
    }
    // The clients take their resources from these mixins, so a new resource needs no edit
    // of the client classes.
    for asynchronous in [false, true] {
        let prefix = if asynchronous { "Async" } else { "" };
        let resources = api.resources();
        out.push_str(&format!(
            "\nclass _{prefix}Resources:\n    \"\"\"Every resource of {}: {}.\"\"\"\n\n",
            if asynchronous {
                "an ``AsyncClient``"
            } else {
                "a ``Client``"
            },
            resources
                .iter()
                .map(|r| format!("``client.{r}``"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        for resource in &resources {
            out.push_str(&format!("    {resource}: {prefix}{}\n", pascal(resource)));
        }
        out.push_str("\n    def _attach_resources(self, native: Any) -> None:\n");
        for resource in &resources {
            out.push_str(&format!(
                "        self.{resource} = {prefix}{}(native)\n",
                pascal(resource)
            ));
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "\n__all__ = [\n{}]\n",
        all.iter()
            .map(|n| format!("    {n:?},\n"))
            .collect::<String>()
    ));
    out.replace("\n\n\n\n", "\n\n\n")
}

/// The names `banata_auth.models` and the package re-export from `_generated.py`: every model
/// (with the unions and their cases), and every resource class, each sorted.
pub fn export_names(api: &Api) -> (Vec<String>, Vec<String>) {
    let mut models: Vec<String> = api.output_models().iter().map(|m| m.name.clone()).collect();
    for union in &api.unions {
        models.push(union.name.clone());
        models.extend(union.variants.iter().map(|v| v.name()));
    }
    models.sort();
    models.dedup();
    let mut resources: Vec<String> = api
        .resources()
        .iter()
        .flat_map(|r| [pascal(r), format!("Async{}", pascal(r))])
        .collect();
    resources.sort();
    (models, resources)
}

/// `text` with the lines between `# generated: <name>` and `# end generated: <name>` replaced
/// by `body` (each line indented as the marker is). Panics when a marker is missing.
pub fn fill_region(text: &str, name: &str, body: &[String]) -> String {
    let start = format!("# generated: {name}");
    let end = format!("# end generated: {name}");
    let lines: Vec<&str> = text.lines().collect();
    let open = lines
        .iter()
        .position(|l| l.trim() == start)
        .unwrap_or_else(|| panic!("no `{start}` line"));
    let close = lines
        .iter()
        .position(|l| l.trim() == end)
        .unwrap_or_else(|| panic!("no `{end}` line"));
    let indent = &lines[open][..lines[open].len() - lines[open].trim_start().len()];
    let mut out: Vec<String> = lines[..=open].iter().map(|l| l.to_string()).collect();
    out.extend(body.iter().map(|b| format!("{indent}{b}")));
    out.extend(lines[close..].iter().map(|l| l.to_string()));
    out.join("\n") + "\n"
}
