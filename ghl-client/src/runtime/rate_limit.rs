//! Client-side rate limiting, per location or company.
//!
//! HighLevel allows a burst of 100 requests per 10 s per app and resource.
//! The limiter is a bucket of `max` tokens in which each spent token comes
//! back exactly `per` after it was taken. A classic bucket that refills at
//! `max / per` would let `2 × max` through in one window (a full bucket plus
//! a window of refill); this one never lets more than `max` through in any
//! window of length `per`, which is what the server counts.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use http::HeaderMap;
use tokio::time::Instant;

/// How many requests may be sent per window, per location or company.
///
/// ```
/// use std::time::Duration;
/// use ghl_client::RateLimit;
/// assert_eq!(RateLimit::default(), RateLimit::new(100, Duration::from_secs(10)));
/// let sandbox = RateLimit::SANDBOX; // 25 per 10 s
/// assert_eq!(sandbox.max(), 25);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    max: u32,
    per: Duration,
}

impl RateLimit {
    /// HighLevel's documented burst limit: 100 requests per 10 s.
    pub const STANDARD: RateLimit = RateLimit { max: 100, per: Duration::from_secs(10) };
    /// The limit of sandbox (test) tokens: 25 requests per 10 s.
    pub const SANDBOX: RateLimit = RateLimit { max: 25, per: Duration::from_secs(10) };

    /// At most `max` requests in any window of length `per`.
    pub const fn new(max: u32, per: Duration) -> Self {
        RateLimit { max, per }
    }

    /// Requests allowed per window.
    pub fn max(&self) -> u32 {
        self.max
    }

    /// Length of the window.
    pub fn per(&self) -> Duration {
        self.per
    }
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit::STANDARD
    }
}

/// A limiter shared by every call of a client (or of several clients, see
/// [`crate::ClientBuilder::rate_limiter`]). Callers with the same key wait
/// in arrival order (FIFO).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use std::time::Duration;
/// use ghl_client::{RateLimit, RateLimiter};
/// let limiter = RateLimiter::new(RateLimit::new(2, Duration::from_secs(1)));
/// limiter.acquire("loc-1").await;
/// limiter.acquire("loc-1").await;
/// assert_eq!(limiter.available("loc-1"), 0);
/// assert_eq!(limiter.available("loc-2"), 2); // keys are independent
/// # }
/// ```
#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<String, Arc<Bucket>>>,
}

#[derive(Debug, Default)]
struct Bucket {
    /// Held while waiting for a slot; tokio's mutex queues waiters FIFO.
    turnstile: tokio::sync::Mutex<()>,
    /// When each taken token comes back (min-heap).
    busy_until: Mutex<BinaryHeap<Reverse<Instant>>>,
}

/// Never panics on a poisoned lock: the data is a plain queue of instants.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl RateLimiter {
    /// A limiter allowing `limit` per key. A `max` of 0 is treated as 1.
    pub fn new(limit: RateLimit) -> Self {
        let limit = RateLimit { max: limit.max.max(1), per: limit.per };
        RateLimiter { limit, buckets: Mutex::new(HashMap::new()) }
    }

    /// The configured limit.
    pub fn limit(&self) -> RateLimit {
        self.limit
    }

    fn bucket(&self, key: &str) -> Arc<Bucket> {
        let mut map = lock(&self.buckets);
        if let Some(b) = map.get(key) {
            return b.clone();
        }
        let b = Arc::new(Bucket::default());
        map.insert(key.to_owned(), b.clone());
        b
    }

    fn max(&self) -> usize {
        self.limit.max as usize
    }

    /// Waits for a slot for `key` and takes it. Returns how long it waited.
    pub async fn acquire(&self, key: &str) -> Duration {
        let bucket = self.bucket(key);
        let start = Instant::now();
        let _turn = bucket.turnstile.lock().await;
        loop {
            let wake = {
                let mut heap = lock(&bucket.busy_until);
                let now = Instant::now();
                purge(&mut heap, now);
                if heap.len() < self.max() {
                    heap.push(Reverse(now + self.limit.per));
                    return now - start;
                }
                match heap.peek() {
                    Some(Reverse(t)) => *t,
                    None => now,
                }
            };
            // Re-checked after waking: `tighten`/`pause` may have added slots.
            tokio::time::sleep_until(wake).await;
        }
    }

    /// Free slots for `key` right now.
    pub fn available(&self, key: &str) -> usize {
        let bucket = self.bucket(key);
        let mut heap = lock(&bucket.busy_until);
        purge(&mut heap, Instant::now());
        self.max().saturating_sub(heap.len())
    }

    /// Lowers the free slots of `key` to `remaining` when the server says
    /// fewer are left than the limiter thinks (other clients share the quota).
    pub fn tighten(&self, key: &str, remaining: u32) {
        let bucket = self.bucket(key);
        let mut heap = lock(&bucket.busy_until);
        let now = Instant::now();
        purge(&mut heap, now);
        let free = self.max().saturating_sub(heap.len());
        for _ in (remaining as usize)..free {
            heap.push(Reverse(now + self.limit.per));
        }
    }

    /// Blocks `key` for `wait` (after a 429): no slot frees before then, and
    /// every slot frees then. The server's wait is authoritative: it replaces
    /// any longer estimate made from `X-RateLimit-Remaining`.
    pub fn pause(&self, key: &str, wait: Duration) {
        let bucket = self.bucket(key);
        let mut heap = lock(&bucket.busy_until);
        let until = Instant::now() + wait;
        heap.clear();
        heap.extend(std::iter::repeat_n(Reverse(until), self.max()));
    }

    /// Applies HighLevel's rate-limit headers of a response for `key`.
    pub(crate) fn observe(&self, key: &str, headers: &RateLimitHeaders) {
        if let Some(remaining) = headers.remaining {
            self.tighten(key, remaining);
        }
    }
}

