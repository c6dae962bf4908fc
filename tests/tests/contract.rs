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

    // operationId -> module, for every operation of the IR (all modules).
    let expected: BTreeMap<String, String> =
        spec.operations().iter().map(|o| (o.op.id.clone(), o.module.clone())).collect();
    let mut failures: Vec<String> = Vec::new();
    let mut exercised: BTreeSet<String> = BTreeSet::new();
    let mut called: BTreeSet<String> = BTreeSet::new();

    // One at a time, so that each request is attributed to its call.
    for (module, id, call) in ghl_client::contract_samples(&client) {
        if !called.insert(id.to_owned()) {
            failures.push(format!("{id} ({module}): more than one sample call"));
            continue;
        }
        let before = server.requests().len();
        let result = call.await;
        let sent: Vec<_> = server.requests().into_iter().skip(before).collect();
        let routed: Vec<String> = sent
            .iter()
            .map(|r| format!("{} {} -> {}", r.method, r.path, r.operation_id.as_deref().unwrap_or("no operation")))
            .collect();
        match (&result, sent.as_slice()) {
            (_, []) => failures.push(format!("{id} ({module}): no request reached the mock ({result:?})")),
            (_, [one]) if one.operation_id.as_deref() != Some(id) => {
                failures.push(format!("{id} ({module}): the request was routed elsewhere: {}", routed.join(", ")))
            }
            (Err(e), [one]) => failures.push(format!("{id} ({module}): {e}\n      sent: {}", describe_request(one))),
            (Err(e), _) => failures.push(format!("{id} ({module}): {e}")),
            (Ok(()), [_]) => {
                if expected.contains_key(id) {
                    exercised.insert(id.to_owned());
                } else {
                    failures.push(format!("{id} ({module}): not an operation of the spec (stale generated code?)"));
                }
            }
            (Ok(()), _) => {
                failures.push(format!("{id} ({module}): sent {} requests: {}", sent.len(), routed.join(", ")))
            }
        }
    }
    for (id, module) in &expected {
        if !called.contains(id) {
            failures.push(format!("{id} ({module}): no sample call was generated (run `cargo xtask codegen`?)"));
        }
    }

    println!("operations exercised: {}/{}", exercised.len(), expected.len());
    let violations = server.violations();
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
        report.is_empty() && exercised.len() == expected.len(),
        "operations exercised: {}/{}\n{report}",
        exercised.len(),
        expected.len()
    );
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
    assert_eq!(violations.len(), 13, "{violations:#?}");
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
