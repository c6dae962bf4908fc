//! Drift between `spec/` and a directory of OpenAPI documents (HighLevel's
//! published ones): `cargo xtask verify --against DIR`.
//!
//! Both sides are read as plain JSON, not lowered: HighLevel's documents carry
//! the very quirks `spec/` fixes (duplicate operationIds, undeclared path
//! parameters, missing schemas) and would not lower, and reading both sides the
//! same way keeps the comparison symmetric. `$ref`s are followed across files,
//! including ones that leave the directory (`../common/common-schemas.json`).
//!
//! Operations are matched by method and path, with path parameter names
//! ignored (`/contacts/{id}` matches `/contacts/{contactId}`). Then:
//!
//! - **missing**: upstream operations with no match, in documents of which at
//!   least one operation matches; documents with no match at all are listed as
//!   **not covered** (a module `spec/` does not have), counted apart;
//! - **extra**: our operations with no upstream match; explained when they are
//!   `x-ghl-status: undocumented` or carry an `x-ghl-note`;
//! - **drift** in matched operations: the `Version` value (upstream's `Version`
//!   header enum), the token kind (from the security schemes, as `spec/README.md`
//!   maps them), scopes, parameters (name, place, required, type, enum values;
//!   path parameters by position), request body fields (names, required, type,
//!   enum values) and response fields (names, type, enum values) down to
//!   [`VerifyOptions::depth`] levels. Numbers and integers count as one type.
//!
//! A drift item is **explained** when our side carries an `x-ghl-note` that
//! covers it: on the operation (covers everything in it), on the parameter or
//! its schema, or on the schema or property at or above the field (for a field
//! we lack, the nearest enclosing object we have). The note is quoted in the
//! report so a reviewer can judge it. `--strict` fails on anything unexplained.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use super::RenderError;

/// Knobs of a verify run.
#[derive(Clone, Debug)]
pub struct VerifyOptions {
    /// Read subdirectories of the upstream directory too (HighLevel's `apps/v3`
    /// holds other API versions, so the default is the top level only).
    pub recursive: bool,
    /// How many object levels of request and response bodies to compare.
    pub depth: usize,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions { recursive: false, depth: 4 }
    }
}

/// What kind of drift.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DriftKind {
    /// Our `Version` is not among upstream's.
    Version,
    /// Token kind differs.
    Token,
    /// Upstream lists a scope we do not.
    ScopeMissing,
    /// We list a scope upstream does not.
    ScopeExtra,
    /// Upstream has a parameter we lack.
    ParameterMissing,
    /// We have a parameter upstream lacks.
    ParameterExtra,
    /// Required on one side only.
    ParameterRequired,
    /// Different JSON type.
    ParameterType,
    /// Different enum values.
    ParameterEnum,
    /// A request body on one side only.
    RequestBody,
    /// Upstream has a request field we lack.
    RequestFieldMissing,
    /// We have a request field upstream lacks.
    RequestFieldExtra,
    /// Required on one side only.
    RequestFieldRequired,
    /// Different JSON type.
    RequestFieldType,
    /// Different enum values.
    RequestFieldEnum,
    /// Upstream documents response fields where we keep raw JSON.
    ResponseSchema,
    /// Upstream has a response field we lack.
    ResponseFieldMissing,
    /// We have a response field upstream lacks.
    ResponseFieldExtra,
    /// Different JSON type.
    ResponseFieldType,
    /// Different enum values.
    ResponseFieldEnum,
}

/// One difference in a matched operation.
#[derive(Clone, Debug, Serialize)]
pub struct Drift {
    /// Kind.
    pub kind: DriftKind,
    /// Where: `query limit`, `request contact.tags`, `response meta.total`, …
    pub subject: String,
    /// Our value (absent when we lack the thing).
    pub ours: Option<String>,
    /// Upstream's value (absent when upstream lacks the thing).
    pub upstream: Option<String>,
    /// The `x-ghl-note` that explains it, if any.
    pub explained_by: Option<String>,
    /// Where that note sits: on the parameter or schema covering the item, or
    /// on the operation (which covers everything in it, so read it).
    pub explained_at: Option<NoteLevel>,
}

/// Where an explaining `x-ghl-note` sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoteLevel {
    /// On the operation: covers every item of it.
    Operation,
    /// On the parameter or its schema.
    Parameter,
    /// On the schema or property at or above the field.
    Schema,
}

/// An operation on one side.
#[derive(Clone, Debug, Serialize)]
pub struct OpRef {
    /// Upper-case HTTP method.
    pub method: String,
    /// Path as written.
    pub path: String,
    /// `operationId`, if any.
    pub operation_id: Option<String>,
    /// Document (relative to its directory).
    pub file: String,
}

/// One of our operations with no upstream counterpart.
#[derive(Clone, Debug, Serialize)]
pub struct ExtraOp {
    /// The operation.
    #[serde(flatten)]
    pub op: OpRef,
    /// Marked `x-ghl-status: undocumented`.
    pub undocumented: bool,
    /// The note that explains it, if any.
    pub explained_by: Option<String>,
}

/// An upstream document none of whose operations we have.
#[derive(Clone, Debug, Serialize)]
pub struct UncoveredDoc {
    /// Document.
    pub file: String,
    /// Its operations.
    pub operations: usize,
}

