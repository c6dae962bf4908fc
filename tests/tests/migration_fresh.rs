//! The committed `MIGRATING-v3.md` matches what the spec gives today. Fails,
//! naming the command, when someone changed the spec (or the map's code) and
//! forgot `cargo xtask migration-map`.

use std::path::Path;

use codegen::diff::migration::{MigrationLabels, migration_map, migration_markdown};

#[test]
fn migration_map_is_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root");
    let config = codegen::Config::new(root.join("spec"));
    let api = codegen::lower_api(&config, None).unwrap_or_else(|diags| {
        let lines: Vec<String> = diags.iter().map(ToString::to_string).collect();
        panic!("the spec does not lower:\n{}", lines.join("\n"))
    });
    // The labels `cargo xtask migration-map` uses with its defaults.
    let labels = MigrationLabels {
        from: config.root_group.clone().expect("the top-level modules are a version"),
        to: "v3".to_owned(),
        command: "cargo xtask migration-map".to_owned(),
        spec: "spec".to_owned(),
    };
    let want = migration_markdown(&migration_map(&api, None, "v3"), &labels).expect("the map renders");
    let path = root.join("MIGRATING-v3.md");
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    if have != want {
        let first = have.lines().zip(want.lines()).position(|(a, b)| a != b);
        let line = first.unwrap_or_else(|| have.lines().count().min(want.lines().count())) + 1;
        panic!(
            "MIGRATING-v3.md is {} (first difference at line {line}); run `cargo xtask migration-map` and commit the result",
            if have.is_empty() { "missing" } else { "out of date" },
        );
    }
}
