//! Shared state for fleets, against a real `redis-server` that each test
//! starts on a free port: one refresh across processes, one rate budget
//! across processes, a dead refresher's lease, a Redis restart, the webhook
//! replay guard across verifiers, and Redis being down.
//!
//! The multi-process tests run this test binary again as the worker
//! processes (`redis_fleet_worker` with `GHL_REDIS_WORKER` set).

use std::collections::HashMap;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use base64::Engine as _;
use ed25519_dalek::Signer as _;
use ghl_client::runtime::redis::RedisStore;
use ghl_client::webhook::{PublicKey, ReplayStore, WebhookError, WebhookVerifier};
use ghl_client::{
    Client, ClientBuilder, Error, OAuthApp, OAuthTokens, OperationMeta, RateBudget, RateLimit, RateLimitHeaders,
    RateLimitKind, Request, TokenKind, TokenRecord, TokenStore, UserType,
};
use http::Method;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

// ---------------------------------------------------------------- a redis-server of our own

/// A `redis-server` on a free port, stopped when dropped. Its data
/// survives a restart (append-only file in a temporary directory).
struct RedisServer {
    port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl RedisServer {
    fn start() -> RedisServer {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut server = RedisServer { port, dir: tempfile::tempdir().unwrap(), child: None };
        server.resume();
        server
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Starts (again) on the same port and data directory.
    fn resume(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", ""])
            .args(["--appendonly", "yes", "--appendfsync", "always"])
            .arg("--dir")
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "could not start `redis-server` ({e}); the redis tests need it: \
                     install it with `apt-get update && apt-get install -y redis-server`"
                )
            });
        self.child = Some(child);
        for _ in 0..500 {
            if ping(self.port) {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("redis-server did not answer on port {}", self.port);
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn ping(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = s.set_read_timeout(Some(Duration::from_secs(1)));
    let mut buf = [0u8; 7];
    s.write_all(b"PING\r\n").is_ok() && s.read_exact(&mut buf).is_ok() && &buf == b"+PONG\r\n"
}

/// A store with a prefix of its own, so that tests never share keys.
/// A store on `server`, patient as the fleet workers' (tests of Redis being
/// slow or down set their own short timeout).
fn store(server: &RedisServer, prefix: &str) -> RedisStore {
    RedisStore::open_with_timeout(&server.url(), PATIENT).unwrap().with_prefix(format!("test:{prefix}:"))
}

/// Long enough for a loaded machine's `appendfsync always` writes.
const PATIENT: Duration = Duration::from_secs(30);

// ---------------------------------------------------------------- the API side

static GET_THING: OperationMeta = OperationMeta {
    id: "get-thing",
    method: Method::GET,
    path: "/things/{thingId}",
    version: "2021-07-28",
    token: TokenKind::Location,
    scopes: &["things.readonly"],
};

fn get_thing() -> Request {
    Request::new(&GET_THING, "/things/1".to_owned())
}

fn now() -> u64 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs()
}

fn expired(access: &str, refresh: &str) -> OAuthTokens {
    OAuthTokens::new(access, Some(refresh.to_owned()), now() - 10, UserType::Location)
}

fn fresh(access: &str, refresh: &str) -> OAuthTokens {
    OAuthTokens::new(access, Some(refresh.to_owned()), now() + 86_000, UserType::Location)
}

fn builder(api: &str) -> ClientBuilder {
    Client::builder().base_url(api).timeout(Duration::from_secs(30)).deadline(Duration::from_secs(60))
}

fn token_answer(access: &str, refresh: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "access_token": access, "token_type": "Bearer", "expires_in": 86399,
        "refresh_token": refresh, "userType": "Location", "locationId": "loc-1"
    }))
}

fn refresh_mock(old_refresh: &str) -> wiremock::MockBuilder {
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string_contains("grant_type=refresh_token"))
        .and(body_string_contains(format!("refresh_token={old_refresh}")))
}

