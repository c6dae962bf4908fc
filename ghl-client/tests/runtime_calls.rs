//! Retries, rate limiting, uploads, timeouts and error shapes against a mock
//! server. Waits run on tokio's paused clock: nothing really sleeps.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use ghl_client::{
    Client, ClientBuilder, Error, OperationMeta, Part, RateLimit, RateLimitKind, RateLimiter, Request, RetryPolicy,
    TokenKind, Upload,
};
use http::Method;
use serde_json::{Value, json};
use tokio::time::Instant;
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

static GET_THING: OperationMeta = OperationMeta {
    id: "get-thing",
    method: Method::GET,
    path: "/things/{thingId}",
    version: "2021-07-28",
    token: TokenKind::Either,
    scopes: &["things.readonly"],
};

static CREATE_THING: OperationMeta = OperationMeta {
    id: "create-thing",
    method: Method::POST,
    path: "/things",
    version: "2021-07-28",
    token: TokenKind::Either,
    scopes: &["things.write"],
};

static UPLOAD_FILE: OperationMeta = OperationMeta {
    id: "upload-file",
    method: Method::POST,
    path: "/medias/upload-file",
    version: "2021-07-28",
    token: TokenKind::Either,
    scopes: &["medias.write"],
};

fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .base_url(server.uri())
        .private_integration_token("pit")
        .connect_timeout(None)
        .timeout(None)
        .deadline(None)
        .pool_idle_timeout(None)
}

fn get() -> Request {
    Request::new(&GET_THING, "/things/1".to_owned())
}

fn create() -> Request {
    let mut r = Request::new(&CREATE_THING, "/things".to_owned());
    r.json(&json!({"name": "x"})).unwrap();
    r
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

#[tokio::test(start_paused = true)]
async fn a_429_is_retried_after_the_interval_even_for_post() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("X-RateLimit-Interval-Milliseconds", "1500")
                .insert_header("X-RateLimit-Daily-Remaining", "5000"),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(body_string_contains("\"name\":\"x\""))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "t1"})))
        .mount(&server)
        .await;
    // Without the limiter, whose own pause would hide a retry that did not wait.
    let client = builder(&server).no_rate_limit().build().unwrap();
    let start = Instant::now();
    let r = client.execute::<Value>(create()).await.unwrap();
    let waited = start.elapsed();
    assert_eq!(r.body["id"], "t1");
    assert_eq!(requests(&server).await, 2);
    assert!(waited >= Duration::from_millis(1500) && waited < Duration::from_millis(2000), "waited {waited:?}");
}

