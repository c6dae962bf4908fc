//! The checked-in generated code matches what the spec produces today.
//! Fails, naming the stale files, when someone edited the spec or the
//! generator and forgot `cargo xtask codegen`.

use std::path::Path;

#[test]
fn generated_code_is_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root");
    let output = match codegen::generate(&codegen::Config::new(root.join("spec"))) {
        Ok(o) => o,
        Err(diags) => {
            let lines: Vec<String> = diags.iter().map(ToString::to_string).collect();
            panic!("the spec does not generate:\n{}", lines.join("\n"));
        }
    };
    let out_dir = root.join("ghl-client/src/generated");
    let manifest = root.join("ghl-client/Cargo.toml");
    let drift = codegen::sync::drift(&output, &out_dir, Some(&manifest));
    assert!(
        drift.is_clean(),
        "generated code is out of date:\n{}\nrun `cargo xtask codegen` and commit the result",
        drift.describe(Path::new("ghl-client/src/generated"), Some(Path::new("ghl-client/Cargo.toml")))
    );
}

#[test]
fn spec_is_lint_clean_of_errors() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root");
    if let Err(diags) = codegen::generate(&codegen::Config::new(root.join("spec"))) {
        let lines: Vec<String> = diags.iter().map(ToString::to_string).collect();
        panic!("spec errors:\n{}", lines.join("\n"));
    }
}