async fn mount_thing(server: &MockServer, token: &str) {
    Mock::given(method("GET"))
        .and(path("/things/1"))
        .and(header("authorization", format!("Bearer {token}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "1"})))
        .mount(server)
        .await;
}

async fn count(server: &MockServer, p: &str) -> usize {
    server.received_requests().await.unwrap().iter().filter(|r| r.url.path() == p).count()
}

// ---------------------------------------------------------------- worker processes

/// Runs this test binary as `n` worker processes in `mode`, and returns
/// each one's reported number of successful calls.
fn spawn_workers(n: usize, mode: &str, env: &[(&str, &str)]) -> Vec<Child> {
    (0..n)
        .map(|_| {
            let mut cmd = Command::new(std::env::current_exe().unwrap());
            cmd.args(["redis_fleet_worker", "--exact", "--nocapture", "--test-threads", "1"])
                .env("GHL_REDIS_WORKER", mode)
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit());
            for (k, v) in env {
                cmd.env(k, v);
            }
            cmd.spawn().unwrap()
        })
        .collect()
}

async fn successes(children: Vec<Child>) -> Vec<usize> {
    tokio::task::spawn_blocking(move || {
        children
            .into_iter()
            .map(|c| {
                let out = c.wait_with_output().unwrap();
                let text = String::from_utf8_lossy(&out.stdout).into_owned();
                assert!(out.status.success(), "a worker failed: {text}");
                // libtest prints the test's name on the same line.
                let (_, rest) = text.split_once("worker-successes: ").expect(&text);
                rest.split_whitespace().next().unwrap().parse().unwrap()
            })
            .collect()
    })
    .await
    .unwrap()
}

/// `calls` concurrent calls through `client`; the number that succeeded.
async fn concurrent_calls(client: &Client, calls: usize) -> usize {
    let tasks: Vec<_> = (0..calls)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.execute::<Value>(get_thing()).await })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(r) if r.body["id"] == "1" => ok += 1,
            Ok(r) => eprintln!("unexpected body {}", r.body),
            Err(e) => eprintln!("call failed: {e}"),
        }
    }
    ok
}

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"))
}

/// The worker process (with `GHL_REDIS_WORKER` set); run directly, it plays
/// one worker of the refresh test in-process, against its own Redis.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_fleet_worker() {
    let Ok(mode) = std::env::var("GHL_REDIS_WORKER") else {
        let redis = RedisServer::start();
        let api = MockServer::start().await;
        refresh_mock("old-refresh").respond_with(token_answer("new-access", "new-refresh")).mount(&api).await;
        mount_thing(&api, "new-access").await;
        let store = store(&redis, "solo");
        assert!(
            store
                .tokens("cid", "loc-1")
                .compare_and_swap(None, &TokenRecord::new(expired("old", "old-refresh")))
                .await
                .unwrap()
        );
        let ok = worker_calls(&store, &api.uri(), 16).await;
        assert_eq!(ok, 16);
        assert_eq!(count(&api, "/oauth/token").await, 1);
        return;
    };
    // These workers test the state they share. On a loaded machine one
    // `appendfsync always` write can stall Redis past the 2 s default, and a
    // worker would fall back to limiting on its own (that path has its own
    // tests): a patient timeout keeps them on Redis.
    let store =
        RedisStore::open_with_timeout(&var("GHL_REDIS_URL"), PATIENT).unwrap().with_prefix(var("GHL_REDIS_PREFIX"));
    let api = var("GHL_MOCK_URL");
    let ok = match mode.as_str() {
        "refresh" => worker_calls(&store, &api, 16).await,
        "budget" => {
            let limit = RateLimit::new(5, Duration::from_millis(400));
            let client = builder(&api)
                .location_token("static-token")
                .location_id("loc-1")
                .rate_limiter(Arc::new(store.rate_budget("cid", limit)))
                .build()
                .unwrap();
            concurrent_calls(&client, 10).await
        }
        "hold-lease" => {
            // Claims the refresh lease; the token endpoint never answers in time, and the parent kills us.
            let client = builder(&api)
                .oauth(OAuthApp::new("cid", "csecret"))
                .token_store(Arc::new(store.tokens("cid", "loc-1")))
                .refresh_lease(Duration::from_secs(2))
                .location_id("loc-1")
                .build()
                .unwrap();
            usize::from(client.execute::<Value>(get_thing()).await.is_ok())
        }
        other => panic!("unknown worker mode {other}"),
    };
    println!("worker-successes: {ok}");
}

