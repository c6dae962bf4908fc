//! The spec as the mock sees it: the generator's IR for types and
//! operations, plus the raw documents for what the IR leaves out
//! (`security: []`, success status codes, `example` values, paging keys).

use std::path::Path;

use codegen::ir::{Api, Operation};
use codegen::load::SpecSet;
use serde_json::Value;

use super::respond::{Builder, Raw};
use super::schema::OperationSchemas;

/// The loaded spec: every operation of every module, ready to route.
///
/// ```no_run
/// let spec = tests::mock::MockSpec::load("spec").expect("the spec lowers");
/// println!("{} operations", spec.operations().len());
/// ```
#[derive(Debug)]
pub struct MockSpec {
    pub(crate) api: Api,
    pub(crate) set: SpecSet,
    ops: Vec<MockOperation>,
    notes: Vec<String>,
}

/// One operation, with what the mock needs beyond the IR.
#[derive(Debug)]
pub struct MockOperation {
    /// Module (snake_case file stem) the operation belongs to.
    pub module: String,
    /// The operation as the generator lowered it.
    pub op: Operation,
    /// Whether a bearer token must be sent (false for `security: []`).
    pub auth_required: bool,
    /// Status of a successful answer: the first 2xx the spec lists (204 for no body).
    pub success_status: u16,
    pub(crate) doc: String,
    pub(crate) pointer: String,
    pub(crate) paging: Option<RawPaging>,
    /// The body of a successful answer (`None` for no body).
    pub response: Option<Value>,
    /// Where that body breaks the spec's response schema (a bug of the mock).
    pub response_problems: Vec<String>,
    pub(crate) schemas: OperationSchemas,
    segments: Vec<Segment>,
}

/// `x-ghl-pagination` as written (parameter names, not idents).
#[derive(Clone, Debug, Default)]
pub(crate) struct RawPaging {
    pub in_body: bool,
    pub offset: Option<String>,
    pub page: Option<String>,
    pub cursors: Vec<String>,
    pub items: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
}

