//! The v2 → v3 migration map on a small spec (`tests/fixtures/migration/`: v2
//! documents at the top, v3 ones in `v3/`), one operation per classification,
//! and its accounting on the real spec.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use codegen::diff::Rule;
use codegen::diff::migration::{
    Entry, MigrationLabels, MigrationMap, Pairing, Status, migration_json, migration_map, migration_markdown,
};
use codegen::{Config, ir::Api, lower_api};

fn lower(dir: &Path) -> Api {
    lower_api(&Config::new(dir), None).unwrap_or_else(|diags| {
        let text: Vec<String> = diags.iter().map(ToString::to_string).collect();
        panic!("{} does not lower:\n{}", dir.display(), text.join("\n"))
    })
}

fn fixture() -> MigrationMap {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/migration");
    migration_map(&lower(&dir), None, "v3")
}

fn labels() -> MigrationLabels {
    MigrationLabels {
        from: "v2".into(),
        to: "v3".into(),
        command: "cargo xtask migration-map".into(),
        spec: "spec".into(),
    }
}

/// Entries by the operationId of their old side (or new side, for new ones).
fn by_id(map: &MigrationMap) -> BTreeMap<String, &Entry> {
    map.entries()
        .map(|e| {
            let id = e.old.as_ref().or(e.new.as_ref()).map(|o| o.id.clone()).unwrap();
            (id, e)
        })
        .collect()
}

fn rules(e: &Entry) -> Vec<&'static str> {
    e.changes.iter().map(|c| c.rule.id()).collect()
}

#[test]
fn each_operation_gets_its_classification() {
    let map = fixture();
    let got: BTreeMap<String, Status> = by_id(&map).into_iter().map(|(id, e)| (id, e.status)).collect();
    let want: BTreeMap<String, Status> = [
        ("getThing", Status::Same),
        ("getThingLabel", Status::Same),
        ("listThings", Status::Changed),
        ("createThing", Status::Changed),
        ("getThingToken", Status::Renamed),
        ("archiveThing", Status::Renamed),
        ("listThingNotes", Status::Renamed),
        ("deleteThing", Status::Gone),
        ("startFacebookOauth", Status::Gone),
        ("listGadgets", Status::Gone),
        ("startThingOauth", Status::New),
        ("listThingEvents", Status::New),
        ("getWidget", Status::New),
    ]
    .into_iter()
    .map(|(id, s)| (id.to_owned(), s))
    .collect();
    assert_eq!(got, want);
    let t = map.totals;
    assert_eq!((t.old, t.new_ops), (10, 10), "every operation of both versions appears once");
    assert_eq!((t.same, t.changed, t.renamed, t.gone, t.new), (2, 2, 3, 3, 3));
}

#[test]
fn the_version_change_and_path_parameter_names_are_not_changes() {
    let map = fixture();
    let ops = by_id(&map);
    let get = ops["getThing"];
    // v2 `/things/{thingId}` with 2021-07-28, v3 `/things/{id}` with v3.
    assert_eq!(get.old.as_ref().unwrap().path, "/things/{thingId}");
    assert_eq!(get.new.as_ref().unwrap().path, "/things/{id}");
    assert!(get.changes.is_empty(), "{:#?}", get.changes);
    assert_eq!(get.pairing, Some(Pairing::Endpoint));
    for e in map.entries() {
        assert!(
            !e.changes.iter().any(|c| c.rule == Rule::OperationVersionChanged),
            "the Version change is expected, never listed: {e:#?}"
        );
    }
}

#[test]
fn a_changed_parameter_is_named_and_classified() {
    let map = fixture();
    let e = by_id(&map)["listThings"];
    assert_eq!(rules(e), ["parameter-added-required"]);
    assert_eq!(e.changes[0].subject, "listThings(mode)");
    assert_eq!(e.breaking, 1);
    assert_eq!(e.new.as_ref().unwrap().call, "client.v3().things().list_things(mode)");
    assert_eq!(e.old.as_ref().unwrap().call, "client.things().list_things()");
}

#[test]
fn changed_request_fields_are_listed_on_the_new_type() {
    let map = fixture();
    let e = by_id(&map)["createThing"];
    let got: Vec<(&str, &str)> = e.changes.iter().map(|c| (c.rule.id(), c.subject.as_str())).collect();
    assert_eq!(
        got,
        [
            ("body-retyped", "createThing body"),
            ("field-removed", "v3::things::CreateThingRequest.note"),
            ("field-added", "v3::things::CreateThingRequest.color"),
        ],
        "breaking first"
    );
    assert!(e.changes[0].detail.contains("`things::CreateThingRequest` → `v3::things::CreateThingRequest`"));
    assert_eq!(e.breaking, 2);
}

#[test]
fn a_type_defined_again_with_the_same_shape_is_noted_not_a_change() {
    let map = fixture();
    let e = by_id(&map)["getThingLabel"];
    assert!(e.changes.is_empty(), "{:#?}", e.changes);
    let moved: Vec<(&str, &str)> = e.moved_types.iter().map(|t| (t.old.as_str(), t.new.as_str())).collect();
    assert_eq!(moved, [("things::Label", "v3::things::Label")]);
}

#[test]
fn renamed_paths_are_found_by_folded_path_or_operation_id() {
    let map = fixture();
    let ops = by_id(&map);

    let token = ops["getThingToken"];
    assert_eq!(token.pairing, Some(Pairing::FoldedPath));
    assert_eq!(token.new.as_ref().unwrap().path, "/things/thing-token");
    assert!(token.changes.is_empty(), "the rename is the status, not a change: {:#?}", token.changes);

    let archive = ops["archiveThing"];
    assert_eq!(archive.pairing, Some(Pairing::OperationId));
    assert_eq!(archive.new.as_ref().unwrap().path, "/things/{thingId}/archival");

    // locationId moved from the query into the path: one parameter, another location.
    let notes = ops["listThingNotes"];
    assert_eq!(notes.pairing, Some(Pairing::OperationId));
    assert_eq!(rules(notes), ["parameter-location-changed"]);
    assert_eq!(notes.breaking, 0);
}

