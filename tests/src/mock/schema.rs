//! Checking requests and answers against the spec's own JSON Schemas.
//!
//! The IR checks of `validate` see the spec as the generator lowered it:
//! whatever became raw JSON, and every `pattern` or `format`, is lost there.
//! Here each operation's schemas are bundled from the raw documents (every
//! `$ref`, across files too, copied into `$defs`) into one self-contained
//! JSON Schema 2020-12 document and compiled with the `jsonschema` crate,
//! formats and patterns included.

use std::collections::HashMap;

use codegen::load::SpecSet;
use jsonschema::Validator;
use serde_json::{Map, Value};

use super::multipart::FormPart;

/// Keywords only OpenAPI knows, or annotations: left out of bundled schemas.
const SKIPPED: &[&str] = &["example", "examples", "discriminator", "xml", "externalDocs", "deprecated"];

/// A compiled schema, or why it does not compile.
pub(crate) struct Compiled {
    schema: Value,
    validator: Result<Validator, String>,
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compiled").field("compiles", &self.validator.is_ok()).finish_non_exhaustive()
    }
}

impl Compiled {
    /// Problems of `instance`, each as `at...: what`.
    pub fn check(&self, at: &str, instance: &Value) -> Vec<String> {
        match &self.validator {
            Ok(v) => {
                v.iter_errors(instance).map(|e| format!("{at}{}: {} (schema)", e.instance_path(), e.masked())).collect()
            }
            Err(e) => vec![format!("{at}: the spec's schema does not compile: {e}")],
        }
    }

    /// The schema of the property `name` of an object schema (through
    /// `$ref`s and `allOf`), for typing text values.
    fn property(&self, name: &str) -> Option<&Value> {
        property(&self.schema, &self.schema, name, 0)
    }
}

/// The schemas of one operation.
#[derive(Debug, Default)]
pub(crate) struct OperationSchemas {
    /// Request body by media type (`application/json`, form, multipart).
    pub body: Option<(String, Compiled)>,
    /// Query and path parameters: (location, wire name, schema).
    pub params: Vec<(String, String, Compiled)>,
    /// The success answer (JSON).
    pub response: Option<Compiled>,
}

