//! The `tracing` span of a request. Alone in its binary: a scoped subscriber
//! (`set_default`) races with tests on other threads over tracing's
//! per-callsite interest cache.

use std::sync::{Arc, Mutex};

use ghl_client::{Client, OperationMeta, Request, TokenKind};
use http::Method;
use serde_json::Value;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

static GET_THING: OperationMeta = OperationMeta {
    id: "get-thing",
    method: Method::GET,
    path: "/things/{thingId}",
    version: "2021-07-28",
    token: TokenKind::Either,
    scopes: &["things.readonly"],
};

/// Collects what the fmt subscriber writes.
#[derive(Clone, Default)]
struct Spans(Arc<Mutex<Vec<String>>>);

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Spans {
    type Writer = SpanWriter;
    fn make_writer(&'a self) -> SpanWriter {
        SpanWriter(self.0.clone())
    }
}

struct SpanWriter(Arc<Mutex<Vec<String>>>);

impl std::io::Write for SpanWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().push(String::from_utf8_lossy(buf).into_owned());
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn each_request_has_a_span_with_operation_method_path_attempt_status_and_wait() {
    let spans = Spans::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(spans.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::DEBUG)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    let client = Client::builder()
        .base_url(server.uri())
        .private_integration_token("pit")
        .connect_timeout(None)
        .timeout(None)
        .deadline(None)
        .pool_idle_timeout(None)
        .build()
        .unwrap();
    client.execute::<Value>(Request::new(&GET_THING, "/things/1".into())).await.unwrap();
    let log = spans.0.lock().unwrap().concat();
    let close = log.lines().find(|l| l.contains("close")).unwrap_or_else(|| panic!("{log}"));
    for field in [
        "ghl_request",
        "operation=\"get-thing\"",
        "method=GET",
        "path=\"/things/{thingId}\"",
        "attempt=2",
        "status=200",
        "wait_ms=",
    ] {
        assert!(close.contains(field), "{field} missing in {close}");
    }
}
