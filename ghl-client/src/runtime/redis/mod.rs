//! Shared state for fleets of workers, in Redis (feature `redis`).
//!
//! One [`RedisStore`] (a connection manager, a key prefix and a time limit
//! per command) hands out the three shared pieces a fleet needs:
//!
//! - [`RedisStore::tokens`]: a [`crate::TokenStore`] per app and resource
//!   (location or company), with the refresh lease of the runtime's refresh
//!   protocol claimed atomically (a Lua compare-and-swap on the revision);
//! - [`RedisStore::rate_budget`]: a [`crate::RateBudget`] whose slots live in
//!   Redis, so every worker of an app spends one budget per location;
//! - [`RedisStore::replay_store`] (with feature `webhooks`): a
//!   [`crate::webhook::ReplayStore`] over `SET NX PX`.
//!
//! What is stored, under the prefix (default `ghl:`):
//!
//! | key | holds | expires |
//! | --- | --- | --- |
//! | `tokens:{client_id}:{resource}` | hash: `revision`, `record` (the token record as JSON: access and refresh token **in clear text**, lease) | never (a refresh token stays valid until used); delete it to uninstall |
//! | `rate:{client_id}:{key}` | sorted set of slots (in flight or spent) | one window after the last slot comes back |
//! | `rate-pause:{client_id}:{key}` | a 429's pause | at its end |
//! | `rate-daily:{client_id}:{key}` | the daily quota left, as the server last said | after `daily_hold` (default 15 min) |
//! | `webhook:{webhookId}` | `1` | when the delivery's timestamp window closes |
//!
//! Redis therefore holds secrets: give the app its own ACL user and key
//! prefix, use `rediss://` (TLS) across machines, and keep it off the
//! internet. Nothing this module logs or returns contains a token, a
//! password or a stored value.
//!
//! Every command is bounded by [`RedisStore::timeout`] (default 2 s): when
//! Redis is down or slow, the token store and the replay store fail with a
//! clear error (a refresh is then neither run nor repeated; a webhook is
//! answered with a retryable status), and the rate budget falls back to an
//! in-process limiter of the same limit until Redis answers again.
//!
//! Built on the `redis` crate (redis-rs) rather than `fred`: its tokio
//! `ConnectionManager` is one multiplexed connection that reconnects on its
//! own, its `Script` runs Lua by `EVALSHA` and loads it again after a
//! restart (`NOSCRIPT`), and it speaks `rediss://` through rustls, the TLS
//! stack reqwest already brings. That is all this module needs, with fewer
//! dependencies than `fred`'s pools, cluster and sentinel machinery.

mod budget;
#[cfg(feature = "webhooks")]
mod replay;
mod tokens;

use std::fmt;
use std::future::Future;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

pub use budget::RedisRateBudget;
#[cfg(feature = "webhooks")]
pub use replay::RedisReplayStore;
pub use tokens::RedisTokenStore;

use crate::Error;

/// A connection to Redis, shared by the token stores, rate budgets and
/// replay store made from it. Cheap to clone (one multiplexed connection
/// inside, re-established on its own after a failure).
///
/// ```no_run
/// # async fn f() -> Result<(), ghl_client::Error> {
/// use std::sync::Arc;
/// use ghl_client::{Client, OAuthApp, RateLimit};
/// use ghl_client::runtime::redis::RedisStore;
///
/// let redis = RedisStore::open("rediss://ghl-app:password@redis.internal:6380/0")?.with_prefix("myapp:ghl:");
/// let client = Client::builder()
///     .oauth(OAuthApp::new("client-id", "client-secret"))
///     .token_store(Arc::new(redis.tokens("client-id", "loc-1")))
///     .rate_limiter(Arc::new(redis.rate_budget("client-id", RateLimit::STANDARD)))
///     .location_id("loc-1")
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    prefix: String,
    timeout: Duration,
    /// `host:port/db`, without user or password, for messages.
    server: String,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("server", &self.server)
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// The default key prefix.
pub const DEFAULT_PREFIX: &str = "ghl:";
/// The default time limit of one Redis command.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

impl RedisStore {
    /// A store on the server at `url` (`redis://[user:password@]host[:port][/db]`,
    /// or `rediss://` for TLS). Connects on first use, so it works while Redis
    /// is still starting; must be called inside a Tokio runtime.
    pub fn open(url: &str) -> Result<Self, Error> {
        Self::open_with_timeout(url, DEFAULT_TIMEOUT)
    }

    /// Like [`Self::open`], with another time limit per command (and per connection attempt).
    pub fn open_with_timeout(url: &str, timeout: Duration) -> Result<Self, Error> {
        let client = redis::Client::open(url).map_err(|e| {
            // The parser's message may quote the URL, password included: say what is wrong without it.
            Error::Config(format!(
                "the Redis URL is not valid ({:?}); expected redis://host:port/db or rediss://...",
                e.kind()
            ))
        })?;
        let info = client.get_connection_info();
        let server = format!("{}/{}", info.addr(), info.redis_settings().db());
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(2)
            .set_min_delay(Duration::from_millis(50))
            .set_max_delay(Duration::from_millis(500));
        let conn = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| Error::store(format!("could not set up the Redis connection to {server}"), e))?;
        Ok(RedisStore { conn, prefix: DEFAULT_PREFIX.to_owned(), timeout, server })
    }

    /// Puts every key under `prefix` instead of `ghl:` (give each app or environment its own).
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The time limit of one command.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// `{prefix}{kind}:{part}:{part}...`, each part escaped so that no two
    /// different lists of parts make the same key.
    fn key(&self, kind: &str, parts: &[&str]) -> String {
        const ESCAPE: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS.add(b':').add(b'%').add(b' ');
        let mut key = format!("{}{kind}", self.prefix);
        for part in parts {
            key.push(':');
            key.extend(percent_encoding::utf8_percent_encode(part, ESCAPE));
        }
        key
    }

    /// Runs one command (or script) within the time limit.
    async fn run<T>(
        &self,
        what: &str,
        command: impl Future<Output = redis::RedisResult<T>>,
    ) -> Result<T, RedisFailure> {
        match tokio::time::timeout(self.timeout, command).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => {
                Err(RedisFailure { message: format!("Redis at {} failed to {what}", self.server), source: Some(e) })
            }
            Err(_) => Err(RedisFailure {
                message: format!("Redis at {} did not answer within {:?} to {what}", self.server, self.timeout),
                source: None,
            }),
        }
    }
}

/// A failed or timed-out command, turned into each caller's error type.
#[derive(Debug)]
struct RedisFailure {
    message: String,
    source: Option<redis::RedisError>,
}

impl From<RedisFailure> for Error {
    fn from(f: RedisFailure) -> Self {
        Error::TokenStore { message: f.message, source: f.source.map(|e| Box::new(e) as _) }
    }
}

/// Redis's clock as Unix milliseconds, read inside scripts so that every
/// worker compares against one clock.
const NOW_MS: &str =
    "local t = redis.call('TIME')\nlocal now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n";
