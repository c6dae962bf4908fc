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
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use http::HeaderMap;
use tokio::time::Instant;

use crate::runtime::error::RateLimitKind;

/// Where a client takes its rate-limit slots: the in-process
/// [`RateLimiter`] (the default), or a budget shared by many processes
/// (`RedisRateBudget`, feature `redis`).
///
/// The contract every implementation keeps: a slot taken by
/// [`Self::acquire_within`] stays taken while the request is in flight and
/// comes back one window after its [`RatePermit`] is dropped (when the
/// answer arrived), so the server never sees more than [`RateLimit::max`]
/// requests per key in any window.
#[async_trait::async_trait]
pub trait RateBudget: Send + Sync + fmt::Debug {
    /// The configured limit.
    fn limit(&self) -> RateLimit;

    /// Waits for a slot for `key`, or fails at once with [`RateRefusal`]
    /// when `key` is paused (after a 429, or its daily quota is spent) for
    /// longer than `patience`.
    async fn acquire_within(&self, key: &str, patience: Duration) -> Result<RatePermit, RateRefusal>;

    /// Applies the rate-limit headers of an answer for `key`.
    fn observe(&self, key: &str, headers: &RateLimitHeaders);

    /// Sends nothing for `key` during `wait` (the server answered 429).
    fn pause(&self, key: &str, wait: Duration);
}

/// Why a slot was not given: the key is paused for longer than the caller's patience.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateRefusal {
    /// Which quota is spent.
    pub kind: RateLimitKind,
    /// How long until it may be used again, when known.
    pub wait: Option<Duration>,
}

impl RateRefusal {
    /// A refusal of `kind` for `wait`.
    pub fn new(kind: RateLimitKind, wait: Option<Duration>) -> Self {
        RateRefusal { kind, wait }
    }
}

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
/// A slot is held by a [`RatePermit`] while its request is in flight, and
/// comes back one window after the answer arrived, not after it was taken:
/// the server counts a request when it arrives, which may be long after the
/// slot was taken (a slow connect), and always before the answer. So the
/// server never sees more than `max` requests from this limiter in any window.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use std::time::Duration;
/// use ghl_client::{RateLimit, RateLimiter};
/// let limiter = RateLimiter::new(RateLimit::new(2, Duration::from_secs(1)));
/// let permit = limiter.acquire("loc-1").await;
/// // ... send the request while holding the permit ...
/// drop(permit); // the slot comes back one window from now
/// limiter.acquire("loc-1").await;
/// assert_eq!(limiter.available("loc-1"), 0);
/// assert_eq!(limiter.available("loc-2"), 2); // keys are independent
/// # }
/// ```
#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    buckets: Mutex<Buckets>,
}

#[derive(Debug, Default)]
struct Buckets {
    map: HashMap<String, Arc<Bucket>>,
    /// Sweep idle keys when the map reaches this size (doubles as it grows).
    sweep_at: usize,
}

#[derive(Debug, Default)]
struct Bucket {
    /// Held while waiting for a slot; tokio's mutex queues waiters FIFO.
    turnstile: tokio::sync::Mutex<()>,
    slots: Mutex<Slots>,
    /// Signalled when an in-flight slot is released.
    released: tokio::sync::Notify,
}

#[derive(Debug, Default)]
struct Slots {
    /// Requests sent (or being sent) and not answered yet.
    in_flight: usize,
    /// When each slot our own requests used comes back (min-heap).
    own: BinaryHeap<Reverse<Instant>>,
    /// Slots the server said are spent by others (`X-RateLimit-Remaining`).
    estimated: BinaryHeap<Reverse<Instant>>,
    /// No request before this (a 429's wait).
    paused_until: Option<Instant>,
}

impl Slots {
    fn purge(&mut self, now: Instant) {
        for heap in [&mut self.own, &mut self.estimated] {
            while heap.peek().is_some_and(|Reverse(t)| *t <= now) {
                heap.pop();
            }
        }
        if self.paused_until.is_some_and(|t| t <= now) {
            self.paused_until = None;
        }
    }

    fn used(&self) -> usize {
        self.in_flight + self.own.len() + self.estimated.len()
    }

    fn is_idle(&self, now: Instant) -> bool {
        self.in_flight == 0
            && self.paused_until.is_none_or(|t| t <= now)
            && self.own.iter().chain(self.estimated.iter()).all(|Reverse(t)| *t <= now)
    }
}

/// Holds one rate-limit slot while a request is in flight; dropping it starts
/// the slot's window (so a cancelled call still counts as sent).
#[must_use = "the slot is released (and its window starts) when the permit is dropped"]
pub struct RatePermit {
    release: Option<Release>,
    waited: Duration,
}