impl MockSpec {
    /// Loads and lowers every document in `spec_dir` with the generator.
    /// Fails with the generator's diagnostics, one per line.
    pub fn load(spec_dir: impl AsRef<Path>) -> Result<MockSpec, String> {
        let dir = spec_dir.as_ref();
        let config = codegen::Config::new(dir);
        let api = codegen::lower_api(&config, None)
            .map_err(|diags| diags.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))?;
        let mut diags = codegen::diag::Diagnostics::default();
        let set = codegen::load::load_dir(dir, &mut diags);
        Ok(MockSpec::from_parts(api, set))
    }

    /// Builds the mock's view from an already lowered API and its raw documents.
    pub fn from_parts(api: Api, set: SpecSet) -> MockSpec {
        let mut ops = Vec::new();
        for module in api.modules.values() {
            let doc = set.doc(&module.source);
            for op in module.operations.values() {
                let method = op.method.as_str().to_ascii_lowercase();
                let pointer = format!("/paths/{}/{method}", op.path.replace('~', "~0").replace('/', "~1"));
                let raw = doc.and_then(|d| d.value.pointer(&pointer));
                let doc_security = doc.and_then(|d| d.value.get("security"));
                let security = raw.and_then(|r| r.get("security")).or(doc_security);
                let auth_required = !matches!(security, Some(Value::Array(a)) if a.is_empty());
                let success_status = match op.success {
                    codegen::ir::Success::Empty => 204,
                    codegen::ir::Success::Json(_) | codegen::ir::Success::Bytes => raw
                        .and_then(|r| r.get("responses"))
                        .and_then(Value::as_object)
                        .and_then(|rs| rs.keys().filter_map(|k| k.parse::<u16>().ok()).find(|c| (200..300).contains(c)))
                        .filter(|c| *c != 204)
                        .unwrap_or(200),
                };
                let paging = raw.and_then(|r| r.get("x-ghl-pagination")).map(raw_paging);
                let schemas = OperationSchemas::build(&set, &module.source, &pointer, success_status);
                ops.push(MockOperation {
                    module: module.name.clone(),
                    op: op.clone(),
                    auth_required,
                    success_status,
                    doc: module.source.clone(),
                    pointer,
                    paging,
                    response: None,
                    response_problems: Vec::new(),
                    schemas,
                    segments: segments(&op.path),
                });
            }
        }
        let mut builder = Builder::new(&api, &set);
        for mock in &mut ops {
            let codegen::ir::Success::Json(ty) = &mock.op.success else { continue };
            let raw_op = set.doc(&mock.doc).and_then(|d| d.value.pointer(&mock.pointer));
            let media = raw_op
                .and_then(|r| r.get("responses"))
                .and_then(|r| r.get(mock.success_status.to_string()))
                .and_then(|r| r.get("content"))
                .and_then(|c| c.get("application/json"));
            let schema = media.and_then(|m| m.get("schema")).map(|s| Raw::new(&mock.doc, s));
            let at = format!("{} response", mock.op.id);
            let mut value = builder.build(&at, ty, schema, 0);
            if let Some(example) = media.and_then(|m| m.get("example")) {
                builder.set_doc(&mock.doc);
                builder.overlay(&at, &mut value, example, ty);
            }
            if let Some(schema) = &mock.schemas.response {
                mock.response_problems = schema.check("response", &value);
            }
            mock.response = Some(value);
        }
        let notes = builder.notes.into_iter().collect();
        MockSpec { api, set, ops, notes }
    }

    /// Spec `example` values that do not fit their schema's type, and were
    /// therefore not used in responses (one line each).
    pub fn example_notes(&self) -> &[String] {
        &self.notes
    }

    /// The lowered API.
    pub fn api(&self) -> &Api {
        &self.api
    }

    /// Every operation of every module.
    pub fn operations(&self) -> &[MockOperation] {
        &self.ops
    }

    /// The operation with this `operationId`.
    pub fn operation(&self, id: &str) -> Option<&MockOperation> {
        self.ops.iter().find(|o| o.op.id == id)
    }

    /// Whether the success body of `op` holds an enum value somewhere (what
    /// [`super::Fault::UnknownEnumValue`] replaces).
    pub fn response_has_enum(&self, op: &MockOperation) -> bool {
        match (&op.op.success, &op.response) {
            (codegen::ir::Success::Json(ty), Some(v)) => super::respond::has_enum(&self.api, v, ty),
            _ => false,
        }
    }

    /// The operation object of `op` as written in its spec document.
    pub fn raw_operation(&self, op: &MockOperation) -> Option<&Value> {
        self.set.doc(&op.doc).and_then(|d| d.value.pointer(&op.pointer))
    }

    /// Routes `method path` (path not yet percent-decoded) with the request's
    /// `Version` header to an operation and its path parameters (decoded).
    /// Version and path go together (v2 and v3 share paths): operations that
    /// take `version` are preferred, one that names it exactly over one that
    /// takes any. Then the most specific template wins: a literal segment
    /// beats a parameter at the first place they differ. With no operation
    /// for this version the closest other is chosen, and the check reports
    /// the Version (HighLevel answers 400 there).
    pub fn route(&self, method: &str, path: &str, version: Option<&str>) -> Route<'_> {
        let parts: Vec<String> =
            path.split('/').map(|s| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()).collect();
        // (operation, literal-ness of each segment, parameters)
        type Candidate<'s> = (&'s MockOperation, (bool, Vec<bool>, bool), Vec<(String, String)>);
        let mut best: Option<Candidate<'_>> = None;
        let mut other_methods = Vec::new();
        for op in &self.ops {
            let Some(params) = match_segments(&op.segments, &parts) else { continue };
            if !op.op.method.as_str().eq_ignore_ascii_case(method) {
                other_methods.push(op.op.method);
                continue;
            }
            let fits = match version {
                Some(v) if v == op.op.version => 2,
                _ if op.op.version_any => 1,
                _ => 0,
            };
            let literal: Vec<bool> = op.segments.iter().map(|s| matches!(s, Segment::Literal(_))).collect();
            let rank = (fits > 0, literal, fits == 2);
            if best.as_ref().is_none_or(|(_, r, _)| rank > *r) {
                best = Some((op, rank, params));
            }
        }
        match best {
            Some((op, _, params)) => Route::Found { op, params },
            None if !other_methods.is_empty() => {
                other_methods.sort();
                other_methods.dedup();
                Route::WrongMethod { allowed: other_methods.iter().map(|m| m.as_str()).collect() }
            }
            None => Route::NotFound { near: self.near(path) },
        }
    }

    /// Templates that differ from `path` only by a trailing slash.
    fn near(&self, path: &str) -> Vec<String> {
        let trimmed = path.trim_end_matches('/');
        let mut near: Vec<String> = self
            .ops
            .iter()
            .filter(|o| {
                let alt = if path.ends_with('/') { trimmed.to_owned() } else { format!("{path}/") };
                let parts: Vec<String> = alt.split('/').map(str::to_owned).collect();
                match_segments(&o.segments, &parts).is_some()
            })
            .map(|o| format!("{} {}", o.op.method.as_str(), o.op.path))
            .collect();
        near.sort();
        near.dedup();
        near
    }
}

/// Where a request goes.
#[derive(Debug)]
pub enum Route<'a> {
    /// An operation matched; its path parameters by wire name.
    Found {
        /// The operation.
        op: &'a MockOperation,
        /// Path parameters, decoded.
        params: Vec<(String, String)>,
    },
    /// The path exists with other methods only.
    WrongMethod {
        /// The methods the path has.
        allowed: Vec<&'static str>,
    },
    /// No template matches the path.
    NotFound {
        /// Operations whose template matches the path with or without a trailing slash.
        near: Vec<String>,
    },
}

fn segments(template: &str) -> Vec<Segment> {
    template
        .split('/')
        .map(|s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => Segment::Param(name.to_owned()),
            None => Segment::Literal(s.to_owned()),
        })
        .collect()
}

fn match_segments(template: &[Segment], parts: &[String]) -> Option<Vec<(String, String)>> {
    if template.len() != parts.len() {
        return None;
    }
    let mut params = Vec::new();
    for (seg, part) in template.iter().zip(parts) {
        match seg {
            Segment::Literal(l) if l == part => {}
            Segment::Literal(_) => return None,
            // An empty segment is not a value: `/contacts/` is not `/contacts/{id}`.
            Segment::Param(_) if part.is_empty() => return None,
            Segment::Param(name) => params.push((name.clone(), part.clone())),
        }
    }
    Some(params)
}

fn raw_paging(v: &Value) -> RawPaging {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    RawPaging {
        in_body: s("in").as_deref() == Some("body"),
        offset: s("offset"),
        page: s("page"),
        cursors: v.get("cursor").and_then(Value::as_object).map(|c| c.keys().cloned().collect()).unwrap_or_default(),
        items: s("items"),
    }
}
