//! Emitter snapshot tests: each `cases/*.yaml` is a tiny spec exercising a
//! group of constructs; its generated module is compared with the stored
//! snapshot (review changes with `cargo insta review`, or accept them with
//! `INSTA_UPDATE=always`).

use std::path::Path;

use codegen::{Config, generate_from_texts};

fn generate_case(name: &str) -> codegen::Output {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let text = std::fs::read_to_string(dir.join(format!("{name}.yaml"))).expect("case file exists");
    generate_from_texts(&Config::new("cases"), &[(format!("{name}.yaml"), text)])
        .unwrap_or_else(|d| panic!("case {name} must generate: {d:#?}"))
}

#[test]
fn models() {
    let out = generate_case("models");
    insta::assert_snapshot!("models", out.files["models.rs"]);
}

#[test]
fn operations() {
    let out = generate_case("operations");
    insta::assert_snapshot!("operations", out.files["operations.rs"]);
    insta::assert_snapshot!("operations_root", out.files["mod.rs"]);
    insta::assert_snapshot!("operations_features", out.features);
}

/// The `ghl` command line's table: one entry per operation, with parameters,
/// body fields (file parts as files), paging by wire name, scopes and Version.
#[test]
fn cli_table() {
    let out = generate_case("operations");
    let table = &out.files["cli_table.rs"];
    insta::assert_snapshot!("cli_table", table);
    let ops: usize = out.api.modules.values().map(|m| m.operations.len()).sum();
    assert_eq!(table.matches("    CliOperation {").count(), ops, "one entry per operation");
    assert!(out.files["mod.rs"].contains("#[cfg(feature = \"cli\")]"), "declared behind the `cli` feature");
}

/// Sibling-tagged one-of fields: a required one in a request (plain,
/// constructor argument, `From` only for payload types one variant carries)
/// and an optional one in a response, with a tag value named `OTHER`.
#[test]
fn tagged() {
    let out = generate_case("tagged");
    insta::assert_snapshot!("tagged", out.files["tagged.rs"]);
}

#[test]
fn webhooks() {
    let out = generate_case("webhooks");
    insta::assert_snapshot!("webhooks", out.files["webhooks.rs"]);
}

#[test]
fn models_decide_presence_by_usage() {
    let out = generate_case("models");
    let code = &out.files["models.rs"];
    // Request-only: required fields are plain, optional nullable ones tri-state.
    assert!(code.contains("pub name: String,"), "required request field is plain");
    assert!(code.contains("pub nickname: crate::Nullable<String>,"));
    assert!(code.contains("pub legacy: crate::Nullable<String>,"));
    assert!(code.contains("pub label: Option<String>,"), "required nullable request field is an Option");
    // Response: everything is tolerated missing.
    assert!(code.contains("pub id: Option<String>,"));
    // `_id` does not steal `id`.
    assert!(code.contains("pub id_2: Option<String>,") || code.contains("pub underscore_id"));
    assert!(code.contains("pub type_: Option<String>,"));
    assert!(code.contains("pub parent: Option<Box<Thing>>,"), "recursion through a direct field is boxed");
    assert!(code.contains("pub children: Vec<Thing>,"), "recursion through a Vec is not boxed");
    // Lists and maps: plain and empty when absent or null where received
    // (also when nullable); an optional one of a sent type stays an Option.
    // Decoded by the field table into the type's default: `value_or_default`
    // reads null as empty, and an absent one stays empty.
    assert!(code.contains("pub counts: std::collections::BTreeMap<String, i64>,"), "{code}");
    assert!(code.contains("counts: 11 \"counts\" value_or_default\n"), "{code}");
    assert!(code.contains("pub names: Vec<String>,"), "required list of a sent type");
    assert!(code.contains("names: 0 \"names\" value_or_default,"), "required list of a sent type");
    assert!(code.contains("pub aliases: Option<Vec<String>>,"), "optional list of a sent type");
    // A type with required fields reads through slots and says which are.
    assert!(code.contains("name: 0 \"name\" value required,"), "{code}");
    assert!(code.contains("api_key: 1 \"apiKey\" value optional,"), "{code}");
    assert!(code.contains("pub tags: Option<Vec<String>>,"), "optional list of a request type");
    // A single-object wrapper gets an accessor.
    assert!(code.contains("pub fn thing(self) -> Thing {"), "{code}");
    assert!(!code.contains("pub fn shown_as(self)"), "no accessor on a type that is also sent");
    assert!(code.contains("V65Plus"), "`65+` keeps its plus");
    assert!(code.contains("#[serde(untagged)]"), "string|integer becomes an untagged enum");
    assert!(code.contains("cannot be told apart"), "two object variants become raw JSON with a reason");
}

#[test]
fn same_spec_gives_identical_output() {
    let a = generate_case("operations");
    let b = generate_case("operations");
    assert_eq!(a.files, b.files);
    assert_eq!(a.features, b.features);
}

