//! Token records in Redis, one hash per app and resource.

use std::sync::{Arc, LazyLock};

use redis::Script;

use super::RedisStore;
use crate::Error;
use crate::runtime::token_store::{TokenRecord, TokenStore};

/// Writes the record only if the stored revision is the expected one ('' = none stored).
static COMPARE_AND_SWAP: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local current = redis.call('HGET', KEYS[1], 'revision')
if ARGV[1] == '' then
  if current then return 0 end
elseif current ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'revision', ARGV[2], 'record', ARGV[3])
return 1
",
    )
});

/// A [`TokenStore`] for one app and one location or company, in Redis.
///
/// Made by [`RedisStore::tokens`]; every worker that names the same app and
/// resource shares the record, and the refresh protocol's lease is claimed by
/// an atomic compare-and-swap (a Lua script), so one worker in the whole
/// fleet spends the refresh token. The lease carries an expiry (see
/// [`crate::ClientBuilder::refresh_lease`]): a worker that dies mid-refresh
/// blocks the others only until then. Every write names the revision it
/// replaces, which fences off a stale worker: its write fails once anyone
/// else has written.
///
/// [`TokenStore::for_resource`] gives the store of another location of the
/// same app: location tokens made from an agency token are kept there.
#[derive(Clone, Debug)]
pub struct RedisTokenStore {
    redis: RedisStore,
    client_id: String,
    key: String,
}

impl RedisStore {
    /// The token store of app `client_id` for `resource` (a location or company id).
    pub fn tokens(&self, client_id: &str, resource: &str) -> RedisTokenStore {
        RedisTokenStore {
            redis: self.clone(),
            client_id: client_id.to_owned(),
            key: self.key("tokens", &[client_id, resource]),
        }
    }
}

impl RedisTokenStore {
    /// The Redis key of the record.
    pub fn key(&self) -> &str {
        &self.key
    }

    fn decode(bytes: &[u8]) -> Result<TokenRecord, Error> {
        // serde's message can quote values (tokens): report the position only.
        serde_json::from_slice(bytes).map_err(|e| Error::TokenStore {
            message: format!(
                "the token record in Redis is not valid ({:?} error at column {}); delete the key and authorize the app again",
                e.classify(),
                e.column()
            ),
            source: None,
        })
    }
}

#[async_trait::async_trait]
impl TokenStore for RedisTokenStore {
    async fn get(&self) -> Result<Option<TokenRecord>, Error> {
        let mut conn = self.redis.conn.clone();
        let mut cmd = redis::cmd("HGET");
        cmd.arg(&self.key).arg("record");
        let bytes: Option<Vec<u8>> = self.redis.run("read a token record", cmd.query_async(&mut conn)).await?;
        bytes.map(|b| Self::decode(&b)).transpose()
    }

    async fn compare_and_swap(&self, expected: Option<u64>, new: &TokenRecord) -> Result<bool, Error> {
        let json = serde_json::to_vec(new).map_err(|e| Error::store("could not encode the token record", e))?;
        let expected = expected.map(|r| r.to_string()).unwrap_or_default();
        let mut conn = self.redis.conn.clone();
        let mut call = COMPARE_AND_SWAP.key(&self.key);
        call.arg(expected).arg(new.revision).arg(json);
        let swapped: i64 = self.redis.run("write a token record", call.invoke_async(&mut conn)).await?;
        Ok(swapped == 1)
    }

    fn for_resource(&self, resource: &str) -> Option<Arc<dyn TokenStore>> {
        Some(Arc::new(self.redis.tokens(&self.client_id, resource)))
    }
}
