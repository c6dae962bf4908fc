//! Every operation of the spec, called through the generated client against
//! the spec-driven mock server (`tests::mock`).
//!
//! Each sample call (`ghl_client::contract_samples`: required arguments
//! filled from their types) must send exactly one request, the mock must route
//! it to the same operation and find nothing wrong with it, and the answer
//! (built from the response type) must decode into the generated model.
//!
//! Run with `cargo test -p tests --test contract`; `tests/Cargo.toml` turns on
//! `full`, `contract-samples` and `undocumented` of ghl-client.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ghl_client::{Client, RetryPolicy};
use tests::mock::{MockServer, MockSpec};

const LOCATION: &str = "contract-location";

fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").join("spec")
}

fn load_spec() -> Arc<MockSpec> {
    Arc::new(MockSpec::load(spec_dir()).unwrap_or_else(|e| panic!("the spec does not lower:\n{e}")))
}

fn client_for(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.base_url())
        .private_integration_token("contract-test-token")
        .location_id(LOCATION)
        .no_rate_limit()
        .retry(RetryPolicy::none())
        .build()
        .expect("client builds")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_is_accepted_by_the_mock_and_decodes() {
    let spec = load_spec();
    let server = MockServer::start(spec.clone()).await.expect("mock starts");
    let client = client_for(&server);

    // (module, operationId) of every operation of the IR: an operationId is
    // unique within a version, and v2 and v3 share many.
    // Its value is what the server sees: v2 and v3 ad publishing share
    // method, path and Version, so either may answer the other's call.
    let expected: BTreeMap<(String, String), String> = spec
        .operations()
        .iter()
        .map(|o| {
            ((o.module.clone(), o.op.id.clone()), format!("{} {} {}", o.op.method.as_str(), o.op.path, o.op.version))
        })
        .collect();
    let on_the_wire = |module: Option<&str>, id: Option<&str>| {
        expected.get(&(module.unwrap_or_default().to_owned(), id.unwrap_or_default().to_owned()))
    };
    let mut failures: Vec<String> = Vec::new();
    let mut exercised: BTreeSet<(String, String)> = BTreeSet::new();
    let mut called: BTreeSet<(String, String)> = BTreeSet::new();

    // One at a time, so that each request is attributed to its call.
    for (module, id, call) in ghl_client::contract_samples(&client) {
        let key = (module.to_owned(), id.to_owned());
        if !called.insert(key.clone()) {
            failures.push(format!("{id} ({module}): more than one sample call"));
            continue;
        }
        let before = server.requests().len();
        let result = call.await;
        let sent: Vec<_> = server.requests().into_iter().skip(before).collect();
        let routed: Vec<String> = sent
            .iter()
            .map(|r| match (&r.module, &r.operation_id) {
                (Some(m), Some(o)) => format!("{} {} -> {o} ({m})", r.method, r.path),
                _ => format!("{} {} -> no operation", r.method, r.path),
            })
            .collect();
        match (&result, sent.as_slice()) {
            (_, []) => failures.push(format!("{id} ({module}): no request reached the mock ({result:?})")),
            (_, [one])
                if on_the_wire(one.module.as_deref(), one.operation_id.as_deref()).is_none()
                    || on_the_wire(one.module.as_deref(), one.operation_id.as_deref())
                        != on_the_wire(Some(module), Some(id)) =>
            {
                failures.push(format!("{id} ({module}): the request was routed elsewhere: {}", routed.join(", ")))
            }
            (Err(e), [one]) => failures.push(format!("{id} ({module}): {e}\n      sent: {}", describe_request(one))),
            (Err(e), _) => failures.push(format!("{id} ({module}): {e}")),
            (Ok(()), [_]) => {
                if expected.contains_key(&key) {
                    exercised.insert(key);
                } else {
                    failures.push(format!("{id} ({module}): not an operation of the spec (stale generated code?)"));
                }
            }
            (Ok(()), _) => {
                failures.push(format!("{id} ({module}): sent {} requests: {}", sent.len(), routed.join(", ")))
            }
        }
    }
    for key @ (module, id) in expected.keys() {
        if !called.contains(key) {
            failures.push(format!("{id} ({module}): no sample call was generated (run `cargo xtask codegen`?)"));
        }
    }

    // Problems the spec's schemas find that the samples or the mock's answers
    // still cause (listed in tests/mock-schema-known.txt): they are dropped,
    // with the failure of their call; listed ones that no longer happen fail.
    let known = known_schema_problems();
    let mut known_seen = BTreeSet::new();
    let mut known_ops = BTreeSet::new();
    let mut violations = Vec::new();
    for mut v in server.violations() {
        let who = format!("{} {}", v.module.as_deref().unwrap_or("-"), v.operation_id.as_deref().unwrap_or("-"));
        v.problems.retain(|p| {
            let line = format!("{who}: {p}");
            let is_known = known.contains(&line);
            if is_known {
                known_seen.insert(line);
            }
            !is_known
        });
        if v.problems.is_empty() {
            known_ops.insert((v.module.clone().unwrap_or_default(), v.operation_id.clone().unwrap_or_default()));
        } else {
            violations.push(v);
        }
    }
    // By operationId alone: v2 and v3 ad publishing answer each other's calls.
    failures.retain(|f| !known_ops.iter().any(|(_, id)| f.starts_with(&format!("{id} ("))));
    let known_exercised =
        expected.keys().filter(|k| !exercised.contains(*k) && known_ops.iter().any(|(_, id)| *id == k.1)).count();
    for k in known.difference(&known_seen) {
        failures.push(format!("listed in tests/mock-schema-known.txt but no longer happens: {k}"));
    }
    println!(
        "operations exercised: {}/{} (+{known_exercised} with known schema problems)",
        exercised.len(),
        expected.len()
    );
    if !spec.example_notes().is_empty() {
        println!("spec examples not used because they do not fit their type ({}):", spec.example_notes().len());
        for n in spec.example_notes() {
            println!("  {n}");
        }
    }
    let mut report = String::new();
    if !failures.is_empty() {
        report.push_str(&format!("{} operation(s) failed:\n", failures.len()));
        for f in &failures {
            report.push_str(&format!("  {f}\n"));
        }
    }
    if !violations.is_empty() {
        report.push_str(&format!("{} contract violation(s) recorded by the mock:\n", violations.len()));
        for v in &violations {
            report.push_str(&format!("  {v}\n"));
        }
    }
    assert!(
        report.is_empty() && exercised.len() + known_exercised == expected.len(),
        "operations exercised: {}/{}\n{report}",
        exercised.len(),
        expected.len()
    );
}

