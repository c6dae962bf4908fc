//! A mock HighLevel API server driven by `spec/`.
//!
//! [`MockServer`] listens on loopback and, for every request:
//!
//! 1. routes it by method and path template to an operation of the spec
//!    (the most specific template wins);
//! 2. checks it against that operation as the generator lowered it: path
//!    parameters present and of their type, required query parameters, no
//!    undeclared ones, `Version` equal to the operation's `x-ghl-version`,
//!    `Authorization: Bearer <token>` (unless the operation has
//!    `security: []`), the content type (JSON, form or multipart) and the
//!    body against the request type (required fields present, JSON kinds
//!    right, no unknown fields, enum values known);
//! 3. answers a contract violation with a 4xx (401 credentials, 400
//!    parameters or headers, 422 body, 404/405 routing) whose JSON body lists
//!    every problem in `message`, and records it ([`MockServer::violations`]);
//! 4. otherwise answers with the operation's success status and a body built
//!    from its response type, every field filled and `example` values of the
//!    spec used where they fit (204 with no body for operations without one);
//!    a page past the first of a paged operation comes back empty, so that
//!    streams end;
//! 5. unless a queued [`Fault`] applies, which replaces or alters the answer.
//!
//! ```no_run
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use tests::mock::{Fault, FaultScope, MockServer, MockSpec};
//!
//! let spec = Arc::new(MockSpec::load("spec")?);
//! let server = MockServer::start(spec).await?;
//! server.inject(FaultScope::Operation("getContact".into()), Fault::ServerError { status: 503 }, 1);
//! // … point a client at server.base_url() and call it …
//! assert!(server.violations().is_empty(), "{:#?}", server.violations());
//! assert_eq!(server.request_count("getContact"), 2); // the 503, then the retry
//! # Ok(()) }
//! ```
//!
//! The same control is available over HTTP under `/__mock/` (for
//! `cargo xtask mock`): `GET /__mock/violations`, `GET /__mock/requests`,
//! `POST /__mock/faults` with a [`FaultRule`] as JSON, `DELETE /__mock/faults`,
//! `POST /__mock/reset`.

mod check;
mod fault;
mod multipart;
mod respond;
mod schema;
mod spec;
mod validate;

use std::fmt;
use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use hyper::{HeaderMap, Method, Request, Response, StatusCode};
use serde::Serialize;
use serde_json::{Value, json};
use tokio::net::TcpListener;

pub use fault::{Fault, FaultRule, FaultScope, UNKNOWN_ENUM_VALUE, UNKNOWN_FIELD};
pub use spec::{MockOperation, MockSpec, Route};

/// A request that broke the contract of the spec.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// The module of the operation it was routed to (`contacts`, `v3::contacts`).
    pub module: Option<String>,
    /// The operation it was routed to, if any.
    pub operation_id: Option<String>,
    /// HTTP method.
    pub method: String,
    /// Path as sent (with the query, if any).
    pub path: String,
    /// Status it was answered with (when no fault replaced the answer).
    pub status: u16,
    /// Every problem found, one sentence each.
    pub problems: Vec<String>,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = match (&self.module, &self.operation_id) {
            (Some(m), Some(id)) => format!("{id} ({m})"),
            _ => "(no operation)".to_owned(),
        };
        write!(f, "{op}: {} {} -> {}: {}", self.method, self.path, self.status, self.problems.join("; "))
    }
}

/// One request the mock received.
#[derive(Clone, Debug, Serialize)]
pub struct RecordedRequest {
    /// Arrival order, from 1.
    pub seq: u64,
    /// HTTP method.
    pub method: String,
    /// Path, without the query.
    pub path: String,
    /// Query string, if any.
    pub query: Option<String>,
    /// The module of the operation it was routed to (`contacts`, `v3::contacts`).
    pub module: Option<String>,
    /// The operation it was routed to, if any.
    pub operation_id: Option<String>,
    /// Request headers (the `Authorization` value included: this is a mock).
    #[serde(skip)]
    pub headers: HeaderMap,
    /// Request body.
    #[serde(skip)]
    pub body: Bytes,
    /// Status answered; `None` when the connection was dropped instead.
    pub status: Option<u16>,
    /// The fault applied, if any.
    pub fault: Option<Fault>,
}