enum Release {
    Local { bucket: Arc<Bucket>, per: Duration },
    Custom(Box<dyn FnOnce() + Send + Sync>),
}

impl fmt::Debug for RatePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RatePermit").field("waited", &self.waited).finish_non_exhaustive()
    }
}

impl RatePermit {
    /// A permit for a [`RateBudget`] of your own: `release` runs when it is
    /// dropped (the answer arrived, or the call was cancelled) and must start
    /// the slot's window then.
    pub fn new(waited: Duration, release: impl FnOnce() + Send + Sync + 'static) -> Self {
        RatePermit { release: Some(Release::Custom(Box::new(release))), waited }
    }

    /// How long the caller waited for this slot.
    pub fn waited(&self) -> Duration {
        self.waited
    }
}

impl Drop for RatePermit {
    fn drop(&mut self) {
        match self.release.take() {
            Some(Release::Local { bucket, per }) => {
                {
                    let mut slots = lock(&bucket.slots);
                    slots.in_flight = slots.in_flight.saturating_sub(1);
                    slots.own.push(Reverse(later(Instant::now(), per)));
                }
                bucket.released.notify_one();
            }
            Some(Release::Custom(release)) => release(),
            None => {}
        }
    }
}

/// Never panics on a poisoned lock: the data is plain counters and instants.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The longest any wait may be: a server may name any number, and an
/// `Instant` overflows (a panic) long before a `Duration` does.
pub(crate) const MAX_WAIT: Duration = Duration::from_secs(24 * 60 * 60);

/// `now + d`, with `d` capped at [`MAX_WAIT`] so that it cannot overflow.
pub(crate) fn later(now: Instant, d: Duration) -> Instant {
    now + d.min(MAX_WAIT)
}

impl RateLimiter {
    /// A limiter allowing `limit` per key. A `max` of 0 is treated as 1.
    pub fn new(limit: RateLimit) -> Self {
        let limit = RateLimit { max: limit.max.max(1), per: limit.per.min(MAX_WAIT) };
        RateLimiter { limit, buckets: Mutex::new(Buckets { map: HashMap::new(), sweep_at: 1024 }) }
    }

    /// The configured limit.
    pub fn limit(&self) -> RateLimit {
        self.limit
    }

    fn bucket(&self, key: &str) -> Arc<Bucket> {
        let mut buckets = lock(&self.buckets);
        if let Some(b) = buckets.map.get(key) {
            return b.clone();
        }
        if buckets.map.len() >= buckets.sweep_at {
            // Forget keys nobody is using and whose slots have all come back,
            // so one process can serve thousands of locations in bounded memory.
            let now = Instant::now();
            buckets.map.retain(|_, b| Arc::strong_count(b) > 1 || !lock(&b.slots).is_idle(now));
            buckets.sweep_at = (buckets.map.len() * 2).max(1024);
        }
        let b = Arc::new(Bucket::default());
        buckets.map.insert(key.to_owned(), b.clone());
        b
    }

    /// Keys currently tracked (idle ones are forgotten as new keys arrive).
    pub fn tracked_keys(&self) -> usize {
        lock(&self.buckets).map.len()
    }

    fn max(&self) -> usize {
        self.limit.max as usize
    }

    /// Waits for a slot for `key` and takes it until the permit is dropped.
    pub async fn acquire(&self, key: &str) -> RatePermit {
        loop {
            // No pause reaches past MAX_WAIT from now, so this waits it out.
            match self.acquire_until(key, later(Instant::now(), MAX_WAIT)).await {
                Ok(p) => return p,
                Err(wait) => tokio::time::sleep(wait).await,
            }
        }
    }

    /// Like [`Self::acquire`], but fails at once with the remaining wait when
    /// `key` is paused (after a 429) until after `patience`.
    async fn acquire_until(&self, key: &str, patience: Instant) -> Result<RatePermit, Duration> {
        let bucket = self.bucket(key);
        let start = Instant::now();
        let _turn = bucket.turnstile.lock().await;
        loop {
            let wake = {
                let mut slots = lock(&bucket.slots);
                let now = Instant::now();
                slots.purge(now);
                match slots.paused_until {
                    Some(until) if until > patience => return Err(until - now),
                    Some(until) => Some(until),
                    None if slots.used() < self.max() => {
                        slots.in_flight += 1;
                        drop(slots);
                        let release = Release::Local { bucket: bucket.clone(), per: self.limit.per };
                        return Ok(RatePermit { release: Some(release), waited: now - start });
                    }
                    // Every slot is in flight: wait for an answer.
                    None if slots.own.is_empty() && slots.estimated.is_empty() => None,
                    None => slots.own.peek().into_iter().chain(slots.estimated.peek()).map(|Reverse(t)| *t).min(),
                }
            };
            // Re-checked after waking: a release may have made room.
            match wake {
                Some(at) => {
                    let _ = tokio::time::timeout_at(at, bucket.released.notified()).await;
                }
                None => bucket.released.notified().await,
            }
        }
    }

