//! The runtime against servers that control the timing or try to take
//! something: huge waits, slow arrivals, long pauses, stalls, failing token
//! endpoints, redirects, huge bodies, dot-segments and echoed secrets.
//! Time runs on tokio's paused clock; nothing really sleeps.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ghl_client::{
    Client, ClientBuilder, Error, MemoryTokenStore, OAuthApp, OAuthTokens, OperationMeta, RateLimit, RateLimitKind,
    Request, TokenKind, UserType,
};
use http::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::time::Instant;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

static GET_THING: OperationMeta = OperationMeta {
    id: "get-thing",
    method: Method::GET,
    path: "/things/{thingId}",
    version: "2021-07-28",
    token: TokenKind::Location,
    scopes: &["things.readonly"],
};

static CREATE_THING: OperationMeta = OperationMeta {
    id: "create-thing",
    method: Method::POST,
    path: "/things",
    version: "2021-07-28",
    token: TokenKind::Location,
    scopes: &["things.write"],
};

static GET_NOTE: OperationMeta = OperationMeta {
    id: "get-note",
    method: Method::GET,
    path: "/contacts/{contactId}/notes/{id}",
    version: "2021-07-28",
    token: TokenKind::Location,
    scopes: &["contacts.readonly"],
};

fn get(id: &str) -> Request {
    Request::new(&GET_THING, format!("/things/{id}"))
}

/// No timers of the client's own during I/O unless a test wants them: on the
/// paused clock they would fire at once.
fn quiet(base: &str) -> ClientBuilder {
    Client::builder().base_url(base).connect_timeout(None).timeout(None).deadline(None).pool_idle_timeout(None)
}

fn now_unix() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

fn expired_tokens() -> Arc<MemoryTokenStore> {
    let t = OAuthTokens::new("old-access", Some("old-refresh".into()), now_unix() - 10, UserType::Location);
    Arc::new(MemoryTokenStore::with_tokens(t))
}

async fn count(server: &MockServer, p: &str) -> usize {
    server.received_requests().await.unwrap_or_default().iter().filter(|r| r.url.path() == p).count()
}

// ------------------------------------------------------------- 1. huge waits

#[tokio::test(start_paused = true)]
async fn huge_server_waits_are_capped_not_a_panic() {
    for (name, value) in [("Retry-After", "1e19"), ("X-RateLimit-Interval-Milliseconds", "1e22")] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(429).insert_header(name, value))
            .mount(&server)
            .await;
        let client = quiet(&server.uri()).private_integration_token("pit").location_id("loc").build().unwrap();
        for _ in 0..2 {
            let e = client.execute::<Value>(get("1")).await.unwrap_err();
            assert!(matches!(e, Error::RateLimited { kind: RateLimitKind::Burst, wait: Some(_), .. }), "{name}: {e:?}");
        }
    }
}

// --------------------------------------------- 2. the limiter on the wire

/// A server that reads each request only after a delay (a slow connect or a
/// busy proxy), records when it "arrives", and answers at once.
async fn slow_arrivals_server(arrivals: Arc<Mutex<Vec<Instant>>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut n = 0u64;
        while let Ok((mut socket, _)) = listener.accept().await {
            let arrivals = arrivals.clone();
            n += 1;
            let mut rng = fastrand::Rng::with_seed(n);
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_millis(rng.u64(0..3000))).await;
                    if read_head(&mut socket).await.is_none() {
                        return;
                    }
                    arrivals.lock().unwrap().push(Instant::now());
                    let answer = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: application/json\r\n\r\n{}";
                    if socket.write_all(answer.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("http://{addr}")
}

/// Reads one request head (the tests send no bodies on these servers).
async fn read_head(socket: &mut tokio::net::TcpStream) -> Option<Vec<u8>> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if socket.read(&mut byte).await.ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    Some(head)
}