async fn worker_calls(store: &RedisStore, api: &str, calls: usize) -> usize {
    let client = builder(api)
        .oauth(OAuthApp::new("cid", "csecret"))
        .token_store(Arc::new(store.tokens("cid", "loc-1")))
        .rate_limiter(Arc::new(store.rate_budget("cid", RateLimit::STANDARD)))
        .location_id("loc-1")
        .build()
        .unwrap();
    concurrent_calls(&client, calls).await
}

// ---------------------------------------------------------------- the tests

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_four_processes_with_an_expired_token_refresh_exactly_once() {
    let redis = RedisServer::start();
    let api = MockServer::start().await;
    refresh_mock("old-refresh")
        .respond_with(token_answer("new-access", "new-refresh").set_delay(Duration::from_millis(50)))
        .mount(&api)
        .await;
    mount_thing(&api, "new-access").await;
    let store = store(&redis, "fleet");
    let tokens = store.tokens("cid", "loc-1");
    assert!(tokens.compare_and_swap(None, &TokenRecord::new(expired("old-access", "old-refresh"))).await.unwrap());

    let env =
        [("GHL_REDIS_URL", redis.url()), ("GHL_REDIS_PREFIX", store.prefix().to_owned()), ("GHL_MOCK_URL", api.uri())];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let per_worker = successes(spawn_workers(4, "refresh", &env)).await;

    assert_eq!(per_worker, [16, 16, 16, 16]);
    assert_eq!(count(&api, "/oauth/token").await, 1, "exactly one refresh in the fleet");
    assert_eq!(count(&api, "/things/1").await, 64);
    let record = tokens.get().await.unwrap().unwrap();
    assert_eq!(record.tokens.refresh_token.unwrap().expose_secret(), "new-refresh");
    assert!(record.lease.is_none());
}

/// Records when each request reached the mock.
struct Arrivals(Arc<Mutex<Vec<Instant>>>);

impl Respond for Arrivals {
    fn respond(&self, _: &wiremock::Request) -> ResponseTemplate {
        self.0.lock().unwrap().push(Instant::now());
        ResponseTemplate::new(200).set_body_json(json!({"id": "1"})).set_delay(Duration::from_millis(15))
    }
}

