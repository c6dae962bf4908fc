//! Faults injected by the mock server, and what the client must do with each.
//!
//! What the runtime promises (`ghl_client::RetryPolicy`): a 429 is retried
//! for every method after the wait the server names (unless the daily quota
//! is spent); server errors and network failures are retried only for
//! idempotent methods (GET, PUT, DELETE, …), never for POST; attempts are
//! bounded by `RetryPolicy::attempts()`. Every failure is a typed `Error`,
//! unknown enum values are kept in the catch-all variant, and unknown
//! fields are ignored. Each test counts the requests that reached the mock.
//!
//! Retry waits run on tokio's paused clock (`start_paused`), so a 2 s
//! `Retry-After` costs no real time; the client is built without timers of
//! its own (no timeout, no idle-pool timer) so the clock only jumps when
//! every task waits on one.

use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use ghl_client::contacts::{ContactResponse, CreateContactRequest, DndStatus};
use ghl_client::{Client, Error, RateLimitKind, RetryPolicy};
use tests::mock::{Fault, FaultScope, MockServer, MockSpec, UNKNOWN_ENUM_VALUE};
use tokio::time::Instant;

const GET: &str = "getContact";
const POST: &str = "createContact";

fn spec() -> Arc<MockSpec> {
    static SPEC: OnceLock<Arc<MockSpec>> = OnceLock::new();
    SPEC.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").join("spec");
        Arc::new(MockSpec::load(dir).unwrap_or_else(|e| panic!("the spec does not lower:\n{e}")))
    })
    .clone()
}

async fn server() -> MockServer {
    MockServer::start(spec()).await.expect("mock starts")
}

/// A client with no timers of its own (see the module docs) and the default retry policy.
fn client(server: &MockServer) -> Client {
    builder(server).build().expect("client builds")
}

fn builder(server: &MockServer) -> ghl_client::ClientBuilder {
    Client::builder()
        .base_url(server.base_url())
        .private_integration_token("fault-test-token")
        .location_id("fault-location")
        .timeout(None)
        .deadline(None)
        .connect_timeout(None)
        .pool_idle_timeout(None)
}

fn attempts() -> usize {
    RetryPolicy::default().attempts() as usize
}

async fn get(client: &Client) -> Result<ContactResponse, Error> {
    client.contacts().get_contact("c-1").send().await
}

async fn post(client: &Client) -> Result<ContactResponse, Error> {
    client.contacts().create_contact(CreateContactRequest::new("fault-location").first_name("Ann")).send().await
}

fn only(op: &str) -> FaultScope {
    FaultScope::Operation(op.to_owned())
}

fn assert_clean(server: &MockServer) {
    assert!(server.violations().is_empty(), "contract violations: {:#?}", server.violations());
}

// ---- 429 -------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn rate_limited_post_is_retried_once() {
    let server = server().await;
    let client = client(&server);
    server.inject(only(POST), Fault::RateLimited { retry_after_secs: 2.0, daily_exhausted: false }, 1);
    let created = post(&client).await.expect("the retry after the 429 succeeds");
    assert!(created.contact.is_some());
    assert_eq!(server.request_count(POST), 2, "a 429 is retried (even a POST: it was not processed), once");
    assert_clean(&server);
}

/// The 429 carries `Retry-After: 2` and HighLevel's headers
/// (`X-RateLimit-Remaining: 0`, `X-RateLimit-Interval-Milliseconds: 10000`):
/// the retry goes out after the 2 s the server named, not much later.
#[tokio::test(start_paused = true)]
async fn retry_after_a_429_waits_what_the_server_named() {
    let server = server().await;
    let client = client(&server);
    server.inject(only(POST), Fault::RateLimited { retry_after_secs: 2.0, daily_exhausted: false }, 1);
    let started = Instant::now();
    post(&client).await.expect("the retry after the 429 succeeds");
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(2), "retried after only {waited:?}, before Retry-After");
    assert!(
        waited < Duration::from_secs(3),
        "retried after {waited:?} although Retry-After said 2 s (the client-side limiter, told \
         `X-RateLimit-Remaining: 0`, held every slot for its whole window)"
    );
}

#[tokio::test(start_paused = true)]
async fn rate_limit_that_never_clears_ends_in_a_rate_limited_error() {
    let server = server().await;
    let client = client(&server);
    server.inject_always(only(GET), Fault::RateLimited { retry_after_secs: 1.0, daily_exhausted: false });
    match get(&client).await {
        Err(Error::RateLimited { kind: RateLimitKind::Burst, wait, request_id, .. }) => {
            assert_eq!(wait, Some(Duration::from_secs(1)));
            assert!(request_id.is_some(), "the request id of the last answer is kept");
        }
        other => panic!("expected a burst RateLimited error, got {other:?}"),
    }
    assert_eq!(server.request_count(GET), attempts(), "retried up to the attempt budget, no further");
}

