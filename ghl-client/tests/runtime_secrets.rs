//! No token or secret in `Debug` of the client, in any error, or in logs.
//! Every secret below contains `SECRET`; the test fails if that word shows up.

use std::sync::{Arc, Mutex};

use ghl_client::{
    Client, Error, FileTokenStore, MemoryTokenStore, OAuthApp, OAuthTokens, OperationMeta, Request, TokenKind,
    TokenRecord, TokenStore, UserType,
};
use http::Method;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

static GET_THING: OperationMeta = OperationMeta {
    id: "get-thing",
    method: Method::GET,
    path: "/things/{thingId}",
    version: "2021-07-28",
    token: TokenKind::Location,
    scopes: &["things.readonly"],
};

static GET_TOKEN: OperationMeta = OperationMeta {
    id: "get-access-token",
    method: Method::POST,
    path: "/oauth/token",
    version: "2021-07-28",
    token: TokenKind::Either,
    scopes: &[],
};

fn get(path: &str) -> Request {
    Request::new(&GET_THING, path.to_owned())
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = CaptureWriter;
    fn make_writer(&'a self) -> CaptureWriter {
        CaptureWriter(self.0.clone())
    }
}

struct CaptureWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for CaptureWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every record of the `log` crate (reqwest and hyper-util log through it).
static LOG_RECORDS: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct LogCapture;

impl log::Log for LogCapture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        let line = format!("{} {}: {}", record.level(), record.target(), record.args());
        LOG_RECORDS.lock().unwrap_or_else(|e| e.into_inner()).push(line);
    }
    fn flush(&self) {}
}

fn assert_clean(what: &str, text: &str) {
    assert!(!text.contains("SECRET"), "a secret leaked into {what}: {text}");
}

fn assert_error_clean(e: &Error) {
    assert_clean("an error's Display", &e.to_string());
    assert_clean("an error's Debug", &format!("{e:?}"));
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        assert_clean("an error source", &s.to_string());
        source = s.source();
    }
}

#[tokio::test]
async fn tokens_never_appear_in_debug_errors_or_logs() {
    let log = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(log.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    log::set_logger(&LogCapture).expect("the only logger of this test binary");
    log::set_max_level(log::LevelFilter::Trace);

    let server = MockServer::start().await;
    // A PIT client: 401, 500, a decode failure, and a success.
    Mock::given(path("/things/401"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message": "Invalid token"})))
        .mount(&server)
        .await;
    Mock::given(path("/things/500")).respond_with(ResponseTemplate::new(500)).mount(&server).await;
    Mock::given(path("/things/bad")).respond_with(ResponseTemplate::new(200).set_body_string("[")).mount(&server).await;
    Mock::given(path("/things/ok"))
        .and(header("authorization", "Bearer pit-SECRET-1"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let pit = Client::builder()
        .base_url(server.uri())
        .private_integration_token("pit-SECRET-1")
        .agency_token("agency-SECRET-2")
        .retry(ghl_client::RetryPolicy::none())
        .build()
        .unwrap();
    assert_clean("Debug of a PIT client", &format!("{pit:?}"));
    pit.execute::<Value>(get("/things/ok")).await.unwrap();
    let mut errors = Vec::new();
    for p in ["/things/401", "/things/500", "/things/bad"] {
        errors.push(pit.execute::<Value>(get(p)).await.unwrap_err());
    }

    // An OAuth client whose refresh succeeds, then one whose token answer is
    // malformed, and one whose refresh is refused.
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(wiremock::matchers::body_string_contains("refresh_token=refresh-SECRET-good"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "access-SECRET-new", "refresh_token": "refresh-SECRET-new", "expires_in": 86399
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(wiremock::matchers::body_string_contains("refresh_token=refresh-SECRET-malformed"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "access-SECRET-x", "expires_in": "SECRET"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(wiremock::matchers::body_string_contains("refresh_token=refresh-SECRET-refused"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"error": "invalid_grant", "message": "bad refresh token"})),
        )
        .mount(&server)
        .await;
    Mock::given(path("/things/oauth"))
        .and(header("authorization", "Bearer access-SECRET-new"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;

    let dir = tempfile::tempdir().unwrap();
    for refresh in ["good", "malformed", "refused"] {
        let file = FileTokenStore::new(dir.path().join(format!("{refresh}.json")));
        let tokens = OAuthTokens::new(
            "access-SECRET-old",
            Some(format!("refresh-SECRET-{refresh}")),
            now() - 5,
            UserType::Location,
        );
        file.compare_and_swap(None, &TokenRecord::new(tokens.clone())).await.unwrap();
        assert_clean("Debug of a file store", &format!("{file:?}"));
        let memory = MemoryTokenStore::with_tokens(tokens.clone());
        assert_clean("Debug of a memory store", &format!("{memory:?}"));
        assert_clean("Debug of tokens", &format!("{tokens:?}"));
        let oauth = Client::builder()
            .base_url(server.uri())
            .oauth(OAuthApp::new("client-id", "client-SECRET-3"))
            .token_store(Arc::new(file))
            .build()
            .unwrap();
        assert_clean("Debug of an OAuth client", &format!("{oauth:?}"));
        match oauth.execute::<Value>(get("/things/oauth")).await {
            Ok(_) => assert_eq!(refresh, "good"),
            Err(e) => errors.push(e),
        }
        assert_clean("Debug of an OAuth client after use", &format!("{oauth:?}"));
    }
    // The token endpoint called as an ordinary operation: a body that does not
    // decode is withheld from the error, since it holds tokens.
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(wiremock::matchers::body_string_contains("grant_type=client_credentials"))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(r#"{"access_token": "access-SECRET-4", "expires_in": []}"#),
        )
        .mount(&server)
        .await;
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct TokenAnswer {
        access_token: String,
        expires_in: u64,
    }
    let mut r = Request::new(&GET_TOKEN, "/oauth/token".into());
    r.form(&[("grant_type", "client_credentials")]).unwrap();
    errors.push(pit.execute::<TokenAnswer>(r).await.unwrap_err());

    let config = Client::builder().private_integration_token("bad-SECRET\nline").build().unwrap_err();
    errors.push(config);

    assert_eq!(errors.len(), 7, "{errors:?}");
    for e in &errors {
        assert_error_clean(e);
    }
    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("get-thing") && text.contains("refreshing the OAuth access token"),
        "the capture works: {text}"
    );
    assert_clean("the logs", &text);
    let records = LOG_RECORDS.lock().unwrap().join("\n");
    assert!(records.contains("reqwest"), "the `log` capture works: {records}");
    assert_clean("reqwest's `log` records", &records);
}