impl OperationSchemas {
    /// Bundles and compiles the schemas of the operation at `pointer` in `doc`.
    pub fn build(set: &SpecSet, doc: &str, pointer: &str, success_status: u16) -> OperationSchemas {
        let mut out = OperationSchemas::default();
        let Some(op) = set.doc(doc).and_then(|d| d.value.pointer(pointer)) else { return out };
        let path_item_pointer = pointer.rsplit_once('/').map_or("", |(p, _)| p);
        let path_item = set.doc(doc).and_then(|d| d.value.pointer(path_item_pointer));
        let params = path_item
            .and_then(|p| p.get("parameters"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .chain(op.get("parameters").and_then(Value::as_array).into_iter().flatten());
        for p in params {
            let (pdoc, p) = deref(set, doc, p);
            let loc = p.get("in").and_then(Value::as_str).unwrap_or_default();
            let (Some(name), Some(schema)) = (p.get("name").and_then(Value::as_str), p.get("schema")) else {
                continue;
            };
            if loc == "query" || loc == "path" {
                out.params.retain(|(l, n, _)| !(l == loc && n == name));
                out.params.push((loc.to_owned(), name.to_owned(), compile(set, &pdoc, schema)));
            }
        }
        if let Some(body) = op.get("requestBody") {
            let (bdoc, body) = deref(set, doc, body);
            if let Some((mime, media)) = body.get("content").and_then(Value::as_object).and_then(|c| c.iter().next())
                && let Some(schema) = media.get("schema")
            {
                out.body = Some((mime.to_ascii_lowercase(), compile(set, &bdoc, schema)));
            }
        }
        let response = op.get("responses").and_then(|r| r.get(success_status.to_string()));
        if let Some(r) = response {
            let (rdoc, r) = deref(set, doc, r);
            if let Some(schema) = r.get("content").and_then(|c| c.get("application/json")).and_then(|m| m.get("schema"))
            {
                out.response = Some(compile(set, &rdoc, schema));
            }
        }
        out
    }

    /// Problems of the JSON body `v`.
    pub fn check_json_body(&self, v: &Value) -> Vec<String> {
        match &self.body {
            Some((_, c)) => c.check("body", v),
            None => Vec::new(),
        }
    }

    /// Problems of a form or multipart body: text parts typed by their
    /// property schemas, file parts standing in as strings.
    pub fn check_fields(&self, parts: &[FormPart]) -> Vec<String> {
        let Some((_, c)) = &self.body else { return Vec::new() };
        let mut obj = Map::new();
        for p in parts {
            let prop = c.property(&p.name);
            let is_array = prop.is_some_and(|s| types(&c.schema, s).contains(&"array"));
            let item_schema = if is_array { prop.and_then(|s| resolved(&c.schema, s).get("items")) } else { prop };
            let value = match &p.file_name {
                Some(_) => Value::String(String::new()),
                None => typed(&c.schema, item_schema, &String::from_utf8_lossy(&p.data)),
            };
            if is_array {
                // A JSON array sent in one part stays as it is.
                match value {
                    Value::Array(items) => obj.insert(p.name.clone(), Value::Array(items)),
                    v => match obj.entry(p.name.clone()).or_insert_with(|| Value::Array(Vec::new())) {
                        Value::Array(items) => {
                            items.push(v);
                            None
                        }
                        _ => None,
                    },
                };
            } else {
                obj.insert(p.name.clone(), value);
            }
        }
        c.check("body", &Value::Object(obj))
    }

    /// Problems of query and path values (`comma`: names of parameters sent
    /// as one comma-separated value).
    pub fn check_params(
        &self,
        path: &[(String, String)],
        query: &[(String, String)],
        comma: &dyn Fn(&str) -> bool,
    ) -> Vec<String> {
        let mut problems = Vec::new();
        for (loc, name, c) in &self.params {
            let sent: Vec<&str> = if loc == "path" { path } else { query }
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
                .collect();
            if sent.is_empty() {
                continue;
            }
            let is_array = types(&c.schema, &c.schema).contains(&"array");
            let value = if is_array {
                let items = resolved(&c.schema, &c.schema).get("items");
                let texts: Vec<&str> =
                    if comma(name) { sent.iter().flat_map(|s| s.split(',')).collect() } else { sent.clone() };
                Value::Array(texts.into_iter().map(|t| typed(&c.schema, items, t)).collect())
            } else {
                typed(&c.schema, Some(&c.schema), sent[0])
            };
            problems.extend(c.check(&format!("{loc} parameter `{name}`"), &value));
        }
        problems
    }
}

/// Follows a `$ref` of a parameter, request body or response object.
fn deref<'a>(set: &'a SpecSet, doc: &str, node: &'a Value) -> (String, &'a Value) {
    let mut doc = doc.to_owned();
    let mut node = node;
    for _ in 0..8 {
        let Some(r) = node.get("$ref").and_then(Value::as_str) else { break };
        let Some((target, value)) = codegen::refs::resolve(set, &doc, r) else { break };
        doc = target.doc;
        node = value;
    }
    (doc, node)
}

fn compile(set: &SpecSet, doc: &str, schema: &Value) -> Compiled {
    let mut b = Bundler { set, defs: Map::new(), keys: HashMap::new() };
    let mut root = b.bundle(doc, schema);
    if let Value::Object(obj) = &mut root {
        if !b.defs.is_empty() {
            obj.insert("$defs".to_owned(), Value::Object(b.defs));
        }
    } else {
        root = Value::Bool(true);
    }
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&root)
        .map_err(|e| e.to_string());
    Compiled { schema: root, validator }
}