/// A matched operation with drift.
#[derive(Clone, Debug, Serialize)]
pub struct MatchedOp {
    /// Ours.
    pub ours: OpRef,
    /// Upstream's.
    pub upstream: OpRef,
    /// The differences.
    pub drift: Vec<Drift>,
}

impl MatchedOp {
    /// Drift items no note explains.
    pub fn unexplained(&self) -> usize {
        self.drift.iter().filter(|d| d.explained_by.is_none()).count()
    }
}

/// Counts first, as printed at the top of the report.
#[derive(Clone, Debug, Default, Serialize)]
pub struct VerifySummary {
    /// Upstream documents read.
    pub upstream_documents: usize,
    /// Upstream operations.
    pub upstream_operations: usize,
    /// Our operations.
    pub our_operations: usize,
    /// Operations on both sides.
    pub matched: usize,
    /// Matched without any drift.
    pub matched_clean: usize,
    /// Matched with drift.
    pub drifting: usize,
    /// Matched with drift no note explains.
    pub drifting_unexplained: usize,
    /// Drift items in all.
    pub drift_items: usize,
    /// Drift items no note explains.
    pub drift_items_unexplained: usize,
    /// Upstream operations we lack, in documents we cover.
    pub missing: usize,
    /// Upstream documents we do not cover at all.
    pub uncovered_documents: usize,
    /// Their operations.
    pub uncovered_operations: usize,
    /// Our operations upstream lacks.
    pub extra: usize,
    /// … of which marked undocumented.
    pub extra_undocumented: usize,
    /// … of which no note explains.
    pub extra_unexplained: usize,
}

/// The drift report.
#[derive(Clone, Debug, Serialize)]
pub struct VerifyReport {
    /// Our spec directory, as given.
    pub ours_dir: String,
    /// The upstream directory, as given.
    pub upstream_dir: String,
    /// Counts.
    pub summary: VerifySummary,
    /// Upstream operations we lack (in covered documents).
    pub missing: Vec<OpRef>,
    /// Upstream documents we do not cover.
    pub uncovered: Vec<UncoveredDoc>,
    /// Our operations upstream lacks.
    pub extra: Vec<ExtraOp>,
    /// Matched operations with drift.
    pub drifting: Vec<MatchedOp>,
    /// Files that could not be read, duplicate operations, unresolved `$ref`s.
    pub warnings: Vec<String>,
}

impl VerifyReport {
    /// Anything `--strict` fails on: missing operations (in covered documents),
    /// unexplained extra operations, unexplained drift.
    pub fn has_unexplained(&self) -> bool {
        self.summary.missing > 0 || self.summary.extra_unexplained > 0 || self.summary.drift_items_unexplained > 0
    }
}

// ---------------------------------------------------------------- loading

/// Documents by canonical path; `primary` are the ones in the directory.
struct Docs {
    values: BTreeMap<PathBuf, Value>,
    primary: Vec<(String, PathBuf)>,
}

fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn parse(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let is_json = path.extension().is_some_and(|e| e == "json");
    let value: Value = if is_json {
        serde_json::from_str(&text).map_err(|e| format!("{}: invalid JSON: {e}", path.display()))?
    } else {
        serde_yaml::from_str(&text).map_err(|e| format!("{}: invalid YAML: {e}", path.display()))?
    };
    Ok(value)
}

fn refs_in(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                if k == "$ref" {
                    if let Some(s) = x.as_str() {
                        out.push(s.to_owned());
                    }
                } else {
                    refs_in(x, out);
                }
            }
        }
        Value::Array(list) => list.iter().for_each(|x| refs_in(x, out)),
        _ => {}
    }
}

impl Docs {
    fn load(dir: &Path, recursive: bool, warnings: &mut Vec<String>) -> Result<Docs, String> {
        let root = dir.canonicalize().map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut files = Vec::new();
        crate::load::collect_files(&root, &root, recursive, &mut files)
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        files.sort();
        let mut docs = Docs { values: BTreeMap::new(), primary: Vec::new() };
        for (rel, path) in files {
            match parse(&path) {
                Ok(v) if v.get("openapi").is_some() => {
                    docs.values.insert(path.clone(), v);
                    docs.primary.push((rel, path));
                }
                Ok(_) => {}
                Err(e) => warnings.push(e),
            }
        }
        // Load what the documents refer to outside themselves, transitively.
        let mut queue: Vec<PathBuf> = docs.values.keys().cloned().collect();
        while let Some(from) = queue.pop() {
            let mut refs = Vec::new();
            refs_in(&docs.values[&from], &mut refs);
            let files: BTreeSet<String> = refs
                .into_iter()
                .filter_map(|r| r.split('#').next().map(str::to_owned))
                .filter(|f| !f.is_empty())
                .collect();
            for file in files {
                let target = normalize(&from.parent().unwrap_or(Path::new("/")).join(&file));
                if docs.values.contains_key(&target) {
                    continue;
                }
                // The file the reference names wins; a document found by suffix is only
                // the fallback for a reference whose target does not exist.
                match parse(&target) {
                    Ok(v) => {
                        docs.values.insert(target.clone(), v);
                        queue.push(target);
                    }
                    Err(_) if !target.exists() && docs.find_by_suffix(&file).is_some() => {}
                    Err(e) => warnings.push(format!("`$ref` to `{file}` from {}: {e}", from.display())),
                }
            }
        }
        Ok(docs)
    }

