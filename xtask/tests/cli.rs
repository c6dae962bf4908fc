//! The xtask commands as a user runs them.

use std::path::{Path, PathBuf};
use std::process::Command;

fn xtask(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xtask")).args(args).output().expect("xtask runs")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ghl-xtask-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn snapshot(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    files.sort();
    files
}

#[test]
fn broken_spec_writes_nothing_and_reports_every_error() {
    let spec = temp_dir("broken-spec");
    let out = temp_dir("broken-out");
    std::fs::write(out.join("keep.rs"), "// untouched\n").unwrap();
    std::fs::write(spec.join("a.yaml"), "openapi: 3.1.0\ninfo: { title: A, version: \"1\" }\npaths: {}\ncomponents:\n  schemas:\n    A: { type: strin }\n").unwrap();
    std::fs::write(spec.join("b.yaml"), "openapi: 3.1.0\ninfo: [oops\n").unwrap();
    let before = snapshot(&out);
    let result = xtask(&["codegen", "--spec", spec.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(!result.status.success());
    assert!(stderr.contains("a.yaml:6:") && stderr.contains("unknown type `strin`"), "{stderr}");
    assert!(stderr.contains("b.yaml:3:") && stderr.contains("invalid YAML"), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(snapshot(&out), before, "the output tree must be left as it was");
}

#[test]
fn check_reports_stale_and_extra_files_then_codegen_fixes_them() {
    let spec = temp_dir("ok-spec");
    let out = temp_dir("ok-out");
    std::fs::write(
        spec.join("things.yaml"),
        "openapi: 3.1.0\ninfo: { title: Things, version: \"1\" }\npaths:\n  /t:\n    get:\n      operationId: getT\n      summary: S.\n      x-ghl-version: \"2021-07-28\"\n      x-ghl-token: location\n      responses:\n        \"200\": { description: ok }\n",
    )
    .unwrap();
    let args = ["codegen", "--spec", spec.to_str().unwrap(), "--out", out.to_str().unwrap()];
    assert!(xtask(&args).status.success());
    assert!(xtask(&[&args[..], &["--check"]].concat()).status.success(), "fresh after codegen");

    std::fs::write(out.join("things.rs"), "// edited by hand\n").unwrap();
    std::fs::write(out.join("old.rs"), "// no longer produced\n").unwrap();
    let check = xtask(&[&args[..], &["--check"]].concat());
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert!(!check.status.success());
    assert!(stderr.contains("stale:") && stderr.contains("things.rs"), "{stderr}");
    assert!(stderr.contains("extra:") && stderr.contains("old.rs"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(out.join("things.rs")).unwrap(),
        "// edited by hand\n",
        "--check writes nothing"
    );

    assert!(xtask(&args).status.success());
    assert!(!out.join("old.rs").exists(), "extra files are removed");
    assert!(xtask(&[&args[..], &["--check"]].concat()).status.success());
}
