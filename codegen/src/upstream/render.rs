//! The verify report as Markdown (counts first) or JSON.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{DriftKind, NoteLevel, OpRef, VerifyReport};
use crate::diff::RenderError;

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
    let text = crate::diff::render::env().get_template("spec_diff_verify")?.render(minijinja::context! {
        report => report,
        s => &report.summary,
        missing_by_file => by_file,
        extra => extra,
        ops => ops,
        unexplained_only => unexplained_only,
        strict_fails => report.has_unexplained(),
    })?;
    Ok(crate::diff::render::with_newline(text))
}

/// The whole report as pretty-printed JSON.
pub fn verify_json(report: &VerifyReport) -> Result<String, RenderError> {
    Ok(serde_json::to_string_pretty(report)? + "\n")
}

/// The sync plan as Markdown, for a pull request description: what would be
/// (or was) edited, what needs review, and defects met in HighLevel's documents.
pub fn sync_markdown(plan: &super::sync::SyncPlan) -> String {
    use std::fmt::Write;
    let s = &plan.report.summary;
    let mut out = String::new();
    let _ = writeln!(out, "# Sync of `{}` with `{}`\n", plan.ours_dir, plan.upstream_dir);
    let _ = writeln!(
        out,
        "{} upstream operations, {} ours, {} matched; {} unexplained drift items, {} missing, {} extra unexplained.\n",
        s.upstream_operations, s.our_operations, s.matched, s.drift_items_unexplained, s.missing, s.extra_unexplained
    );
    if plan.edits.is_empty() {
        out.push_str("Nothing to edit: the spec is up to date with these documents.\n\n");
    } else {
        let _ = writeln!(out, "## Edits ({})\n", plan.edits.len());
        let mut file = "";
        for e in &plan.edits {
            if e.file != file {
                file = &e.file;
                let _ = writeln!(out, "\n### `{file}`\n");
            }
            let _ = writeln!(out, "- {}", e.subject);
        }
        out.push('\n');
    }
    if !plan.placeholders.is_empty() {
        let _ = writeln!(
            out,
            "## Summaries to write ({})\n\nNew operations carry `summary: {}: …`; replace each with our own words.\n",
            plan.placeholders.len(),
            super::sync::PLACEHOLDER
        );
        for p in &plan.placeholders {
            let _ = writeln!(out, "- `{p}`");
        }
        out.push('\n');
    }
    if !plan.review.is_empty() {
        let _ = writeln!(
            out,
            "## For review ({})\n\nDifferences sync does not edit: fix the spec or explain them with an `x-ghl-note`.\n",
            plan.review.len()
        );
        for r in &plan.review {
            let _ = writeln!(out, "- {r}");
        }
        out.push('\n');
    }
    if !plan.warnings.is_empty() {
        let _ = writeln!(out, "## Defects in the documents read ({})\n", plan.warnings.len());
        for w in &plan.warnings {
            let _ = writeln!(out, "- {w}");
        }
    }
    out
}