    fn find_by_suffix(&self, file: &str) -> Option<&PathBuf> {
        let tail: Vec<&str> = file.split('/').filter(|s| !matches!(*s, "." | ".." | "")).collect();
        let tail = PathBuf::from(tail.join("/"));
        let mut hits = self.values.keys().filter(|p| p.ends_with(&tail));
        let hit = hits.next()?;
        hits.next().is_none().then_some(hit)
    }

    /// Resolves `reference` written in `from`: the target document and value.
    fn resolve(&self, from: &Path, reference: &str) -> Option<(&Path, &Value)> {
        let (file, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let doc = if file.is_empty() {
            self.values.get_key_value(from)?.0
        } else {
            let target = normalize(&from.parent().unwrap_or(Path::new("/")).join(file));
            match self.values.get_key_value(&target) {
                Some((k, _)) => k,
                None => self.find_by_suffix(file)?,
            }
        };
        let value = self.values.get(doc)?;
        let value = if fragment.is_empty() { value } else { value.pointer(fragment)? };
        Some((doc.as_path(), value))
    }

    /// Follows `$ref`s; the first `x-ghl-note` seen on the way comes along.
    fn deref<'a>(&'a self, doc: &'a Path, v: &'a Value) -> (&'a Path, &'a Value, Option<String>) {
        let (mut doc, mut v) = (doc, v);
        let mut note = note_of(v);
        for _ in 0..16 {
            let Some(r) = v.get("$ref").and_then(Value::as_str) else { break };
            match self.resolve(doc, r) {
                Some((d, t)) => {
                    doc = d;
                    v = t;
                    note = note.or_else(|| note_of(v));
                }
                None => break,
            }
        }
        (doc, v, note)
    }
}

fn note_of(v: &Value) -> Option<String> {
    v.get("x-ghl-note").and_then(Value::as_str).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

// ---------------------------------------------------------------- operations

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options"];

/// `{name}` placeholders of a path template, in order.
fn placeholders(path: &str) -> Vec<String> {
    path.split('{').skip(1).filter_map(|s| s.split_once('}').map(|(n, _)| n.to_owned())).collect()
}

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

struct Op<'a> {
    file: &'a str,
    doc: &'a Path,
    path: &'a str,
    method: &'static str,
    item: &'a Value,
    op: &'a Value,
}

impl Op<'_> {
    fn op_ref(&self) -> OpRef {
        OpRef {
            method: self.method.to_ascii_uppercase(),
            path: self.path.to_owned(),
            operation_id: self.op.get("operationId").and_then(Value::as_str).map(str::to_owned),
            file: self.file.to_owned(),
        }
    }
}

type OpKey = (String, String);

fn operations<'a>(docs: &'a Docs, side: &str, warnings: &mut Vec<String>) -> BTreeMap<OpKey, Op<'a>> {
    let mut out: BTreeMap<OpKey, Op<'a>> = BTreeMap::new();
    for (rel, path) in &docs.primary {
        let doc = &docs.values[path];
        for (p, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
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
                out.insert(key, Op { file: rel, doc: path.as_path(), path: p, method, item, op });
            }
        }
    }
    out
}

// ---------------------------------------------------------------- facts