/// `module operationId: problem` lines of tests/mock-schema-known.txt.
fn known_schema_problems() -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("mock-schema-known.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_owned).collect()
}

fn describe_request(r: &tests::mock::RecordedRequest) -> String {
    let ct = r.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("no content type");
    let body = String::from_utf8_lossy(&r.body);
    let body: String = body.chars().take(300).collect();
    let query = r.query.as_deref().map(|q| format!("?{q}")).unwrap_or_default();
    format!("{} {}{query} ({ct}, {} bytes) {body}", r.method, r.path, r.body.len())
}

/// The mock is only useful if it rejects what breaks the contract: each
/// request below is wrong in one way, and must be answered with the right
/// status and a message naming the problem.
#[tokio::test]
async fn the_mock_rejects_requests_that_break_the_contract() {
    use ghl_client::{Body, Error, OperationMeta, Request, TokenKind};

    let spec = load_spec();
    let server = MockServer::start(spec.clone()).await.expect("mock starts");
    let client = client_for(&server);

    static WRONG_VERSION: OperationMeta = OperationMeta {
        id: "getContact",
        method: http::Method::GET,
        path: "/contacts/{contactId}",
        version: "2021-04-15",
        token: TokenKind::Location,
        scopes: &[],
    };
    static CREATE_CONTACT: OperationMeta = OperationMeta {
        id: "createContact",
        method: http::Method::POST,
        path: "/contacts/",
        version: "2021-07-28",
        token: TokenKind::Location,
        scopes: &[],
    };
    static LIST_CONTACTS: OperationMeta = OperationMeta {
        id: "listContacts",
        method: http::Method::GET,
        path: "/contacts/",
        version: "2021-07-28",
        token: TokenKind::Location,
        scopes: &[],
    };
    static PATCH_CONTACT: OperationMeta = OperationMeta {
        id: "patchContact",
        method: http::Method::PATCH,
        path: "/contacts/{contactId}",
        version: "2021-07-28",
        token: TokenKind::Location,
        scopes: &[],
    };
    static NO_SUCH_PATH: OperationMeta = OperationMeta {
        id: "noSuchPath",
        method: http::Method::GET,
        path: "/contacts",
        version: "2021-07-28",
        token: TokenKind::Location,
        scopes: &[],
    };

    async fn expect_rejected(client: &Client, request: Request, status: u16, needle: &str) {
        let id = request.meta.id;
        match client.execute::<serde_json::Value>(request).await {
            Err(Error::Api { status: s, message, .. }) => {
                assert_eq!(s.as_u16(), status, "{id}: {message}");
                assert!(message.contains(needle), "{id}: expected `{needle}` in: {message}");
            }
            other => panic!("{id}: expected a {status} from the mock, got {other:?}"),
        }
    }

    expect_rejected(
        &client,
        Request::new(&WRONG_VERSION, "/contacts/c1".into()),
        400,
        "header Version: expected `2021-07-28`, got `2021-04-15`",
    )
    .await;

    // locationId is a required query parameter of listContacts.
    expect_rejected(
        &client,
        Request::new(&LIST_CONTACTS, "/contacts/".into()),
        400,
        "query parameter `locationId`: required",
    )
    .await;
    let mut r = Request::new(&LIST_CONTACTS, "/contacts/".into());
    r.query("locationId", "l1");
    r.query("limit", "many");
    r.query("color", "blue");
    expect_rejected(&client, r, 400, "query parameter `limit`: `many` is not an integer").await;
    let mut r = Request::new(&LIST_CONTACTS, "/contacts/".into());
    r.query("locationId", "l1");
    r.query("color", "blue");
    expect_rejected(&client, r, 400, "query parameter `color`: not declared").await;

    // Bodies: required field, JSON kinds, unknown fields, content type.
    let mut r = Request::new(&CREATE_CONTACT, "/contacts/".into());
    r.json(&serde_json::json!({"firstName": "Ann"})).unwrap();
    expect_rejected(&client, r, 422, "missing required field `locationId`").await;
    let mut r = Request::new(&CREATE_CONTACT, "/contacts/".into());
    r.json(&serde_json::json!({"locationId": "l1", "firstName": 7})).unwrap();
    expect_rejected(&client, r, 422, "body.firstName: expected a string, got number 7").await;
    let mut r = Request::new(&CREATE_CONTACT, "/contacts/".into());
    r.json(&serde_json::json!({"locationId": "l1", "favouriteColour": "blue"})).unwrap();
    expect_rejected(&client, r, 422, "unknown field `favouriteColour`").await;
    let mut r = Request::new(&CREATE_CONTACT, "/contacts/".into());
    r.body = Body::Form("locationId=l1".into());
    expect_rejected(&client, r, 422, "Content-Type: expected `application/json`").await;
    expect_rejected(&client, Request::new(&CREATE_CONTACT, "/contacts/".into()), 422, "body: required").await;

    // Formats and patterns come from the spec's own schemas (the lowered
    // types know only "a string"); a well-formed value passes.
    static CREATE_TASK: OperationMeta = OperationMeta {
        id: "createContactTask",
        method: http::Method::POST,
        path: "/contacts/{contactId}/tasks",
        version: "2021-07-28",
        token: TokenKind::Location,
        scopes: &[],
    };
    let mut r = Request::new(&CREATE_TASK, "/contacts/c1/tasks".into());
    r.json(&serde_json::json!({"title": "Call", "dueDate": "next Tuesday", "completed": false})).unwrap();
    expect_rejected(&client, r, 422, "body/dueDate: value is not a \"date-time\"").await;
    let mut r = Request::new(&CREATE_TASK, "/contacts/c1/tasks".into());
    r.json(&serde_json::json!({"title": "Call", "dueDate": "2020-10-25T11:00:00Z", "completed": false})).unwrap();
    client.execute::<serde_json::Value>(r).await.expect("a well-formed task is accepted");

    // Routing.
    expect_rejected(&client, Request::new(&NO_SUCH_PATH, "/contacts".into()), 404, "GET /contacts/").await;
    expect_rejected(&client, Request::new(&PATCH_CONTACT, "/contacts/c1".into()), 405, "only for").await;

    // An enum value the spec does not list is flagged in a request body.
    let enum_op = spec
        .operations()
        .iter()
        .find(|o| o.op.id == "bulkUpdateContactTags")
        .expect("bulkUpdateContactTags is in the spec");
    assert_eq!(enum_op.op.path, "/contacts/bulk/tags/update/{type}");
    static BULK_TAGS: OperationMeta = OperationMeta {
        id: "bulkUpdateContactTags",
        method: http::Method::POST,
        path: "/contacts/bulk/tags/update/{type}",
        version: "2021-07-28",
        token: TokenKind::Location,
        scopes: &[],
    };
    let mut r = Request::new(&BULK_TAGS, "/contacts/bulk/tags/update/toggle".into());
    r.json(&serde_json::json!({})).unwrap();
    expect_rejected(&client, r, 400, "unknown value `toggle` of enum `BulkTagAction`").await;

    // Without a bearer token (plain HTTP, as the client always sends one).
    let answer = raw_http(
        server.addr(),
        "GET /contacts/c1 HTTP/1.1\r\nHost: x\r\nVersion: 2021-07-28\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(answer.contains("header Authorization: missing"), "{answer}");

    // Every rejection above was recorded, with its operation.
    let violations = server.violations();
    assert_eq!(violations.len(), 14, "{violations:#?}");
    assert!(violations.iter().any(|v| v.operation_id.as_deref() == Some("createContact") && v.status == 422));
}

async fn raw_http(addr: std::net::SocketAddr, request: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connects");
    stream.write_all(request.as_bytes()).await.expect("writes");
    let mut out = String::new();
    stream.read_to_string(&mut out).await.expect("reads");
    out
}

/// v2 and v3 share paths but not Versions: the mock routes by both, as
/// HighLevel does, and takes any Version where HighLevel names none.
#[tokio::test]
async fn the_mock_routes_by_version_and_path() {
    let spec = load_spec();
    let server = MockServer::start(spec.clone()).await.expect("mock starts");
    let ops = spec.operations();
    let is_v3 = |m: &str| m.starts_with("v3::");
    // A GET without parameters keeps the raw requests simple.
    let plain_get = |o: &&tests::mock::MockOperation| {
        o.op.method.as_str() == "GET" && !o.op.path.contains('{') && o.op.params.iter().all(|p| !p.required)
    };
    let get = |path: &str, version: Option<&str>| {
        let version = version.map(|v| format!("Version: {v}\r\n")).unwrap_or_default();
        format!("GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n{version}Connection: close\r\n\r\n")
    };

    // The same path in both versions reaches the operation of the Version sent.
    let shared = ops
        .iter()
        .filter(plain_get)
        .find(|v3| {
            is_v3(&v3.module)
                && !v3.op.version_any
                && ops.iter().any(|v2| {
                    !is_v3(&v2.module)
                        && v2.op.path == v3.op.path
                        && v2.op.method == v3.op.method
                        && v2.op.version != v3.op.version
                })
        })
        .expect("an operation whose path is in v2 and v3 with different Versions");
    let v2 = ops
        .iter()
        .find(|o| !is_v3(&o.module) && o.op.path == shared.op.path && o.op.method == shared.op.method)
        .expect("its v2 twin");
    for (op, version) in [(shared, &shared.op.version), (v2, &v2.op.version)] {
        let before = server.requests().len();
        let answer = raw_http(server.addr(), &get(&op.op.path, Some(version))).await;
        assert!(answer.starts_with("HTTP/1.1 2"), "{} with Version {version}: {answer}", op.op.path);
        let r = &server.requests()[before];
        assert_eq!(r.module.as_deref(), Some(op.module.as_str()), "Version {version} reaches {}", op.module);
    }

    // A v2-only path with `Version: v3` is refused, naming the Version.
    let v2_only = ops
        .iter()
        .filter(plain_get)
        .find(|o| {
            !is_v3(&o.module) && !o.op.version_any && !ops.iter().any(|t| is_v3(&t.module) && t.op.path == o.op.path)
        })
        .expect("a v2 operation that v3 does not have");
    let answer = raw_http(server.addr(), &get(&v2_only.op.path, Some("v3"))).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{}: {answer}", v2_only.op.path);
    assert!(answer.contains("header Version: expected"), "{answer}");

    // Where HighLevel names no Version, any Version (or none) is taken.
    let any = ops.iter().filter(plain_get).find(|o| o.op.version_any).expect("an operation with x-ghl-version-any");
    for version in [Some("v3"), Some("2021-07-28"), None] {
        let answer = raw_http(server.addr(), &get(&any.op.path, version)).await;
        assert!(!answer.contains("header Version"), "{} with {version:?}: {answer}", any.op.path);
    }
}