#[tokio::test(start_paused = true)]
async fn a_429_makes_other_calls_on_that_location_wait_too() {
    let server = MockServer::start().await;
    Mock::given(path("/things/1"))
        .respond_with(ResponseTemplate::new(429).insert_header("X-RateLimit-Interval-Milliseconds", "10000"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/things/2")).respond_with(ResponseTemplate::new(200)).expect(2).mount(&server).await;
    let client = builder(&server).location_id("loc-1").retry(RetryPolicy::none()).build().unwrap();
    let start = Instant::now();
    let e = client.execute::<Value>(get()).await.unwrap_err();
    assert!(matches!(e, Error::RateLimited { kind: RateLimitKind::Burst, .. }), "{e:?}");
    let mut elsewhere = Request::new(&GET_THING, "/things/2".into());
    elsewhere.scope_key("loc-2");
    client.execute::<Value>(elsewhere).await.unwrap();
    assert!(start.elapsed() < Duration::from_secs(1));
    client.execute::<Value>(Request::new(&GET_THING, "/things/2".into())).await.unwrap();
    assert!(start.elapsed() >= Duration::from_secs(10), "{:?}", start.elapsed());
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_honoured() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "7"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(json!({}))).mount(&server).await;
    let client = builder(&server).no_rate_limit().build().unwrap();
    let start = Instant::now();
    client.execute::<Value>(get()).await.unwrap();
    assert!(start.elapsed() >= Duration::from_secs(7), "{:?}", start.elapsed());
}

#[tokio::test(start_paused = true)]
async fn a_spent_daily_limit_fails_at_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("X-RateLimit-Daily-Remaining", "0")
                .insert_header("X-RateLimit-Interval-Milliseconds", "10000")
                .set_body_json(json!({"statusCode": 429, "message": "Too many requests", "traceId": "tr-9"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let start = Instant::now();
    let e = client.execute::<Value>(get()).await.unwrap_err();
    assert!(matches!(e, Error::RateLimited { kind: RateLimitKind::Daily, .. }), "{e:?}");
    assert!(!e.is_retryable());
    assert_eq!(e.status(), Some(http::StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(e.request_id(), Some("tr-9"));
    assert!(e.to_string().contains("daily API limit"), "{e}");
    assert_eq!(start.elapsed(), Duration::ZERO);
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn a_post_answered_503_is_sent_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(503).set_body_json(json!({"statusCode": 503, "message": "Service Unavailable"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let e = client.execute::<Value>(create()).await.unwrap_err();
    assert_eq!(e.status(), Some(http::StatusCode::SERVICE_UNAVAILABLE));
    assert!(e.is_retryable());
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn a_get_answered_503_twice_then_200_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .with_priority(1)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "1"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let r = client.execute::<Value>(get()).await.unwrap();
    assert_eq!(r.body["id"], "1");
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn retries_are_bounded() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(502)).expect(3).mount(&server).await;
    let client = builder(&server).retry(RetryPolicy::default().max_attempts(3)).build().unwrap();
    let e = client.execute::<Value>(get()).await.unwrap_err();
    assert_eq!(e.status(), Some(http::StatusCode::BAD_GATEWAY));
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn a_wait_longer_than_allowed_is_returned_with_the_wait() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "3600"))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let e = client.execute::<Value>(get()).await.unwrap_err();
    match e {
        Error::RateLimited { kind: RateLimitKind::Burst, wait, .. } => {
            assert_eq!(wait, Some(Duration::from_secs(3600)))
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn a_timeout_is_reported_as_such() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_millis(300)))
        .mount(&server)
        .await;
    let client = builder(&server).timeout(Duration::from_secs(5)).retry(RetryPolicy::none()).build().unwrap();
    let e = client.execute::<Value>(get()).await.unwrap_err();
    assert!(matches!(e, Error::Timeout { connect: false, after: Some(d), .. } if d == Duration::from_secs(5)), "{e:?}");
    assert!(e.is_retryable());
}

#[tokio::test]
async fn a_dropped_connection_is_a_transport_error_naming_the_operation() {
    // A server that hangs up on every connection (a closed port could be
    // reused by another test's mock server in the meantime).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            drop(socket);
        }
    });
    let client = Client::builder()
        .base_url(format!("http://{addr}"))
        .private_integration_token("pit")
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let e = client.execute::<Value>(create()).await.unwrap_err();
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    assert!(e.to_string().starts_with("create-thing: request failed"), "{e}");
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 1, "a POST is not sent again");
}

#[tokio::test]
async fn api_errors_keep_message_list_error_trace_and_raw_body() {
    let server = MockServer::start().await;
    let body = json!({"statusCode": 422, "message": ["name must be a string", "email is invalid"], "error": "Unprocessable Entity", "traceId": "tr-1"});
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(422).set_body_json(body.clone()))
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let e = client.execute::<Value>(create()).await.unwrap_err();
    let Error::Api { status, message, body: Some(parsed), request_id, raw, .. } = &e else { panic!("{e:?}") };
    assert_eq!(status.as_u16(), 422);
    assert_eq!(message, "name must be a string; email is invalid");
    assert_eq!(parsed.error.as_deref(), Some("Unprocessable Entity"));
    assert_eq!(request_id.as_deref(), Some("tr-1"));
    assert_eq!(serde_json::from_slice::<Value>(raw).unwrap(), body);
    assert!(e.to_string().contains("check the request's fields"), "{e}");
}

