//! Operations on one side, matched by method and path (path parameter names
//! ignored), and the facts compared about them.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::OpRef;
use super::docs::{Docs, Loc, note_of};
use crate::ir::Token;

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options"];

/// `/a/{x}/b` → `/a/{}/b`.
pub fn normalize_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut depth = 0;
    for c in path.chars() {
        match c {
            '{' => {
                depth += 1;
                if depth == 1 {
                    out.push_str("{}");
                }
            }
            '}' if depth > 0 => depth -= 1,
            _ if depth > 0 => {}
            _ => out.push(c),
        }
    }
    out
}

/// One operation as written in its document.
pub(crate) struct Op<'a> {
    /// Document (relative path).
    pub(crate) file: &'a str,
    /// Pointer of the operation object.
    pub(crate) ptr: String,
    pub(crate) path: &'a str,
    pub(crate) method: &'static str,
    pub(crate) item: &'a Value,
    pub(crate) op: &'a Value,
}

impl<'a> Op<'a> {
    pub(crate) fn op_ref(&self) -> OpRef {
        OpRef {
            method: self.method.to_ascii_uppercase(),
            path: self.path.to_owned(),
            operation_id: self.op.get("operationId").and_then(Value::as_str).map(str::to_owned),
            file: self.file.to_owned(),
        }
    }

    pub(crate) fn loc(&self) -> Loc<'a> {
        Loc { doc: self.file, ptr: self.ptr.clone() }
    }
}

/// (upper-case method, normalized path).
pub(crate) type OpKey = (String, String);

/// Every operation of the directory's documents; the first of two with the same key wins.
pub(crate) fn operations<'a>(docs: &'a Docs, side: &str, warnings: &mut Vec<String>) -> BTreeMap<OpKey, Op<'a>> {
    let mut out: BTreeMap<OpKey, Op<'a>> = BTreeMap::new();
    for rel in &docs.primary {
        let Some(doc) = docs.set.doc(rel) else { continue };
        let rel = doc.rel.as_str();
        for (p, item) in doc.value.get("paths").and_then(Value::as_object).into_iter().flatten() {
            for &method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let key = (method.to_ascii_uppercase(), normalize_path(p));
                if let Some(first) = out.get(&key) {
                    warnings.push(format!(
                        "{side}: `{} {p}` in {rel} duplicates `{} {}` in {}; the first is compared",
                        key.0, key.0, first.path, first.file
                    ));
                    continue;
                }
                let ptr = crate::diag::join(&crate::diag::join("/paths", p), method);
                out.insert(key, Op { file: rel, ptr, path: p, method, item, op });
            }
        }
    }
    out
}

/// The `Version` values: `x-ghl-version`, else the `Version` header's enum (or default).
pub(crate) fn version_of(docs: &Docs, op: &Op) -> Option<BTreeSet<String>> {
    if let Some(v) = op.op.get("x-ghl-version").and_then(Value::as_str) {
        return Some(BTreeSet::from([v.to_owned()]));
    }
    for (at, p) in raw_params(docs, op) {
        if p.get("in").and_then(Value::as_str) == Some("header")
            && p.get("name").and_then(Value::as_str).is_some_and(|n| n.eq_ignore_ascii_case("version"))
        {
            let schema = p.get("schema").map(|s| docs.deref(at.join("schema"), s).1);
            let mut values: BTreeSet<String> = schema
                .and_then(|s| s.get("enum"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
            if values.is_empty()
                && let Some(d) = schema.and_then(|s| s.get("default")).and_then(Value::as_str)
            {
                values.insert(d.to_owned());
            }
            return (!values.is_empty()).then_some(values);
        }
    }
    None
}

pub(crate) fn token_name(token: Token) -> &'static str {
    match token {
        Token::Location => "location",
        Token::Agency => "agency",
        Token::Either => "either",
        Token::None => "none",
    }
}

/// Scopes, and the token kind: `x-ghl-token`, else what the security schemes
/// imply (the generator's own reading, `spec/README.md`).
pub(crate) fn security_of(docs: &Docs, op: &Op) -> (BTreeSet<String>, Option<&'static str>) {
    let (scopes, inferred) = crate::lower::security_facts(op.op, docs.value(op.file), &docs.token_schemes);
    let token = op
        .op
        .get("x-ghl-token")
        .and_then(Value::as_str)
        .and_then(crate::lower::token_extension)
        .or(inferred)
        .map(token_name);
    (scopes.into_iter().collect(), token)
}

/// Path-level then operation-level parameters (the latter override), `$ref`s followed.
pub(crate) fn raw_params<'a>(docs: &'a Docs, op: &Op<'a>) -> Vec<(Loc<'a>, &'a Value)> {
    let mut out: Vec<(Loc<'a>, &'a Value)> = Vec::new();
    let item_loc = Loc { doc: op.file, ptr: op.ptr[..op.ptr.rfind('/').unwrap_or(0)].to_owned() };
    for (base, source) in [(item_loc, op.item), (op.loc(), op.op)] {
        for (i, p) in source.get("parameters").and_then(Value::as_array).into_iter().flatten().enumerate() {
            let (at, p, _) = docs.deref(base.join("parameters").join(i), p);
            let key = |v: &Value| (v.get("name").cloned(), v.get("in").cloned());
            if let Some(slot) = out.iter_mut().find(|(_, q)| key(q) == key(p)) {
                *slot = (at, p);
            } else {
                out.push((at, p));
            }
        }
    }
    out
}

