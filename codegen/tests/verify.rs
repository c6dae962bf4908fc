//! `verify`: drift of our spec against a directory of OpenAPI documents.

use std::path::{Path, PathBuf};

use codegen::upstream::{DriftKind, NoteLevel, VerifyOptions, verify, verify_json, verify_markdown};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/verify").join(rel)
}

#[test]
fn a_tiny_pair_reports_missing_extra_and_explained_drift() {
    let report = verify(&fixture("spec"), &fixture("upstream/apps"), &VerifyOptions::default())
        .expect("fixture dirs are readable");
    let s = &report.summary;
    assert_eq!((s.upstream_operations, s.our_operations, s.matched), (4, 3, 2), "{s:#?}");

    // The known missing operation, matched by method and path.
    assert_eq!(report.missing.len(), 1, "{:#?}", report.missing);
    assert_eq!((report.missing[0].method.as_str(), report.missing[0].path.as_str()), ("DELETE", "/things/{id}"));
    // A document with no matching operation is "not covered", not "missing".
    assert_eq!(report.uncovered.len(), 1);
    assert_eq!((report.uncovered[0].file.as_str(), report.uncovered[0].operations), ("other.json", 1));

    // Our undocumented operation is extra, and explained.
    assert_eq!(report.extra.len(), 1);
    assert!(report.extra[0].undocumented);
    assert!(report.extra[0].explained_by.as_deref().unwrap().contains("SKILL.md lists this call"));

    // `{thingId}` matches upstream's `{id}`; the parameter note explains the type drift.
    let get = report.drifting.iter().find(|m| m.ours.path == "/things/{thingId}").expect("getThing drifts");
    assert_eq!(get.upstream.path, "/things/{id}");
    let limit = get.drift.iter().find(|d| d.kind == DriftKind::ParameterType).expect("limit's type differs");
    assert_eq!(limit.subject, "query limit");
    assert_eq!((limit.ours.as_deref(), limit.upstream.as_deref()), (Some("integer"), Some("string")));
    assert_eq!(limit.explained_at, Some(NoteLevel::Parameter));
    assert!(limit.explained_by.as_deref().unwrap().contains("Upstream types this count"));

    // An enum value only upstream has, unexplained; a field reached through `../common`.
    let status = get.drift.iter().find(|d| d.kind == DriftKind::ResponseFieldEnum).unwrap();
    assert_eq!(
        (status.subject.as_str(), status.upstream.as_deref()),
        ("response status", Some("only here: `deleted`"))
    );
    assert!(status.explained_by.is_none());
    assert!(
        get.drift.iter().any(|d| d.kind == DriftKind::ResponseFieldMissing && d.subject == "response meta.nextPage"),
        "{:#?}",
        get.drift
    );
    // `meta.total`: integer here, number upstream: the same kind, no drift.
    assert!(!get.drift.iter().any(|d| d.subject.contains("meta.total")), "{:#?}", get.drift);
    // Same path parameter position, other name: no drift.
    assert!(!get.drift.iter().any(|d| d.subject.starts_with("path")), "{:#?}", get.drift);

    // A request field only we send, explained by its property note.
    let create = report.drifting.iter().find(|m| m.ours.path == "/things").unwrap();
    let color = create.drift.iter().find(|d| d.kind == DriftKind::RequestFieldExtra).unwrap();
    assert_eq!(color.subject, "request color");
    assert_eq!(color.explained_at, Some(NoteLevel::Schema));

    assert!(report.has_unexplained(), "the missing operation and the enum drift are unexplained");
    assert_eq!(s.missing, 1);
    assert_eq!(s.extra_unexplained, 0);
    assert_eq!(s.drift_items_unexplained, 4, "{:#?}", report.drifting);
    assert!(report.warnings.is_empty(), "{:#?}", report.warnings);

    let md = verify_markdown(&report, false).unwrap();
    assert!(md.contains("| matched | 2 |"), "{md}");
    assert!(md.contains("  - `DELETE /things/{id}` (`delete-thing`)"), "{md}");
    assert!(md.contains("parameter note: Upstream types this count"), "{md}");
    let only = verify_markdown(&report, true).unwrap();
    assert!(!only.contains("parameter note"), "{only}");
    let json: serde_json::Value = serde_json::from_str(&verify_json(&report).unwrap()).unwrap();
    assert_eq!(json["summary"]["matched"], 2);
    assert_eq!(json["missing"][0]["path"], "/things/{id}");
}

#[test]
fn an_unreadable_directory_is_an_error() {
    let err = verify(&fixture("spec"), &fixture("no-such-dir"), &VerifyOptions::default()).unwrap_err();
    assert!(err.contains("no-such-dir"), "{err}");
}

/// HighLevel's documents sit outside the repository (`../shared/reference`),
/// so CI does not have them: the test then says so and passes.
#[test]
fn the_real_spec_against_highlevels_documents_runs() {
    let dir = std::env::var_os("GHL_OPENAPI_APPS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/ghl-openapi/apps"));
    if !dir.is_dir() {
        eprintln!("skipped: {} is absent (set GHL_OPENAPI_APPS to HighLevel's apps/ directory)", dir.display());
        return;
    }
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let report = verify(&spec, &dir, &VerifyOptions::default()).expect("verify runs");
    let s = &report.summary;
    eprintln!(
        "verify against {}: upstream {}, ours {}, matched {} ({} drifting, {} unexplained items), missing {}, extra {}, not covered {}",
        dir.display(),
        s.upstream_operations,
        s.our_operations,
        s.matched,
        s.drifting,
        s.drift_items_unexplained,
        s.missing,
        s.extra,
        s.uncovered_operations
    );
    assert!(s.matched > 0, "{s:#?}");
    assert_eq!(s.matched, s.matched_clean + s.drifting);
    verify_markdown(&report, false).expect("renders");
}

#[test]
fn a_v3_document_reads_the_v2_parameter_it_refers_to_not_its_namesake() {
    // `spec/v3/things.yaml` refers to `../things.yaml`; the suffix fallback must not
    // resolve that to the v3 document itself, which would lose the path parameter.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/verify/versions");
    let report = verify(&dir.join("spec/v3"), &dir.join("upstream"), &VerifyOptions::default()).unwrap();
    assert_eq!(report.summary.matched, 1, "{:#?}", report.summary);
    assert!(report.drifting.is_empty(), "{:#?}", report.drifting);
    assert!(report.warnings.is_empty(), "{:#?}", report.warnings);
}

#[test]
fn a_note_on_a_list_item_schema_explains_drift_in_its_fields() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/verify/items");
    let report = verify(&dir.join("spec"), &dir.join("upstream"), &VerifyOptions::default()).unwrap();
    let list = report.drifting.iter().find(|m| m.ours.path == "/things").expect("listThings drifts");
    let color = list.drift.iter().find(|d| d.subject.contains("color")).expect("upstream's extra field is drift");
    assert!(color.explained_by.as_deref().is_some_and(|n| n.contains("legacy `color`")), "{color:#?}");
}
