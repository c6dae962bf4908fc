//! Every response example in HighLevel's documents decodes into the
//! generated types.
//!
//! The examples are the whole-response ones: `example` and `examples` on a
//! 2xx media type, and `example` on the response schema (or the schema it
//! refers to). Each is matched to our operation by version, method and path
//! (path parameter names aside), replayed by the mock server
//! (`Fault::Body`) to that operation's sample call, and decoded by the
//! client: a failure names the operation and the field path.
//!
//! SKILL.md's JSON samples are all request bodies (`curl -d`); the test
//! fails when one appears that is not, so that it gets matched here too.
//!
//! Examples that contradict HighLevel's own schema are listed, with the
//! reason, in `tests/doc-example-errors.txt`; an entry that no longer
//! matches a failing example fails the test. HighLevel's documents are read
//! from `GHL_OPENAPI_DIR`, or `shared/reference/ghl-openapi` beside the
//! checkout.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use codegen::ir::Success;
use ghl_client::{Client, Error, RetryPolicy};
use serde_json::Value;
use tests::mock::{Fault, FaultRule, FaultScope, MockServer, MockSpec};

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch"];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_owned()
}

fn reference() -> PathBuf {
    let dir = std::env::var_os("GHL_OPENAPI_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("../shared/reference/ghl-openapi"));
    assert!(
        dir.join("apps").is_dir(),
        "HighLevel's documents are expected at {} (shared/ beside the checkout, or set GHL_OPENAPI_DIR)",
        dir.display()
    );
    dir
}

/// `/a/{x}/b` -> `/a/{}/b`: paths compared without their parameter names.
fn normalize_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' if !in_param => {
                in_param = true;
                out.push_str("{}");
            }
            '}' if in_param => in_param = false,
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

/// `(group, METHOD, normalized path)`: how a documented operation finds ours.
type OpKey<'a> = (Option<&'a str>, String, String);

/// One documented response example.
struct Example {
    /// `v3/contacts-v3.json GET /contacts/{contactId} 200 examples.found`: the key of the known-errors file.
    key: String,
    /// `None` for v2, `Some("v3")`.
    group: Option<&'static str>,
    method: String,
    path: String,
    body: Value,
}

fn resolve<'a>(doc: &'a Value, mut v: &'a Value) -> &'a Value {
    for _ in 0..8 {
        let Some(r) = v.get("$ref").and_then(Value::as_str) else { break };
        let Some(target) = r.strip_prefix('#').and_then(|p| doc.pointer(p)) else { break };
        v = target;
    }
    v
}

fn examples_of(file: &str, group: Option<&'static str>, doc: &Value, out: &mut Vec<Example>) {
    for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
        for &method in METHODS {
            let Some(op) = item.get(method) else { continue };
            for (status, response) in op.get("responses").and_then(Value::as_object).into_iter().flatten() {
                if !status.starts_with('2') {
                    continue;
                }
                let response = resolve(doc, response);
                for (media_type, media) in response.get("content").and_then(Value::as_object).into_iter().flatten() {
                    let mut found: Vec<(String, Value)> = Vec::new();
                    if let Some(v) = media.get("example") {
                        found.push(("example".to_owned(), v.clone()));
                    }
                    for (name, ex) in media.get("examples").and_then(Value::as_object).into_iter().flatten() {
                        if let Some(v) = resolve(doc, ex).get("value") {
                            found.push((format!("examples.{name}"), v.clone()));
                        }
                    }
                    if let Some(schema) = media.get("schema") {
                        if let Some(v) = schema.get("example") {
                            found.push(("schema.example".to_owned(), v.clone()));
                        } else if let Some(v) = resolve(doc, schema).get("example") {
                            found.push(("schema.example".to_owned(), v.clone()));
                        }
                    }
                    let method = method.to_ascii_uppercase();
                    for (label, body) in found {
                        out.push(Example {
                            key: format!("{file} {method} {path} {status} {media_type} {label}"),
                            group,
                            method: method.clone(),
                            path: path.clone(),
                            body,
                        });
                    }
                }
            }
        }
    }
}

fn documented_examples(apps: &Path) -> Vec<Example> {
    let mut out = Vec::new();
    for (dir, group) in [(apps.to_owned(), None), (apps.join("v3"), Some("v3"))] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("readable entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let name = path.strip_prefix(apps).unwrap_or(&path).to_string_lossy().into_owned();
            examples_of(&name, group, &doc, &mut out);
        }
    }
    out
}

/// SKILL.md's JSON samples outside `curl -d '…'` bodies, as `line: text`.
fn skill_response_samples(skill: &str) -> (usize, Vec<String>) {
    let mut request_bodies = 0;
    let mut in_body = false;
    let mut others = Vec::new();
    for (i, line) in skill.lines().enumerate() {
        let t = line.trim();
        if in_body {
            in_body = !t.ends_with('\'');
        } else if let Some(rest) = t.strip_prefix("-d '") {
            request_bodies += 1;
            in_body = !(rest.len() > 1 && rest.ends_with('\''));
        } else if t.starts_with('{') || t.starts_with("[{") {
            others.push(format!("SKILL.md:{}: {t}", i + 1));
        }
    }
    (request_bodies, others)
}

