//! When to send a request again, and how long to wait first.
//!
//! A 429 is retried for every method (the server did not process the call)
//! after the wait it names. Server errors and network failures are retried
//! only for idempotent methods: HighLevel has no idempotency keys, and a POST
//! that timed out or answered 5xx may still have created the record.

use std::time::Duration;

use http::{Method, StatusCode};

use crate::runtime::rate_limit::RateLimitHeaders;

/// How many times, and how patiently, a call is retried.
///
/// ```
/// use std::time::Duration;
/// use ghl_client::RetryPolicy;
/// let policy = RetryPolicy::default()
///     .max_attempts(5)
///     .base_delay(Duration::from_millis(200))
///     .max_wait(Duration::from_secs(30));
/// assert_eq!(policy.attempts(), 5);
/// assert_eq!(RetryPolicy::none().attempts(), 1);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    max_wait: Duration,
}

impl Default for RetryPolicy {
    /// 4 attempts in all, backoff from 500 ms up to 30 s, server-named waits up to 60 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_wait: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy { max_attempts: 1, ..RetryPolicy::default() }
    }

    /// Attempts in all, the first included (at least 1).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// First backoff delay; each retry doubles it.
    pub fn base_delay(mut self, d: Duration) -> Self {
        self.base_delay = d;
        self
    }

    /// Largest backoff delay.
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.max_delay = d;
        self
    }

    /// Longest wait a 429 or 503 may ask for; a longer one is returned as an
    /// error at once (with the wait) instead of being slept through.
    pub fn max_wait(mut self, d: Duration) -> Self {
        self.max_wait = d;
        self
    }

    /// The longest server-named wait this policy sleeps through.
    pub fn longest_wait(&self) -> Duration {
        self.max_wait
    }

    /// Attempts in all.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Backoff before retry number `retry` (1 = first retry): exponential,
    /// capped, with "equal jitter" (half fixed, half random) so that callers
    /// failing together do not retry together.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let exp = self.base_delay.saturating_mul(1u32 << retry.saturating_sub(1).min(20)).min(self.max_delay);
        let half = exp / 2;
        half + half.mul_f64(fastrand::f64())
    }

    /// What to do after attempt number `attempt` (1-based) failed this way.
    pub(crate) fn decide(&self, method: &Method, failure: Failure<'_>, attempt: u32) -> Decision {
        if let Failure::Status(StatusCode::TOO_MANY_REQUESTS, h) = failure
            && h.daily_remaining == Some(0)
        {
            return Decision::DailyLimit;
        }
        if attempt >= self.max_attempts {
            return Decision::GiveUp;
        }
        let wait = match failure {
            Failure::Status(StatusCode::TOO_MANY_REQUESTS, h) => {
                h.retry_after.or(h.interval).unwrap_or_else(|| self.backoff(attempt))
            }
            Failure::Status(s, h) if s.is_server_error() && is_idempotent(method) => {
                h.retry_after.unwrap_or_else(|| self.backoff(attempt))
            }
            Failure::Transport if is_idempotent(method) => self.backoff(attempt),
            _ => return Decision::GiveUp,
        };
        if wait > self.max_wait { Decision::GiveUp } else { Decision::Retry(wait) }
    }
}

/// How an attempt failed.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Failure<'a> {
    /// The server answered with this status and these rate-limit headers.
    Status(StatusCode, &'a RateLimitHeaders),
    /// No answer (connection, timeout, broken body).
    Transport,
}

/// The outcome of [`RetryPolicy::decide`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Send again after this wait.
    Retry(Duration),
    /// Return the error.
    GiveUp,
    /// A 429 with the daily quota spent: fail at once.
    DailyLimit,
}

/// Methods that may be repeated without changing the result.
pub(crate) fn is_idempotent(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(f: impl FnOnce(&mut RateLimitHeaders)) -> RateLimitHeaders {
        let mut h = RateLimitHeaders::default();
        f(&mut h);
        h
    }

    #[test]
    fn post_is_never_repeated_after_5xx_or_transport() {
        let p = RetryPolicy::default();
        let none = RateLimitHeaders::default();
        assert_eq!(
            p.decide(&Method::POST, Failure::Status(StatusCode::SERVICE_UNAVAILABLE, &none), 1),
            Decision::GiveUp
        );
        assert_eq!(p.decide(&Method::PATCH, Failure::Transport, 1), Decision::GiveUp);
        assert!(matches!(p.decide(&Method::GET, Failure::Transport, 1), Decision::Retry(_)));
        assert!(matches!(
            p.decide(&Method::DELETE, Failure::Status(StatusCode::BAD_GATEWAY, &none), 1),
            Decision::Retry(_)
        ));
        assert_eq!(p.decide(&Method::GET, Failure::Status(StatusCode::NOT_FOUND, &none), 1), Decision::GiveUp);
    }

    #[test]
    fn rate_limits_use_the_servers_wait() {
        let p = RetryPolicy::default();
        let interval = headers(|h| h.interval = Some(Duration::from_millis(1500)));
        assert_eq!(
            p.decide(&Method::POST, Failure::Status(StatusCode::TOO_MANY_REQUESTS, &interval), 1),
            Decision::Retry(Duration::from_millis(1500))
        );
        let both = headers(|h| {
            h.interval = Some(Duration::from_secs(10));
            h.retry_after = Some(Duration::from_secs(3));
        });
        assert_eq!(
            p.decide(&Method::GET, Failure::Status(StatusCode::TOO_MANY_REQUESTS, &both), 1),
            Decision::Retry(Duration::from_secs(3))
        );
        let daily = headers(|h| h.daily_remaining = Some(0));
        assert_eq!(
            p.decide(&Method::GET, Failure::Status(StatusCode::TOO_MANY_REQUESTS, &daily), 1),
            Decision::DailyLimit
        );
        let long = headers(|h| h.retry_after = Some(Duration::from_secs(3600)));
        assert_eq!(p.decide(&Method::GET, Failure::Status(StatusCode::TOO_MANY_REQUESTS, &long), 1), Decision::GiveUp);
    }

    #[test]
    fn attempts_are_bounded_and_backoff_grows() {
        let p = RetryPolicy::default().max_attempts(3);
        assert_eq!(p.decide(&Method::GET, Failure::Transport, 3), Decision::GiveUp);
        for retry in 1..40 {
            let d = p.backoff(retry);
            let exp = Duration::from_millis(500).saturating_mul(1 << (retry - 1).min(20)).min(Duration::from_secs(30));
            assert!(d >= exp / 2 && d <= exp, "retry {retry}: {d:?}");
        }
    }
}