#[tokio::test(start_paused = true)]
async fn spent_daily_quota_fails_at_once() {
    let server = server().await;
    let client = client(&server);
    server.inject_always(only(GET), Fault::RateLimited { retry_after_secs: 1.0, daily_exhausted: true });
    let e = get(&client).await.expect_err("the daily quota is spent");
    assert!(matches!(e, Error::RateLimited { kind: RateLimitKind::Daily, .. }), "{e:?}");
    assert!(!e.is_retryable());
    assert_eq!(server.request_count(GET), 1, "waiting seconds does not help a daily limit");
}

// ---- 5xx -------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn get_is_retried_after_a_503() {
    let server = server().await;
    let client = client(&server);
    server.inject(only(GET), Fault::ServerError { status: 503 }, 1);
    let contact = get(&client).await.expect("the retry succeeds");
    assert!(contact.contact.is_some());
    assert_eq!(server.request_count(GET), 2);
    assert_clean(&server);
}

#[tokio::test(start_paused = true)]
async fn post_is_never_repeated_after_a_server_error() {
    for status in [500u16, 502, 503] {
        let server = server().await;
        let client = client(&server);
        server.inject(only(POST), Fault::ServerError { status }, 1);
        match post(&client).await {
            Err(e @ Error::Api { .. }) => {
                let Error::Api { status: s, message, request_id, .. } = &e else { unreachable!() };
                assert_eq!(s.as_u16(), status);
                assert!(message.contains("injected by the mock"), "GHL's message is kept: {message}");
                assert!(request_id.as_deref().is_some_and(|id| id.starts_with("mock-")), "{request_id:?}");
                assert!(e.is_retryable(), "the caller may retry a {status} itself");
            }
            other => panic!("{status}: expected Error::Api, got {other:?}"),
        }
        assert_eq!(server.request_count(POST), 1, "{status}: a POST is sent once");
    }
}

#[tokio::test(start_paused = true)]
async fn persistent_500_on_get_gives_up_after_the_attempt_budget() {
    let server = server().await;
    let client = client(&server);
    server.inject_always(only(GET), Fault::ServerError { status: 500 });
    let e = get(&client).await.expect_err("every attempt fails");
    assert_eq!(e.status().map(|s| s.as_u16()), Some(500), "{e:?}");
    assert!(matches!(e, Error::Api { .. }), "{e:?}");
    assert_eq!(server.request_count(GET), attempts());
}

#[tokio::test(start_paused = true)]
async fn a_custom_retry_policy_is_honoured() {
    let server = server().await;
    let client = builder(&server).retry(RetryPolicy::default().max_attempts(2)).build().unwrap();
    server.inject_always(only(GET), Fault::ServerError { status: 502 });
    assert!(get(&client).await.is_err());
    assert_eq!(server.request_count(GET), 2);
    server.reset();
    let client = builder(&server).retry(RetryPolicy::none()).build().unwrap();
    server.inject_always(only(GET), Fault::ServerError { status: 502 });
    assert!(get(&client).await.is_err());
    assert_eq!(server.request_count(GET), 1);
}

// ---- the connection ----------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn connection_reset_is_retried_for_get_only() {
    let server = server().await;
    let client = client(&server);
    server.inject(only(GET), Fault::ConnectionReset, 1);
    get(&client).await.expect("a GET is retried after a dropped connection");
    assert_eq!(server.request_count(GET), 2);

    server.inject(only(POST), Fault::ConnectionReset, 1);
    let e = post(&client).await.expect_err("a POST is not retried");
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    assert!(e.is_retryable());
    assert_eq!(server.request_count(POST), 1, "the POST may have been processed: never sent twice");
    assert_clean(&server);
}

#[tokio::test(start_paused = true)]
async fn body_cut_off_mid_stream_is_retried_for_get_only() {
    let server = server().await;
    let client = client(&server);
    server.inject(only(GET), Fault::TruncatedBody, 1);
    get(&client).await.expect("a GET is retried after a broken body");
    assert_eq!(server.request_count(GET), 2);

    server.inject(only(POST), Fault::TruncatedBody, 1);
    let e = post(&client).await.expect_err("a POST is not retried");
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    assert_eq!(server.request_count(POST), 1);
}