/// `key: reason` lines of the known HighLevel doc errors.
fn known_errors() -> BTreeMap<String, String> {
    let path = workspace().join("tests/doc-example-errors.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(": ") {
            Some((key, reason)) if !reason.trim().is_empty() => (key.trim().to_owned(), reason.trim().to_owned()),
            _ => panic!("{}: `{l}` is not `<example key>: <reason>`", path.display()),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_response_example_decodes() {
    let reference = reference();
    let examples = documented_examples(&reference.join("apps"));
    let skill_path = reference.parent().expect("reference dir has a parent").join("SKILL.md");
    let skill = std::fs::read_to_string(&skill_path).unwrap_or_else(|e| panic!("{}: {e}", skill_path.display()));
    let (skill_requests, skill_others) = skill_response_samples(&skill);

    let spec =
        Arc::new(MockSpec::load(workspace().join("spec")).unwrap_or_else(|e| panic!("the spec does not lower:\n{e}")));
    // (group, METHOD, normalized path) -> (module, operationId, success).
    let ours: BTreeMap<OpKey, (String, String, Success)> = spec
        .operations()
        .iter()
        .map(|o| {
            let group = o.module.starts_with("v3::").then_some("v3");
            (
                (group, o.op.method.as_str().to_owned(), normalize_path(&o.op.path)),
                (o.module.clone(), o.op.id.clone(), o.op.success.clone()),
            )
        })
        .collect();
    let server = MockServer::start(spec.clone()).await.expect("mock starts");
    let client = Client::builder()
        .base_url(server.base_url())
        .private_integration_token("doc-examples-token")
        .location_id("doc-examples-location")
        .no_rate_limit()
        .retry(RetryPolicy::none())
        .build()
        .expect("client builds");

    let known = known_errors();
    let mut failures: Vec<String> = skill_others
        .iter()
        .map(|s| format!("{s}: a JSON sample that is not a request body: match it to its operation here"))
        .collect();
    let mut failing: BTreeSet<String> = BTreeSet::new();
    let mut decoded = 0;
    for ex in &examples {
        let Some((module, id, success)) = ours.get(&(ex.group, ex.method.clone(), normalize_path(&ex.path))) else {
            failing.insert(ex.key.clone());
            failures.push(format!("{}: no operation of ours has this method and path", ex.key));
            continue;
        };
        if !matches!(success, Success::Json(_)) {
            failing.insert(ex.key.clone());
            failures.push(format!("{}: {id} ({module}) declares no JSON body", ex.key));
            continue;
        }
        let call = ghl_client::contract_samples(&client)
            .into_iter()
            .find(|(m, i, _)| m == module && i == id)
            .map(|(_, _, call)| call);
        let Some(call) = call else {
            failures.push(format!("{}: no sample call for {id} ({module})", ex.key));
            continue;
        };
        server.clear_faults();
        server.add_rule(FaultRule {
            scope: FaultScope::Operation(id.clone()),
            fault: Fault::Body { body: ex.body.clone() },
            times: Some(1),
        });
        match call.await {
            Ok(()) => decoded += 1,
            Err(e @ Error::Decode { .. }) => {
                failing.insert(ex.key.clone());
                if !known.contains_key(&ex.key) {
                    failures.push(format!("{}: {e}", ex.key));
                }
            }
            Err(e) => failures.push(format!("{}: {id} ({module}) did not get the example back: {e}", ex.key)),
        }
    }
    server.clear_faults();
    for (key, reason) in &known {
        if !failing.contains(key) {
            failures
                .push(format!("stale entry in tests/doc-example-errors.txt (it decodes or is gone): {key}: {reason}"));
        }
    }
    println!(
        "{} documented response examples: {decoded} decoded, {} listed as HighLevel doc errors; SKILL.md: {skill_requests} request bodies, {} other samples",
        examples.len(),
        known.len(),
        skill_others.len()
    );
    assert!(!examples.is_empty(), "no response example found under {}", reference.display());
    assert!(failures.is_empty(), "{} problem(s):\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn paths_match_without_parameter_names() {
    assert_eq!(normalize_path("/contacts/{contactId}/notes/{id}"), "/contacts/{}/notes/{}");
    assert_eq!(normalize_path("/contacts/"), "/contacts/");
}

#[test]
fn skill_samples_are_told_apart() {
    let text = "curl -X POST x \\\n-d '{\n\"a\": 1\n}'\nResponse\n{\n\"id\": \"x\"\n}\n-d '{\"b\": 2}'\n";
    let (bodies, others) = skill_response_samples(text);
    assert_eq!(bodies, 2);
    assert_eq!(others, ["SKILL.md:6: {"]);
}