impl RecordedRequest {
    /// The body parsed as JSON (`Null` if it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// How [`MockServer::bind`] behaves.
#[derive(Clone, Debug, Default)]
pub struct MockOptions {
    /// Print one line per request (and every violation) to stderr.
    pub log: bool,
}

#[derive(Default)]
struct Journal {
    faults: Vec<FaultRule>,
    violations: Vec<Violation>,
    requests: Vec<RecordedRequest>,
}

struct State {
    spec: Arc<MockSpec>,
    journal: Mutex<Journal>,
    seq: AtomicU64,
    log: bool,
}

impl State {
    fn journal(&self) -> MutexGuard<'_, Journal> {
        self.journal.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running mock server. Stops accepting connections when dropped.
pub struct MockServer {
    addr: SocketAddr,
    state: Arc<State>,
    accept: tokio::task::JoinHandle<()>,
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

impl MockServer {
    /// Starts a server for `spec` on `127.0.0.1` at a free port.
    pub async fn start(spec: Arc<MockSpec>) -> std::io::Result<MockServer> {
        MockServer::bind(spec, SocketAddr::from(([127, 0, 0, 1], 0)), MockOptions::default()).await
    }

    /// Starts a server for `spec` on `addr` (port 0 picks a free one).
    pub async fn bind(spec: Arc<MockSpec>, addr: SocketAddr, options: MockOptions) -> std::io::Result<MockServer> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State { spec, journal: Mutex::default(), seq: AtomicU64::new(0), log: options.log });
        let accept_state = state.clone();
        let accept = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { continue };
                let state = accept_state.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| handle(state.clone(), req));
                    let io = hyper_util::rt::TokioIo::new(stream);
                    // Errors here are dropped connections, some on purpose.
                    let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
                });
            }
        });
        Ok(MockServer { addr, state, accept })
    }

    /// `http://127.0.0.1:<port>`: what `ClientBuilder::base_url` (or `GHL_BASE_URL`) takes.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The spec it serves.
    pub fn spec(&self) -> &MockSpec {
        &self.state.spec
    }

    /// Queues `fault` for the next `times` requests in `scope`.
    pub fn inject(&self, scope: FaultScope, fault: Fault, times: usize) {
        if times > 0 {
            self.add_rule(FaultRule { scope, fault, times: Some(times) });
        }
    }

    /// Applies `fault` to every request in `scope` until [`Self::clear_faults`].
    pub fn inject_always(&self, scope: FaultScope, fault: Fault) {
        self.add_rule(FaultRule { scope, fault, times: None });
    }

    /// Queues a rule (rules apply in the order they were added).
    pub fn add_rule(&self, rule: FaultRule) {
        self.state.journal().faults.push(rule);
    }

    /// Removes every queued fault.
    pub fn clear_faults(&self) {
        self.state.journal().faults.clear();
    }

    /// Every contract violation so far.
    pub fn violations(&self) -> Vec<Violation> {
        self.state.journal().violations.clone()
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.journal().requests.clone()
    }

    /// How many requests were routed to the operation `operation_id`.
    pub fn request_count(&self, operation_id: &str) -> usize {
        self.state.journal().requests.iter().filter(|r| r.operation_id.as_deref() == Some(operation_id)).count()
    }

    /// Forgets requests, violations and faults.
    pub fn reset(&self) {
        *self.state.journal() = Journal::default();
    }
}

