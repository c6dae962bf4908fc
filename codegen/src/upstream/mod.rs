//! HighLevel's published documents against `spec/`: drift (`cargo xtask
//! verify --against DIR`) and the edits that remove it (`cargo xtask sync
//! --from DIR`, [`sync`]).
//!
//! Files: [`docs`] reads documents as published, `ops` matches operations and
//! reads their facts, `flatten` turns bodies into field paths, `compare`
//! finds drift, `convert`, `entry` and [`sync`] build edits, `edit` applies them to
//! YAML text, `render` writes reports.
//!
//! Both sides are read as plain JSON (parsed by [`crate::load`], `$ref`s
//! resolved by [`crate::refs`]), not lowered: HighLevel's documents carry
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
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

mod compare;
mod convert;
pub mod docs;
mod edit;
mod entry;
mod flatten;
mod ops;
mod render;
pub mod sync;

use compare::Cmp;
use docs::Docs;
pub use ops::normalize_path;
use ops::{Op, OpKey, operations};
pub use render::{sync_markdown, verify_json, verify_markdown};
use sync::Fix;

/// Knobs of a verify run.
#[derive(Clone, Debug)]
pub struct VerifyOptions {
    /// Read subdirectories of the upstream directory too (HighLevel's `apps/v3`
    /// holds other API versions, so the default is the top level only).
    pub recursive: bool,
    /// How many object levels of request and response bodies to compare.
    pub depth: usize,
    /// Which token kind each security scheme stands for (both sides).
    pub token_schemes: crate::config::TokenSchemes,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions { recursive: false, depth: 4, token_schemes: Default::default() }
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

/// Compares the documents in `ours` (our spec) with those in `upstream`.
///
/// Fails only when a directory cannot be read; unreadable files, duplicate
/// operations and unresolved references become warnings in the report.
pub fn verify(ours: &Path, upstream: &Path, options: &VerifyOptions) -> Result<VerifyReport, String> {
    let mut warnings = Vec::new();
    let our_docs = Docs::load(ours, false, &options.token_schemes, &mut warnings)?;
    let their_docs = Docs::load(upstream, options.recursive, &options.token_schemes, &mut warnings)?;
    Ok(compare_docs(&our_docs, &their_docs, ours, upstream, options, warnings).report)
}

/// A comparison with what `sync` needs beside the report.
pub(crate) struct Outcome<'a> {
    pub(crate) report: VerifyReport,
    pub(crate) our_ops: BTreeMap<OpKey, Op<'a>>,
    pub(crate) their_ops: BTreeMap<OpKey, Op<'a>>,
    /// Edits for unexplained drift in matched operations.
    pub(crate) fixes: Vec<Fix>,
}

pub(crate) fn compare_docs<'a>(
    our_docs: &'a Docs,
    their_docs: &'a Docs,
    ours: &Path,
    upstream: &Path,
    options: &VerifyOptions,
    mut warnings: Vec<String>,
) -> Outcome<'a> {
    let our_ops = operations(our_docs, "ours", &mut warnings);
    let their_ops = operations(their_docs, "upstream", &mut warnings);
    let mut fixes = Vec::new();

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
            let note = docs::note_of(o.op);
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
            ours: our_docs,
            theirs: their_docs,
            depth: options.depth,
            op_note: docs::note_of(o.op),
            drift: Vec::new(),
        };
        cmp.op(o, t);
        if cmp.drift.is_empty() {
            summary.matched_clean += 1;
        } else {
            let (drift, found): (Vec<Drift>, Vec<Option<Fix>>) = cmp.drift.into_iter().unzip();
            fixes.extend(found.into_iter().flatten());
            drifting.push(MatchedOp { ours: o.op_ref(), upstream: t.op_ref(), drift });
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
    let report = VerifyReport {
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
    };
    Outcome { report, our_ops, their_ops, fixes }
}
