//! `cargo xtask sync --from DIR`: the edits that bring `spec/` up to date with
//! HighLevel's published documents, as a Markdown plan or applied to the YAML.
//!
//! Built on the verify comparison, so it acts exactly where verify reports
//! drift no `x-ghl-note` explains: it adds operations HighLevel has and we
//! lack (complete entries, facts only, the summary a [`PLACEHOLDER`] for the
//! maintainer), fields, parameters and enum values we lack, and marks our
//! operations HighLevel no longer documents as deprecated. Everything else
//! (changed types, required flags, tokens, scopes, versions) needs judgment
//! and is listed for review, not edited. Edits land in the text
//! ([`super::edit`]), so comments, names and notes stay as they are.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Map, Value};

use super::docs::Docs;
use super::edit::Editor;
use super::ops::normalize_path;
use super::{VerifyOptions, VerifyReport, compare_docs};
use crate::diag::{Diagnostics, join};

/// The summary `sync` gives a new operation: HighLevel's prose is never
/// copied, so the maintainer writes one. Lint accepts it; `sync` lists every
/// one left in the spec until it is replaced.
pub const PLACEHOLDER: &str = "TODO(sync)";

/// An edit `compare` found for one unexplained drift item.
#[derive(Clone, Debug)]
pub(crate) enum Fix {
    Field { doc: String, object_ptr: String, name: String, schema: Value, required_upstream: bool },
    EnumValues { doc: String, ptr: String, values: Vec<Value> },
    Parameter { doc: String, op_ptr: String, param: Value },
}

/// New operations on one path of one file: whether the path exists, method →
/// entry, and a description of each.
type NewOps = (bool, Map<String, Value>, Vec<String>);

/// What one planned edit does.
#[derive(Clone, Debug, PartialEq)]
pub enum EditKind {
    /// New operations on one path: into the existing path item, or a new one.
    AddOperations {
        /// The path (ours when the path item exists).
        path: String,
        /// Whether our document has the path item already.
        exists: bool,
        /// Method → operation entry.
        operations: Map<String, Value>,
    },
    /// A property added to the object schema at `object_ptr`.
    AddProperty {
        /// The object schema (its `properties` gets the entry).
        object_ptr: String,
        /// Property name.
        name: String,
        /// Its schema.
        schema: Value,
    },
    /// Values appended to the `enum` of the schema at `ptr`.
    AddEnumValues {
        /// The schema.
        ptr: String,
        /// New values.
        values: Vec<Value>,
    },
    /// Parameters appended to the operation at `op_ptr`.
    AddParameters {
        /// The operation.
        op_ptr: String,
        /// Parameter objects.
        params: Vec<Value>,
    },
    /// `deprecated: true` (and a note) on the operation at `op_ptr`.
    Deprecate {
        /// The operation.
        op_ptr: String,
        /// Whether it is marked deprecated already.
        marked: bool,
    },
}

/// One edit to one document of ours.
#[derive(Clone, Debug)]
pub struct Edit {
    /// Our document, relative to the spec directory.
    pub file: String,
    /// What it does.
    pub kind: EditKind,
    /// A one-line description for the plan.
    pub subject: String,
}

/// The result of comparing: the edits, and what needs a person.
#[derive(Debug)]
pub struct SyncPlan {
    /// Our directory, as given.
    pub ours_dir: String,
    /// HighLevel's directory, as given.
    pub upstream_dir: String,
    /// Edits, grouped by file in order.
    pub edits: Vec<Edit>,
    /// Differences sync does not edit (they need judgment), one line each.
    pub review: Vec<String>,
    /// Defects in HighLevel's documents met on the way, located.
    pub warnings: Vec<String>,
    /// `summary: TODO(sync)` placeholders still in the spec (`file:line`).
    pub placeholders: Vec<String>,
    /// The verify report the plan was made from.
    pub report: VerifyReport,
}