/// Copies schemas with every `$ref` pointing into one `$defs`.
struct Bundler<'a> {
    set: &'a SpecSet,
    defs: Map<String, Value>,
    keys: HashMap<(String, String), String>,
}

impl Bundler<'_> {
    fn bundle(&mut self, doc: &str, node: &Value) -> Value {
        match node {
            Value::Object(obj) => {
                let mut out = Map::new();
                for (k, v) in obj {
                    if SKIPPED.contains(&k.as_str()) || k.starts_with("x-") {
                        continue;
                    }
                    let v = match (k.as_str(), v) {
                        ("$ref", Value::String(r)) => Value::String(self.reference(doc, r)),
                        // Property names and enum values are data, not schemas.
                        ("enum" | "const" | "default" | "required", v) => v.clone(),
                        ("properties" | "patternProperties" | "$defs", Value::Object(m)) => {
                            Value::Object(m.iter().map(|(n, s)| (n.clone(), self.bundle(doc, s))).collect())
                        }
                        (_, v) => self.bundle(doc, v),
                    };
                    out.insert(k.clone(), v);
                }
                Value::Object(out)
            }
            Value::Array(items) => Value::Array(items.iter().map(|v| self.bundle(doc, v)).collect()),
            other => other.clone(),
        }
    }

    /// The `#/$defs/...` standing in for `reference` (an unresolvable one
    /// stays as written, and fails to compile: the spec is broken there).
    fn reference(&mut self, doc: &str, reference: &str) -> String {
        let Some((target, value)) = codegen::refs::resolve(self.set, doc, reference) else {
            return reference.to_owned();
        };
        let key = (target.doc.clone(), target.pointer.clone());
        if let Some(k) = self.keys.get(&key) {
            return format!("#/$defs/{k}");
        }
        let name = target.pointer.rsplit('/').next().unwrap_or("root");
        let safe: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
        let k = format!("{safe}_{}", self.keys.len());
        self.keys.insert(key, k.clone());
        self.defs.insert(k.clone(), Value::Bool(true));
        let bundled = self.bundle(&target.doc, value);
        self.defs.insert(k.clone(), bundled);
        format!("#/$defs/{k}")
    }
}

/// `node` with local `#/$defs/` refs of `root` followed.
fn resolved<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    let mut node = node;
    for _ in 0..16 {
        let Some(r) = node.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) else { break };
        match root.pointer(r) {
            Some(n) => node = n,
            None => break,
        }
    }
    node
}

fn property<'a>(root: &'a Value, node: &'a Value, name: &str, depth: usize) -> Option<&'a Value> {
    let node = resolved(root, node);
    if let Some(p) = node.get("properties").and_then(|p| p.get(name)) {
        return Some(p);
    }
    if depth > 8 {
        return None;
    }
    ["allOf", "anyOf", "oneOf"]
        .iter()
        .filter_map(|k| node.get(*k).and_then(Value::as_array))
        .flatten()
        .find_map(|part| property(root, part, name, depth + 1))
        .or_else(|| node.get("additionalProperties").filter(|a| a.is_object()))
}

/// The `type`s a schema names (through `$ref`s; none when it names none).
fn types<'a>(root: &'a Value, node: &'a Value) -> Vec<&'a str> {
    match resolved(root, node).get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// A text value as the JSON value its schema's type asks for (as a string
/// when it does not read as one: the check then names the mismatch).
fn typed(root: &Value, schema: Option<&Value>, text: &str) -> Value {
    let ts = schema.map(|s| types(root, s)).unwrap_or_default();
    let parsed = || serde_json::from_str::<Value>(text).ok();
    for t in &ts {
        let v = match *t {
            "integer" | "number" => parsed().filter(Value::is_number),
            "boolean" => parsed().filter(Value::is_boolean),
            "object" => parsed().filter(Value::is_object),
            "array" => parsed().filter(Value::is_array),
            "null" => parsed().filter(Value::is_null),
            _ => None,
        };
        if let Some(v) = v {
            return v;
        }
    }
    Value::String(text.to_owned())
}
