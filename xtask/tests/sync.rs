//! `cargo xtask sync` as a maintainer runs it: the plan, then `--apply`, then lint.

use std::path::{Path, PathBuf};
use std::process::Command;

fn xtask(cwd: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xtask")).current_dir(cwd).args(args).output().expect("xtask runs")
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../codegen/tests/fixtures/sync/defects")
}

#[test]
fn plan_then_apply_then_lint() {
    let dir = std::env::temp_dir().join(format!("ghl-xtask-sync-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("spec")).unwrap();
    let spec = dir.join("spec/things.yaml");
    std::fs::copy(fixture().join("spec/things.yaml"), &spec).unwrap();
    let before = std::fs::read_to_string(&spec).unwrap();
    let from = fixture().join("upstream");
    let from = from.to_str().unwrap();

    // The plan: Markdown on stdout, defects as warnings on stderr, the spec untouched.
    let plan = xtask(&dir, &["sync", "--from", from, "--spec", "spec"]);
    assert!(plan.status.success(), "{}", String::from_utf8_lossy(&plan.stderr));
    let md = String::from_utf8_lossy(&plan.stdout);
    assert!(md.starts_with("# Sync of `spec`"), "{md}");
    assert!(md.contains("new operation POST") && md.contains("## Defects in the documents read"), "{md}");
    assert!(String::from_utf8_lossy(&plan.stderr).contains("sync: warning: "));
    assert_eq!(std::fs::read_to_string(&spec).unwrap(), before, "the plan wrote to the spec");

    let applied = xtask(&dir, &["sync", "--from", from, "--spec", "spec", "--apply"]);
    let err = String::from_utf8_lossy(&applied.stderr);
    assert!(applied.status.success() && err.contains("4 edit(s) applied to 1 file(s), 0 not applied"), "{err}");
    assert_ne!(std::fs::read_to_string(&spec).unwrap(), before);

    let lint = xtask(&dir, &["lint", "--spec", "spec"]);
    assert!(lint.status.success(), "{}", String::from_utf8_lossy(&lint.stderr));
    let again = xtask(&dir, &["sync", "--from", from, "--spec", "spec"]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("Nothing to edit"));
    let _ = std::fs::remove_dir_all(&dir);
}
