//! The client-side limiter on its own, on tokio's paused clock.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ghl_client::{RateLimit, RateLimiter};
use tokio::time::Instant;

const WINDOW: Duration = Duration::from_secs(10);

#[tokio::test(start_paused = true)]
async fn a_thousand_calls_never_exceed_100_in_any_10_second_window_and_are_served_in_order() {
    let limiter = Arc::new(RateLimiter::new(RateLimit::new(100, WINDOW)));
    let grants = Arc::new(Mutex::new(Vec::<(usize, Instant)>::new()));
    let start = Instant::now();
    let tasks: Vec<_> = (0..1000)
        .map(|i| {
            let (limiter, grants) = (limiter.clone(), grants.clone());
            tokio::spawn(async move {
                let _permit = limiter.acquire("loc-1").await;
                grants.lock().unwrap().push((i, Instant::now()));
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let grants = grants.lock().unwrap().clone();
    assert_eq!(grants.len(), 1000);

    // Any 101 consecutive grants span at least a full window.
    let times: Vec<Instant> = grants.iter().map(|g| g.1).collect();
    for (i, pair) in times.windows(101).enumerate() {
        assert!(pair[100] - pair[0] >= WINDOW, "grants {i}..={} within {:?}", i + 100, pair[100] - pair[0]);
    }
    // Served first come, first served.
    let order: Vec<usize> = grants.iter().map(|g| g.0).collect();
    assert_eq!(order, (0..1000).collect::<Vec<_>>());
    // And not slower than needed: ten windows' worth, so nine waits.
    let elapsed = times[999] - start;
    assert!(elapsed >= 9 * WINDOW && elapsed < 10 * WINDOW, "{elapsed:?}");
}

#[tokio::test(start_paused = true)]
async fn keys_are_limited_independently() {
    let limiter = RateLimiter::new(RateLimit::new(3, WINDOW));
    for _ in 0..3 {
        drop(limiter.acquire("a").await);
    }
    let start = Instant::now();
    for _ in 0..3 {
        drop(limiter.acquire("b").await);
    }
    assert_eq!(start.elapsed(), Duration::ZERO);
    assert_eq!(limiter.acquire("a").await.waited(), WINDOW);
}
