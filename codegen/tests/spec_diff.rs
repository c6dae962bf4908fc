//! The spec diff's classification, one fixture pair per rule.
//!
//! `tests/fixtures/diff/<rule-id>/` holds `old/` and `new/` (tiny specs that
//! differ in one respect) and `expected`: the exact set of `impact rule` lines
//! the diff must produce. The impacts are written down here independently of
//! the rule table, so changing a rule's classification fails a test.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use codegen::diff::{DiffLabels, Impact, Rule, changelog_markdown, diff_apis, diff_json, diff_markdown};
use codegen::{Config, ir::Api, lower_api};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff")
}

fn lower(dir: &Path) -> Api {
    lower_api(&Config::new(dir), None).unwrap_or_else(|diags| {
        let text: Vec<String> = diags.iter().map(ToString::to_string).collect();
        panic!("{} does not lower:\n{}", dir.display(), text.join("\n"))
    })
}

fn expected(dir: &Path) -> BTreeSet<(String, String)> {
    let text = std::fs::read_to_string(dir.join("expected")).expect("fixture has an `expected` file");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (impact, rule) = l.split_once(' ').expect("`impact rule` lines");
            (impact.to_owned(), rule.trim().to_owned())
        })
        .collect()
}

fn case_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .expect("fixture directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn diff_of(case: &str) -> codegen::diff::SpecDiff {
    let dir = fixtures().join(case);
    diff_apis(&lower(&dir.join("old")), &lower(&dir.join("new")))
}

#[test]
fn every_fixture_pair_gets_exactly_its_expected_classification() {
    let mut failures = Vec::new();
    for dir in case_dirs() {
        let diff = diff_apis(&lower(&dir.join("old")), &lower(&dir.join("new")));
        let actual: BTreeSet<(String, String)> =
            diff.changes.iter().map(|c| (c.impact.as_str().to_owned(), c.rule.id().to_owned())).collect();
        let want = expected(&dir);
        if actual != want {
            let details: Vec<String> = diff
                .changes
                .iter()
                .map(|c| format!("    {} {} {}: {}", c.impact.as_str(), c.rule.id(), c.subject, c.detail))
                .collect();
            failures.push(format!(
                "{}: expected {want:?}\n  got {actual:?}\n{}",
                dir.file_name().unwrap().to_string_lossy(),
                details.join("\n")
            ));
        }
        for c in &diff.changes {
            assert_eq!(c.impact, c.rule.impact(), "a change carries its rule's impact");
        }
    }
    assert!(failures.is_empty(), "{} fixture(s) classified wrongly:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_rule_has_its_own_fixture_pair() {
    let names: BTreeSet<String> =
        case_dirs().iter().map(|d| d.file_name().unwrap().to_string_lossy().into_owned()).collect();
    for rule in Rule::ALL {
        assert!(names.contains(rule.id()), "no fixture pair `tests/fixtures/diff/{}`", rule.id());
        let want = expected(&fixtures().join(rule.id()));
        assert!(
            want.contains(&(rule.impact().as_str().to_owned(), rule.id().to_owned())),
            "fixture `{}` must expect its own rule with impact {}",
            rule.id(),
            rule.impact().as_str()
        );
    }
    for name in &names {
        assert!(name == "no-change" || Rule::from_id(name).is_some(), "fixture `{name}` names no rule");
    }
}

#[test]
fn the_classification_matches_the_written_rules() {
    // Spot checks of the rules the issue names, independent of the table.
    let breaking = [
        "operation-removed",
        "field-removed",
        "enum-value-removed",
        "parameter-added-required",
        "field-added-required",
        "field-retyped",
        "parameter-retyped",
        "union-variant-added",
    ];
    let non_breaking = ["parameter-added-optional", "field-added", "operation-added", "enum-value-added"];
    for id in breaking {
        assert_eq!(Rule::from_id(id).unwrap().impact(), Impact::Breaking, "{id}");
    }
    for id in non_breaking {
        assert_eq!(Rule::from_id(id).unwrap().impact(), Impact::NonBreaking, "{id}");
    }
}

#[test]
fn the_module_docs_document_every_rule() {
    let docs = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/diff/mod.rs")).unwrap();
    let table: String = docs.lines().filter(|l| l.starts_with("//! |")).collect::<Vec<_>>().join("\n");
    for rule in Rule::ALL {
        assert!(table.contains(&format!("`{}`", rule.id())), "rule `{}` is missing from the docs table", rule.id());
    }
}

#[test]
fn the_real_spec_against_itself_is_empty() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let (a, b) = (lower(&spec), lower(&spec));
    let diff = diff_apis(&a, &b);
    assert!(diff.is_empty(), "{:#?}", &diff.changes[..diff.changes.len().min(20)]);
    let md = diff_markdown(&diff, &DiffLabels { base: "a".into(), head: "b".into() }).unwrap();
    assert!(md.contains("No API changes"), "{md}");
}

#[test]
fn rust_items_follow_the_signatures() {
    let diff = diff_of("parameter-added-required");
    let changed: Vec<&str> = diff.rust_items.changed.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(changed, ["things::Things::get_thing()"], "{:#?}", diff.rust_items);
    let c = &diff.rust_items.changed[0];
    assert!(c.new.as_deref().unwrap().contains("mode: impl Into<String>"), "{c:?}");

    let diff = diff_of("field-removed");
    let removed: Vec<&str> = diff.rust_items.removed.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(removed, ["things::Thing.size"]);

    let diff = diff_of("enum-value-added");
    let added: Vec<&str> = diff.rust_items.added.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(added, ["things::ThingStatus::Deleted"]);
    assert!(diff.rust_items.removed.is_empty() && diff.rust_items.changed.is_empty());
}

#[test]
fn reports_render_as_markdown_json_and_changelog() {
    let labels = DiffLabels { base: "`old`".into(), head: "`new`".into() };
    let diff = diff_of("parameter-rust-name-changed");

    let md = diff_markdown(&diff, &labels).unwrap();
    assert!(md.starts_with("## Spec diff: `old` → `new`"), "{md}");
    assert!(md.contains("**1 breaking**, 1 non-breaking change"), "{md}");
    let summary = md.find("| rule | impact | count |").unwrap();
    let module = md.find("### `things`").unwrap();
    let footer = md.find("How changes are classified").unwrap();
    assert!(summary < module && module < footer, "summary first, then modules, then the rules");
    assert!(md.contains("| **breaking** | `parameter-rust-name-changed` | `getThing(verbose)` |"), "{md}");

    let json: serde_json::Value = serde_json::from_str(&diff_json(&diff, &labels).unwrap()).unwrap();
    assert_eq!(json["summary"]["breaking"], 1);
    let rules: Vec<&str> = json["changes"].as_array().unwrap().iter().map(|c| c["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["parameter-added-optional", "parameter-rust-name-changed"]);
    assert_eq!(json["rules"].as_array().unwrap().len(), Rule::ALL.len());

    let log = changelog_markdown(&diff_of("field-removed"), &labels).unwrap();
    assert!(log.starts_with("## [Unreleased]"), "{log}");
    assert!(log.contains("### Removed\n\n- **BREAKING** `things`: field removed — `Thing.size`"), "{log}");
    let log = changelog_markdown(&diff_of("type-added"), &labels).unwrap();
    assert!(log.contains("### Added\n\n- `things`: new types `Extra`"), "{log}");
    assert!(!log.contains("BREAKING"), "{log}");
}