    /// Free slots for `key` right now.
    pub fn available(&self, key: &str) -> usize {
        let bucket = self.bucket(key);
        let mut slots = lock(&bucket.slots);
        let now = Instant::now();
        slots.purge(now);
        if slots.paused_until.is_some() {
            return 0;
        }
        self.max().saturating_sub(slots.used())
    }

    /// Lowers the free slots of `key` to `remaining` when the server says
    /// fewer are left than the limiter thinks (other clients share the quota).
    pub fn tighten(&self, key: &str, remaining: u32) {
        let bucket = self.bucket(key);
        let mut slots = lock(&bucket.slots);
        let now = Instant::now();
        slots.purge(now);
        let free = self.max().saturating_sub(slots.used());
        let until = later(now, self.limit.per);
        for _ in (remaining as usize)..free {
            slots.estimated.push(Reverse(until));
        }
    }

    /// Sends nothing for `key` during `wait` (after a 429). The server's wait
    /// replaces the estimates made from `X-RateLimit-Remaining`, but never
    /// frees a slot our own requests still hold, and never shortens an
    /// earlier, longer pause.
    pub fn pause(&self, key: &str, wait: Duration) {
        let bucket = self.bucket(key);
        let mut slots = lock(&bucket.slots);
        let until = later(Instant::now(), wait);
        slots.estimated.clear();
        slots.paused_until = Some(slots.paused_until.map_or(until, |t| t.max(until)));
    }

    /// Applies HighLevel's rate-limit headers of a response for `key`.
    pub fn observe(&self, key: &str, headers: &RateLimitHeaders) {
        if let Some(remaining) = headers.remaining {
            self.tighten(key, remaining);
        }
    }
}

#[async_trait::async_trait]
impl RateBudget for RateLimiter {
    fn limit(&self) -> RateLimit {
        self.limit
    }

    async fn acquire_within(&self, key: &str, patience: Duration) -> Result<RatePermit, RateRefusal> {
        self.acquire_until(key, later(Instant::now(), patience))
            .await
            .map_err(|wait| RateRefusal::new(RateLimitKind::Burst, Some(wait)))
    }

    fn observe(&self, key: &str, headers: &RateLimitHeaders) {
        RateLimiter::observe(self, key, headers)
    }

    fn pause(&self, key: &str, wait: Duration) {
        RateLimiter::pause(self, key, wait)
    }
}

/// HighLevel's rate-limit headers, parsed leniently (a malformed value is ignored).
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct RateLimitHeaders {
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
    /// Reads the headers of an answer.
    pub fn parse(headers: &HeaderMap) -> Self {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
        let number = |name: &str| text(name).and_then(|v| v.parse::<f64>().ok()).filter(|v| v.is_finite() && *v >= 0.0);
        RateLimitHeaders {
            remaining: number("x-ratelimit-remaining").map(|v| v.min(u32::MAX as f64) as u32),
            daily_remaining: number("x-ratelimit-daily-remaining").map(|v| v.min(u64::MAX as f64) as u64),
            interval: number("x-ratelimit-interval-milliseconds")
                .map(|ms| Duration::try_from_secs_f64(ms / 1000.0).unwrap_or(MAX_WAIT).min(MAX_WAIT)),
            retry_after: text("retry-after").and_then(parse_retry_after).map(|d| d.min(MAX_WAIT)),
        }
    }
}

fn parse_retry_after(value: &str) -> Option<Duration> {
    if let Ok(secs) = value.parse::<f64>() {
        // A huge but valid number means "a long time", not "no wait".
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::try_from_secs_f64(secs).unwrap_or(MAX_WAIT));
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
        drop(l.acquire("k").await);
        l.tighten("k", 3);
        assert_eq!(l.available("k"), 3);
        l.tighten("k", 5); // never loosens
        assert_eq!(l.available("k"), 3);
        l.pause("k", Duration::from_secs(30));
        assert_eq!(l.available("k"), 0);
        let start = Instant::now();
        let _permit = l.acquire("k").await;
        assert!(start.elapsed() >= Duration::from_secs(30));
    }
}
