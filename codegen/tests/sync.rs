//! `sync`: edits that bring a spec up to date with HighLevel's documents.

use std::path::{Path, PathBuf};

use codegen::upstream::sync::{EditKind, SyncPlan, apply, plan};
use codegen::upstream::{VerifyOptions, sync_markdown, verify};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ghl-sync-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Edits `file` with `f`, which must change it.
fn mutate(file: &Path, f: impl FnOnce(&str) -> String) {
    let before = std::fs::read_to_string(file).unwrap();
    let after = f(&before);
    assert_ne!(before, after, "{}: the mutation found nothing to remove", file.display());
    std::fs::write(file, after).unwrap();
}

/// Removes the line `header` and the deeper-indented block below it.
fn drop_block(text: &str, header: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let Some(start) = lines.iter().position(|l| *l == header) else { return text.to_owned() };
    let indent = header.len() - header.trim_start().len();
    let mut end = start + 1;
    while end < lines.len()
        && (lines[end].trim().is_empty() || lines[end].len() - lines[end].trim_start().len() > indent)
    {
        end += 1;
    }
    let mut out: Vec<&str> = lines[..start].to_vec();
    out.extend(&lines[end..]);
    out.join("\n") + "\n"
}

fn comments(text: &str) -> Vec<String> {
    text.lines().filter(|l| l.contains('#') && l.trim_start().starts_with('#')).map(str::to_owned).collect()
}

fn apps() -> Option<PathBuf> {
    let dir = std::env::var_os("GHL_OPENAPI_APPS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/ghl-openapi/apps"));
    dir.is_dir().then_some(dir)
}

fn kinds(plan: &SyncPlan) -> (usize, usize, usize, usize) {
    let count = |f: fn(&EditKind) -> bool| plan.edits.iter().filter(|e| f(&e.kind)).count();
    (
        count(|k| matches!(k, EditKind::AddOperations { .. })),
        count(|k| matches!(k, EditKind::AddProperty { .. })),
        count(|k| matches!(k, EditKind::AddEnumValues { .. })),
        count(|k| matches!(k, EditKind::Deprecate { .. })),
    )
}

/// HighLevel's documents are not in this repository; without them the test says so and passes.
#[test]
fn removed_operations_fields_and_enum_values_come_back_and_the_spec_stays_ours() {
    let Some(apps) = apps() else {
        eprintln!("skipped: HighLevel's apps/ directory is absent (set GHL_OPENAPI_APPS)");
        return;
    };
    let spec = scratch("real");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec"), &spec);
    let task_completed = "  /contacts/{contactId}/tasks/{taskId}/completed:";
    mutate(&spec.join("contacts.yaml"), |t| {
        drop_block(t, task_completed)
            .replace("        GMB: { $ref: \"#/components/schemas/DndSetting\" }\n", "")
            .replace("enum: [active, inactive, permanent]", "enum: [active, inactive]")
    });
    mutate(&spec.join("v3/contacts.yaml"), |t| {
        drop_block(t, task_completed)
            .replace("        gmb: { $ref: \"../contacts.yaml#/components/schemas/DndSetting\" }\n", "")
    });
    mutate(&spec.join("v3/calendars.yaml"), |t| {
        t.replace("enum: [hours, days, weeks, months, mins]", "enum: [hours, days, weeks, months]")
    });
    let mutated: Vec<(PathBuf, String)> = ["contacts.yaml", "v3/contacts.yaml", "v3/calendars.yaml"]
        .iter()
        .map(|f| (spec.join(f), std::fs::read_to_string(spec.join(f)).unwrap()))
        .collect();

    let options = VerifyOptions::default();
    let (v2, v3) = (spec.clone(), spec.join("v3"));
    let (up2, up3) = (apps.clone(), apps.join("v3"));

    let p2 = plan(&v2, &up2, &options).expect("plans v2");
    assert_eq!(kinds(&p2), (1, 1, 1, 0), "{}", sync_markdown(&p2));
    // Everything else differs with a note saying why: nothing to edit, nothing to review.
    assert!(p2.review.is_empty(), "{}", sync_markdown(&p2));
    apply(&p2, &v2).expect("applies v2");
    let p3 = plan(&v3, &up3, &options).expect("plans v3");
    assert_eq!(kinds(&p3), (1, 1, 1, 0), "{}", sync_markdown(&p3));
    assert!(p3.review.is_empty(), "{}", sync_markdown(&p3));
    let applied = apply(&p3, &v3).expect("applies v3");
    assert!(applied.skipped.is_empty(), "{:?}", applied.skipped);

    // Back to what verify says of our own spec: nothing missing, nothing unexplained.
    for (ours, theirs) in [(&v2, &up2), (&v3, &up3)] {
        let s = verify(ours, theirs, &options).unwrap().summary;
        assert_eq!((s.missing, s.drift_items_unexplained, s.extra_unexplained), (0, 0, 0), "{s:#?}");
    }
    // Comments and every untouched line stay, in order.
    for (file, before) in &mutated {
        let after = std::fs::read_to_string(file).unwrap();
        assert_eq!(comments(before), comments(&after), "{}", file.display());
        let mut rest = after.lines();
        for line in before.lines().filter(|l| !l.contains("enum: [")) {
            assert!(rest.any(|l| l == line), "{}: lost or moved `{line}`", file.display());
        }
    }
    let contacts = std::fs::read_to_string(spec.join("contacts.yaml")).unwrap();
    assert!(contacts.contains("enum: [active, inactive, permanent]"), "the enum value is back in place");
    // The field comes back under our schema name, as its siblings have it.
    assert!(contacts.contains("GMB: { $ref: \"#/components/schemas/DndSetting\" }"), "GMB inlined");
    let v3_contacts = std::fs::read_to_string(spec.join("v3/contacts.yaml")).unwrap();
    assert!(v3_contacts.contains("gmb: { $ref: \"../contacts.yaml#/components/schemas/DndSetting\" }"), "gmb inlined");
    assert!(contacts.contains("summary: \"TODO(sync): "), "the new operation's summary is the placeholder");

    // Lint-clean (no error, no warning) and generates.
    let out = codegen::generate(&codegen::Config::new(&spec)).unwrap_or_else(|d| panic!("{d:#?}"));
    assert!(out.warnings.is_empty(), "{:#?}", out.warnings);

    // A second sync has nothing left to do, and lists the summaries to write.
    let again2 = plan(&v2, &up2, &options).unwrap();
    let again3 = plan(&v3, &up3, &options).unwrap();
    assert!(again2.is_empty() && again3.is_empty(), "{}\n{}", sync_markdown(&again2), sync_markdown(&again3));
    assert_eq!(again2.placeholders.len(), 1, "{:?}", again2.placeholders);
    let _ = std::fs::remove_dir_all(&spec);
}

