//! HighLevel's schemas and parameters rewritten as `spec/` writes them: facts
//! only (types, formats, enums, required, nesting), no prose (descriptions,
//! titles, examples), `$ref`s inlined so nothing depends on HighLevel's
//! schema names, defects turned into what the generator accepts (`type: any`
//! and a missing schema become `{}`, an array without `items` gets `items: {}`,
//! `nullable: true` becomes `type: [t, "null"]`).

use serde_json::{Map, Value, json};

use super::docs::{Docs, Loc};
use super::ops::ParamFacts;

/// Formats `spec/README.md` uses; others are dropped (the type stays).
const FORMATS: &[&str] = &["int32", "int64", "date-time", "date", "email", "uri", "binary", "password"];
const TYPES: &[&str] = &["string", "integer", "number", "boolean", "array", "object"];
/// Nesting inlined before the rest becomes free-form JSON (`{}`).
const MAX_DEPTH: usize = 10;

/// `v` (at `at` in `docs`) as a self-contained schema of ours.
pub(crate) fn schema(docs: &Docs, at: Loc, v: &Value) -> Value {
    let mut seen = Vec::new();
    convert(docs, at, v, 0, &mut seen)
}

/// A parameter as `spec/` declares it.
pub(crate) fn parameter(docs: &Docs, p: &ParamFacts) -> Value {
    let mut out = Map::new();
    out.insert("name".into(), Value::String(p.name.clone()));
    out.insert("in".into(), Value::String(p.loc.clone()));
    if p.required {
        out.insert("required".into(), Value::Bool(true));
    }
    let schema = match p.raw.get("schema") {
        Some(s) => schema(docs, p.at.join("schema"), s),
        None => json!({ "type": "string" }),
    };
    out.insert("schema".into(), schema);
    if let Some(e) = p.raw.get("explode").filter(|e| e.is_boolean()) {
        out.insert("explode".into(), e.clone());
    }
    Value::Object(out)
}

fn convert(docs: &Docs, at: Loc, v: &Value, depth: usize, seen: &mut Vec<*const Value>) -> Value {
    let (at, v, _) = docs.deref(at, v);
    if depth > MAX_DEPTH || seen.contains(&(v as *const Value)) || !v.is_object() {
        return json!({});
    }
    seen.push(v as *const Value);
    let mut out = Map::new();
    let nullable = v.get("nullable") == Some(&Value::Bool(true));
    let mut ty: Option<Value> = match v.get("type") {
        Some(Value::String(t)) if TYPES.contains(&t.as_str()) => Some(Value::String(t.clone())),
        Some(Value::Array(list)) => {
            let kept: Vec<Value> = list
                .iter()
                .filter(|t| t.as_str().is_some_and(|t| TYPES.contains(&t) || t == "null"))
                .cloned()
                .collect();
            (!kept.is_empty()).then_some(Value::Array(kept))
        }
        _ => None,
    };
    if ty.is_none() && v.get("properties").is_some() {
        ty = Some(Value::String("object".into()));
    }
    if ty.is_none() && v.get("items").is_some() {
        ty = Some(Value::String("array".into()));
    }
    if let Some(t) = ty {
        let t = match t {
            Value::String(s) if nullable => json!([s, "null"]),
            t => t,
        };
        out.insert("type".into(), t);
    }
    if let Some(f) = v.get("format").and_then(Value::as_str).filter(|f| FORMATS.contains(f)) {
        out.insert("format".into(), Value::String(f.to_owned()));
    }
    if let Some(values) = v.get("enum").and_then(Value::as_array) {
        let values: Vec<Value> = values.iter().filter(|x| !x.is_null()).cloned().collect();
        if !values.is_empty() {
            out.insert("enum".into(), Value::Array(values));
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(parts) = v.get(key).and_then(Value::as_array) {
            let parts: Vec<Value> = parts
                .iter()
                .enumerate()
                .map(|(i, p)| convert(docs, at.join(key).join(i), p, depth + 1, seen))
                .collect();
            out.insert(key.into(), Value::Array(parts));
        }
    }
    let is_array =
        out.get("type").is_some_and(|t| t == "array" || t.as_array().is_some_and(|l| l.contains(&json!("array"))));
    if let Some(items) = v.get("items") {
        out.insert("items".into(), convert(docs, at.join("items"), items, depth + 1, seen));
    } else if is_array {
        out.insert("items".into(), json!({}));
    }
    if let Some(props) = v.get("properties").and_then(Value::as_object) {
        let mut converted = Map::new();
        for (name, p) in props {
            converted.insert(name.clone(), convert(docs, at.join("properties").join(name), p, depth + 1, seen));
        }
        out.insert("properties".into(), Value::Object(converted));
        let required: Vec<Value> = v
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|r| r.as_str().is_some_and(|r| props.contains_key(r)))
            .cloned()
            .collect();
        if !required.is_empty() {
            out.insert("required".into(), Value::Array(required));
        }
    }
    match v.get("additionalProperties") {
        Some(Value::Bool(b)) if v.get("properties").is_none() && *b => {
            out.insert("additionalProperties".into(), json!({}));
        }
        Some(a @ Value::Object(_)) => {
            out.insert(
                "additionalProperties".into(),
                convert(docs, at.join("additionalProperties"), a, depth + 1, seen),
            );
        }
        _ => {}
    }
    seen.pop();
    Value::Object(out)
}
