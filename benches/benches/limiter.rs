//! The client-side rate limit as the server sees it: 300 calls for one
//! location through HighLevel's default limit (100 requests per 10 s), to a
//! loopback server that reads each request only after a random delay of up
//! to 2 s (slow connects, a busy proxy). The server counts requests when it
//! reads them, as HighLevel does, and the figure is the most it saw in any
//! sliding 10 s window. Baseline in the same run: the same limiter used the
//! way the client used it before issue 18 (a slot's window starts when the
//! slot is taken, not when the answer arrives).
//!
//! `cargo bench -p ghl-benches --bench limiter [-- --quick]` (`--quick`: 150 calls)

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ghl_client::{Client, OperationMeta, RateLimit, RateLimiter, Request, TokenKind};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

static GET_THING: OperationMeta = OperationMeta {
    id: "get-thing",
    method: http::Method::GET,
    path: "/things/{thingId}",
    version: "2021-07-28",
    token: TokenKind::Location,
    scopes: &[],
};

const WINDOW: Duration = Duration::from_secs(10);

/// Serves on its own runtime thread; returns the base URL and the arrivals.
fn start_server() -> (String, Arc<Mutex<Vec<Instant>>>) {
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    let seen = arrivals.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("server runtime");
        rt.block_on(async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            tx.send(listener.local_addr().expect("addr")).expect("send addr");
            let mut n = 0u64;
            while let Ok((mut socket, _)) = listener.accept().await {
                n += 1;
                let (seen, mut rng) = (seen.clone(), fastrand::Rng::with_seed(n));
                tokio::spawn(async move {
                    loop {
                        tokio::time::sleep(Duration::from_millis(rng.u64(0..2000))).await;
                        let mut head = Vec::new();
                        let mut byte = [0u8; 1];
                        while !head.ends_with(b"\r\n\r\n") {
                            match socket.read(&mut byte).await {
                                Ok(1) => head.push(byte[0]),
                                _ => return,
                            }
                        }
                        seen.lock().expect("arrivals").push(Instant::now());
                        let answer = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: application/json\r\n\r\n{}";
                        if socket.write_all(answer.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
    });
    let addr = rx.recv().expect("server address");
    (format!("http://{addr}"), arrivals)
}

/// The most arrivals in any window of length `WINDOW`.
fn busiest_window(mut at: Vec<Instant>) -> usize {
    at.sort();
    let mut best = 0;
    let mut lo = 0;
    for hi in 0..at.len() {
        while at[hi] - at[lo] >= WINDOW {
            lo += 1;
        }
        best = best.max(hi - lo + 1);
    }
    best
}

async fn run(calls: usize, old_way: bool) -> (usize, Duration) {
    let (base, arrivals) = start_server();
    let limiter = Arc::new(RateLimiter::new(RateLimit::default()));
    let builder = Client::builder().base_url(base).private_integration_token("t").location_id("loc");
    let client =
        if old_way { builder.no_rate_limit() } else { builder.rate_limiter(limiter.clone()) }.build().expect("client");
    let start = Instant::now();
    let tasks: Vec<_> = (0..calls)
        .map(|i| {
            let (client, limiter) = (client.clone(), limiter.clone());
            tokio::spawn(async move {
                if old_way {
                    // The window starts when the slot is taken.
                    drop(limiter.acquire("loc").await);
                }
                client.execute::<serde_json::Value>(Request::new(&GET_THING, format!("/things/{i}"))).await
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("task").expect("call");
    }
    let elapsed = start.elapsed();
    let at = arrivals.lock().expect("arrivals").clone();
    assert_eq!(at.len(), calls);
    (busiest_window(at), elapsed)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let calls = if quick { 150 } else { 300 };
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    println!("{}", ghl_benches::machine::describe());
    println!("{calls} calls, one location, limit 100 per 10 s, arrivals delayed 0-2 s at random (seeded)");
    println!("| limiter | most requests the server saw in any 10 s window | elapsed |");
    println!("|---|---:|---:|");
    for (name, old) in [("slot held until the answer (now)", false), ("window from taking the slot (before)", true)] {
        let (most, elapsed) = rt.block_on(run(calls, old));
        println!("| {name} | {most} | {:.1} s |", elapsed.as_secs_f64());
    }
}