impl SyncPlan {
    /// Whether there is nothing to edit.
    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }
}

/// Compares `ours` with `upstream` and plans the edits.
pub fn plan(ours: &Path, upstream: &Path, options: &VerifyOptions) -> Result<SyncPlan, String> {
    let mut warnings = Vec::new();
    let our_docs = Docs::load(ours, false, &options.token_schemes, &mut warnings)?;
    let their_docs = Docs::load(upstream, options.recursive, &options.token_schemes, &mut warnings)?;
    let outcome = compare_docs(&our_docs, &their_docs, ours, upstream, options, warnings);
    let mut edits: Vec<Edit> = Vec::new();
    let mut review = Vec::new();
    let mut defects = Diagnostics::default();

    // Which document of ours holds each upstream document's operations.
    let mut votes: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    for (key, t) in &outcome.their_ops {
        if let Some(o) = outcome.our_ops.get(key) {
            *votes.entry(t.file).or_default().entry(o.file).or_default() += 1;
        }
    }
    let home = |file: &str| -> Option<&str> {
        votes.get(file)?.iter().max_by_key(|(f, n)| (**n, std::cmp::Reverse(**f))).map(|(f, _)| *f)
    };
    let mut ids: BTreeSet<String> = outcome.our_ops.values().filter_map(|o| o.op_ref().operation_id).collect();

    // New operations, grouped by (our file, path).
    let mut new_ops: BTreeMap<(String, String), NewOps> = BTreeMap::new();
    for (key, t) in &outcome.their_ops {
        if outcome.our_ops.contains_key(key) {
            continue;
        }
        let Some(file) = home(t.file) else { continue };
        let our_path = our_docs
            .value(file)
            .and_then(|d| d.get("paths"))
            .and_then(Value::as_object)
            .and_then(|paths| paths.keys().find(|p| normalize_path(p) == key.1))
            .cloned();
        let exists = our_path.is_some();
        let path = our_path.unwrap_or_else(|| t.path.to_owned());
        let entry = super::entry::new_operation(&their_docs, &our_docs, file, t, &path, &mut ids, &mut defects);
        let slot = new_ops.entry((file.to_owned(), path)).or_insert((exists, Map::new(), Vec::new()));
        slot.1.insert(t.method.to_owned(), entry);
        slot.2.push(format!("{} (upstream {})", t.method.to_ascii_uppercase(), t.file));
    }
    for ((file, path), (exists, operations, what)) in new_ops {
        let subject = format!("new operation {} `{path}`", what.join(", "));
        edits.push(Edit { file, kind: EditKind::AddOperations { path, exists, operations }, subject });
    }
    for doc in &outcome.report.uncovered {
        review.push(format!(
            "`{}`: {} operations in a document no module of ours covers — add a module by hand, then sync",
            doc.file, doc.operations
        ));
    }

    // Fields, enum values and parameters, merged where several operations share a schema.
    let mut props: BTreeMap<(String, String, String), (Value, bool)> = BTreeMap::new();
    let mut enums: BTreeMap<(String, String), Vec<Value>> = BTreeMap::new();
    let mut params: BTreeMap<(String, String), Vec<Value>> = BTreeMap::new();
    for fix in outcome.fixes {
        match fix {
            Fix::Field { doc, object_ptr, name, schema, required_upstream } => {
                props.entry((doc, object_ptr, name)).or_insert((schema, required_upstream));
            }
            Fix::EnumValues { doc, ptr, values } => {
                let slot = enums.entry((doc, ptr)).or_default();
                for v in values {
                    if !slot.contains(&v) {
                        slot.push(v);
                    }
                }
            }
            Fix::Parameter { doc, op_ptr, param } => {
                let slot = params.entry((doc, op_ptr)).or_default();
                if !slot.iter().any(|p| p.get("name") == param.get("name") && p.get("in") == param.get("in")) {
                    slot.push(param);
                }
            }
        }
    }
    for ((file, object_ptr, name), (schema, required)) in props {
        let subject = format!(
            "new field `{name}` in `#{object_ptr}`{}",
            if required { " (required upstream; added as optional, decide)" } else { "" }
        );
        edits.push(Edit { file, kind: EditKind::AddProperty { object_ptr, name, schema }, subject });
    }
    for ((file, ptr), values) in enums {
        let shown: Vec<String> = values.iter().map(|v| format!("`{}`", v.as_str().unwrap_or_default())).collect();
        let subject = format!("new enum values {} in `#{ptr}`", shown.join(", "));
        edits.push(Edit { file, kind: EditKind::AddEnumValues { ptr, values }, subject });
    }
    for ((file, op_ptr), list) in params {
        let names: Vec<String> = list
            .iter()
            .map(|p| format!("{} `{}`", p["in"].as_str().unwrap_or_default(), p["name"].as_str().unwrap_or_default()))
            .collect();
        let subject = format!("new parameters {} in `#{op_ptr}`", names.join(", "));
        edits.push(Edit { file, kind: EditKind::AddParameters { op_ptr, params: list }, subject });
    }

    // Ours, gone upstream, with nothing saying why: deprecated.
    for extra in outcome.report.extra.iter().filter(|e| e.explained_by.is_none()) {
        let key = (extra.op.method.clone(), normalize_path(&extra.op.path));
        let Some(o) = outcome.our_ops.get(&key) else { continue };
        let marked = o.op.get("deprecated") == Some(&Value::Bool(true));
        let subject = format!("deprecate {} `{}`: HighLevel no longer documents it", extra.op.method, extra.op.path);
        edits.push(Edit {
            file: o.file.to_owned(),
            kind: EditKind::Deprecate { op_ptr: o.ptr.clone(), marked },
            subject,
        });
    }

    // Drift sync leaves to a person: unexplained items it has no edit for.
    for m in &outcome.report.drifting {
        for d in m.drift.iter().filter(|d| d.explained_by.is_none()) {
            use super::DriftKind as K;
            let edited = matches!(
                d.kind,
                K::RequestFieldMissing
                    | K::ResponseFieldMissing
                    | K::ParameterMissing
                    | K::RequestFieldEnum
                    | K::ResponseFieldEnum
                    | K::ParameterEnum
            );
            if !edited {
                review.push(format!(
                    "{} `{}` ({}): {} — ours {}, upstream {}",
                    m.ours.method,
                    m.ours.path,
                    m.ours.file,
                    d.subject,
                    d.ours.as_deref().unwrap_or("—"),
                    d.upstream.as_deref().unwrap_or("—")
                ));
            }
        }
    }
    // Edits outside the directory (a v2 schema a v3 document refers to) are the other version's.
    let (inside, outside): (Vec<Edit>, Vec<Edit>) = edits.into_iter().partition(|e| !e.file.starts_with("../"));
    for e in outside {
        review.push(format!(
            "{} in `{}`: a document outside this directory; edit there or override here",
            e.subject, e.file
        ));
    }
    let mut edits = inside;
    edits.sort_by(|a, b| a.file.cmp(&b.file));

    let mut warnings = collapse_missing_files(&outcome.report.warnings);
    let text_of = |f: &str| their_docs.set.text(f);
    for d in defects.finish(text_of) {
        let mut d = d;
        d.file = upstream.join(&d.file).display().to_string();
        warnings.push(d.to_string());
    }
    let placeholders = our_docs
        .set
        .texts
        .iter()
        .filter(|(rel, _)| !rel.starts_with("../"))
        .flat_map(|(rel, text)| {
            text.lines()
                .enumerate()
                .filter(|(_, l)| l.contains(PLACEHOLDER))
                .map(move |(i, _)| format!("{rel}:{}", i + 1))
        })
        .collect();
    Ok(SyncPlan {
        ours_dir: ours.display().to_string(),
        upstream_dir: upstream.display().to_string(),
        edits,
        review,
        warnings,
        placeholders,
        report: outcome.report,
    })
}