/// The most arrivals in any window of length `per`.
fn busiest_window(mut times: Vec<Instant>, per: Duration) -> usize {
    times.sort();
    (0..times.len()).map(|i| times[i..].iter().take_while(|t| **t < times[i] + per).count()).max().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_four_processes_share_one_rate_budget() {
    let redis = RedisServer::start();
    let api = MockServer::start().await;
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("GET")).and(path("/things/1")).respond_with(Arrivals(arrivals.clone())).mount(&api).await;
    let store = store(&redis, "budget");

    let env =
        [("GHL_REDIS_URL", redis.url()), ("GHL_REDIS_PREFIX", store.prefix().to_owned()), ("GHL_MOCK_URL", api.uri())];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let per_worker = successes(spawn_workers(4, "budget", &env)).await;

    assert_eq!(per_worker, [10, 10, 10, 10]);
    let times = arrivals.lock().unwrap().clone();
    assert_eq!(times.len(), 40);
    // The workers' limit is 5 per 400 ms: 4 local limiters would send 20.
    let busiest = busiest_window(times, Duration::from_millis(400));
    assert!(busiest <= 5, "{busiest} requests reached the server in one window");
    assert!(busiest >= 2, "the workers ran concurrently");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_lease_of_a_killed_refresher_expires_and_another_refreshes() {
    let redis = RedisServer::start();
    let api = MockServer::start().await;
    // The first refresh hangs (its worker is killed meanwhile); the next one answers.
    refresh_mock("old-refresh")
        .respond_with(token_answer("hung-access", "hung-refresh").set_delay(Duration::from_secs(60)))
        .up_to_n_times(1)
        .mount(&api)
        .await;
    refresh_mock("old-refresh").respond_with(token_answer("new-access", "new-refresh")).mount(&api).await;
    mount_thing(&api, "new-access").await;
    let store = store(&redis, "lease");
    let tokens = store.tokens("cid", "loc-1");
    assert!(tokens.compare_and_swap(None, &TokenRecord::new(expired("old-access", "old-refresh"))).await.unwrap());

    let env =
        [("GHL_REDIS_URL", redis.url()), ("GHL_REDIS_PREFIX", store.prefix().to_owned()), ("GHL_MOCK_URL", api.uri())];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut worker = spawn_workers(1, "hold-lease", &env).remove(0);
    let mut leased = false;
    for _ in 0..1000 {
        if tokens.get().await.unwrap().unwrap().lease.is_some() && count(&api, "/oauth/token").await == 1 {
            leased = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(leased, "the worker never claimed the refresh lease");
    worker.kill().unwrap();
    worker.wait().unwrap();
    assert!(tokens.get().await.unwrap().unwrap().lease.is_some(), "the dead worker's lease is still there");

    let client = builder(&api.uri())
        .oauth(OAuthApp::new("cid", "csecret"))
        .token_store(Arc::new(tokens.clone()))
        .refresh_lease(Duration::from_secs(2))
        .location_id("loc-1")
        .build()
        .unwrap();
    client.execute::<Value>(get_thing()).await.unwrap();
    assert_eq!(count(&api, "/oauth/token").await, 2, "one hung refresh, then one after the lease expired");
    let record = tokens.get().await.unwrap().unwrap();
    assert_eq!(record.tokens.access_token.expose_secret(), "new-access");
    assert!(record.lease.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_restarted_mid_run_calls_recover_without_a_lost_or_second_refresh() {
    let mut redis = RedisServer::start();
    let api = MockServer::start().await;
    mount_thing(&api, "access-1").await;
    mount_thing(&api, "access-2").await;
    refresh_mock("refresh-1").respond_with(token_answer("access-2", "refresh-2")).mount(&api).await;
    let store =
        RedisStore::open_with_timeout(&redis.url(), Duration::from_millis(500)).unwrap().with_prefix("test:restart:");
    let tokens = store.tokens("cid", "loc-1");
    assert!(tokens.compare_and_swap(None, &TokenRecord::new(fresh("access-1", "refresh-1"))).await.unwrap());
    let client = builder(&api.uri())
        .oauth(OAuthApp::new("cid", "csecret"))
        .token_store(Arc::new(tokens.clone()))
        .rate_limiter(Arc::new(store.rate_budget("cid", RateLimit::STANDARD)))
        .location_id("loc-1")
        .build()
        .unwrap();
    assert_eq!(concurrent_calls(&client, 8).await, 8);

    redis.stop();
    // The access token is in memory and the budget falls back to this process: calls go on.
    assert_eq!(concurrent_calls(&client, 8).await, 8);
    // A refresh needs the shared lease: it fails clearly, and spends nothing.
    let e = client.refresh_now().await.unwrap_err();
    assert!(matches!(e, Error::TokenStore { .. }), "{e:?}");
    assert!(e.to_string().contains("Redis"), "{e}");
    assert_eq!(count(&api, "/oauth/token").await, 0);

    redis.resume();
    let mut recovered = false;
    for _ in 0..100 {
        if client.refresh_now().await.is_ok() {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(recovered, "the refresh never succeeded after Redis came back");
    assert_eq!(count(&api, "/oauth/token").await, 1);
    assert_eq!(concurrent_calls(&client, 8).await, 8);
    let record = tokens.get().await.unwrap().unwrap();
    assert_eq!(record.tokens.access_token.expose_secret(), "access-2");
    assert_eq!(count(&api, "/things/1").await, 24);
}

#[tokio::test]
async fn redis_replayed_delivery_on_a_second_verifier_is_refused() {
    let redis = RedisServer::start();
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let public = PublicKey::ed25519_from_bytes(key.verifying_key().as_bytes()).unwrap();
    let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_738_074_900);
    // Two instances behind a load balancer: separate connections, one Redis.
    let verifier = |prefix: &str| {
        WebhookVerifier::builder()
            .without_default_keys()
            .key(public.clone())
            .clock(move || at)
            .replay_store(Arc::new(store(&redis, prefix).replay_store()))
            .build()
    };
    let (a, b) = (verifier("hooks"), verifier("hooks"));
    let body = serde_json::to_vec(&json!({
        "type": "TaskCreate", "timestamp": "2025-01-28T14:35:00Z", "webhookId": "wh-1", "locationId": "loc-1"
    }))
    .unwrap();
    let mut h = http::HeaderMap::new();
    let signature = base64::engine::general_purpose::STANDARD.encode(key.sign(&body).to_bytes());
    h.insert("x-ghl-signature", signature.parse().unwrap());

    a.verify(&h, &body).await.unwrap();
    let replay = b.verify(&h, &body).await.unwrap_err();
    assert!(replay.is_duplicate(), "{replay}");
    assert!(a.verify(&h, &body).await.unwrap_err().is_duplicate());
    // Another prefix is another app: it has not seen the delivery.
    verifier("other-app").verify(&h, &body).await.unwrap();

    // The id is kept until the delivery's window closes, then forgotten.
    let replays = store(&redis, "ttl").replay_store();
    assert!(replays.insert_if_absent("x", at, at + Duration::from_millis(300)).await.unwrap());
    assert!(!replays.insert_if_absent("x", at, at + Duration::from_millis(300)).await.unwrap());
    let mut forgotten = false;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        if replays.insert_if_absent("x", at, at + Duration::from_secs(60)).await.unwrap() {
            forgotten = true;
            break;
        }
    }
    assert!(forgotten);
    replays.remove("x").await.unwrap();
    assert!(replays.insert_if_absent("x", at, at + Duration::from_secs(60)).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_token_store_swaps_atomically_per_app_and_resource() {
    let redis = RedisServer::start();
    let store = store(&redis, "cas");
    let a = store.tokens("cid", "loc-1");
    assert!(a.get().await.unwrap().is_none());
    let first = TokenRecord::new(fresh("a1", "r1"));
    assert!(a.compare_and_swap(None, &first).await.unwrap());
    assert!(!a.compare_and_swap(None, &first).await.unwrap());
    assert!(!a.compare_and_swap(Some(7), &first).await.unwrap());

    // 32 writers race from revision 1: exactly one wins.
    let wins: usize = futures::future::join_all((0..32).map(|i| {
        let a = a.clone();
        async move {
            let mut next = TokenRecord::new(fresh(&format!("a{i}"), "r"));
            next.revision = 2;
            usize::from(a.compare_and_swap(Some(1), &next).await.unwrap())
        }
    }))
    .await
    .into_iter()
    .sum();
    assert_eq!(wins, 1);
    assert_eq!(a.get().await.unwrap().unwrap().revision, 2);

    // Keys are per app and resource, and separators in ids cannot collide.
    assert!(store.tokens("cid", "loc-2").get().await.unwrap().is_none());
    assert!(store.tokens("other", "loc-1").get().await.unwrap().is_none());
    assert!(store.tokens("cid:loc", "1").compare_and_swap(None, &first).await.unwrap());
    assert!(store.tokens("cid", "loc:1").get().await.unwrap().is_none());
    assert_ne!(store.tokens("cid:loc", "1").key(), store.tokens("cid", "loc:1").key());
    // The keyed family: the same app's store for another location.
    let sibling = a.for_resource("loc-1").unwrap();
    assert_eq!(sibling.get().await.unwrap().unwrap().revision, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_location_tokens_from_the_agency_token_are_shared_between_workers() {
    let redis = RedisServer::start();
    let api = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/locationToken"))
        .and(header("authorization", "Bearer agency-access"))
        .and(body_string_contains("locationId=loc-9"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "loc-access", "token_type": "Bearer", "expires_in": 86399, "locationId": "loc-9"
        })))
        .mount(&api)
        .await;
    mount_thing(&api, "loc-access").await;
    let store = store(&redis, "locations");
    let agency = OAuthTokens::new("agency-access", Some("agency-refresh".into()), now() + 86_000, UserType::Company)
        .company_id("comp-1");
    assert!(store.tokens("cid", "comp-1").compare_and_swap(None, &TokenRecord::new(agency)).await.unwrap());
    // Two workers (two sessions, as in two processes) of the same app.
    let worker = || {
        builder(&api.uri())
            .oauth(OAuthApp::new("cid", "csecret"))
            .token_store(Arc::new(store.tokens("cid", "comp-1")))
            .build()
            .unwrap()
    };
    for client in [worker(), worker()] {
        let mut r = get_thing();
        r.scope_key("loc-9");
        client.execute::<Value>(r).await.unwrap();
    }
    assert_eq!(count(&api, "/oauth/locationToken").await, 1, "the second worker used the shared location token");
    let shared = store.tokens("cid", "loc-9").get().await.unwrap().unwrap();
    assert_eq!(shared.tokens.access_token.expose_secret(), "loc-access");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_budget_shares_pauses_and_the_daily_quota_between_workers() {
    let redis = RedisServer::start();
    let limit = RateLimit::new(3, Duration::from_secs(30));
    let (a, b) = (store(&redis, "shared-budget"), store(&redis, "shared-budget"));
    let (a, b) = (a.rate_budget("cid", limit), b.rate_budget("cid", limit));
    let patience = Duration::from_millis(200);

    // Slots taken by one worker are gone for the other, in flight or spent.
    let held = a.acquire_within("loc-1", patience).await.unwrap();
    drop(b.acquire_within("loc-1", patience).await.unwrap());
    drop(a.acquire_within("loc-1", patience).await.unwrap());
    let full = tokio::time::timeout(Duration::from_millis(300), b.acquire_within("loc-1", patience)).await;
    assert!(full.is_err(), "a fourth slot in the window was given");
    drop(held);
    // Another location has its own budget.
    drop(b.acquire_within("loc-2", patience).await.unwrap());

    // A 429 seen by one pauses the other.
    a.pause("loc-3", Duration::from_secs(20));
    let mut refused = None;
    for _ in 0..50 {
        match b.acquire_within("loc-3", patience).await {
            Err(r) => {
                refused = Some(r);
                break;
            }
            Ok(p) => drop(p),
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let refused = refused.expect("the pause reached the other worker");
    assert_eq!(refused.kind, RateLimitKind::Burst);
    assert!(refused.wait.is_some_and(|w| w > patience));

    // The daily quota the server reports is spent by every worker.
    let mut headers = http::HeaderMap::new();
    headers.insert("x-ratelimit-daily-remaining", "1".parse().unwrap());
    a.observe("loc-4", &RateLimitHeaders::parse(&headers));
    let mut daily = None;
    for _ in 0..50 {
        match b.acquire_within("loc-4", patience).await {
            Err(r) => {
                daily = Some(r);
                break;
            }
            Ok(p) => drop(p),
        }
    }
    assert_eq!(daily.expect("the daily quota ran out").kind, RateLimitKind::Daily);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_gives_clear_errors_and_a_local_budget_never_a_hang() {
    // Nothing listens on this port.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let store =
        RedisStore::open_with_timeout(&format!("redis://127.0.0.1:{port}/0"), Duration::from_millis(300)).unwrap();
    let e = store.tokens("cid", "loc-1").get().await.unwrap_err();
    assert!(matches!(e, Error::TokenStore { .. }) && e.to_string().contains("Redis"), "{e}");
    let record = TokenRecord::new(fresh("a", "r"));
    assert!(store.tokens("cid", "loc-1").compare_and_swap(None, &record).await.is_err());
    let e = store
        .replay_store()
        .insert_if_absent("id", SystemTime::now(), SystemTime::now() + Duration::from_secs(60))
        .await;
    let e = e.unwrap_err();
    assert!(matches!(e, WebhookError::Store { .. }), "{e}");
    assert!(e.status().is_server_error() || e.status() == http::StatusCode::TOO_MANY_REQUESTS, "{}", e.status());
    // The budget falls back to this process's limiter: 2 slots, then none.
    let budget = store.rate_budget("cid", RateLimit::new(2, Duration::from_secs(60)));
    let p1 = budget.acquire_within("loc-1", Duration::from_millis(100)).await.unwrap();
    let p2 = budget.acquire_within("loc-1", Duration::from_millis(100)).await.unwrap();
    let third = tokio::time::timeout(Duration::from_millis(300), budget.acquire_within("loc-1", Duration::ZERO)).await;
    assert!(third.is_err(), "the fallback limiter gave a third slot");
    drop((p1, p2));

    // A URL with a password: never shown, not even when it is malformed.
    let s = RedisStore::open("redis://user:hunter2-secret@127.0.0.1:1/0").unwrap();
    assert!(!format!("{s:?}").contains("hunter2"));
    let e = RedisStore::open("redis://user:hunter2-secret@[bad/0").unwrap_err();
    assert!(!e.to_string().contains("hunter2"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_stale_refresher_cannot_overwrite_newer_tokens() {
    // Worker A claims the lease and hangs; its lease expires; worker B
    // refreshes with the same refresh token (the server allowed it) and
    // stores a newer pair; then A's answer arrives. A must keep B's pair.
    let redis = RedisServer::start();
    let api = MockServer::start().await;
    refresh_mock("old-refresh")
        .respond_with(token_answer("a-access", "a-refresh").set_delay(Duration::from_secs(6)))
        .up_to_n_times(1)
        .mount(&api)
        .await;
    refresh_mock("old-refresh").respond_with(token_answer("b-access", "b-refresh")).mount(&api).await;
    mount_thing(&api, "b-access").await;
    let store = store(&redis, "fence");
    let tokens = store.tokens("cid", "loc-1");
    assert!(tokens.compare_and_swap(None, &TokenRecord::new(expired("old-access", "old-refresh"))).await.unwrap());
    let worker = || {
        builder(&api.uri())
            .oauth(OAuthApp::new("cid", "csecret"))
            .token_store(Arc::new(tokens.clone()))
            .refresh_lease(Duration::from_secs(1))
            .location_id("loc-1")
            .build()
            .unwrap()
    };
    let (a, b) = (worker(), worker());
    let stale = tokio::spawn(async move { a.execute::<Value>(get_thing()).await });
    while count(&api, "/oauth/token").await == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    b.execute::<Value>(get_thing()).await.unwrap();
    let by_a = stale.await.unwrap().unwrap();
    assert_eq!(by_a.body["id"], "1", "A used B's newer pair");
    let record = tokens.get().await.unwrap().unwrap();
    assert_eq!(record.tokens.refresh_token.unwrap().expose_secret(), "b-refresh");
    let seen: HashMap<String, usize> =
        api.received_requests().await.unwrap().iter().fold(HashMap::new(), |mut m, r| {
            let auth = r.headers.get("authorization").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
            *m.entry(auth).or_default() += 1;
            m
        });
    assert_eq!(seen.get("Bearer b-access"), Some(&2), "{seen:?}");
    assert!(!seen.contains_key("Bearer a-access"), "{seen:?}");
}
