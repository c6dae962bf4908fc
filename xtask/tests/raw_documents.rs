//! HighLevel's published documents, read as published (`--lenient`): every
//! one generates. (`xtask/scripts/raw-documents.sh` also compiles them.)

use std::path::{Path, PathBuf};

use codegen::{Config, Severity, generate_from_texts};

/// `GHL_OPENAPI_DIR`, or `shared/reference/ghl-openapi` beside the checkout (as in CI).
fn reference() -> PathBuf {
    let dir = std::env::var_os("GHL_OPENAPI_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/ghl-openapi"));
    assert!(
        dir.join("apps").is_dir(),
        "HighLevel's documents are expected at {} (shared/ beside the checkout, or set GHL_OPENAPI_DIR)",
        dir.display()
    );
    dir
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// Generates each document alone, beside its `common/` schemas; returns the failures.
fn failures(docs: &Path, common: &Path) -> (usize, Vec<String>) {
    let common = std::fs::read_to_string(common).unwrap_or_else(|e| panic!("{}: {e}", common.display()));
    let config = Config { lenient: true, ..Config::new("spec") };
    let files = json_files(docs);
    let mut failed = Vec::new();
    for path in &files {
        let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let texts = vec![(name.clone(), text), ("common/common-schemas.json".to_owned(), common.clone())];
        if let Err(diags) = generate_from_texts(&config, &texts) {
            let first = diags.iter().find(|d| d.severity == Severity::Error).map(ToString::to_string);
            failed.push(format!("{name}: {}", first.unwrap_or_default()));
        }
    }
    (files.len(), failed)
}

#[test]
fn every_raw_v2_document_generates_leniently() {
    let r = reference();
    let (n, failed) = failures(&r.join("apps"), &r.join("common/common-schemas.json"));
    assert_eq!(n, 41, "HighLevel's v2 set changed size");
    assert!(failed.is_empty(), "{failed:#?}");
}

#[test]
fn every_raw_v3_document_generates_leniently() {
    let r = reference();
    let (n, failed) = failures(&r.join("apps/v3"), &r.join("apps/v3/common/common-schemas.json"));
    assert_eq!(n, 42, "HighLevel's v3 set changed size");
    assert!(failed.is_empty(), "{failed:#?}");
}