#[test]
fn defects_in_upstream_documents_are_warnings_and_the_result_generates() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sync/defects");
    let spec = scratch("defects");
    copy_dir(&fixture.join("spec"), &spec);
    let upstream = fixture.join("upstream");
    let options = VerifyOptions::default();

    let p = plan(&spec, &upstream, &options).expect("defects are no refusal");
    let md = sync_markdown(&p);
    for defect in ["`partId`", "without a schema", "`type: any`", "array without `items`"] {
        assert!(p.warnings.iter().any(|w| w.contains(defect)), "no warning on {defect}: {:#?}", p.warnings);
    }
    // Located: `things.json:<line>:<col>`.
    assert!(p.warnings.iter().all(|w| w.contains("things.json:")), "{:#?}", p.warnings);
    assert_eq!(kinds(&p), (1, 1, 1, 1), "{md}");
    assert!(md.contains("new field `weight`") && md.contains("deprecate GET `/things/{thingId}/old`"), "{md}");

    let applied = apply(&p, &spec).expect("applies");
    assert!(applied.skipped.is_empty(), "{:?}", applied.skipped);
    let text = std::fs::read_to_string(spec.join("things.yaml")).unwrap();
    assert!(text.contains("# Our comment on the path, which sync must keep."));
    assert!(text.contains("id: { type: string } # kept"));
    for prose in ["never copied", "must not reach", "HighLevel's words"] {
        assert!(!text.contains(prose), "prose was copied:\n{text}");
    }
    assert!(text.contains("name: partId"), "the undeclared path parameter is declared:\n{text}");
    assert!(text.contains("deprecated: true"), "{text}");
    assert!(
        text.contains("enum: [small, large, huge]") && text.contains("enum: [s, m]\n"),
        "noted enum left alone:\n{text}"
    );

    let out = codegen::generate(&codegen::Config::new(&spec)).unwrap_or_else(|d| panic!("{d:#?}\n{text}"));
    assert!(out.warnings.is_empty(), "{:#?}\n{text}", out.warnings);
    let again = plan(&spec, &upstream, &options).unwrap();
    assert!(again.is_empty(), "{}", sync_markdown(&again));
    let _ = std::fs::remove_dir_all(&spec);
}