/// One line per file that many documents refer to and that cannot be read
/// (HighLevel's v3 documents all name a `../common/` file that is not there).
fn collapse_missing_files(warnings: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut groups: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for w in warnings {
        let parsed = w.strip_prefix("`$ref` to `").and_then(|rest| {
            let (target, rest) = rest.split_once("` from ")?;
            let (from, why) = rest.split_once(": ")?;
            Some((target.to_owned(), why.to_owned(), from.rsplit('/').next().unwrap_or(from).to_owned()))
        });
        match parsed {
            Some((target, why, from)) => groups.entry((target, why)).or_default().push(from),
            None => out.push(w.clone()),
        }
    }
    for ((target, why), mut from) in groups {
        from.sort();
        out.push(format!("`$ref` to `{target}` from {} document(s) ({}): {why}", from.len(), from.join(", ")));
    }
    out
}

/// What [`apply`] did.
#[derive(Debug, Default)]
pub struct Applied {
    /// Files written, relative to the spec directory.
    pub files: Vec<String>,
    /// Edits applied.
    pub edits: usize,
    /// Edits that could not be placed, with the reason (nothing else was changed for them).
    pub skipped: Vec<String>,
}

/// The new text of each file the plan edits, in memory.
pub fn edited_texts(plan: &SyncPlan, spec_dir: &Path) -> Result<(BTreeMap<String, String>, Applied), String> {
    let mut by_file: BTreeMap<&str, Vec<&Edit>> = BTreeMap::new();
    for e in &plan.edits {
        by_file.entry(&e.file).or_default().push(e);
    }
    let mut out = BTreeMap::new();
    let mut applied = Applied::default();
    for (file, edits) in by_file {
        let path = spec_dir.join(file);
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut editor = Editor::new(&text);
        for e in edits {
            match apply_one(&mut editor, &e.kind) {
                Ok(()) => applied.edits += 1,
                Err(why) => applied.skipped.push(format!("{file}: {}: {why}", e.subject)),
            }
        }
        if let Some(new) = editor.finish() {
            applied.files.push(file.to_owned());
            out.insert(file.to_owned(), new);
        }
    }
    Ok((out, applied))
}