#[tokio::test(start_paused = true)]
async fn the_server_never_sees_more_than_the_limit_in_any_window_even_with_slow_arrivals() {
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    let base = slow_arrivals_server(arrivals.clone()).await;
    let limit = RateLimit::new(10, Duration::from_secs(10));
    let client = quiet(&base).private_integration_token("pit").location_id("loc").rate_limit(limit).build().unwrap();
    let calls: Vec<_> = (0..60).map(|i| client.execute::<Value>(get(&i.to_string()))).collect();
    for r in futures::future::join_all(calls).await {
        r.unwrap();
    }
    let mut at = arrivals.lock().unwrap().clone();
    at.sort();
    assert_eq!(at.len(), 60);
    for (i, pair) in at.windows(11).enumerate() {
        assert!(
            pair[10] - pair[0] >= Duration::from_secs(10),
            "arrivals {i}..={} fall within {:?}: 11 requests in one 10 s window",
            i + 10,
            pair[10] - pair[0]
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_short_429_does_not_free_slots_already_spent() {
    let limiter = Arc::new(ghl_client::RateLimiter::new(RateLimit::new(3, Duration::from_secs(10))));
    for _ in 0..3 {
        drop(limiter.acquire("loc").await);
    }
    limiter.pause("loc", Duration::from_secs(1));
    let start = Instant::now();
    drop(limiter.acquire("loc").await);
    assert!(start.elapsed() >= Duration::from_secs(10), "{:?}", start.elapsed());
}

// ----------------------------------------- 3. a long 429 pause fails fast

#[tokio::test(start_paused = true)]
async fn a_long_retry_after_fails_the_next_calls_at_once_instead_of_blocking_them() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "3600"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200).set_body_json(json!({}))).mount(&server).await;
    let client = quiet(&server.uri()).private_integration_token("pit").location_id("loc").build().unwrap();
    let start = Instant::now();
    let first = client.execute::<Value>(get("1")).await.unwrap_err();
    assert!(matches!(first, Error::RateLimited { wait: Some(w), .. } if w == Duration::from_secs(3600)), "{first:?}");
    let next = client.execute::<Value>(get("2")).await.unwrap_err();
    assert!(matches!(next, Error::RateLimited { wait: Some(w), .. } if w > Duration::from_secs(3500)), "{next:?}");
    assert!(start.elapsed() < Duration::from_secs(1), "waited {:?}", start.elapsed());
    assert_eq!(count(&server, "/things/2").await, 0, "the paused location sends nothing");
}

// ------------------------------------------------------- 4. the deadline

/// A server in this runtime (so the paused clock does not run ahead while a
/// request is on the wire) that gives every request the same answer.
async fn same_answer_server(answer: &'static str) -> (String, Arc<Mutex<usize>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(0usize));
    let counter = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                while read_head(&mut socket).await.is_some() {
                    *counter.lock().unwrap() += 1;
                    if socket.write_all(answer.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (format!("http://{addr}"), seen)
}

#[tokio::test(start_paused = true)]
async fn retries_and_waits_fit_in_the_deadline() {
    let (base, seen) =
        same_answer_server("HTTP/1.1 503 Service Unavailable\r\nretry-after: 59\r\ncontent-length: 0\r\n\r\n").await;
    let client = quiet(&base)
        .private_integration_token("pit")
        .location_id("loc")
        .deadline(Duration::from_secs(100))
        .build()
        .unwrap();
    let start = Instant::now();
    let e = client.execute::<Value>(get("1")).await.unwrap_err();
    // Two attempts (0 s, 59 s); a third after another 59 s would pass the
    // deadline, so the 503 is returned at once instead of sleeping into it.
    assert_eq!(e.status(), Some(http::StatusCode::SERVICE_UNAVAILABLE), "{e:?}");
    assert_eq!(*seen.lock().unwrap(), 2);
    assert!(start.elapsed() < Duration::from_secs(60), "took {:?}", start.elapsed());
}

#[tokio::test(start_paused = true)]
async fn a_body_that_stalls_hits_the_deadline_even_without_a_timeout() {
    // Headers, then nothing: a stalled body.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let _ = read_head(&mut socket).await;
                let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"a\":").await;
                tokio::time::sleep(Duration::from_secs(100_000)).await;
            });
        }
    });
    let client = quiet(&format!("http://{addr}"))
        .private_integration_token("pit")
        .deadline(Duration::from_secs(30))
        .build()
        .unwrap();
    let start = Instant::now();
    let e = client.execute::<Value>(get("1")).await.unwrap_err();
    assert!(matches!(e, Error::Deadline { after, .. } if after == Duration::from_secs(30)), "{e:?}");
    assert!(start.elapsed() < Duration::from_secs(31));
    // Per call, too.
    let e = client.with_deadline(Duration::from_secs(5)).execute::<Value>(get("1")).await.unwrap_err();
    assert!(matches!(e, Error::Deadline { after, .. } if after == Duration::from_secs(5)), "{e:?}");
}

