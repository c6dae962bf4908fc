//! Shared state in Redis against the in-process defaults, on one machine
//! with a local `redis-server` (started here on a free port):
//!
//! - per-call overhead: sequential calls to a loopback server with an OAuth
//!   token store and a rate limiter, in memory vs in Redis (the access token
//!   stays in memory either way; the Redis budget costs a script call to take
//!   the slot and one, in the background, to start its window);
//! - the bare limiter: take and release one slot;
//! - refreshes under contention: `S` sessions (as `S` worker processes) x 16
//!   concurrent calls with an expired access token, sharing one store: time
//!   until every call is answered, and how many refreshes reached the server.
//!
//! `cargo bench -p ghl-benches --features redis --bench redis [-- --quick]`

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use axum::Router;
use axum::routing::{get, post};
use ghl_benches::stats::Summary;
use ghl_client::runtime::redis::RedisStore;
use ghl_client::{
    Client, FileTokenStore, MemoryTokenStore, OAuthApp, OAuthTokens, OperationMeta, RateBudget, RateLimit, RateLimiter,
    Request, TokenKind, TokenRecord, TokenStore, UserType,
};

static GET_THING: OperationMeta = OperationMeta {
    id: "get-thing",
    method: http::Method::GET,
    path: "/things/{thingId}",
    version: "2021-07-28",
    token: TokenKind::Location,
    scopes: &[],
};

struct Redis(Child, u16);

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

fn start_redis() -> Redis {
    let port = free_port();
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server is needed: apt-get update && apt-get install -y redis-server");
    let redis = Redis(child, port); // stopped when dropped, also on the panic below
    for _ in 0..500 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return redis;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("redis-server did not start");
}

/// The API and token endpoint on loopback, on a thread of their own;
/// returns the base URL and the number of refreshes served.
fn start_api() -> (String, Arc<AtomicUsize>) {
    let refreshes = Arc::new(AtomicUsize::new(0));
    let counted = refreshes.clone();
    let (tx, rx) = std::sync::mpsc::channel::<SocketAddr>();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("server runtime");
        rt.block_on(async move {
            let app =
                Router::new().route("/things/{id}", get(|| async { json(serde_json::json!({"id": "1"})) })).route(
                    "/oauth/token",
                    post(move || {
                        let n = counted.fetch_add(1, Ordering::SeqCst);
                        async move {
                            json(serde_json::json!({
                                "access_token": format!("access-{n}"), "token_type": "Bearer", "expires_in": 86399,
                                "refresh_token": format!("refresh-{n}"), "userType": "Location", "locationId": "loc-1"
                            }))
                        }
                    }),
                );
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
            tx.send(listener.local_addr().expect("addr")).expect("send");
            axum::serve(listener, app).await.expect("serve");
        });
    });
    (format!("http://{}", rx.recv().expect("address")), refreshes)
}

fn json(v: serde_json::Value) -> impl axum::response::IntoResponse {
    ([(http::header::CONTENT_TYPE, "application/json")], v.to_string())
}

fn now() -> u64 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).expect("clock").as_secs()
}

fn tokens(expires_at: u64) -> OAuthTokens {
    OAuthTokens::new("access-old", Some("refresh-old".into()), expires_at, UserType::Location)
}

fn client(base: &str, store: Arc<dyn TokenStore>, limiter: Arc<dyn RateBudget>) -> Client {
    Client::builder()
        .base_url(base)
        .oauth(OAuthApp::new("cid", "csecret"))
        .token_store(store)
        .rate_limiter(limiter)
        .location_id("loc-1")
        .build()
        .expect("client")
}

/// Microseconds per call, one sample per round of `calls` sequential calls.
async fn per_call(client: &Client, rounds: usize, calls: usize) -> Summary {
    let mut samples = Vec::new();
    for _ in 0..rounds {
        let start = Instant::now();
        for _ in 0..calls {
            client.execute::<serde_json::Value>(Request::new(&GET_THING, "/things/1".into())).await.expect("call");
        }
        samples.push(start.elapsed().as_secs_f64() * 1e6 / calls as f64);
    }
    Summary::of(&samples)
}

async fn take_and_release(limiter: &dyn RateBudget, rounds: usize, n: usize) -> Summary {
    let mut samples = Vec::new();
    for r in 0..rounds {
        let start = Instant::now();
        for i in 0..n {
            // A new key each time: the window never fills.
            drop(limiter.acquire_within(&format!("k{r}-{i}"), Duration::from_secs(1)).await.expect("slot"));
        }
        samples.push(start.elapsed().as_secs_f64() * 1e6 / n as f64);
    }
    Summary::of(&samples)
}