/// Applies the plan to the files under `spec_dir`: every file is edited in
/// memory first, then written, so a file that cannot be read changes nothing.
pub fn apply(plan: &SyncPlan, spec_dir: &Path) -> Result<Applied, String> {
    let (texts, applied) = edited_texts(plan, spec_dir)?;
    for (file, text) in &texts {
        let path = spec_dir.join(file);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(applied)
}

fn apply_one(editor: &mut Editor, kind: &EditKind) -> Result<(), String> {
    match kind {
        EditKind::AddOperations { path, exists: true, operations } => {
            let item = join("/paths", path);
            for (method, op) in operations {
                editor.add_entry(&item, method, op)?;
            }
            Ok(())
        }
        EditKind::AddOperations { path, exists: false, operations } => {
            editor.add_entry("/paths", path, &Value::Object(operations.clone()))
        }
        EditKind::AddProperty { object_ptr, name, schema } => {
            editor.add_entry(&join(object_ptr, "properties"), name, schema)
        }
        EditKind::AddEnumValues { ptr, values } => editor.add_items(&join(ptr, "enum"), values),
        EditKind::AddParameters { op_ptr, params } => editor.add_items(&join(op_ptr, "parameters"), params),
        EditKind::Deprecate { op_ptr, marked } => {
            if !marked {
                editor.add_entry(op_ptr, "deprecated", &Value::Bool(true))?;
            }
            editor.add_entry(
                op_ptr,
                "x-ghl-note",
                &Value::String("HighLevel's documents no longer list this call (found by cargo xtask sync).".into()),
            )
        }
    }
}
