//! A rate budget in Redis: one sliding window of slots per app and key,
//! shared by every worker.

use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use redis::Script;
use tokio::time::Instant;

use super::{NOW_MS, RedisStore};
use crate::runtime::error::RateLimitKind;
use crate::runtime::rate_limit::{
    MAX_WAIT, RateBudget, RateLimit, RateLimitHeaders, RateLimiter, RatePermit, RateRefusal, later,
};

/// KEYS: slots, pause, daily. ARGV: max, in-flight lease ms, slot id, window ms.
/// Returns {1, 0} (slot taken), {0, ms} (full: the next slot frees in ms),
/// {-1, ms} (paused for ms) or {-2, ms} (daily quota spent for ms).
static ACQUIRE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        r"{NOW_MS}
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then return {{-1, paused}} end
local daily = redis.call('GET', KEYS[3])
if daily and tonumber(daily) <= 0 then return {{-2, math.max(redis.call('PTTL', KEYS[3]), 0)}} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  local lease = tonumber(ARGV[2]) + tonumber(ARGV[4])
  redis.call('ZADD', KEYS[1], now + lease, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], lease + 1000)
  if daily then redis.call('DECR', KEYS[3]) end
  return {{1, 0}}
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {{0, math.max(tonumber(first[2]) - now, 1)}}
"
    ))
});

/// KEYS: slots. ARGV: slot id, window ms. The answer arrived: the slot's window starts now.
static RELEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        r"{NOW_MS}
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
end
return 1
"
    ))
});

/// KEYS: slots, daily. ARGV: max, remaining (-1: unknown), window ms, nonce,
/// daily remaining (-1: unknown), daily hold ms. Lowers the free slots to
/// what the server says is left, and records the daily quota left.
static OBSERVE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        r"{NOW_MS}
local remaining = tonumber(ARGV[2])
if remaining >= 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  local free = tonumber(ARGV[1]) - redis.call('ZCARD', KEYS[1])
  local until_ms = now + tonumber(ARGV[3])
  for i = remaining + 1, free do
    redis.call('ZADD', KEYS[1], until_ms, 'est:' .. ARGV[4] .. ':' .. i)
  end
  if free > remaining then redis.call('PEXPIRE', KEYS[1], math.max(redis.call('PTTL', KEYS[1]), tonumber(ARGV[3]) + 1000)) end
end
if tonumber(ARGV[5]) >= 0 then
  redis.call('SET', KEYS[2], ARGV[5], 'PX', ARGV[6])
end
return 1
"
    ))
});

/// KEYS: pause. ARGV: ms. Never shortens a longer pause.
static PAUSE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 1
",
    )
});

/// Waiters of one process queue here (FIFO) before asking Redis, so that a
/// process polls Redis once per key, not once per waiting call.
const TURNSTILES: usize = 64;

/// A [`RateBudget`] kept in Redis: every worker of an app that uses it
/// spends one budget per location or company.
///
/// A slot is recorded in Redis when taken, as *in flight* with a lease
/// ([`Self::with_in_flight_lease`], default 120 s, the default call
/// deadline), and finalized when its [`RatePermit`] is dropped: its window
/// starts when the answer arrived, as with the in-process [`RateLimiter`].
/// So the server never sees more than [`RateLimit::max`] requests of the
/// fleet in any window; a worker that dies with slots in flight holds them
/// until their lease ends. The server's `X-RateLimit-Remaining` lowers the
/// free slots for all workers, a 429 pauses them all, and
/// `X-RateLimit-Daily-Remaining` is shared for [`Self::with_daily_hold`]
/// (default 15 min): at 0, calls fail at once with a daily-limit error
/// until the hold ends and an answer says more.
///
/// When Redis fails or is slower than [`RedisStore::timeout`], the budget
/// falls back to an in-process [`RateLimiter`] of the same limit (and logs
/// a warning), trying Redis again a second later.
#[derive(Debug)]
pub struct RedisRateBudget {
    redis: RedisStore,
    client_id: String,
    limit: RateLimit,
    in_flight: Duration,
    daily_hold: Duration,
    poll: Duration,
    fallback: RateLimiter,
    /// While set and in the future, Redis is skipped (it just failed).
    degraded_until: Arc<Mutex<Option<Instant>>>,
    turnstiles: Vec<tokio::sync::Mutex<()>>,
}

impl RedisStore {
    /// The shared rate budget of app `client_id`: `limit` per location or company.
    pub fn rate_budget(&self, client_id: &str, limit: RateLimit) -> RedisRateBudget {
        let limit = RateLimit::new(limit.max().max(1), limit.per().min(MAX_WAIT));
        RedisRateBudget {
            redis: self.clone(),
            client_id: client_id.to_owned(),
            limit,
            in_flight: Duration::from_secs(120),
            daily_hold: Duration::from_secs(15 * 60),
            poll: Duration::from_millis(50),
            fallback: RateLimiter::new(limit),
            degraded_until: Arc::new(Mutex::new(None)),
            turnstiles: (0..TURNSTILES).map(|_| tokio::sync::Mutex::new(())).collect(),
        }
    }
}

fn ms(d: Duration) -> u64 {
    d.as_millis().clamp(1, u64::MAX as u128) as u64
}

impl RedisRateBudget {
    /// How long a slot taken by a request still in flight is held (default
    /// 120 s): keep it above the longest call, or a very slow request's slot
    /// is given away early.
    pub fn with_in_flight_lease(mut self, lease: Duration) -> Self {
        self.in_flight = lease.min(MAX_WAIT);
        self
    }

    /// How long the daily quota left, as the server last said, is believed
    /// by every worker (default 15 minutes).
    pub fn with_daily_hold(mut self, hold: Duration) -> Self {
        self.daily_hold = hold.min(MAX_WAIT);
        self
    }