/// Real time: the client's own timeout is what is tested.
#[tokio::test]
async fn slow_response_past_the_timeout_is_a_timeout_error() {
    let server = server().await;
    let timeout = Duration::from_millis(300);
    let client = builder(&server)
        .timeout(timeout)
        .retry(RetryPolicy::default().base_delay(Duration::from_millis(20)))
        .build()
        .unwrap();
    server.inject(only(POST), Fault::Slow { delay_ms: 3_000 }, 1);
    let started = std::time::Instant::now();
    match post(&client).await {
        Err(Error::Timeout { connect: false, after, .. }) => assert_eq!(after, Some(timeout)),
        other => panic!("expected Error::Timeout, got {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(2), "gave up after {:?}", started.elapsed());
    assert_eq!(server.request_count(POST), 1, "a timed-out POST is not repeated");

    server.inject(only(GET), Fault::Slow { delay_ms: 3_000 }, 1);
    get(&client).await.expect("a timed-out GET is retried and the retry succeeds");
    assert_eq!(server.request_count(GET), 2);

    server.inject(only(GET), Fault::Slow { delay_ms: 100 }, 1);
    get(&client).await.expect("a slow answer within the timeout is fine");
    assert_eq!(server.request_count(GET), 3);
}

// ---- bodies that are not what was promised -----------------------------------

#[tokio::test(start_paused = true)]
async fn truncated_json_is_a_decode_error_keeping_the_body() {
    let server = server().await;
    let client = client(&server);
    server.inject(only(GET), Fault::TruncatedJson, 1);
    match get(&client).await {
        Err(Error::Decode { status, raw, request_id, .. }) => {
            assert_eq!(status.as_u16(), 200);
            assert!(raw.starts_with(b"{\"contact\":"), "{raw:?}");
            assert!(serde_json::from_slice::<serde_json::Value>(&raw).is_err());
            assert!(request_id.is_some());
        }
        other => panic!("expected Error::Decode, got {other:?}"),
    }
    assert_eq!(server.request_count(GET), 1, "a complete answer that does not decode is not retried");
}

#[tokio::test(start_paused = true)]
async fn html_error_page_is_an_api_error_keeping_the_page() {
    let server = server().await;
    let client = client(&server);
    server.inject(only(POST), Fault::HtmlErrorPage { status: 502 }, 1);
    match post(&client).await {
        Err(Error::Api { status, body, raw, message, .. }) => {
            assert_eq!(status.as_u16(), 502);
            assert!(body.is_none(), "an HTML page is not GHL's error body");
            assert!(String::from_utf8_lossy(&raw).contains("<h1>502 Bad Gateway</h1>"));
            assert_eq!(message, "Bad Gateway");
        }
        other => panic!("expected Error::Api, got {other:?}"),
    }
    assert_eq!(server.request_count(POST), 1);

    server.inject(only(GET), Fault::HtmlErrorPage { status: 502 }, 1);
    get(&client).await.expect("a GET is retried after a proxy's 502 page");
    assert_eq!(server.request_count(GET), 2);
}

#[tokio::test(start_paused = true)]
async fn plain_text_where_json_is_expected_is_a_decode_error() {
    let server = server().await;
    let client = client(&server);
    server.inject(only(GET), Fault::WrongContentType, 1);
    match get(&client).await {
        Err(e @ Error::Decode { .. }) => {
            let Error::Decode { status, raw, .. } = &e else { unreachable!() };
            assert_eq!(status.as_u16(), 200);
            assert_eq!(&raw[..], b"OK");
            assert!(e.to_string().contains("body starts with: OK"), "{e}");
        }
        other => panic!("expected Error::Decode, got {other:?}"),
    }
    assert_eq!(server.request_count(GET), 1);
}

// ---- forward compatibility -----------------------------------------------------

#[tokio::test(start_paused = true)]
async fn unknown_enum_values_are_kept_in_the_catch_all_variant() {
    let server = server().await;
    let client = client(&server);
    server.inject(only(GET), Fault::UnknownEnumValue, 1);
    let answer = get(&client).await.expect("an unknown enum value still decodes");
    let status = answer
        .contact
        .and_then(|c| c.dnd_settings)
        .and_then(|d| d.call)
        .and_then(|call| call.status)
        .expect("the mock fills contact.dndSettings.Call.status");
    assert_eq!(status, DndStatus::Unknown(UNKNOWN_ENUM_VALUE.to_owned()));
    assert_eq!(status.as_str(), UNKNOWN_ENUM_VALUE);
    assert_eq!(status.to_string(), UNKNOWN_ENUM_VALUE);
    assert_eq!(serde_json::to_value(&status).unwrap(), serde_json::json!(UNKNOWN_ENUM_VALUE), "sent back as received");
}

#[tokio::test(start_paused = true)]
async fn unknown_fields_are_ignored() {
    let server = server().await;
    let client = client(&server);
    let plain = get(&client).await.expect("the normal answer decodes");
    server.inject(only(GET), Fault::UnknownFields, 1);
    let with_extra =
        client.contacts().get_contact("c-1").send_with_meta().await.expect("unknown fields do not fail decoding");
    assert!(
        String::from_utf8_lossy(&with_extra.raw).contains(tests::mock::UNKNOWN_FIELD),
        "the mock did add the field"
    );
    assert_eq!(with_extra.body, plain, "the known fields decode exactly as without the extra ones");
}

// ---- every fault, every module ---------------------------------------------------

/// One sample operation per module, under every fault: the call ends (no
/// hang, no panic) with the outcome the runtime promises for its method.
#[tokio::test(start_paused = true)]
async fn every_fault_on_one_operation_per_module_gives_the_promised_outcome() {
    let spec = spec();
    let server = server().await;
    let client = builder(&server).no_rate_limit().build().unwrap();
    let mut seen_modules = std::collections::BTreeSet::new();
    // Samples the schema check still refuses (tests/mock-schema-known.txt) would
    // fail for that reason under every fault: pick another operation of the module.
    let known = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("mock-schema-known.txt"))
        .expect("tests/mock-schema-known.txt");
    // By operationId alone: v2 and v3 twins with one method, path and Version reach the same mock operation.
    let refused: std::collections::BTreeSet<&str> = known
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once(':').and_then(|(op, _)| op.split_whitespace().last()))
        .collect();
    let picked: Vec<(String, &'static str)> = ghl_client::contract_samples(&client)
        .into_iter()
        .filter(|(_, id, _)| !refused.contains(id))
        .filter(|(module, _, _)| seen_modules.insert(*module))
        .map(|(module, id, _)| (module.to_owned(), id))
        .collect();
    assert!(picked.len() > 20, "only {} modules", picked.len());
    let mut problems = Vec::new();
    for fault in Fault::all() {
        for (module, id) in &picked {
            let op = spec.operation(id).unwrap_or_else(|| panic!("{id} is in the spec"));
            let idempotent = matches!(op.op.method.as_str(), "GET" | "PUT" | "DELETE" | "HEAD" | "OPTIONS");
            server.reset();
            server.inject(FaultScope::Operation((*id).to_owned()), fault.clone(), 1);
            let call = ghl_client::contract_samples(&client)
                .into_iter()
                .find(|(_, i, _)| i == id)
                .map(|(_, _, call)| call)
                .expect("the sample call exists");
            let outcome = match tokio::spawn(call).await {
                Ok(r) => r,
                Err(join) => {
                    problems.push(format!("{fault:?} on {id} ({module}): the call panicked: {join}"));
                    continue;
                }
            };
            if let Err(e) = &outcome {
                let _ = e.to_string(); // messages are built without panicking
            }
            let expected = expected_outcome(&fault, idempotent);
            let sent = server.request_count(id);
            let ok = match (&expected, &outcome) {
                (Expect::Ok { requests }, Ok(())) => sent == *requests,
                (Expect::Err { check, requests }, Err(e)) => check(e) && sent == *requests,
                _ => false,
            };
            if !ok {
                problems.push(format!(
                    "{fault:?} on {id} ({module}, {}): expected {}, got {:?} after {sent} request(s)",
                    op.op.method.as_str(),
                    expected.describe(),
                    outcome
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{} unexpected outcome(s):\n{}", problems.len(), problems.join("\n"));
}

enum Expect {
    Ok { requests: usize },
    Err { check: fn(&Error) -> bool, requests: usize },
}

impl Expect {
    fn describe(&self) -> String {
        match self {
            Expect::Ok { requests } => format!("Ok after {requests} request(s)"),
            Expect::Err { requests, .. } => format!("the typed error after {requests} request(s)"),
        }
    }
}

fn expected_outcome(fault: &Fault, idempotent: bool) -> Expect {
    let retried_or = |check: fn(&Error) -> bool| {
        if idempotent { Expect::Ok { requests: 2 } } else { Expect::Err { check, requests: 1 } }
    };
    match fault {
        Fault::RateLimited { daily_exhausted: false, .. } => Expect::Ok { requests: 2 },
        Fault::RateLimited { daily_exhausted: true, .. } => {
            Expect::Err { check: |e| matches!(e, Error::RateLimited { kind: RateLimitKind::Daily, .. }), requests: 1 }
        }
        Fault::ServerError { .. } | Fault::HtmlErrorPage { .. } => retried_or(|e| matches!(e, Error::Api { .. })),
        Fault::ConnectionReset | Fault::TruncatedBody => retried_or(|e| matches!(e, Error::Transport { .. })),
        Fault::TruncatedJson | Fault::WrongContentType => {
            Expect::Err { check: |e| matches!(e, Error::Decode { .. }), requests: 1 }
        }
        Fault::Slow { .. } | Fault::UnknownEnumValue | Fault::UnknownFields => Expect::Ok { requests: 1 },
        // Not in `Fault::all()`: what a replayed body gives depends on the body.
        Fault::Body { .. } => Expect::Ok { requests: 1 },
    }
}