/// `sessions` x 16 concurrent calls with an expired token; elapsed time and refreshes.
async fn contention(
    base: &str,
    refreshes: &AtomicUsize,
    sessions: usize,
    store: impl Fn() -> Arc<dyn TokenStore>,
) -> (Duration, usize) {
    let before = refreshes.load(Ordering::SeqCst);
    let first = store();
    let current = first.get().await.expect("get").map(|r| r.revision);
    let mut record = TokenRecord::new(tokens(now() - 10));
    record.revision = current.map_or(1, |r| r + 1);
    assert!(first.compare_and_swap(current, &record).await.expect("seed"));
    let clients: Vec<Client> = (0..sessions)
        .map(|_| client(base, store(), Arc::new(RateLimiter::new(RateLimit::new(10_000, Duration::from_secs(1))))))
        .collect();
    let start = Instant::now();
    let tasks: Vec<_> = clients
        .iter()
        .flat_map(|c| (0..16).map(move |_| c.clone()))
        .map(|c| {
            tokio::spawn(async move {
                c.execute::<serde_json::Value>(Request::new(&GET_THING, "/things/1".into())).await.expect("call")
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("task");
    }
    (start.elapsed(), refreshes.load(Ordering::SeqCst) - before)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (rounds, calls) = if quick { (5, 200) } else { (15, 500) };
    let redis = start_redis();
    let (base, refreshes) = start_api();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    println!("{}", ghl_benches::machine::describe());
    println!("redis-server on loopback (port {}), API on loopback; median (min–max) of {rounds} rounds", redis.1);
    rt.block_on(async {
        let r = RedisStore::open(&format!("redis://127.0.0.1:{}/0", redis.1)).expect("redis").with_prefix("bench:");
        let limit = RateLimit::new(1_000_000, Duration::from_secs(1));

        println!("\nper call ({calls} sequential calls per round, fresh token, limiter on):");
        println!("| token store + limiter | µs per call | ratio to memory, per round |");
        println!("|---|---:|---:|");
        let seed = || TokenRecord::new(tokens(now() + 86_000));
        let memory =
            client(&base, Arc::new(MemoryTokenStore::with_tokens(seed().tokens)), Arc::new(RateLimiter::new(limit)));
        let redis_store = r.tokens("cid", "loc-1");
        redis_store.compare_and_swap(None, &seed()).await.expect("seed");
        let shared = client(&base, Arc::new(redis_store), Arc::new(r.rate_budget("cid", limit)));
        let mixed = client(&base, Arc::new(r.tokens("cid", "loc-1")), Arc::new(RateLimiter::new(limit)));
        let contenders = [
            ("memory + in-process limiter", &memory),
            ("Redis + in-process limiter", &mixed),
            ("Redis + Redis budget", &shared),
        ];
        for (_, c) in contenders {
            per_call(c, 1, 20).await; // warm up: connections, first store read
        }
        // Rounds alternate the contenders, so that each sees the same load; ratios are per round.
        let mut samples = vec![Vec::new(); contenders.len()];
        let mut ratios = vec![Vec::new(); contenders.len()];
        for _ in 0..rounds {
            let mut round = Vec::new();
            for (_, c) in contenders {
                round.push(per_call(c, 1, calls).await.median);
            }
            for (i, x) in round.iter().enumerate() {
                samples[i].push(*x);
                ratios[i].push(x / round[0]);
            }
        }
        for (i, (name, _)) in contenders.iter().enumerate() {
            let (s, r) = (Summary::of(&samples[i]), Summary::of(&ratios[i]));
            println!("| {name} | {} | {} |", s.show(1.0, 0, "µs"), r.show(1.0, 2, "×"));
        }

        println!("\nthe limiter alone (take a slot and release it):");
        println!("| limiter | µs per slot |");
        println!("|---|---:|");
        let local = RateLimiter::new(limit);
        println!("| in-process | {} |", take_and_release(&local, rounds, calls).await.show(1.0, 1, "µs"));
        let budget = r.rate_budget("cid", limit);
        println!("| Redis | {} |", take_and_release(&budget, rounds, calls).await.show(1.0, 1, "µs"));

        println!("\nrefreshes under contention (expired token; S sessions x 16 concurrent calls, one store):");
        println!("| store | sessions | calls | refreshes | until all answered |");
        println!("|---|---:|---:|---:|---:|");
        let dir = std::env::temp_dir().join(format!("ghl-bench-tokens-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        for sessions in [1usize, 4, 16] {
            let mut redis_times = Vec::new();
            let mut file_times = Vec::new();
            let (mut redis_refreshes, mut file_refreshes) = (0, 0);
            for i in 0..rounds.min(5) {
                let key = format!("contention-{sessions}-{i}");
                let (t, n) = contention(&base, &refreshes, sessions, || Arc::new(r.tokens("cid", &key))).await;
                redis_times.push(t.as_secs_f64() * 1e3);
                redis_refreshes = redis_refreshes.max(n);
                let path = dir.join(format!("{key}.json"));
                let (t, n) = contention(&base, &refreshes, sessions, || Arc::new(FileTokenStore::new(&path))).await;
                file_times.push(t.as_secs_f64() * 1e3);
                file_refreshes = file_refreshes.max(n);
            }
            let calls = sessions * 16;
            println!(
                "| Redis | {sessions} | {calls} | {redis_refreshes} | {} |",
                Summary::of(&redis_times).show(1.0, 1, "ms")
            );
            println!(
                "| file (one machine only) | {sessions} | {calls} | {file_refreshes} | {} |",
                Summary::of(&file_times).show(1.0, 1, "ms")
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    });
}
