//! Text outputs of the spec diff: the Markdown report, JSON, and a changelog
//! entry. Markdown goes through the minijinja templates in `codegen/templates/`.

use std::collections::BTreeMap;
use std::fmt;

use minijinja::{Environment, context};
use serde::Serialize;

use super::{Change, DiffLabels, Impact, ItemChange, Rule, Section, SpecDiff};

const REPORT: &str = include_str!("../../templates/spec_diff.md.j2");
const CHANGELOG: &str = include_str!("../../templates/spec_diff_changelog.md.j2");
pub(super) const VERIFY: &str = include_str!("../../templates/spec_diff_verify.md.j2");
const MIGRATION: &str = include_str!("../../templates/migration.md.j2");

/// How many added / removed / changed Rust items the Markdown lists (JSON has all).
const ITEM_LIST_LIMIT: usize = 60;

/// A report could not be rendered (a template or serialization bug).
#[derive(Debug)]
pub struct RenderError(pub String);

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not render the report: {}", self.0)
    }
}

impl std::error::Error for RenderError {}

impl From<minijinja::Error> for RenderError {
    fn from(e: minijinja::Error) -> Self {
        RenderError(format!("{e:#}"))
    }
}

impl From<serde_json::Error> for RenderError {
    fn from(e: serde_json::Error) -> Self {
        RenderError(e.to_string())
    }
}

/// Text that ends with exactly one newline.
pub(crate) fn with_newline(mut text: String) -> String {
    while text.ends_with('\n') {
        text.pop();
    }
    text.push('\n');
    text
}

/// A Markdown table cell: no pipes or line breaks.
fn cell(text: String) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

pub(crate) fn env() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.add_filter("cell", cell);
    env.add_template("spec_diff", REPORT).expect("spec diff template parses");
    env.add_template("spec_diff_changelog", CHANGELOG).expect("changelog template parses");
    env.add_template("spec_diff_verify", VERIFY).expect("verify template parses");
    env.add_template("migration", MIGRATION).expect("migration template parses");
    env
}

#[derive(Serialize)]
struct RuleRow {
    id: &'static str,
    impact: &'static str,
    description: &'static str,
}

fn rule_rows() -> Vec<RuleRow> {
    Rule::ALL
        .iter()
        .map(|r| RuleRow { id: r.id(), impact: r.impact().as_str(), description: r.description() })
        .collect()
}

#[derive(Serialize)]
struct Row {
    breaking: bool,
    rule: &'static str,
    subject: String,
    detail: String,
}

#[derive(Serialize)]
struct ModuleSection {
    name: String,
    breaking: usize,
    non_breaking: usize,
    rows: Vec<Row>,
}

/// Rows of one module: breaking first, new types folded into one row.
fn rows(changes: &[&Change]) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    let mut new_types: Vec<&str> = Vec::new();
    let mut ordered: Vec<&&Change> = changes.iter().collect();
    ordered.sort_by_key(|c| (c.impact, c.subject.clone(), c.rule));
    for c in ordered {
        if c.rule == Rule::TypeAdded {
            new_types.push(&c.subject);
            continue;
        }
        rows.push(Row {
            breaking: c.impact == Impact::Breaking,
            rule: c.rule.id(),
            subject: c.subject.clone(),
            detail: c.detail.clone(),
        });
    }
    if !new_types.is_empty() {
        rows.push(Row {
            breaking: false,
            rule: Rule::TypeAdded.id(),
            subject: format!("{} types", new_types.len()),
            detail: new_types.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", "),
        });
    }
    rows
}

fn by_module(diff: &SpecDiff) -> BTreeMap<&str, Vec<&Change>> {
    let mut map: BTreeMap<&str, Vec<&Change>> = BTreeMap::new();
    for c in &diff.changes {
        map.entry(c.module.as_str()).or_default().push(c);
    }
    map
}

#[derive(Serialize)]
struct RuleCount {
    id: &'static str,
    impact: &'static str,
    count: usize,
}

fn rule_counts(diff: &SpecDiff) -> Vec<RuleCount> {
    Rule::ALL
        .iter()
        .map(|r| RuleCount {
            id: r.id(),
            impact: r.impact().as_str(),
            count: diff.changes.iter().filter(|c| c.rule == *r).count(),
        })
        .filter(|c| c.count > 0)
        .collect()
}