/// Runs a mock server for the spec in `spec_dir` on `addr` until the process
/// ends, logging every request: what `cargo xtask mock` does. Prints the
/// base URL and how to point the examples at it.
pub fn serve_forever(spec_dir: &Path, addr: SocketAddr) -> Result<(), String> {
    let spec =
        MockSpec::load(spec_dir).map_err(|e| format!("the spec in {} does not lower:\n{e}", spec_dir.display()))?;
    let ops = spec.operations().len();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("could not start the runtime: {e}"))?;
    runtime.block_on(async move {
        let server = MockServer::bind(Arc::new(spec), addr, MockOptions { log: true })
            .await
            .map_err(|e| format!("could not listen on {addr}: {e}"))?;
        let url = server.base_url();
        println!("mock GHL server: {url} ({ops} operations from {})", spec_dir.display());
        println!();
        println!("try the examples against it:");
        println!("  export GHL_BASE_URL={url} GHL_API_KEY=mock-token GHL_LOCATION_ID=mock-location");
        println!("  cargo run -p ghl-client --example create_contact --features contacts");
        println!();
        println!("control: GET {url}/__mock/violations, GET {url}/__mock/requests, POST {url}/__mock/faults, POST {url}/__mock/reset");
        println!("stop with Ctrl-C");
        std::future::pending::<()>().await;
        Ok(())
    })
}

/// Why a connection is dropped without an answer.
#[derive(Debug)]
struct Dropped;

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for Dropped {}

/// A response body: whole, or cut off with an error (the connection drops).
enum MockBody {
    Full(Option<Bytes>),
    Truncated(Option<Bytes>, bool),
}

impl Body for MockBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        match &mut *self {
            MockBody::Full(b) => Poll::Ready(b.take().map(|b| Ok(Frame::data(b)))),
            MockBody::Truncated(b, failed) => match b.take() {
                Some(b) => Poll::Ready(Some(Ok(Frame::data(b)))),
                None if !*failed => {
                    *failed = true;
                    Poll::Ready(Some(Err(std::io::Error::other("body truncated by fault injection"))))
                }
                None => Poll::Ready(None),
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, MockBody::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            MockBody::Full(Some(b)) => SizeHint::with_exact(b.len() as u64),
            MockBody::Full(None) => SizeHint::with_exact(0),
            MockBody::Truncated(..) => SizeHint::default(),
        }
    }
}

fn response(status: u16, content_type: Option<&str>, body: impl Into<Bytes>) -> Response<MockBody> {
    let body = body.into();
    let mut r = Response::new(MockBody::Full((!body.is_empty()).then_some(body)));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Some(ct) = content_type {
        r.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_str(ct).unwrap_or(HeaderValue::from_static("application/json")));
    }
    r
}

fn json_response(status: u16, v: &Value) -> Response<MockBody> {
    response(status, Some("application/json; charset=utf-8"), serde_json::to_vec(v).unwrap_or_default())
}

async fn read_body(mut body: Incoming) -> Bytes {
    let mut buf = Vec::new();
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        match frame {
            Ok(frame) => {
                if let Ok(data) = frame.into_data() {
                    buf.extend_from_slice(&data);
                }
            }
            Err(_) => break,
        }
    }
    buf.into()
}