#[test]
fn gone_operations_name_the_template_that_takes_their_path() {
    let map = fixture();
    let ops = by_id(&map);
    let oauth = ops["startFacebookOauth"];
    let leads: Vec<&str> = oauth.covers.iter().map(|o| o.call.as_str()).collect();
    assert_eq!(leads, ["client.v3().things().start_thing_oauth(platform)"]);
    assert!(ops["deleteThing"].covers.is_empty());
    assert!(ops["deleteThing"].new.is_none());
    let new = ops["startThingOauth"];
    let covered: Vec<&str> = new.covers.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(covered, ["startFacebookOauth"]);
}

#[test]
fn modules_on_one_side_only_are_kept() {
    let map = fixture();
    let modules: BTreeMap<&str, _> = map.modules.iter().map(|m| (m.name.as_str(), m)).collect();
    let gadgets = modules["gadgets"];
    assert!(gadgets.old.is_some() && gadgets.new.is_none());
    assert_eq!((gadgets.counts.old, gadgets.counts.gone), (1, 1));
    assert!(gadgets.entries[0].old.as_ref().unwrap().undocumented);
    let widgets = modules["widgets"];
    assert!(widgets.old.is_none());
    let new = widgets.new.as_ref().unwrap();
    assert_eq!((new.module.as_str(), new.accessor.as_str()), ("v3::widgets", "client.v3().widgets()"));
    assert_eq!((widgets.counts.new_ops, widgets.counts.new), (1, 1));
}

#[test]
fn the_markdown_has_the_summary_then_each_module() {
    let map = fixture();
    let md = migration_markdown(&map, &labels()).unwrap();
    assert!(md.starts_with("# Migrating from API v2 to v3\n"), "{md}");
    assert!(md.contains("`cargo xtask migration-map`"), "the banner names the command");
    assert!(md.contains("| [`things`](#things) | 9 | 9 | 2 | 2 | 3 | 2 | 2 |"), "{md}");
    assert!(md.contains("| **total** | 10 | 10 | 2 | 2 | 3 | 3 | 3 |"), "{md}");
    let summary = md.find("## Summary").unwrap();
    let gadgets = md.find("## `gadgets`").unwrap();
    let things = md.find("## `things`").unwrap();
    let widgets = md.find("## `widgets`").unwrap();
    assert!(summary < gadgets && gadgets < things && things < widgets);
    let section = &md[things..widgets];
    let order: Vec<usize> = ["### Changed (2)", "### Renamed (3)", "### Gone (2)", "### New (2)", "### Same (2)"]
        .iter()
        .map(|h| section.find(h).unwrap_or_else(|| panic!("no `{h}` in\n{section}")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    // Rust calls on both sides, and the path change of a rename.
    assert!(section.contains("`client.things().list_things()` → `client.v3().things().list_things(mode)`"));
    assert!(section.contains("`POST /things/thingToken` → `POST /things/thing-token`"), "{section}");
    assert!(section.contains("| **breaking** | `parameter-added-required` | `listThings(mode)` |"));
    assert!(section.contains("Same shape, new Rust path: `things::Label` → `v3::things::Label`"));
    assert!(section.contains("its path fits `client.v3().things().start_thing_oauth(platform)`"));
    assert!(md.contains("Only in v3: `client.v3().widgets()` (feature `v3_widgets`, `spec/v3/widgets.yaml`)"));
    assert!(md.contains("feature `undocumented` in v2"));
    assert!(!md.contains("operation-version-changed"));
    assert!(!md.contains("\n\n\n"), "no runs of blank lines");
    assert_eq!(md, migration_markdown(&fixture(), &labels()).unwrap(), "the same spec gives the same text");
}

#[test]
fn the_json_has_every_entry() {
    let json: serde_json::Value = serde_json::from_str(&migration_json(&fixture()).unwrap()).unwrap();
    assert_eq!(json["totals"]["renamed"], 3);
    let statuses: Vec<&str> = json["modules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["entries"].as_array().unwrap())
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses.len(), 13);
}

fn spec() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

#[test]
fn the_real_spec_accounts_for_every_operation_once() {
    let api = lower(&spec());
    let map = migration_map(&api, None, "v3");
    let count = |v3: bool| -> usize {
        api.modules.values().filter(|m| (m.group.as_deref() == Some("v3")) == v3).map(|m| m.operations.len()).sum()
    };
    let t = map.totals;
    assert_eq!(t.old, count(false));
    assert_eq!(t.new_ops, count(true));
    assert_eq!(t.same + t.changed + t.renamed + t.gone, t.old);
    assert_eq!(t.same + t.changed + t.renamed + t.new, t.new_ops);
    let mut old_ids: Vec<(&str, &str)> =
        map.entries().filter_map(|e| e.old.as_ref()).map(|o| (o.module.as_str(), o.id.as_str())).collect();
    old_ids.sort();
    let before = old_ids.len();
    old_ids.dedup();
    assert_eq!(before, old_ids.len(), "a v2 operation appears once");
    // The renames HighLevel's own documents show, where both sides are in the spec.
    let ops = by_id(&map);
    if let Some(e) = ops.get("getLocationAccessToken").filter(|e| e.new.is_some()) {
        assert_eq!(e.status, Status::Renamed);
        assert_eq!(e.new.as_ref().unwrap().path, "/oauth/location-token");
    }
}
