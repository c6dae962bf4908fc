//! Property: on any document, generation never panics or aborts, and ends
//! either in output (every module parses, no name defined twice) or in
//! errors that are all located. `generate` returns all files or none, so a
//! failed run can never leave half an output behind.

use codegen::{Config, Severity, generate_from_texts};
use proptest::prelude::*;

/// Names the pieces draw from: few, so references often hit (and loop), and
/// colliding on purpose (`Option`, `new`, `send`, `Unknown`/`Other`, `ñame`).
const NAMES: &[&str] = &["A", "B", "Option", "new", "send", "Unknown", "Other", "ñame", "clear_a", "a"];

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(NAMES).prop_map(str::to_owned)
}

fn schema() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        name().prop_map(|n| format!(r##"{{"$ref": "#/components/schemas/{n}"}}"##)),
        Just(r##"{"$ref": "#/components/schemas/Missing"}"##.to_owned()),
        Just(r#"{"$ref": "../common/c.json#/components/schemas/C"}"#.to_owned()),
        prop::sample::select(vec!["string", "integer", "any", "array", "object", "null", "bogus"])
            .prop_map(|t| format!(r#"{{"type": "{t}"}}"#)),
        prop::collection::vec(name(), 1..4).prop_map(|v| format!(r#"{{"type": "string", "enum": {v:?}}}"#)),
        Just(r##"{"type": "string", "$ref": "#/components/schemas/A"}"##.to_owned()),
        Just("7".to_owned()),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec((name(), inner.clone()), 0..4).prop_map(|props| {
                let body: Vec<String> = props.iter().map(|(k, v)| format!("{k:?}: {v}")).collect();
                format!(r#"{{"type": "object", "nullable": true, "properties": {{{}}}}}"#, body.join(", "))
            }),
            prop::collection::vec(inner.clone(), 1..3).prop_map(|v| format!(r#"{{"oneOf": [{}]}}"#, v.join(", "))),
            prop::collection::vec(inner.clone(), 1..3).prop_map(|v| format!(r#"{{"allOf": [{}]}}"#, v.join(", "))),
            inner.clone().prop_map(|i| format!(r#"{{"type": "array", "items": {i}}}"#)),
        ]
    })
}

fn operation() -> impl Strategy<Value = String> {
    (
        name(),
        prop::sample::select(vec!["/a", "/a/{id}", "/{name}/x", "b"]),
        prop::option::of(schema()),
        prop::option::of((prop::sample::select(vec!["application/json", "multipart/form-data", "text/plain"]), schema())),
        prop::sample::select(vec!["query", "path", "header", "cookie"]),
    )
        .prop_map(|(id, path, param, body, loc)| {
            let params = param
                .map(|s| format!(r#""parameters": [{{"name": "id", "in": "{loc}", "schema": {s}}}],"#))
                .unwrap_or_default();
            let body = body
                .map(|(mt, s)| format!(r#""requestBody": {{"content": {{"{mt}": {{"schema": {s}}}}}}},"#))
                .unwrap_or_default();
            format!(
                r##""{path}": {{"post": {{"operationId": "{id}", {params} {body} "responses": {{"200": {{"description": "ok"}}, "400": {{"$ref": "#/components/responses/R"}}}}}}}}"##
            )
        })
}

fn document() -> impl Strategy<Value = String> {
    (prop::collection::vec(operation(), 0..3), prop::collection::vec((name(), schema()), 0..5)).prop_map(
        |(ops, schemas)| {
            // Duplicate keys are kept on purpose: the loader must see them.
            let schemas: Vec<String> = schemas.iter().map(|(k, v)| format!("{k:?}: {v}")).collect();
            format!(
                r#"{{"openapi": "3.0.0", "info": {{"title": "H", "version": "1"}}, "paths": {{{}}}, "components": {{"schemas": {{{}}}}}}}"#,
                ops.join(", "),
                schemas.join(", ")
            )
        },
    )
}

const COMMON: &str = r#"{"openapi": "3.0.0", "info": {"title": "C", "version": "1"}, "components": {"schemas": {"C": {"type": "string"}}}}"#;

proptest! {
    // Bounded so CI stays quick; each case is a full lower + emit + format.
    // A fixed seed keeps CI deterministic; HOSTILE_SEED=<n> (and PROPTEST_CASES) explore further.
    #![proptest_config(ProptestConfig {
        cases: 128,
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(
            std::env::var("HOSTILE_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20),
        ),
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_document_generates_or_fails_located(doc in document(), lenient in any::<bool>()) {
        let files = vec![("h.json".to_owned(), doc.clone()), ("common/c.json".to_owned(), COMMON.to_owned())];
        if std::env::var_os("HOSTILE_TRACE").is_some() { eprintln!("CASE {lenient} {doc}"); }
        let config = Config { lenient, ..Config::new("spec") };
        match generate_from_texts(&config, &files) {
            Ok(out) => {
                for (path, text) in out.files.iter().filter(|(p, _)| p.ends_with(".rs")) {
                    let file = syn::parse_file(text);
                    prop_assert!(file.is_ok(), "{path} does not parse:\n{text}\nfrom {doc}");
                    assert_distinct_names(&file.unwrap_or_else(|_| unreachable!()), &doc);
                }
            }
            Err(diags) => {
                prop_assert!(diags.iter().any(|d| d.severity == Severity::Error), "Err without an error: {diags:#?}");
                for d in &diags {
                    prop_assert!(!d.file.is_empty() && d.line >= 1 && d.col >= 1, "unlocated: {d:?} from {doc}");
                }
            }
        }
    }
}

/// No type defined twice, no method twice in one inherent `impl`.
fn assert_distinct_names(file: &syn::File, doc: &str) {
    let mut types = std::collections::BTreeSet::new();
    for item in &file.items {
        let name = match item {
            syn::Item::Struct(s) => Some(&s.ident),
            syn::Item::Enum(e) => Some(&e.ident),
            syn::Item::Type(t) => Some(&t.ident),
            _ => None,
        };
        if let Some(name) = name {
            assert!(types.insert(name.to_string()), "type `{name}` defined twice, from {doc}");
        }
        if let syn::Item::Impl(i) = item
            && i.trait_.is_none()
        {
            let mut fns = std::collections::BTreeSet::new();
            for f in &i.items {
                if let syn::ImplItem::Fn(f) = f {
                    assert!(fns.insert(f.sig.ident.to_string()), "method `{}` twice, from {doc}", f.sig.ident);
                }
            }
        }
    }
}