#[tokio::test]
async fn bad_bodies_give_errors_not_panics() {
    let server = MockServer::start().await;
    Mock::given(path("/things/1"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"id\": 5"))
        .mount(&server)
        .await;
    Mock::given(path("/things/2"))
        .respond_with(ResponseTemplate::new(500).set_body_bytes(vec![0xff, 0xfe, 0x00]))
        .mount(&server)
        .await;
    Mock::given(path("/things/3")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let client = builder(&server).retry(RetryPolicy::none()).build().unwrap();

    #[derive(Debug, serde::Deserialize)]
    struct Thing {
        #[allow(dead_code)]
        id: String,
    }
    let e = client.execute::<Thing>(get()).await.unwrap_err();
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
    assert!(e.to_string().contains("body starts with: {\"id\": 5"), "{e}");

    let e = client.execute::<Value>(Request::new(&GET_THING, "/things/2".into())).await.unwrap_err();
    assert!(e.to_string().contains("500 Internal Server Error: Internal Server Error"), "{e}");

    let r = client.execute::<Value>(Request::new(&GET_THING, "/things/3".into())).await.unwrap();
    assert_eq!(r.body, Value::Null);
    let unit = client.execute::<()>(Request::new(&GET_THING, "/things/3".into())).await.unwrap();
    assert_eq!(unit.status.as_u16(), 204);
}

#[tokio::test]
async fn operation_headers_and_query_are_sent_and_invalid_ones_rejected() {
    let server = MockServer::start().await;
    Mock::given(header("x-custom", "v1"))
        .and(wiremock::matchers::query_param("q", "a b"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let mut r = get();
    r.header("X-Custom", "v1");
    r.query("q", "a b");
    client.execute::<Value>(r).await.unwrap();
    let mut r = get();
    r.header("X-Custom", "line\nbreak");
    let e = client.execute::<Value>(r).await.unwrap_err();
    assert!(matches!(e, Error::Encode { .. }), "{e:?}");
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn the_limiter_is_applied_per_location_and_tightened_by_the_server() {
    let server = MockServer::start().await;
    Mock::given(path("/things/1"))
        .respond_with(ResponseTemplate::new(200).insert_header("X-RateLimit-Remaining", "0"))
        .mount(&server)
        .await;
    Mock::given(path("/things/2")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    let client = builder(&server).rate_limit(RateLimit::new(100, Duration::from_secs(10))).build().unwrap();

    let mut first = get();
    first.scope_key("loc-a");
    client.execute::<Value>(first).await.unwrap();
    // The server said nothing is left for loc-a: the next call waits a window.
    let start = Instant::now();
    let mut other = Request::new(&GET_THING, "/things/2".into());
    other.scope_key("loc-b");
    client.execute::<Value>(other).await.unwrap();
    assert!(start.elapsed() < Duration::from_secs(1), "another location does not wait");
    let mut again = Request::new(&GET_THING, "/things/2".into());
    again.scope_key("loc-a");
    client.execute::<Value>(again).await.unwrap();
    assert!(start.elapsed() >= Duration::from_secs(10), "{:?}", start.elapsed());
}

#[tokio::test(start_paused = true)]
async fn calls_through_the_client_respect_the_limit() {
    let server = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200)).expect(130).mount(&server).await;
    let limiter = Arc::new(RateLimiter::new(RateLimit::new(100, Duration::from_secs(10))));
    let client = builder(&server).location_id("loc-1").rate_limiter(limiter.clone()).build().unwrap();
    let start = Instant::now();
    let calls: Vec<_> = (0..130).map(|_| client.execute::<Value>(get())).collect();
    for r in futures::future::join_all(calls).await {
        r.unwrap();
    }
    // No upper bound here: a slot's window starts when its answer arrives, and
    // the paused clock runs ahead while real sockets are read.
    assert!(start.elapsed() >= Duration::from_secs(10), "{:?}", start.elapsed());
    server.verify().await;
}

#[tokio::test]
async fn uploads_send_multipart_from_bytes_path_and_stream() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/medias/upload-file"))
        .and(header("version", "2021-07-28"))
        .and(body_string_contains("name=\"hosted\""))
        .and(body_string_contains("filename=\"a.txt\""))
        // Set with `.mime()` on the first upload, guessed from the name on the others.
        .and(body_string_contains("Content-Type: text/plain"))
        .and(body_string_contains("hello from bytes"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"fileId": "f1"})))
        .expect(3)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.txt");
    std::fs::write(&file, "hello from bytes").unwrap();
    let chunks = futures::stream::iter([
        Ok::<_, std::io::Error>(Bytes::from_static(b"hello ")),
        Ok(Bytes::from_static(b"from bytes")),
    ]);
    let uploads = [
        Upload::from_bytes("a.txt", &b"hello from bytes"[..]).mime("text/plain"),
        Upload::from_path(&file),
        Upload::from_stream("a.txt", chunks, Some(16)),
    ];
    for upload in uploads {
        let mut r = Request::new(&UPLOAD_FILE, "/medias/upload-file".into());
        r.multipart(vec![
            Part::Text { name: "hosted".into(), value: "false".into() },
            Part::File { name: "file".into(), upload, max_bytes: Some(25 * 1024 * 1024) },
        ]);
        let resp = client.execute::<Value>(r).await.unwrap();
        assert_eq!(resp.body["fileId"], "f1");
    }
    server.verify().await;
}

