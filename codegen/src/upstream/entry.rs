//! A complete operation entry of ours for an operation HighLevel documents
//! and we lack: facts only, as `spec/README.md` asks, HighLevel's defects
//! reported where they are met.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use super::convert;
use super::docs::{Docs, Loc};
use super::ops::{Op, body_schema, params_of, raw_params, security_of, success_schema, version_of};
use super::sync::PLACEHOLDER;
use crate::diag::{Diagnostics, join};

/// The most common `x-ghl-version` in our document (its API version's default).
fn usual_version(ours: &Docs, file: &str) -> String {
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for item in
        ours.value(file).and_then(|d| d.get("paths")).and_then(Value::as_object).into_iter().flat_map(|p| p.values())
    {
        for op in item.as_object().into_iter().flat_map(|o| o.values()) {
            if let Some(v) = op.get("x-ghl-version").and_then(Value::as_str) {
                *count.entry(v).or_default() += 1;
            }
        }
    }
    let default = if file.contains('/') { "v3" } else { "2021-07-28" };
    count.into_iter().max_by_key(|(_, n)| *n).map_or(default.to_owned(), |(v, _)| v.to_owned())
}

/// A unique lowerCamelCase operationId from upstream's (or from method and path).
fn operation_id(t: &Op, ids: &mut BTreeSet<String>) -> String {
    let raw =
        t.op.get("operationId")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| format!("{} {}", t.method, t.path.replace(['{', '}'], "")));
    let pascal = crate::names::pascal(&raw);
    let mut chars = pascal.chars();
    let base: String = chars.next().map(|c| c.to_ascii_lowercase()).into_iter().chain(chars).collect();
    let base = if base.is_empty() { "operation".to_owned() } else { base };
    let id = crate::names::unique(&base, |c| ids.contains(c));
    ids.insert(id.clone());
    id
}

/// A complete operation entry for `t`, written as `spec/README.md` asks.
pub(crate) fn new_operation(
    theirs: &Docs,
    ours: &Docs,
    file: &str,
    t: &Op,
    our_path: &str,
    ids: &mut BTreeSet<String>,
    defects: &mut Diagnostics,
) -> Value {
    let mut op = Map::new();
    op.insert("operationId".into(), Value::String(operation_id(t, ids)));
    op.insert("summary".into(), Value::String(format!("{PLACEHOLDER}: say what this call does")));
    if let Some(tag) = ours.value(file).and_then(|d| d.pointer("/tags/0/name")).and_then(Value::as_str) {
        op.insert("tags".into(), json!([tag]));
    }
    let (scopes, token) = security_of(theirs, t);
    let token = token.unwrap_or_else(|| {
        defects.warning(t.file, &t.ptr, "no security scheme names a token kind; `either` assumed");
        "either"
    });
    if token != "none" {
        op.insert("security".into(), json!([{ "bearer": scopes.into_iter().collect::<Vec<_>>() }]));
    }
    let usual = usual_version(ours, file);
    match version_of(theirs, t) {
        Some(values) => {
            let v = if values.contains(&usual) { usual } else { values.iter().next().cloned().unwrap_or(usual) };
            op.insert("x-ghl-version".into(), Value::String(v));
        }
        None => {
            op.insert("x-ghl-version".into(), Value::String(usual.clone()));
            op.insert("x-ghl-version-any".into(), Value::Bool(true));
            op.insert(
                "x-ghl-note".into(),
                Value::String(format!("HighLevel's document names no Version here; the client sends {usual}, as for this module's other calls.")),
            );
        }
    }
    op.insert("x-ghl-token".into(), Value::String(token.to_owned()));

    // Parameters: path ones named as our path names them, undeclared ones declared.
    let ours_names = crate::lower::path_placeholders(our_path);
    let theirs_names = crate::lower::path_placeholders(t.path);
    let facts = params_of(theirs, t);
    let mut params = Vec::new();
    for (i, name) in theirs_names.iter().enumerate() {
        let ours_name = ours_names.get(i).unwrap_or(name);
        let schema = match facts.iter().find(|p| p.loc == "path" && p.name == *name) {
            Some(p) => {
                convert::parameter(theirs, p).get("schema").cloned().unwrap_or_else(|| json!({"type": "string"}))
            }
            None => {
                defects.warning(
                    t.file,
                    &t.ptr,
                    format!("path parameter `{name}` of `{}` is not declared; declared as a string", t.path),
                );
                json!({ "type": "string" })
            }
        };
        params.push(json!({ "name": ours_name, "in": "path", "required": true, "schema": schema }));
    }
    for p in facts.iter().filter(|p| p.loc != "path") {
        params.push(convert::parameter(theirs, p));
    }
    for (at, p) in raw_params(theirs, t) {
        if p.get("schema").is_none() && p.get("content").is_none() {
            defects.warning(at.doc, &at.ptr, "parameter without a schema; a string assumed");
        }
    }
    if !params.is_empty() {
        op.insert("parameters".into(), Value::Array(params));
    }

    if let Some((at, media, schema)) = body_schema(theirs, t) {
        let converted = if schema.is_null() {
            defects.warning(
                at.doc,
                &parent_ptr(&at.ptr),
                format!("`{media}` request body without a schema; raw JSON assumed"),
            );
            json!({})
        } else {
            scan(theirs, at.clone(), schema, defects, 0);
            convert::schema(theirs, at, schema)
        };
        let media =
            if media.contains("json") || media == "multipart/form-data" || media == "application/x-www-form-urlencoded"
            {
                media
            } else {
                "application/json"
            };
        let converted = if media != "application/json" && converted.get("properties").is_none() {
            defects.warning(
                t.file,
                &join(&t.ptr, "requestBody"),
                format!("`{media}` body with no fields; sent as JSON instead"),
            );
            op.insert(
                "requestBody".into(),
                json!({ "required": true, "content": { "application/json": { "schema": {} } } }),
            );
            None
        } else {
            Some(converted)
        };
        if let Some(schema) = converted {
            let required = t.op.pointer("/requestBody/required") == Some(&Value::Bool(true));
            let mut body = Map::new();
            if required {
                body.insert("required".into(), Value::Bool(true));
            }
            body.insert("content".into(), json!({ media: { "schema": schema } }));
            op.insert("requestBody".into(), Value::Object(body));
        }
    }

    let responses = match success_schema(theirs, t) {
        Some((code, at, schema)) => {
            scan(theirs, at.clone(), schema, defects, 0);
            let schema = convert::schema(theirs, at, schema);
            json!({ code: { "description": "Success.", "content": { "application/json": { "schema": schema } } } })
        }
        None => {
            let code =
                t.op.get("responses")
                    .and_then(Value::as_object)
                    .and_then(|r| r.keys().filter(|c| c.starts_with('2')).min().cloned())
                    .unwrap_or_else(|| "200".to_owned());
            json!({ code: { "description": "Success." } })
        }
    };
    op.insert("responses".into(), responses);
    Value::Object(op)
}