fn version_of(docs: &Docs, op: &Op) -> Option<BTreeSet<String>> {
    if let Some(v) = op.op.get("x-ghl-version").and_then(Value::as_str) {
        return Some(BTreeSet::from([v.to_owned()]));
    }
    for p in raw_params(docs, op) {
        if p.get("in").and_then(Value::as_str) == Some("header")
            && p.get("name").and_then(Value::as_str).is_some_and(|n| n.eq_ignore_ascii_case("version"))
        {
            let schema = p.get("schema").map(|s| docs.deref(op.doc, s).1);
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

/// Scopes, and the token kind the security schemes imply (`spec/README.md`).
fn security_of(docs: &Docs, op: &Op) -> (BTreeSet<String>, Option<&'static str>) {
    let security = op
        .op
        .get("security")
        .or_else(|| docs.values.get(op.doc).and_then(|d| d.get("security")))
        .and_then(Value::as_array);
    let mut scopes = BTreeSet::new();
    let (mut location, mut agency) = (false, false);
    for req in security.into_iter().flatten().filter_map(Value::as_object) {
        for (scheme, list) in req {
            let lower = scheme.to_ascii_lowercase();
            agency |= lower.starts_with("agency");
            location |= lower.starts_with("location") || lower == "bearer";
            scopes.extend(list.as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_owned));
        }
    }
    let token = match op.op.get("x-ghl-token").and_then(Value::as_str) {
        Some("location") => Some("location"),
        Some("agency") => Some("agency"),
        Some("either") => Some("either"),
        Some("none") => Some("none"),
        _ => match (location, agency) {
            (true, false) => Some("location"),
            (false, true) => Some("agency"),
            (true, true) => Some("either"),
            _ => None,
        },
    };
    (scopes, token)
}

fn raw_params<'a>(docs: &'a Docs, op: &Op<'a>) -> Vec<&'a Value> {
    let mut out: Vec<&Value> = Vec::new();
    for source in [op.item, op.op] {
        for p in source.get("parameters").and_then(Value::as_array).into_iter().flatten() {
            let (_, p, _) = docs.deref(op.doc, p);
            let key = |v: &Value| (v.get("name").cloned(), v.get("in").cloned());
            if let Some(slot) = out.iter_mut().find(|q| key(q) == key(p)) {
                *slot = p;
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[derive(Clone, Debug)]
struct ParamFacts {
    name: String,
    loc: String,
    required: bool,
    ty: Option<String>,
    values: Option<BTreeSet<String>>,
    note: Option<String>,
}

fn params_of(docs: &Docs, op: &Op) -> Vec<ParamFacts> {
    let mut out = Vec::new();
    for p in raw_params(docs, op) {
        let name = p.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
        let loc = p.get("in").and_then(Value::as_str).unwrap_or_default().to_owned();
        if loc == "header" && (name.eq_ignore_ascii_case("version") || name.eq_ignore_ascii_case("authorization")) {
            continue;
        }
        let (_, schema, schema_note) = match p.get("schema") {
            Some(s) => docs.deref(op.doc, s),
            None => (op.doc, &Value::Null, None),
        };
        out.push(ParamFacts {
            required: loc == "path" || p.get("required") == Some(&Value::Bool(true)),
            ty: type_of(docs, op.doc, schema),
            values: enum_of(schema),
            note: note_of(p).or(schema_note),
            name,
            loc,
        });
    }
    out
}

fn type_of(docs: &Docs, doc: &Path, v: &Value) -> Option<String> {
    let (doc, v, _) = docs.deref(doc, v);
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
        return type_of(docs, doc, &parts[0]);
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
fn same_type(a: &str, b: &str) -> bool {
    let norm = |t: &str| if t == "integer" { "number".to_owned() } else { t.to_owned() };
    norm(a) == norm(b)
}

fn enum_of(v: &Value) -> Option<BTreeSet<String>> {
    let list = v.get("enum")?.as_array()?;
    let values: BTreeSet<String> = list
        .iter()
        .filter(|x| !x.is_null())
        .map(|x| x.as_str().map(str::to_owned).unwrap_or_else(|| x.to_string()))
        .collect();
    (!values.is_empty()).then_some(values)
}

#[derive(Clone, Debug, Default)]
struct FieldFacts {
    ty: Option<String>,
    required: bool,
    values: Option<BTreeSet<String>>,
    /// Own note, or the nearest one above.
    note: Option<String>,
}

/// A body schema flattened to dotted field paths (`a.b`, `items[].c`).
#[derive(Debug, Default)]
struct Flat {
    root_note: Option<String>,
    fields: BTreeMap<String, FieldFacts>,
    /// Notes on the item schema of the array at a path (`items: {$ref: Order}`).
    item_notes: BTreeMap<String, String>,
}

impl Flat {
    /// The note covering `path`: its own, or the nearest existing ancestor's.
    fn note_for(&self, path: &str) -> Option<String> {
        let mut p = path;
        loop {
            if p != path
                && let Some(n) = self.item_notes.get(p)
            {
                return Some(n.clone());
            }
            if let Some(f) = self.fields.get(p) {
                return f.note.clone().or_else(|| self.root_note.clone());
            }
            match parent(p) {
                Some(up) => p = up,
                None => return self.root_note.clone(),
            }
        }
    }
}

struct Flattener<'a> {
    docs: &'a Docs,
    depth: usize,
    stack: Vec<*const Value>,
}

impl<'a> Flattener<'a> {
    fn flatten(&mut self, doc: &'a Path, v: &'a Value) -> Flat {
        let (doc, v, note) = self.docs.deref(doc, v);
        let mut flat = Flat { root_note: note.clone(), fields: BTreeMap::new(), item_notes: BTreeMap::new() };
        self.object(doc, v, "", 0, note.as_deref(), &mut flat);
        flat
    }

    /// Properties (merged over `allOf`/`oneOf`/`anyOf`) and required names.
    fn props(
        &mut self,
        doc: &'a Path,
        v: &'a Value,
        out: &mut Vec<(&'a Path, &'a str, &'a Value)>,
        req: &mut BTreeSet<String>,
        hops: usize,
    ) {
        if hops > 12 {
            return;
        }
        let (doc, v, _) = self.docs.deref(doc, v);
        for key in ["allOf", "oneOf", "anyOf"] {
            for part in v.get(key).and_then(Value::as_array).into_iter().flatten() {
                let mut part_req = BTreeSet::new();
                self.props(doc, part, out, &mut part_req, hops + 1);
                if key == "allOf" {
                    req.extend(part_req);
                }
            }
        }
        for (name, schema) in v.get("properties").and_then(Value::as_object).into_iter().flatten() {
            if let Some(slot) = out.iter_mut().find(|(_, n, _)| *n == name) {
                *slot = (doc, name, schema);
            } else {
                out.push((doc, name, schema));
            }
        }
        req.extend(
            v.get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned),
        );
    }

    fn object(&mut self, doc: &'a Path, v: &'a Value, prefix: &str, level: usize, note: Option<&str>, flat: &mut Flat) {
        let (doc, v, _) = self.docs.deref(doc, v);
        if level >= self.depth || self.stack.contains(&(v as *const Value)) {
            return;
        }
        self.stack.push(v as *const Value);
        // An array at this level: describe its items under `prefix[]`.
        if let Some(items) = v.get("items") {
            let (idoc, items, inote) = self.docs.deref(doc, items);
            let path = format!("{prefix}[]");
            let n = inote.or_else(|| note.map(str::to_owned));
            if !prefix.is_empty() || items.get("properties").is_none() {
                flat.fields.entry(path.clone()).or_insert(FieldFacts {
                    ty: type_of(self.docs, idoc, items),
                    required: false,
                    values: enum_of(items),
                    note: n.clone(),
                });
            }
            self.object(idoc, items, &path, level + 1, n.as_deref(), flat);
        }
        let mut props = Vec::new();
        let mut req = BTreeSet::new();
        self.props(doc, v, &mut props, &mut req, 0);
        for (pdoc, name, schema) in props {
            let (sdoc, s, snote) = self.docs.deref(pdoc, schema);
            let path = if prefix.is_empty() { name.to_owned() } else { format!("{prefix}.{name}") };
            let n = snote.or_else(|| note.map(str::to_owned));
            let values = enum_of(s).or_else(|| s.get("items").and_then(|i| enum_of(self.docs.deref(sdoc, i).1)));
            flat.fields.insert(
                path.clone(),
                FieldFacts { ty: type_of(self.docs, sdoc, s), required: req.contains(name), values, note: n.clone() },
            );
            // Go into objects, and into arrays of objects (their items are `path[]`).
            if let Some(items) = s.get("items") {
                // A note on the item schema (`items: {$ref: Order}`, Order noted) covers its fields.
                let (idoc, items, inote) = self.docs.deref(sdoc, items);
                if let Some(note) = &inote {
                    flat.item_notes.insert(path.clone(), note.clone());
                }
                let n = inote.or(n);
                self.object(idoc, items, &format!("{path}[]"), level + 1, n.as_deref(), flat);
            } else {
                self.object(sdoc, s, &path, level + 1, n.as_deref(), flat);
            }
        }
        self.stack.pop();
    }
}

fn body_schema<'a>(docs: &'a Docs, op: &Op<'a>) -> Option<(&'a Path, &'a Value)> {
    let (doc, body, _) = docs.deref(op.doc, op.op.get("requestBody")?);
    let content = body.get("content")?.as_object()?;
    let media = ["application/json", "multipart/form-data", "application/x-www-form-urlencoded"]
        .iter()
        .find_map(|m| content.get(*m))
        .or_else(|| content.iter().find(|(k, _)| k.contains("json")).map(|(_, v)| v))
        .or_else(|| content.values().next())?;
    Some((doc, media.get("schema").unwrap_or(&Value::Null)))
}

fn success_schema<'a>(docs: &'a Docs, op: &Op<'a>) -> Option<(&'a Path, &'a Value)> {
    let responses = op.op.get("responses")?.as_object()?;
    let mut codes: Vec<&String> = responses.keys().filter(|c| c.starts_with('2')).collect();
    codes.sort();
    for code in codes {
        let (doc, resp, _) = docs.deref(op.doc, &responses[code.as_str()]);
        if let Some(content) = resp.get("content").and_then(Value::as_object)
            && let Some((_, media)) = content.iter().find(|(k, _)| k.contains("json"))
            && let Some(schema) = media.get("schema")
        {
            return Some((doc, schema));
        }
    }
    None
}

fn list(values: &BTreeSet<String>) -> String {
    values.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")
}

// ---------------------------------------------------------------- compare

struct Cmp<'a> {
    ours: &'a Docs,
    theirs: &'a Docs,
    depth: usize,
    op_note: Option<String>,
    drift: Vec<Drift>,
}

impl Cmp<'_> {
    fn push(
        &mut self,
        kind: DriftKind,
        subject: impl Into<String>,
        ours: Option<String>,
        upstream: Option<String>,
        note: Option<String>,
    ) {
        use DriftKind as K;
        let level = match kind {
            K::ParameterMissing | K::ParameterExtra | K::ParameterRequired | K::ParameterType | K::ParameterEnum => {
                NoteLevel::Parameter
            }
            K::Version | K::Token | K::ScopeMissing | K::ScopeExtra => NoteLevel::Operation,
            _ => NoteLevel::Schema,
        };
        // The most specific note wins; the operation's covers everything else.
        let (explained_at, explained_by) = match (note, &self.op_note) {
            (Some(n), _) => (Some(level), Some(n)),
            (None, Some(n)) => (Some(NoteLevel::Operation), Some(n.clone())),
            (None, None) => (None, None),
        };
        self.drift.push(Drift { kind, subject: subject.into(), ours, upstream, explained_by, explained_at });
    }

    fn op(&mut self, o: &Op, t: &Op) {
        if let (Some(ov), Some(tv)) = (version_of(self.ours, o), version_of(self.theirs, t))
            && ov.is_disjoint(&tv)
        {
            self.push(DriftKind::Version, "Version", Some(list(&ov)), Some(list(&tv)), None);
        }
        let (os, otok) = security_of(self.ours, o);
        let (ts, ttok) = security_of(self.theirs, t);
        if let (Some(a), Some(b)) = (otok, ttok)
            && a != b
        {
            self.push(DriftKind::Token, "token", Some(a.to_owned()), Some(b.to_owned()), None);
        }
        for s in ts.difference(&os) {
            self.push(DriftKind::ScopeMissing, format!("scope {s}"), None, Some(format!("`{s}`")), None);
        }
        for s in os.difference(&ts) {
            self.push(DriftKind::ScopeExtra, format!("scope {s}"), Some(format!("`{s}`")), None, None);
        }
        self.params(o, t);
        self.bodies(o, t);
        self.responses(o, t);
    }

    fn params(&mut self, o: &Op, t: &Op) {
        let op = params_of(self.ours, o);
        let tp = params_of(self.theirs, t);
        let (opath, oother): (Vec<_>, Vec<_>) = op.into_iter().partition(|p| p.loc == "path");
        let (tpath, tother): (Vec<_>, Vec<_>) = tp.into_iter().partition(|p| p.loc == "path");
        let mut pairs: Vec<(Option<ParamFacts>, Option<ParamFacts>)> = Vec::new();
        // Path parameters by position in the path (names differ freely).
        let order = |ps: &[ParamFacts], path: &str| -> Vec<ParamFacts> {
            let names = placeholders(path);
            let mut v: Vec<ParamFacts> = ps.to_vec();
            v.sort_by_key(|p| names.iter().position(|n| *n == p.name).unwrap_or(usize::MAX));
            v
        };
        let (opath, tpath) = (order(&opath, o.path), order(&tpath, t.path));
        for i in 0..opath.len().max(tpath.len()) {
            pairs.push((opath.get(i).cloned(), tpath.get(i).cloned()));
        }
        let mut used = vec![false; tother.len()];
        for p in oother {
            let hit = tother.iter().enumerate().position(|(i, q)| !used[i] && q.name == p.name && q.loc == p.loc);
            match hit {
                Some(i) => {
                    used[i] = true;
                    pairs.push((Some(p), Some(tother[i].clone())));
                }
                None => pairs.push((Some(p), None)),
            }
        }
        for (i, q) in tother.into_iter().enumerate() {
            if !used[i] {
                pairs.push((None, Some(q)));
            }
        }
        for pair in pairs {
            match pair {
                (Some(p), None) => {
                    let subject = format!("{} {}", p.loc, p.name);
                    let ours = Some(format!(
                        "{}{}",
                        p.ty.as_deref().unwrap_or("any"),
                        if p.required { ", required" } else { "" }
                    ));
                    self.push(DriftKind::ParameterExtra, subject, ours, None, p.note);
                }
                (None, Some(q)) => {
                    let subject = format!("{} {}", q.loc, q.name);
                    let up = Some(format!(
                        "{}{}",
                        q.ty.as_deref().unwrap_or("any"),
                        if q.required { ", required" } else { "" }
                    ));
                    self.push(DriftKind::ParameterMissing, subject, None, up, None);
                }
                (Some(p), Some(q)) => {
                    let subject = if p.loc == "path" && p.name != q.name {
                        format!("path {} (upstream {})", p.name, q.name)
                    } else {
                        format!("{} {}", p.loc, p.name)
                    };
                    if p.required != q.required {
                        let show = |r: bool| Some(if r { "required" } else { "optional" }.to_owned());
                        self.push(
                            DriftKind::ParameterRequired,
                            &subject,
                            show(p.required),
                            show(q.required),
                            p.note.clone(),
                        );
                    }
                    if let (Some(a), Some(b)) = (&p.ty, &q.ty)
                        && !same_type(a, b)
                    {
                        self.push(DriftKind::ParameterType, &subject, Some(a.clone()), Some(b.clone()), p.note.clone());
                    }
                    self.enums(
                        DriftKind::ParameterEnum,
                        &subject,
                        p.values.as_ref(),
                        q.values.as_ref(),
                        p.note.clone(),
                    );
                }
                (None, None) => {}
            }
        }
    }

    fn enums(
        &mut self,
        kind: DriftKind,
        subject: &str,
        ours: Option<&BTreeSet<String>>,
        theirs: Option<&BTreeSet<String>>,
        note: Option<String>,
    ) {
        match (ours, theirs) {
            (Some(a), Some(b)) if a != b => {
                let only_ours: BTreeSet<String> = a.difference(b).cloned().collect();
                let only_theirs: BTreeSet<String> = b.difference(a).cloned().collect();
                let show = |s: &BTreeSet<String>| (!s.is_empty()).then(|| format!("only here: {}", list(s)));
                self.push(kind, subject, show(&only_ours), show(&only_theirs), note);
            }
            (None, Some(b)) => {
                self.push(kind, subject, Some("no enum".into()), Some(list(b)), note);
            }
            _ => {}
        }
    }

    fn flat(&self, docs: &Docs, schema: Option<(&Path, &Value)>) -> Option<Flat> {
        let (doc, v) = schema?;
        let mut f = Flattener { docs, depth: self.depth, stack: Vec::new() };
        // Free-form (`{}`) and scalar bodies have no fields to compare.
        let flat = f.flatten(doc, v);
        Some(flat)
    }

    fn bodies(&mut self, o: &Op, t: &Op) {
        let ob = body_schema(self.ours, o);
        let tb = body_schema(self.theirs, t);
        match (ob.is_some(), tb.is_some()) {
            (true, false) => {
                let note = ob.and_then(|(d, v)| self.ours.deref(d, v).2);
                self.push(DriftKind::RequestBody, "request body", Some("sent".into()), Some("none".into()), note);
                return;
            }
            (false, true) => {
                self.push(DriftKind::RequestBody, "request body", Some("none".into()), Some("sent".into()), None);
                return;
            }
            (false, false) => return,
            (true, true) => {}
        }
        let (Some(of), Some(tf)) = (self.flat(self.ours, ob), self.flat(self.theirs, tb)) else { return };
        if tf.fields.is_empty() {
            return;
        }
        if of.fields.is_empty() {
            let top = tf.fields.keys().filter(|k| parent(k).is_none()).count();
            let note = of.root_note.clone();
            self.push(
                DriftKind::RequestBody,
                "request body",
                Some("raw JSON".into()),
                Some(format!("{top} top-level fields")),
                note,
            );
            return;
        }
        self.fields(&of, &tf, true);
    }

    fn responses(&mut self, o: &Op, t: &Op) {
        let tf = self.flat(self.theirs, success_schema(self.theirs, t));
        let Some(tf) = tf.filter(|f| !f.fields.is_empty()) else { return };
        let of = self.flat(self.ours, success_schema(self.ours, o)).unwrap_or_default();
        if of.fields.is_empty() {
            let note = of.root_note.clone();
            let top = tf.fields.keys().filter(|k| parent(k).is_none()).count();
            self.push(
                DriftKind::ResponseSchema,
                "response",
                Some("raw JSON".into()),
                Some(format!("{top} top-level fields")),
                note,
            );
            return;
        }
        self.fields(&of, &tf, false);
    }

    fn fields(&mut self, of: &Flat, tf: &Flat, request: bool) {
        let side = if request { "request" } else { "response" };
        let (missing, extra, ty_kind, enum_kind) = if request {
            (
                DriftKind::RequestFieldMissing,
                DriftKind::RequestFieldExtra,
                DriftKind::RequestFieldType,
                DriftKind::RequestFieldEnum,
            )
        } else {
            (
                DriftKind::ResponseFieldMissing,
                DriftKind::ResponseFieldExtra,
                DriftKind::ResponseFieldType,
                DriftKind::ResponseFieldEnum,
            )
        };
        for (path, f) in &tf.fields {
            let subject = format!("{side} {path}");
            match of.fields.get(path) {
                // Reported only where our side has the enclosing object with
                // fields: children of a missing field are implied by it, and
                // below an object we keep free-form there is nothing to compare.
                None if of.comparable(path) => {
                    let up = Some(format!(
                        "{}{}",
                        f.ty.as_deref().unwrap_or("any"),
                        if request && f.required { ", required" } else { "" }
                    ));
                    self.push(missing, subject, None, up, of.note_for(path));
                }
                None => {}
                Some(ours) => {
                    if request && ours.required != f.required && parent(path).is_none() {
                        let show = |r: bool| Some(if r { "required" } else { "optional" }.to_owned());
                        self.push(
                            DriftKind::RequestFieldRequired,
                            &subject,
                            show(ours.required),
                            show(f.required),
                            ours.note.clone(),
                        );
                    }
                    if let (Some(a), Some(b)) = (&ours.ty, &f.ty)
                        && !same_type(a, b)
                    {
                        self.push(ty_kind, &subject, Some(a.clone()), Some(b.clone()), ours.note.clone());
                    }
                    self.enums(enum_kind, &subject, ours.values.as_ref(), f.values.as_ref(), ours.note.clone());
                }
            }
        }
        for (path, f) in &of.fields {
            if tf.fields.contains_key(path) || !tf.comparable(path) {
                continue;
            }
            let ours = Some(f.ty.clone().unwrap_or_else(|| "any".into()));
            self.push(extra, format!("{side} {path}"), ours, None, f.note.clone());
        }
    }
}

/// The enclosing field of a dotted path (`a.b` → `a`, `a[].b` → `a`, `a[]` →
/// `a`); `None` at the top level.
fn parent(path: &str) -> Option<&str> {
    if let Some(p) = path.strip_suffix("[]") {
        return (!p.is_empty()).then_some(p);
    }
    let p = &path[..path.rfind('.')?];
    let p = p.strip_suffix("[]").unwrap_or(p);
    (!p.is_empty()).then_some(p)
}

impl Flat {
    /// Whether a field at `path` can be said to be absent here: it sits at the
    /// top level, or in an object this side has and describes with fields.
    fn comparable(&self, path: &str) -> bool {
        match parent(path) {
            None => true,
            Some(p) => self.fields.contains_key(p) && self.fields.keys().any(|k| parent(k) == Some(p)),
        }
    }
}

// ---------------------------------------------------------------- entry point

/// Compares the documents in `ours` (our spec) with those in `upstream`.
///
/// Fails only when a directory cannot be read; unreadable files, duplicate
/// operations and unresolved references become warnings in the report.
pub fn verify(ours: &Path, upstream: &Path, options: &VerifyOptions) -> Result<VerifyReport, String> {
    let mut warnings = Vec::new();
    let our_docs = Docs::load(ours, false, &mut warnings)?;
    let their_docs = Docs::load(upstream, options.recursive, &mut warnings)?;
    let our_ops = operations(&our_docs, "ours", &mut warnings);
    let their_ops = operations(&their_docs, "upstream", &mut warnings);

    let mut summary = VerifySummary {
        upstream_documents: their_docs.primary.len(),
        upstream_operations: their_ops.len(),
        our_operations: our_ops.len(),
        ..VerifySummary::default()
    };
    let mut drifting = Vec::new();
    let mut extra = Vec::new();
    let mut covered: BTreeSet<&str> = BTreeSet::new();
    for (key, o) in &our_ops {
        let Some(t) = their_ops.get(key) else {
            let undocumented = o.op.get("x-ghl-status").and_then(Value::as_str) == Some("undocumented");
            let note = note_of(o.op);
            let explained_by = match (undocumented, note) {
                (true, Some(n)) => Some(format!("undocumented: {n}")),
                (true, None) => Some("x-ghl-status: undocumented".to_owned()),
                (false, n) => n,
            };
            extra.push(ExtraOp { op: o.op_ref(), undocumented, explained_by });
            continue;
        };
        summary.matched += 1;
        covered.insert(t.file);
        let mut cmp = Cmp {
            ours: &our_docs,
            theirs: &their_docs,
            depth: options.depth,
            op_note: note_of(o.op),
            drift: Vec::new(),
        };
        cmp.op(o, t);
        if cmp.drift.is_empty() {
            summary.matched_clean += 1;
        } else {
            drifting.push(MatchedOp { ours: o.op_ref(), upstream: t.op_ref(), drift: cmp.drift });
        }
    }
    let mut missing = Vec::new();
    let mut uncovered: BTreeMap<&str, usize> = BTreeMap::new();
    for (key, t) in &their_ops {
        if our_ops.contains_key(key) {
            continue;
        }
        if covered.contains(t.file) {
            missing.push(t.op_ref());
        } else {
            *uncovered.entry(t.file).or_default() += 1;
        }
    }
    missing.sort_by(|a, b| (&a.file, &a.path, &a.method).cmp(&(&b.file, &b.path, &b.method)));
    summary.drifting = drifting.len();
    summary.drifting_unexplained = drifting.iter().filter(|m| m.unexplained() > 0).count();
    summary.drift_items = drifting.iter().map(|m| m.drift.len()).sum();
    summary.drift_items_unexplained = drifting.iter().map(MatchedOp::unexplained).sum();
    summary.missing = missing.len();
    summary.uncovered_documents = uncovered.len();
    summary.uncovered_operations = uncovered.values().sum();
    summary.extra = extra.len();
    summary.extra_undocumented = extra.iter().filter(|e| e.undocumented).count();
    summary.extra_unexplained = extra.iter().filter(|e| e.explained_by.is_none()).count();
    Ok(VerifyReport {
        ours_dir: ours.display().to_string(),
        upstream_dir: upstream.display().to_string(),
        summary,
        missing,
        uncovered: uncovered
            .into_iter()
            .map(|(file, operations)| UncoveredDoc { file: file.to_owned(), operations })
            .collect(),
        extra,
        drifting,
        warnings,
    })
}

// ---------------------------------------------------------------- output

fn short(note: &str) -> String {
    let one_line = note.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 110 {
        format!("{}…", one_line.chars().take(110).collect::<String>())
    } else {
        one_line
    }
}

#[derive(Serialize)]
struct DriftRow<'a> {
    kind: DriftKind,
    subject: &'a str,
    ours: &'a str,
    upstream: &'a str,
    explained: Option<String>,
    explained_at: Option<NoteLevel>,
}

#[derive(Serialize)]
struct OpSection<'a> {
    ours: &'a OpRef,
    upstream: &'a OpRef,
    unexplained: usize,
    rows: Vec<DriftRow<'a>>,
}