async fn handle(state: Arc<State>, req: Request<Incoming>) -> Result<Response<MockBody>, Dropped> {
    let (parts, body) = req.into_parts();
    let body = read_body(body).await;
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    if let Some(rest) = path.strip_prefix("/__mock/") {
        return Ok(admin(&state, &parts.method, rest, &body));
    }
    let seq = state.seq.fetch_add(1, Ordering::SeqCst) + 1;
    let spec = state.spec.clone();
    let query_pairs: Vec<(String, String)> =
        query.as_deref().map(|q| serde_urlencoded::from_str(q).unwrap_or_default()).unwrap_or_default();
    let shown_path = match &query {
        Some(q) => format!("{path}?{q}"),
        None => path.clone(),
    };

    // Route and check.
    let version = parts.headers.get("version").and_then(|v| v.to_str().ok());
    let (op, problems, status) = match spec.route(parts.method.as_str(), &path, version) {
        Route::Found { op, params } => {
            let incoming =
                validate::Incoming { params: &params, query: &query_pairs, headers: &parts.headers, body: &body };
            let findings = validate::check(&spec, op, &incoming);
            let status = findings.status();
            (Some(op), findings.messages(), status)
        }
        Route::WrongMethod { allowed } => {
            let p = format!("{} {path}: the spec has this path only for {}", parts.method, allowed.join(", "));
            (None, vec![p], 405)
        }
        Route::NotFound { near } => {
            let mut p = format!("{} {path}: no operation of the spec has this path", parts.method);
            if !near.is_empty() {
                p.push_str(&format!(" (with or without the trailing slash: {})", near.join(", ")));
            }
            (None, vec![p], 404)
        }
    };
    let op_id = op.map(|o| o.op.id.clone());
    let module = op.map(|o| o.module.clone());
    let fault = fault::take(&mut state.journal().faults, op_id.as_deref(), op.map(|o| o.op.path.as_str()), &path);
    if !problems.is_empty() {
        let v = Violation {
            module: module.clone(),
            operation_id: op_id.clone(),
            method: parts.method.to_string(),
            path: shown_path.clone(),
            status,
            problems: problems.clone(),
        };
        if state.log {
            eprintln!("  CONTRACT VIOLATION {v}");
        }
        state.journal().violations.push(v);
    }

    // Recorded before answering: a client that gives up (timeout) still counts.
    state.journal().requests.push(RecordedRequest {
        seq,
        method: parts.method.to_string(),
        path: path.clone(),
        query: query.clone(),
        module: module.clone(),
        operation_id: op_id.clone(),
        headers: parts.headers.clone(),
        body: body.clone(),
        status: None,
        fault: fault.clone(),
    });
    let answer = match (&fault, op) {
        (Some(f), _) => apply_fault(&state, f, op, &query_pairs, &body, &problems, status, seq).await,
        (None, Some(op)) if problems.is_empty() => Some(success(op, &query_pairs, &body)),
        (None, _) => Some(violation_response(op_id.as_deref(), status, &problems)),
    };
    let answered = answer.as_ref().map(|r| r.status().as_u16());
    // The mock's own answer breaking the spec is a violation too (of the mock).
    if let Some(op) = op.filter(|o| fault.is_none() && problems.is_empty() && !o.response_problems.is_empty()) {
        let v = Violation {
            module: module.clone(),
            operation_id: op_id.clone(),
            method: parts.method.to_string(),
            path: shown_path.clone(),
            status: answered.unwrap_or(op.success_status),
            problems: op.response_problems.clone(),
        };
        if state.log {
            eprintln!("  RESPONSE VIOLATION {v}");
        }
        state.journal().violations.push(v);
    }
    if state.log {
        let what = op_id.as_deref().unwrap_or("-");
        let result = answered.map_or("dropped".to_owned(), |s| s.to_string());
        let injected = fault.as_ref().map(|f| format!(" [fault {f:?}]")).unwrap_or_default();
        eprintln!("{} {shown_path} -> {result} {what}{injected}", parts.method);
    }
    if let Some(r) = state.journal().requests.iter_mut().rev().find(|r| r.seq == seq) {
        r.status = answered;
    }
    let mut answer = answer.ok_or(Dropped)?;
    answer.headers_mut().insert(
        "x-request-id",
        HeaderValue::from_str(&format!("mock-{seq}")).unwrap_or(HeaderValue::from_static("mock")),
    );
    Ok(answer)
}

fn violation_response(op: Option<&str>, status: u16, problems: &[String]) -> Response<MockBody> {
    json_response(
        status,
        &json!({
            "statusCode": status,
            "message": problems,
            "error": "Contract violation (ghl mock server)",
            "operationId": op,
        }),
    )
}