fn parent_ptr(ptr: &str) -> String {
    ptr.rsplit_once('/').map_or(String::new(), |(p, _)| p.to_owned())
}

/// Defects in a schema that [`convert`] papers over: `type: any` (or an
/// unknown type), arrays without `items`, `$ref`s to nothing.
fn scan(docs: &Docs, at: Loc, v: &Value, defects: &mut Diagnostics, depth: usize) {
    if depth > 12 {
        return;
    }
    if let Some(r) = v.get("$ref").and_then(Value::as_str) {
        if docs.resolve(at.doc, r).is_none() {
            defects.warning(at.doc, &at.ptr, format!("`$ref` target `{r}` does not exist; raw JSON assumed"));
        }
        // Referenced schemas are scanned where they are used first only.
        if depth > 0 {
            return;
        }
    }
    let (at, v, _) = docs.deref(at, v);
    match v.get("type") {
        Some(Value::String(t))
            if !["string", "integer", "number", "boolean", "array", "object", "null"].contains(&t.as_str()) =>
        {
            defects.warning(
                at.doc,
                &join(&at.ptr, "type"),
                format!("`type: {t}` is no JSON Schema type; raw JSON assumed"),
            );
        }
        Some(Value::String(t)) if t == "array" && v.get("items").is_none() => {
            defects.warning(at.doc, &at.ptr, "array without `items`; items of any kind assumed");
        }
        _ => {}
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for (i, part) in v.get(key).and_then(Value::as_array).into_iter().flatten().enumerate() {
            scan(docs, at.join(key).join(i), part, defects, depth + 1);
        }
    }
    if let Some(items) = v.get("items") {
        scan(docs, at.join("items"), items, defects, depth + 1);
    }
    for (name, p) in v.get("properties").and_then(Value::as_object).into_iter().flatten() {
        scan(docs, at.join("properties").join(name), p, defects, depth + 1);
    }
}