fn limited(list: &[ItemChange]) -> (&[ItemChange], usize) {
    let shown = &list[..list.len().min(ITEM_LIST_LIMIT)];
    (shown, list.len() - shown.len())
}

/// The Markdown report: summary counts, the public Rust items, then one
/// section per module, and the rules in the footer.
pub fn diff_markdown(diff: &SpecDiff, labels: &DiffLabels) -> Result<String, RenderError> {
    let modules: Vec<ModuleSection> = by_module(diff)
        .into_iter()
        .map(|(name, changes)| ModuleSection {
            name: name.to_owned(),
            breaking: changes.iter().filter(|c| c.impact == Impact::Breaking).count(),
            non_breaking: changes.iter().filter(|c| c.impact == Impact::NonBreaking).count(),
            rows: rows(&changes),
        })
        .collect();
    let items = &diff.rust_items;
    let (removed, removed_more) = limited(&items.removed);
    let (changed, changed_more) = limited(&items.changed);
    let (added, added_more) = limited(&items.added);
    let text = env().get_template("spec_diff")?.render(context! {
        labels => labels,
        total => diff.changes.len(),
        breaking => diff.breaking(),
        non_breaking => diff.changes.len() - diff.breaking(),
        rule_counts => rule_counts(diff),
        modules => modules,
        item_counts => &items.counts,
        items_removed => removed,
        items_removed_more => removed_more,
        items_changed => changed,
        items_changed_more => changed_more,
        items_added => added,
        items_added_more => added_more,
        rules => rule_rows(),
    })?;
    Ok(with_newline(text))
}

#[derive(Serialize)]
struct JsonReport<'a> {
    base: &'a str,
    head: &'a str,
    summary: JsonSummary,
    changes: &'a [Change],
    rust_items: &'a super::ItemSummary,
    rules: Vec<RuleRow>,
}

#[derive(Serialize)]
struct JsonSummary {
    total: usize,
    breaking: usize,
    non_breaking: usize,
}

/// The whole diff as pretty-printed JSON (changes, Rust items, rules).
pub fn diff_json(diff: &SpecDiff, labels: &DiffLabels) -> Result<String, RenderError> {
    let report = JsonReport {
        base: &labels.base,
        head: &labels.head,
        summary: JsonSummary {
            total: diff.changes.len(),
            breaking: diff.breaking(),
            non_breaking: diff.changes.len() - diff.breaking(),
        },
        changes: &diff.changes,
        rust_items: &diff.rust_items,
        rules: rule_rows(),
    };
    Ok(serde_json::to_string_pretty(&report)? + "\n")
}

#[derive(Serialize)]
struct Entry {
    breaking: bool,
    text: String,
}

#[derive(Serialize)]
struct ChangelogSection {
    title: &'static str,
    entries: Vec<Entry>,
}

/// A `CHANGELOG.md` entry in the Keep a Changelog style: `## [Unreleased]`
/// with Added / Changed / Deprecated / Removed, breaking entries first and
/// marked **BREAKING**.
pub fn changelog_markdown(diff: &SpecDiff, labels: &DiffLabels) -> Result<String, RenderError> {
    let sections = [
        (Section::Added, "Added"),
        (Section::Changed, "Changed"),
        (Section::Deprecated, "Deprecated"),
        (Section::Removed, "Removed"),
    ];
    let mut out = Vec::new();
    for (section, title) in sections {
        let mut entries = Vec::new();
        for (module, changes) in by_module(diff) {
            let mut new_types = Vec::new();
            for c in changes.iter().filter(|c| c.rule.section() == section) {
                if c.rule == Rule::TypeAdded {
                    new_types.push(format!("`{}`", c.subject));
                    continue;
                }
                entries.push(Entry {
                    breaking: c.impact == Impact::Breaking,
                    text: format!("`{module}`: {} — `{}`: {}", c.rule.id().replace('-', " "), c.subject, c.detail),
                });
            }
            if !new_types.is_empty() {
                entries
                    .push(Entry { breaking: false, text: format!("`{module}`: new types {}", new_types.join(", ")) });
            }
        }
        entries.sort_by_key(|e| !e.breaking);
        if !entries.is_empty() {
            out.push(ChangelogSection { title, entries });
        }
    }
    let text = env().get_template("spec_diff_changelog")?.render(context! {
        labels => labels,
        sections => out,
        breaking => diff.breaking(),
    })?;
    Ok(with_newline(text))
}