#[tokio::test]
async fn a_multipart_body_without_parts_is_refused_before_sending() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&server).await;
    let client = builder(&server).build().unwrap();
    let mut r = Request::new(&UPLOAD_FILE, "/medias/upload-file".into());
    r.multipart(Vec::new());
    let e = client.execute::<Value>(r).await.unwrap_err();
    assert!(matches!(&e, Error::InvalidArgument { message, .. } if message.contains("no part")), "{e:?}");
    server.verify().await;
}

#[tokio::test]
async fn uploads_over_the_limit_are_refused_before_sending() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&server).await;
    let client = builder(&server).build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.mp4");
    std::fs::write(&file, vec![0u8; 2048]).unwrap();
    let never_polled = futures::stream::pending::<Result<Bytes, std::io::Error>>();
    for upload in [
        Upload::from_bytes("big.png", vec![0u8; 2048]),
        Upload::from_path(&file),
        Upload::from_stream("big.bin", never_polled, Some(2048)),
    ] {
        let name = upload.file_name().to_owned();
        let mut r = Request::new(&UPLOAD_FILE, "/medias/upload-file".into());
        r.multipart(vec![Part::File { name: "file".into(), upload, max_bytes: Some(1024) }]);
        let e = client.execute::<Value>(r).await.unwrap_err();
        assert!(matches!(e, Error::InvalidArgument { .. }), "{e:?}");
        assert!(
            e.to_string().contains(&format!("`{name}` is 2048 bytes; this endpoint accepts at most 1024 bytes")),
            "{e}"
        );
    }
    server.verify().await;
}

#[tokio::test(start_paused = true)]
async fn a_streamed_upload_is_not_resent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).build().unwrap();
    let chunks = futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(b"data"))]);
    let mut r = Request::new(&UPLOAD_FILE, "/medias/upload-file".into());
    r.multipart(vec![Part::File {
        name: "file".into(),
        upload: Upload::from_stream("s.bin", chunks, Some(4)),
        max_bytes: None,
    }]);
    let e = client.execute::<Value>(r).await.unwrap_err();
    assert!(matches!(e, Error::RateLimited { .. }), "{e:?}");
    server.verify().await;
}