// ------------------------------------------- 5. refresh when it fails

async fn stampede(answer: ResponseTemplate, deadline: Option<Duration>) -> (MockServer, Vec<Error>) {
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path("/oauth/token")).respond_with(answer).mount(&server).await;
    let client = quiet(&server.uri())
        .oauth(OAuthApp::new("cid", "csecret"))
        .token_store(expired_tokens())
        .location_id("loc")
        .deadline(deadline)
        .build()
        .unwrap();
    let calls: Vec<_> = (0..64)
        .map(|i| {
            let c = client.clone();
            tokio::spawn(async move { c.execute::<Value>(get(&i.to_string())).await })
        })
        .collect();
    let mut errors = Vec::new();
    for c in calls {
        errors.push(c.await.unwrap().unwrap_err());
    }
    // A later call: a refused refresh token is final, a 503 may be retried.
    errors.push(client.execute::<Value>(get("later")).await.unwrap_err());
    (server, errors)
}

#[tokio::test(start_paused = true)]
async fn a_failing_token_endpoint_is_called_once_for_all_waiting_calls() {
    let (server, errors) = stampede(ResponseTemplate::new(503), None).await;
    assert!(errors.iter().all(|e| e.status() == Some(http::StatusCode::SERVICE_UNAVAILABLE)), "{:?}", errors[0]);
    assert_eq!(count(&server, "/oauth/token").await, 2, "one refresh for the 64 calls, one for the later call");
}

#[tokio::test(start_paused = true)]
async fn a_refused_refresh_token_is_final_for_every_call() {
    let refused = ResponseTemplate::new(400)
        .set_body_json(json!({"error": "invalid_grant", "error_description": "Invalid refresh token"}));
    let (server, errors) = stampede(refused, None).await;
    for e in &errors {
        assert!(matches!(e, Error::Auth { .. }) && e.to_string().contains("authorize the app again"), "{e}");
    }
    assert_eq!(count(&server, "/oauth/token").await, 1, "the dead refresh token is sent once, ever");
}

#[tokio::test(start_paused = true)]
async fn a_hanging_token_endpoint_holds_callers_only_until_their_deadline() {
    // A token endpoint that reads the request and never answers.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(0usize));
    let counter = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                if read_head(&mut socket).await.is_some() {
                    *counter.lock().unwrap() += 1;
                }
                tokio::time::sleep(Duration::from_secs(100_000)).await;
            });
        }
    });
    let client = quiet(&format!("http://{addr}"))
        .oauth(OAuthApp::new("cid", "csecret"))
        .token_store(expired_tokens())
        .location_id("loc")
        .deadline(Duration::from_secs(10))
        .build()
        .unwrap();
    let start = Instant::now();
    let calls: Vec<_> = (0..64)
        .map(|i| {
            let c = client.clone();
            tokio::spawn(async move { c.execute::<Value>(get(&i.to_string())).await })
        })
        .collect();
    for c in calls {
        let e = c.await.unwrap().unwrap_err();
        assert!(matches!(e, Error::Deadline { .. }), "{e:?}");
    }
    let e = client.execute::<Value>(get("later")).await.unwrap_err();
    assert!(matches!(e, Error::Deadline { .. }), "{e:?}");
    assert!(start.elapsed() < Duration::from_secs(30), "{:?}", start.elapsed());
    assert_eq!(*seen.lock().unwrap(), 1, "one refresh in flight serves everyone");
}

// ----------------------------------------------------- 6. redirects

#[tokio::test]
async fn the_token_endpoint_is_never_followed_to_another_host() {
    let elsewhere = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "evil", "expires_in": 9999})))
        .mount(&elsewhere)
        .await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(307).insert_header("location", format!("{}/oauth/token", elsewhere.uri()).as_str()),
        )
        .mount(&server)
        .await;
    let store = expired_tokens();
    let client = quiet(&server.uri())
        .oauth(OAuthApp::new("cid", "csecret"))
        .token_store(store.clone())
        .location_id("loc")
        .build()
        .unwrap();
    let e = client.execute::<Value>(get("1")).await.unwrap_err();
    assert!(e.to_string().contains("redirect"), "{e}");
    assert!(elsewhere.received_requests().await.unwrap().is_empty(), "the other host saw the client secret");
    // Nor on the same host: a redirect from the token endpoint is never followed.
    let e = client.refresh_now().await.unwrap_err();
    assert!(e.to_string().contains("redirect"), "{e}");
}