/// What is compared about one parameter.
#[derive(Clone, Debug)]
pub(crate) struct ParamFacts<'a> {
    pub(crate) name: String,
    pub(crate) loc: String,
    pub(crate) required: bool,
    pub(crate) ty: Option<String>,
    pub(crate) values: Option<BTreeSet<String>>,
    pub(crate) note: Option<String>,
    /// The parameter object.
    pub(crate) at: Loc<'a>,
    pub(crate) raw: &'a Value,
    /// The schema holding `enum` (the parameter's, or its items').
    pub(crate) enum_at: Option<Loc<'a>>,
}

pub(crate) fn params_of<'a>(docs: &'a Docs, op: &Op<'a>) -> Vec<ParamFacts<'a>> {
    let mut out = Vec::new();
    for (at, p) in raw_params(docs, op) {
        let name = p.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
        let loc = p.get("in").and_then(Value::as_str).unwrap_or_default().to_owned();
        if loc == "header" && (name.eq_ignore_ascii_case("version") || name.eq_ignore_ascii_case("authorization")) {
            continue;
        }
        let (sat, schema, schema_note) = match p.get("schema") {
            Some(s) => docs.deref(at.join("schema"), s),
            None => (at.clone(), &Value::Null, None),
        };
        out.push(ParamFacts {
            required: loc == "path" || p.get("required") == Some(&Value::Bool(true)),
            ty: type_of(docs, sat.clone(), schema),
            values: enum_of(schema),
            enum_at: enum_of(schema).map(|_| sat),
            note: note_of(p).or(schema_note),
            name,
            loc,
            at,
            raw: p,
        });
    }
    out
}

/// The JSON type of a schema, where it has one.
pub(crate) fn type_of(docs: &Docs, at: Loc, v: &Value) -> Option<String> {
    let (at, v, _) = docs.deref(at, v);
    match v.get("type") {
        Some(Value::String(s)) => return Some(s.clone()),
        Some(Value::Array(list)) => {
            let names: Vec<&str> = list.iter().filter_map(Value::as_str).filter(|s| *s != "null").collect();
            if names.len() == 1 {
                return Some(names[0].to_owned());
            }
            return None;
        }
        _ => {}
    }
    if let Some(Value::Array(parts)) = v.get("allOf")
        && parts.len() == 1
    {
        return type_of(docs, at.join("allOf").join(0), &parts[0]);
    }
    if v.get("properties").is_some() || v.get("additionalProperties").is_some() {
        return Some("object".into());
    }
    if v.get("items").is_some() {
        return Some("array".into());
    }
    None
}

/// JSON types compared loosely: integer and number are one kind.
pub(crate) fn same_type(a: &str, b: &str) -> bool {
    let norm = |t: &str| if t == "integer" { "number".to_owned() } else { t.to_owned() };
    norm(a) == norm(b)
}

/// Enum values as text (`null` left out).
pub(crate) fn enum_of(v: &Value) -> Option<BTreeSet<String>> {
    let list = v.get("enum")?.as_array()?;
    let values: BTreeSet<String> = list
        .iter()
        .filter(|x| !x.is_null())
        .map(|x| x.as_str().map(str::to_owned).unwrap_or_else(|| x.to_string()))
        .collect();
    (!values.is_empty()).then_some(values)
}

/// The request body: (where its media type entry is, the media type, its schema).
pub(crate) fn body_schema<'a>(docs: &'a Docs, op: &Op<'a>) -> Option<(Loc<'a>, &'a str, &'a Value)> {
    let (at, body, _) = docs.deref(op.loc().join("requestBody"), op.op.get("requestBody")?);
    let content = body.get("content")?.as_object()?;
    let (media, entry) = ["application/json", "multipart/form-data", "application/x-www-form-urlencoded"]
        .iter()
        .find_map(|m| content.get_key_value(*m))
        .or_else(|| content.iter().find(|(k, _)| k.contains("json")))
        .or_else(|| content.iter().next())?;
    let at = at.join("content").join(media);
    Some((at.join("schema"), media.as_str(), entry.get("schema").unwrap_or(&Value::Null)))
}

/// The first 2xx response with a JSON schema: (status, where the schema is, the schema).
pub(crate) fn success_schema<'a>(docs: &'a Docs, op: &Op<'a>) -> Option<(&'a str, Loc<'a>, &'a Value)> {
    let responses = op.op.get("responses")?.as_object()?;
    let mut codes: Vec<&String> = responses.keys().filter(|c| c.starts_with('2')).collect();
    codes.sort();
    for code in codes {
        let (at, resp, _) = docs.deref(op.loc().join("responses").join(code), &responses[code.as_str()]);
        if let Some(content) = resp.get("content").and_then(Value::as_object)
            && let Some((media, entry)) = content.iter().find(|(k, _)| k.contains("json"))
            && let Some(schema) = entry.get("schema")
        {
            return Some((code.as_str(), at.join("content").join(media).join("schema"), schema));
        }
    }
    None
}

/// `` `a`, `b` ``.
pub(crate) fn list(values: &BTreeSet<String>) -> String {
    values.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_normalize_parameter_names() {
        assert_eq!(normalize_path("/contacts/{contactId}/notes/{id}"), "/contacts/{}/notes/{}");
        assert_eq!(normalize_path("/a/{x}"), normalize_path("/a/{y}"));
        assert_ne!(normalize_path("/a/{x}"), normalize_path("/a/{x}/"));
    }
}