/// Whether this request asks for a page past the first.
fn later_page(op: &MockOperation, query: &[(String, String)], body: &[u8]) -> bool {
    let Some(paging) = &op.paging else { return false };
    let json_body: Value =
        if paging.in_body { serde_json::from_slice(body).unwrap_or(Value::Null) } else { Value::Null };
    let get = |name: &str| -> Option<String> {
        if paging.in_body {
            match json_body.get(name)? {
                Value::Null => None,
                Value::String(s) => Some(s.clone()),
                other => Some(other.to_string()),
            }
        } else {
            query.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
        }
    };
    let number = |name: &Option<String>| name.as_deref().and_then(get).and_then(|v| v.parse::<f64>().ok());
    number(&paging.offset).is_some_and(|o| o > 0.0)
        || number(&paging.page).is_some_and(|p| p > 1.0)
        || paging.cursors.iter().any(|c| get(c).is_some_and(|v| !v.is_empty()))
}

/// The normal answer of `op`.
fn success_value(op: &MockOperation, query: &[(String, String)], body: &[u8]) -> Option<Value> {
    let mut value = op.response.clone()?;
    if later_page(op, query, body)
        && let Some(items) = op.paging.as_ref().and_then(|p| p.items.as_deref())
    {
        respond::empty_items(&mut value, items);
    }
    Some(value)
}

fn with_rate_headers(mut r: Response<MockBody>, remaining: u32, daily_remaining: u64) -> Response<MockBody> {
    let h = r.headers_mut();
    h.insert("x-ratelimit-limit-daily", HeaderValue::from_static("200000"));
    h.insert("x-ratelimit-daily-remaining", HeaderValue::from(daily_remaining));
    h.insert("x-ratelimit-interval-milliseconds", HeaderValue::from_static("10000"));
    h.insert("x-ratelimit-max", HeaderValue::from_static("100"));
    h.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
    r
}

fn success(op: &MockOperation, query: &[(String, String)], body: &[u8]) -> Response<MockBody> {
    let r = match success_value(op, query, body) {
        Some(v) => json_response(op.success_status, &v),
        None => response(204, None, Bytes::new()),
    };
    with_rate_headers(r, 99, 199_999)
}

