//! The webhook replay guard in Redis: `SET NX PX` per delivery id.

use std::time::SystemTime;

use super::RedisStore;
use crate::webhook::{ReplayStore, WebhookError};

/// A [`ReplayStore`] in Redis, shared by every instance behind a load
/// balancer: a delivery id is recorded with `SET NX` until the delivery's
/// timestamp window closes, so a replay reaching any instance is refused.
/// When Redis fails or times out, the delivery is refused with
/// [`WebhookError::Store`] (a retryable status: HighLevel sends it again).
#[derive(Clone, Debug)]
pub struct RedisReplayStore {
    redis: RedisStore,
}

impl RedisStore {
    /// The webhook replay store (keys `{prefix}webhook:{webhookId}`).
    pub fn replay_store(&self) -> RedisReplayStore {
        RedisReplayStore { redis: self.clone() }
    }
}

impl From<super::RedisFailure> for WebhookError {
    fn from(f: super::RedisFailure) -> Self {
        WebhookError::Store { message: f.message, source: f.source.map(|e| Box::new(e) as _) }
    }
}

#[async_trait::async_trait]
impl ReplayStore for RedisReplayStore {
    async fn insert_if_absent(
        &self,
        webhook_id: &str,
        now: SystemTime,
        expires_at: SystemTime,
    ) -> Result<bool, WebhookError> {
        let Ok(ttl) = expires_at.duration_since(now) else {
            // Already outside the window: nothing to remember.
            return Ok(true);
        };
        let key = self.redis.key("webhook", &[webhook_id]);
        let mut cmd = redis::cmd("SET");
        cmd.arg(&key).arg("1").arg("NX").arg("PX").arg(ttl.as_millis().clamp(1, u64::MAX as u128) as u64);
        let mut conn = self.redis.conn.clone();
        let set: Option<String> = self.redis.run("record a webhook id", cmd.query_async(&mut conn)).await?;
        Ok(set.is_some())
    }

    async fn remove(&self, webhook_id: &str) -> Result<(), WebhookError> {
        let key = self.redis.key("webhook", &[webhook_id]);
        let mut cmd = redis::cmd("DEL");
        cmd.arg(&key);
        let mut conn = self.redis.conn.clone();
        let _: i64 = self.redis.run("forget a webhook id", cmd.query_async(&mut conn)).await?;
        Ok(())
    }
}