#[test]
fn file_order_does_not_matter() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut files: Vec<(String, String)> = ["models", "operations", "webhooks"]
        .iter()
        .map(|n| (format!("{n}.yaml"), std::fs::read_to_string(dir.join(format!("{n}.yaml"))).unwrap()))
        .collect();
    let forward = generate_from_texts(&Config::new("cases"), &files).unwrap();
    files.reverse();
    let backward = generate_from_texts(&Config::new("cases"), &files).unwrap();
    assert_eq!(forward.files, backward.files);
    assert_eq!(forward.features, backward.features);
}

/// A `v3/` directory is a group: nested Rust modules, one feature per module,
/// and a v2 type borrowed by v3 compiled for either feature.
#[test]
fn versions() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/versions");
    let files: Vec<(String, String)> = ["things.yaml", "v3/things.yaml"]
        .iter()
        .map(|f| (f.to_string(), std::fs::read_to_string(dir.join(f)).expect("case file exists")))
        .collect();
    let out =
        generate_from_texts(&Config::new("cases"), &files).unwrap_or_else(|d| panic!("versions must generate: {d:#?}"));
    insta::assert_snapshot!("versions_v2", out.files["things.rs"]);
    insta::assert_snapshot!("versions_v3", out.files["v3/things.rs"]);
    insta::assert_snapshot!("versions_root", out.files["mod.rs"]);
    insta::assert_snapshot!("versions_features", out.features);
    let v2 = &out.files["things.rs"];
    assert!(
        v2.contains("#[cfg(any(feature = \"things\", feature = \"v3_things\"))]\n/// The `Thing` object."),
        "the borrowed type is compiled for v3 too"
    );
    assert!(v2.contains("#[cfg(feature = \"things\")]\n/// Only v2 uses this."), "an unborrowed type is v2-only");
    assert!(out.files["v3/things.rs"].contains("crate::things::Thing"), "v3 refers to the v2 type, not a copy");
}

/// Each type derives serde for the direction it travels; `serde-both-ways`
/// adds the other. A request type inside an unused (hence decoded) type must
/// still be decodable, or the unused type's `Deserialize` would not compile.
#[test]
fn serde_derives_follow_the_direction() {
    let spec = r##"openapi: 3.1.0
info: { title: Dirs, version: "1" }
paths:
  /things:
    post:
      operationId: createThing
      summary: Create a thing.
      x-ghl-version: "2021-07-28"
      x-ghl-token: location
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: "#/components/schemas/Sent" }
      responses:
        "200":
          description: The thing.
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Got" }
components:
  schemas:
    Sent:
      type: object
      properties:
        inner: { $ref: "#/components/schemas/Inner" }
    Inner:
      type: object
      properties:
        a: { type: string }
    Got:
      type: object
      properties:
        id: { type: string }
    Unused:
      type: object
      properties:
        inner: { $ref: "#/components/schemas/Inner" }
"##;
    let out = generate_from_texts(&Config::new("cases"), &[("dirs.yaml".to_owned(), spec.to_owned())])
        .unwrap_or_else(|d| panic!("must generate: {d:#?}"));
    let code = &out.files["dirs.rs"];
    // Both directions go through the runtime's macros, not serde's derives:
    // `serialize_impl!` for `Serialize`, `object_impl!` for `Deserialize`
    // (with `received`, it also writes a serde-both-ways `Serialize`).
    let cfgs_before = |heads: [String; 2]| -> Option<String> {
        let at = heads.iter().find_map(|head| code.find(head.as_str()))?;
        let start = code[..at].rfind("\n\n").unwrap_or(0);
        Some(code[start..at].to_owned())
    };
    let decoder_of = |name: &str| {
        let plain = cfgs_before([format!("object_impl! {{ {name} {{"), format!("object_impl! {{\n    {name} {{")]);
        let received = cfgs_before([
            format!("object_impl! {{ received {name} {{"),
            format!("object_impl! {{\n    received {name} {{"),
        ]);
        plain.map(|c| (c, false)).or(received.map(|c| (c, true)))
    };
    let encoder_of = |name: &str| {
        cfgs_before([format!("serialize_impl! {{ {name} {{"), format!("serialize_impl! {{\n    {name} {{")])
    };
    let always = |name: &str| decoder_of(name).is_some_and(|(cfgs, _)| !cfgs.contains("serde-both-ways"));
    let both_ways_only =
        |name: &str| decoder_of(name).is_some_and(|(cfgs, _)| cfgs.contains("#[cfg(feature = \"serde-both-ways\")]"));
    let sent_always = |name: &str| encoder_of(name).is_some_and(|cfgs| !cfgs.contains("serde-both-ways"));
    assert!(!code.contains("derive(serde::"), "{code}");
    assert!(sent_always("Sent"), "{code}");
    assert!(both_ways_only("Sent"), "{code}");
    assert!(always("Got"), "{code}");
    assert!(decoder_of("Got").is_some_and(|(_, received)| received), "Serialize only with serde-both-ways: {code}");
    assert!(encoder_of("Got").is_none(), "{code}");
    assert!(sent_always("Inner"), "{code}");
    assert!(always("Inner"), "sent and inside an unused type: {code}");
    assert!(always("Unused"), "unused types are treated as received: {code}");
}