    fn keys(&self, key: &str) -> [String; 3] {
        [
            self.redis.key("rate", &[&self.client_id, key]),
            self.redis.key("rate-pause", &[&self.client_id, key]),
            self.redis.key("rate-daily", &[&self.client_id, key]),
        ]
    }

    fn degraded(&self) -> bool {
        let mut until = self.degraded_until.lock().unwrap_or_else(|e| e.into_inner());
        match *until {
            Some(t) if t > Instant::now() => true,
            Some(_) => {
                *until = None;
                tracing::info!("the Redis rate budget is used again");
                false
            }
            None => false,
        }
    }

    fn degrade(&self, error: &super::RedisFailure) {
        let mut until = self.degraded_until.lock().unwrap_or_else(|e| e.into_inner());
        if until.is_none() {
            tracing::warn!(error = %error.message, "the Redis rate budget is unavailable; limiting in this process only");
        }
        *until = Some(Instant::now() + Duration::from_secs(1));
    }

    /// Runs a script in the background (nothing waits for its answer).
    fn spawn(&self, what: &'static str, script: &'static Script, keys: Vec<String>, args: Vec<String>) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        let redis = self.redis.clone();
        let degraded = self.degraded_until.clone();
        runtime.spawn(async move {
            let mut conn = redis.conn.clone();
            let mut call = script.prepare_invoke();
            for k in &keys {
                call.key(k);
            }
            for a in &args {
                call.arg(a);
            }
            if let Err(e) = redis.run::<i64>(what, call.invoke_async(&mut conn)).await {
                tracing::debug!(error = %e.message, "a rate budget update was not stored");
                let mut until = degraded.lock().unwrap_or_else(|p| p.into_inner());
                *until = Some(Instant::now() + Duration::from_secs(1));
            }
        });
    }
}

#[async_trait::async_trait]
impl RateBudget for RedisRateBudget {
    fn limit(&self) -> RateLimit {
        self.limit
    }

    async fn acquire_within(&self, key: &str, patience: Duration) -> Result<RatePermit, RateRefusal> {
        let start = Instant::now();
        let give_up = later(start, patience);
        let stripe = key.bytes().fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize)) % TURNSTILES;
        let _turn = self.turnstiles[stripe].lock().await;
        let [slots, pause, daily] = self.keys(key);
        loop {
            if self.degraded() {
                let rest = give_up.saturating_duration_since(Instant::now());
                return self.fallback.acquire_within(key, rest).await;
            }
            let id = format!("{:016x}", fastrand::u64(..));
            let mut conn = self.redis.conn.clone();
            let mut call = ACQUIRE.key(&slots);
            call.key(&pause)
                .key(&daily)
                .arg(self.limit.max())
                .arg(ms(self.in_flight))
                .arg(&id)
                .arg(ms(self.limit.per()));
            let answer: Vec<i64> = match self.redis.run("take a rate-limit slot", call.invoke_async(&mut conn)).await {
                Ok(a) => a,
                Err(e) => {
                    self.degrade(&e);
                    continue;
                }
            };
            let (status, wait) = match answer.as_slice() {
                [s, w] => (*s, Duration::from_millis((*w).max(0) as u64)),
                _ => (0, self.poll),
            };
            let now = Instant::now();
            match status {
                1 => {
                    let (redis, per) = (self.redis.clone(), ms(self.limit.per()));
                    let release = move || release_slot(redis, slots, id, per);
                    return Ok(RatePermit::new(now - start, release));
                }
                -2 => return Err(RateRefusal::new(RateLimitKind::Daily, Some(wait))),
                -1 if later(now, wait) > give_up => return Err(RateRefusal::new(RateLimitKind::Burst, Some(wait))),
                -1 => tokio::time::sleep(wait).await,
                // Full: a slot in flight may come back any time, so look again soon.
                _ => tokio::time::sleep(wait.min(self.poll)).await,
            }
        }
    }

    fn observe(&self, key: &str, headers: &RateLimitHeaders) {
        self.fallback.observe(key, headers);
        if (headers.remaining.is_none() && headers.daily_remaining.is_none()) || self.degraded() {
            return;
        }
        let [slots, _, daily] = self.keys(key);
        let signed = |v: Option<u64>| v.map_or("-1".to_owned(), |v| v.to_string());
        let args = vec![
            self.limit.max().to_string(),
            signed(headers.remaining.map(u64::from)),
            ms(self.limit.per()).to_string(),
            format!("{:016x}", fastrand::u64(..)),
            signed(headers.daily_remaining),
            ms(self.daily_hold).to_string(),
        ];
        self.spawn("record the rate-limit headers", &OBSERVE, vec![slots, daily], args);
    }

    fn pause(&self, key: &str, wait: Duration) {
        self.fallback.pause(key, wait);
        if self.degraded() {
            return;
        }
        let [_, pause, _] = self.keys(key);
        self.spawn("pause the rate budget", &PAUSE, vec![pause], vec![ms(wait.min(MAX_WAIT)).to_string()]);
    }
}

/// Starts the slot's window (the answer arrived). If this fails, the slot
/// stays in flight until its lease ends: the budget errs on the safe side.
fn release_slot(redis: RedisStore, slots: String, id: String, per_ms: u64) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
    runtime.spawn(async move {
        let mut conn = redis.conn.clone();
        let mut call = RELEASE.key(&slots);
        call.arg(&id).arg(per_ms);
        if let Err(e) = redis.run::<i64>("release a rate-limit slot", call.invoke_async(&mut conn)).await {
            tracing::debug!(error = %e.message, "a rate-limit slot was not released; it comes back when its lease ends");
        }
    });
}