#[tokio::test]
async fn an_api_post_is_not_sent_again_to_another_host() {
    let elsewhere = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&elsewhere)
        .await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(307).insert_header("location", format!("{}/things", elsewhere.uri()).as_str()),
        )
        .mount(&server)
        .await;
    let client = quiet(&server.uri()).private_integration_token("pit").build().unwrap();
    let mut create = Request::new(&CREATE_THING, "/things".into());
    create.json(&json!({"name": "x"})).unwrap();
    let e = client.execute::<Value>(create).await.unwrap_err();
    assert_eq!(e.status(), Some(http::StatusCode::TEMPORARY_REDIRECT), "{e}");
    assert!(e.to_string().contains("does not follow"), "{e}");
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
}

// -------------------------------------------------------- 7. big bodies

#[tokio::test]
async fn bodies_over_the_limit_are_refused_and_errors_keep_a_prefix() {
    let server = MockServer::start().await;
    let big = vec![b'x'; 3 * 1024 * 1024];
    Mock::given(path("/things/big"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(big.clone()))
        .mount(&server)
        .await;
    Mock::given(path("/things/bad")).respond_with(ResponseTemplate::new(400).set_body_bytes(big)).mount(&server).await;
    let client = quiet(&server.uri()).private_integration_token("pit").max_response_bytes(1024 * 1024).build().unwrap();
    let e = client.execute::<Value>(get("big")).await.unwrap_err();
    assert!(matches!(e, Error::ResponseTooLarge { limit: 1_048_576, .. }), "{e:?}");

    let client = quiet(&server.uri()).private_integration_token("pit").build().unwrap();
    match client.execute::<Value>(get("bad")).await.unwrap_err() {
        Error::Api { raw, .. } => assert!(raw.len() <= 16 * 1024, "the error keeps {} bytes", raw.len()),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn chunked_bodies_are_joined_and_held_to_the_limit() {
    // `{"a":[` `1,2]` `}`: three chunks, 11 bytes.
    let (base, _) = same_answer_server(
        "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-type: application/json\r\n\r\n\
         6\r\n{\"a\":[\r\n4\r\n1,2]\r\n1\r\n}\r\n0\r\n\r\n",
    )
    .await;
    for limit in [11, 64 * 1024 * 1024] {
        let client = quiet(&base).private_integration_token("pit").max_response_bytes(limit).build().unwrap();
        let answer = client.execute::<Value>(get("x")).await.unwrap();
        assert_eq!(&answer.raw[..], br#"{"a":[1,2]}"#);
        assert_eq!(answer.body, json!({"a": [1, 2]}));
    }
    // Passed in the first, second and last chunk.
    for limit in [5, 9, 10] {
        let client = quiet(&base).private_integration_token("pit").max_response_bytes(limit).build().unwrap();
        let e = client.execute::<Value>(get("x")).await.unwrap_err();
        assert!(matches!(e, Error::ResponseTooLarge { limit: l, .. } if l == limit), "{limit}: {e:?}");
    }
}

// ------------------------------------------------------- 8. dot-segments

#[tokio::test]
async fn dot_segments_and_empty_ids_are_refused_before_sending() {
    let server = MockServer::start().await;
    let client = quiet(&server.uri()).private_integration_token("pit").build().unwrap();
    for id in ["..", ".", "", "%2e%2E", "%2E"] {
        let e = client.execute::<Value>(get(id)).await.unwrap_err();
        assert!(matches!(&e, Error::InvalidArgument { message, .. } if message.contains("`thingId`")), "{id:?}: {e:?}");
    }
    let e = client.execute::<Value>(Request::new(&GET_NOTE, "/contacts/../notes/x".into())).await.unwrap_err();
    assert!(e.to_string().contains("`contactId`"), "{e}");
    assert!(server.received_requests().await.unwrap().is_empty(), "nothing was sent");
}

#[cfg(feature = "contacts")]
#[tokio::test]
async fn generated_operations_refuse_dot_segments_too() {
    let server = MockServer::start().await;
    let client = quiet(&server.uri()).private_integration_token("pit").location_id("loc").build().unwrap();
    let e = client.contacts().get_contact("..").send().await.unwrap_err();
    assert!(matches!(e, Error::InvalidArgument { .. }), "{e:?}");
    let e = client.contacts().delete_contact(".").send().await.unwrap_err();
    assert!(matches!(e, Error::InvalidArgument { .. }), "{e:?}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

/// `send()` and `send_with_meta()` return the runtime's future: it can be
/// spawned (`Send + 'static`), and a request that cannot be built (no
/// location) fails when awaited, sending nothing.
#[cfg(feature = "contacts")]
#[tokio::test]
async fn generated_send_futures_spawn_and_report_build_errors_when_awaited() {
    let server = MockServer::start().await;
    let client = quiet(&server.uri()).private_integration_token("pit").build().unwrap();
    let body = tokio::spawn(client.contacts().get_duplicate_contact().send());
    let meta = tokio::spawn(client.contacts().get_duplicate_contact().send_with_meta());
    let e = body.await.unwrap().unwrap_err();
    assert!(e.to_string().contains("locationId"), "{e}");
    let e = meta.await.unwrap().unwrap_err();
    assert!(e.to_string().contains("locationId"), "{e}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

// ----------------------------------------------------------- 9. secrets

#[tokio::test]
async fn secrets_echoed_by_a_server_are_redacted_in_errors() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"message": "bad token pit-very-secret-1", "error": "pit-very-secret-1"})),
        )
        .mount(&server)
        .await;
    let client = quiet(&server.uri()).private_integration_token("pit-very-secret-1").build().unwrap();
    let e = client.execute::<Value>(get("1")).await.unwrap_err();
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains("pit-very-secret-1"), "{shown}");
    assert!(shown.contains("[redacted]"), "{shown}");
}

#[test]
fn request_debug_never_shows_a_body() {
    let mut r = Request::new(&CREATE_THING, "/things".into());
    r.form(&[("client_secret", "csecret-123"), ("refresh_token", "rt-456")]).unwrap();
    let shown = format!("{r:?}");
    assert!(!shown.contains("csecret-123") && !shown.contains("rt-456"), "{shown}");
}

// ---------------------------------------------------------- 10. refresh_now

#[tokio::test]
async fn refresh_now_calls_the_token_endpoint_after_a_refused_refresh() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": "invalid_grant"})))
        .mount(&server)
        .await;
    let t = OAuthTokens::new("access", Some("refresh".into()), now_unix() + 86_000, UserType::Location);
    let store = Arc::new(MemoryTokenStore::with_tokens(t));
    let client = quiet(&server.uri()).oauth(OAuthApp::new("cid", "csecret")).token_store(store).build().unwrap();
    assert!(client.refresh_now().await.is_err());
    assert!(client.refresh_now().await.is_err(), "a refused refresh is not reported as done");
    assert_eq!(count(&server, "/oauth/token").await, 2, "each refresh_now calls the endpoint");
}

// ------------------------------------------------------------- 11. smaller

#[tokio::test]
async fn json_followed_by_garbage_is_a_decode_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(b"{\"id\":\"1\"} trailing".to_vec(), "application/json"))
        .mount(&server)
        .await;
    let client = quiet(&server.uri()).private_integration_token("pit").build().unwrap();
    let e = client.execute::<Value>(get("1")).await.unwrap_err();
    assert!(matches!(e, Error::Decode { .. }), "{e:?}");
}

#[cfg(feature = "oauth")]
#[test]
fn generated_token_requests_and_answers_never_show_secrets() {
    use ghl_client::oauth::{AccessToken, GetAccessTokenRequest, GrantType};
    let body = GetAccessTokenRequest::new("cid", "csecret-123", GrantType::RefreshToken).refresh_token("rt-456");
    let shown = format!("{body:?}");
    assert!(!shown.contains("csecret-123") && !shown.contains("rt-456"), "{shown}");
    let wire = serde_json::to_string(&body).unwrap();
    assert!(wire.contains("csecret-123") && wire.contains("rt-456"), "the wire still carries them: {wire}");
    let answer: AccessToken =
        serde_json::from_value(json!({"access_token": "at-789", "refresh_token": "rt-000", "userId": "u"})).unwrap();
    let shown = format!("{answer:?}");
    assert!(!shown.contains("at-789") && !shown.contains("rt-000"), "{shown}");
    assert_eq!(answer.access_token.as_ref().map(|s| s.expose()), Some("at-789"));
}