#[allow(clippy::too_many_arguments)]
async fn apply_fault(
    state: &State,
    fault: &Fault,
    op: Option<&MockOperation>,
    query: &[(String, String)],
    body: &[u8],
    problems: &[String],
    status: u16,
    seq: u64,
) -> Option<Response<MockBody>> {
    let spec = &state.spec;
    let normal = || match op {
        Some(op) if problems.is_empty() => success(op, query, body),
        _ => violation_response(op.map(|o| o.op.id.as_str()), status, problems),
    };
    let ok_status = op.map_or(200, |o| o.success_status);
    let value_and_ty = || {
        let op = op.filter(|_| problems.is_empty())?;
        let codegen::ir::Success::Json(ty) = &op.op.success else { return None };
        Some((success_value(op, query, body)?, ty, op.success_status))
    };
    Some(match fault {
        Fault::RateLimited { retry_after_secs, daily_exhausted } => {
            let r = json_response(
                429,
                &json!({"statusCode": 429, "message": "Too many requests", "error": "Too Many Requests", "traceId": format!("mock-{seq}")}),
            );
            let mut r = with_rate_headers(r, 0, if *daily_exhausted { 0 } else { 150_000 });
            let secs = if retry_after_secs.fract() == 0.0 {
                format!("{}", *retry_after_secs as u64)
            } else {
                format!("{retry_after_secs}")
            };
            if let Ok(v) = HeaderValue::from_str(&secs) {
                r.headers_mut().insert("retry-after", v);
            }
            r
        }
        Fault::ServerError { status } => {
            let reason =
                StatusCode::from_u16(*status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Server Error");
            json_response(
                *status,
                &json!({"statusCode": status, "message": format!("{reason} (injected by the mock)"), "error": reason, "traceId": format!("mock-{seq}")}),
            )
        }
        Fault::ConnectionReset => return None,
        Fault::Slow { delay_ms } => {
            tokio::time::sleep(Duration::from_millis(*delay_ms)).await;
            normal()
        }
        Fault::TruncatedJson => {
            let text = match value_and_ty() {
                Some((v, _, _)) => serde_json::to_vec(&v).unwrap_or_default(),
                None => b"{\"statusCode\":200,\"message\":\"ok\"}".to_vec(),
            };
            let cut = (text.len() / 2).max(1);
            response(if ok_status == 204 { 200 } else { ok_status }, Some("application/json"), text[..cut].to_vec())
        }
        Fault::TruncatedBody => {
            let text = match value_and_ty() {
                Some((v, _, _)) => serde_json::to_vec(&v).unwrap_or_default(),
                None => b"{\"statusCode\":200,\"message\":\"ok\"}".to_vec(),
            };
            let half = Bytes::from(text[..text.len() / 2].to_vec());
            let mut r = Response::new(MockBody::Truncated(Some(half), false));
            r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            r.headers_mut().insert(CONTENT_LENGTH, HeaderValue::from(text.len()));
            r
        }
        Fault::HtmlErrorPage { status } => {
            let reason = StatusCode::from_u16(*status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Error");
            let html = format!(
                "<!DOCTYPE html>\n<html><head><title>{status} {reason}</title></head>\n<body><center><h1>{status} {reason}</h1></center><hr><center>mock-proxy</center></body></html>\n"
            );
            response(*status, Some("text/html; charset=utf-8"), html)
        }
        Fault::WrongContentType => {
            response(if ok_status == 204 { 200 } else { ok_status }, Some("text/plain; charset=utf-8"), "OK")
        }
        Fault::UnknownEnumValue => match value_and_ty() {
            Some((mut v, ty, status)) => {
                respond::replace_enums(&spec.api, &mut v, ty, UNKNOWN_ENUM_VALUE);
                with_rate_headers(json_response(status, &v), 99, 199_999)
            }
            None => normal(),
        },
        Fault::Body { body } => with_rate_headers(json_response(ok_status, body), 99, 199_999),
        Fault::UnknownFields => match value_and_ty() {
            Some((mut v, ty, status)) => {
                let extra = json!({"nested": [1, "two", null, {"deeper": true}], "note": "added by the mock"});
                respond::add_unknown_fields(&spec.api, &mut v, ty, UNKNOWN_FIELD, &extra);
                with_rate_headers(json_response(status, &v), 99, 199_999)
            }
            None => normal(),
        },
    })
}

/// Answers the `/__mock/…` control endpoints.
fn admin(state: &State, method: &Method, rest: &str, body: &[u8]) -> Response<MockBody> {
    let bad = |m: String| json_response(400, &json!({"statusCode": 400, "message": m}));
    match (method.as_str(), rest.trim_end_matches('/')) {
        ("GET", "violations") => json_response(200, &json!(state.journal().violations)),
        ("GET", "requests") => json_response(200, &json!(state.journal().requests)),
        ("GET", "faults") => json_response(200, &json!(state.journal().faults)),
        ("POST", "faults") => match serde_json::from_slice::<FaultRule>(body) {
            Ok(rule) => {
                state.journal().faults.push(rule.clone());
                json_response(201, &json!(rule))
            }
            Err(e) => bad(format!(
                "expected a fault rule such as {{\"scope\": {{\"operation\": \"getContact\"}}, \"fault\": {{\"kind\": \"server_error\", \"status\": 503}}, \"times\": 1}}: {e}"
            )),
        },
        ("DELETE", "faults") => {
            state.journal().faults.clear();
            response(204, None, Bytes::new())
        }
        ("POST", "reset") => {
            *state.journal() = Journal::default();
            response(204, None, Bytes::new())
        }
        (m, r) => bad(format!("unknown control endpoint {m} /__mock/{r}")),
    }
}