/// The Markdown report: counts first, then missing, not covered, extra and
/// per-operation drift. With `unexplained_only`, explained items are counted
/// but not listed.
pub fn verify_markdown(report: &VerifyReport, unexplained_only: bool) -> Result<String, RenderError> {
    let ops: Vec<OpSection> = report
        .drifting
        .iter()
        .filter(|m| !unexplained_only || m.unexplained() > 0)
        .map(|m| OpSection {
            ours: &m.ours,
            upstream: &m.upstream,
            unexplained: m.unexplained(),
            rows: m
                .drift
                .iter()
                .filter(|d| !unexplained_only || d.explained_by.is_none())
                .map(|d| DriftRow {
                    kind: d.kind,
                    subject: &d.subject,
                    ours: d.ours.as_deref().unwrap_or("—"),
                    upstream: d.upstream.as_deref().unwrap_or("—"),
                    explained: d.explained_by.as_deref().map(short),
                    explained_at: d.explained_at,
                })
                .collect(),
        })
        .collect();
    let extra: Vec<_> = report
        .extra
        .iter()
        .filter(|e| !unexplained_only || e.explained_by.is_none())
        .map(|e| (e, e.explained_by.as_deref().map(short)))
        .map(|(e, x)| minijinja::context! { op => &e.op, undocumented => e.undocumented, explained => x })
        .collect();
    let mut by_file: BTreeMap<&str, Vec<&OpRef>> = BTreeMap::new();
    for m in &report.missing {
        by_file.entry(&m.file).or_default().push(m);
    }
    let text = super::render::env().get_template("spec_diff_verify")?.render(minijinja::context! {
        report => report,
        s => &report.summary,
        missing_by_file => by_file,
        extra => extra,
        ops => ops,
        unexplained_only => unexplained_only,
        strict_fails => report.has_unexplained(),
    })?;
    Ok(super::render::with_newline(text))
}

/// The whole report as pretty-printed JSON.
pub fn verify_json(report: &VerifyReport) -> Result<String, RenderError> {
    Ok(serde_json::to_string_pretty(report)? + "\n")
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

    #[test]
    fn field_parents() {
        assert_eq!(parent("a"), None);
        assert_eq!(parent("a.b"), Some("a"));
        assert_eq!(parent("a[].b"), Some("a"));
        assert_eq!(parent("a[]"), Some("a"));
        assert_eq!(parent("[].b"), None);
        assert_eq!(placeholders("/a/{x}/b/{y}"), vec!["x", "y"]);
    }

    #[test]
    fn lexical_normalization() {
        assert_eq!(normalize(Path::new("/a/apps/../common/x.json")), PathBuf::from("/a/common/x.json"));
    }
}