fn purge(heap: &mut BinaryHeap<Reverse<Instant>>, now: Instant) {
    while heap.peek().is_some_and(|Reverse(t)| *t <= now) {
        heap.pop();
    }
}

/// HighLevel's rate-limit headers, parsed leniently (a malformed value is ignored).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct RateLimitHeaders {
    /// `X-RateLimit-Remaining`: requests left in the burst window.
    pub remaining: Option<u32>,
    /// `X-RateLimit-Daily-Remaining`: requests left today.
    pub daily_remaining: Option<u64>,
    /// `X-RateLimit-Interval-Milliseconds`: the burst window.
    pub interval: Option<Duration>,
    /// `Retry-After`, as seconds or an HTTP date.
    pub retry_after: Option<Duration>,
}

impl RateLimitHeaders {
    pub(crate) fn parse(headers: &HeaderMap) -> Self {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
        let number = |name: &str| text(name).and_then(|v| v.parse::<f64>().ok()).filter(|v| v.is_finite() && *v >= 0.0);
        RateLimitHeaders {
            remaining: number("x-ratelimit-remaining").map(|v| v.min(u32::MAX as f64) as u32),
            daily_remaining: number("x-ratelimit-daily-remaining").map(|v| v.min(u64::MAX as f64) as u64),
            interval: number("x-ratelimit-interval-milliseconds")
                .and_then(|ms| Duration::try_from_secs_f64(ms / 1000.0).ok()),
            retry_after: text("retry-after").and_then(parse_retry_after),
        }
    }
}

fn parse_retry_after(value: &str) -> Option<Duration> {
    if let Ok(secs) = value.parse::<f64>() {
        return Duration::try_from_secs_f64(secs).ok();
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(std::time::SystemTime::now()).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_parse_leniently() {
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-remaining", "7".parse().unwrap());
        h.insert("x-ratelimit-daily-remaining", "0".parse().unwrap());
        h.insert("x-ratelimit-interval-milliseconds", "10000".parse().unwrap());
        h.insert("retry-after", "2".parse().unwrap());
        let p = RateLimitHeaders::parse(&h);
        assert_eq!(p.remaining, Some(7));
        assert_eq!(p.daily_remaining, Some(0));
        assert_eq!(p.interval, Some(Duration::from_secs(10)));
        assert_eq!(p.retry_after, Some(Duration::from_secs(2)));

        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-remaining", "-3".parse().unwrap());
        h.insert("x-ratelimit-interval-milliseconds", "NaN".parse().unwrap());
        h.insert("retry-after", "soon".parse().unwrap());
        h.insert("x-ratelimit-daily-remaining", http::HeaderValue::from_bytes(b"\xff").unwrap());
        assert_eq!(RateLimitHeaders::parse(&h), RateLimitHeaders::default());
    }

    #[test]
    fn retry_after_accepts_http_dates() {
        let later = std::time::SystemTime::now() + Duration::from_secs(120);
        let d = parse_retry_after(&httpdate::fmt_http_date(later)).unwrap();
        assert!(d > Duration::from_secs(100) && d <= Duration::from_secs(120));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
    }

    #[tokio::test(start_paused = true)]
    async fn tighten_and_pause_reduce_free_slots() {
        let l = RateLimiter::new(RateLimit::new(10, Duration::from_secs(10)));
        l.acquire("k").await;
        l.tighten("k", 3);
        assert_eq!(l.available("k"), 3);
        l.tighten("k", 5); // never loosens
        assert_eq!(l.available("k"), 3);
        l.pause("k", Duration::from_secs(30));
        assert_eq!(l.available("k"), 0);
        let start = Instant::now();
        l.acquire("k").await;
        assert!(start.elapsed() >= Duration::from_secs(30));
    }
}
