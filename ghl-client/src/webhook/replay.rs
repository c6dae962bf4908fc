//! Replay protection: the clock the timestamp window is checked against, and
//! the store that remembers which `webhookId`s were accepted.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::Mutex;
use std::time::SystemTime;

use super::error::WebhookError;

/// Where the verifier reads the current time (inject a fixed one in tests).
///
/// Any `Fn() -> SystemTime + Send + Sync` is a clock:
///
/// ```
/// use ghl_client::webhook::WebhookVerifier;
/// use std::time::{Duration, SystemTime};
/// let frozen = SystemTime::UNIX_EPOCH + Duration::from_secs(1_738_075_000);
/// let verifier = WebhookVerifier::builder().clock(move || frozen).build();
/// # let _ = verifier;
/// ```
pub trait Clock: Send + Sync {
    /// Now.
    fn now(&self) -> SystemTime;
}

/// The system's wall clock (the default).
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

impl<F: Fn() -> SystemTime + Send + Sync> Clock for F {
    fn now(&self) -> SystemTime {
        self()
    }
}

/// Remembers accepted `webhookId`s so that a repeated one is refused.
///
/// Implement it over a shared store (Redis `SET NX PX`, a database table
/// with a unique key, ...) when several processes receive webhooks; the
/// default [`MemoryReplayStore`] only protects one process. The check and
/// the insert must be one atomic step.
///
/// ```
/// use ghl_client::webhook::{ReplayStore, WebhookError};
/// use std::collections::HashSet;
/// use std::sync::Mutex;
/// use std::time::SystemTime;
///
/// /// Never forgets (fine for a test, not for production).
/// #[derive(Debug, Default)]
/// struct Forever(Mutex<HashSet<String>>);
///
/// #[async_trait::async_trait]
/// impl ReplayStore for Forever {
///     async fn insert_if_absent(&self, id: &str, _now: SystemTime, _expires_at: SystemTime) -> Result<bool, WebhookError> {
///         Ok(self.0.lock().map_err(|_| WebhookError::Store { message: "poisoned".into(), source: None })?.insert(id.to_owned()))
///     }
/// }
/// ```
#[async_trait::async_trait]
pub trait ReplayStore: Send + Sync + fmt::Debug {
    /// Records `webhook_id` until `expires_at` and returns `true`, or returns
    /// `false` when it is already recorded and not yet expired at `now`.
    /// After `expires_at` the timestamp window refuses the delivery anyway,
    /// so the id may be forgotten.
    async fn insert_if_absent(
        &self,
        webhook_id: &str,
        now: SystemTime,
        expires_at: SystemTime,
    ) -> Result<bool, WebhookError>;

    /// Forgets `webhook_id`, so that a redelivery of it is accepted (see
    /// [`WebhookVerifier::release`](super::WebhookVerifier::release)). The
    /// default does nothing.
    async fn remove(&self, webhook_id: &str) -> Result<(), WebhookError> {
        let _ = webhook_id;
        Ok(())
    }
}

/// A [`ReplayStore`] in memory, bounded in size.
///
/// Ids are dropped only once they expire (when the timestamp window would
/// refuse their delivery anyway). When `capacity` unexpired ids are held, a
/// new delivery is refused with [`WebhookError::Store`] (answered 429, so
/// HighLevel delivers it again later) rather than forgetting an id that could
/// then be replayed: keep the capacity above the number of deliveries one
/// tolerance window can bring (the default holds 100 000).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use ghl_client::webhook::{MemoryReplayStore, ReplayStore};
/// use std::time::{Duration, SystemTime};
/// let store = MemoryReplayStore::with_capacity(2);
/// let now = SystemTime::now();
/// let later = now + Duration::from_secs(300);
/// assert!(store.insert_if_absent("a", now, later).await.unwrap());
/// assert!(!store.insert_if_absent("a", now, later).await.unwrap());
/// // After expiry the id is new again.
/// assert!(store.insert_if_absent("a", later, later + Duration::from_secs(300)).await.unwrap());
/// # }
/// ```
#[derive(Debug)]
pub struct MemoryReplayStore {
    capacity: usize,
    inner: Mutex<Seen>,
}

#[derive(Debug, Default)]
struct Seen {
    /// id -> (expiry, sequence number of the insert that set it)
    ids: HashMap<String, (SystemTime, u64)>,
    /// Inserts in arrival order.
    order: VecDeque<(String, u64)>,
    next: u64,
}

impl MemoryReplayStore {
    /// Default number of ids held.
    pub const DEFAULT_CAPACITY: usize = 100_000;

    /// A store holding up to [`Self::DEFAULT_CAPACITY`] ids.
    pub fn new() -> Self {
        Self::with_capacity(Self::DEFAULT_CAPACITY)
    }

    /// A store holding up to `capacity` ids (at least 1).
    pub fn with_capacity(capacity: usize) -> Self {
        MemoryReplayStore { capacity: capacity.max(1), inner: Mutex::new(Seen::default()) }
    }

    /// Number of ids held (expired ones may still be counted).
    pub fn len(&self) -> usize {
        self.seen().ids.len()
    }

    /// True when no id is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn seen(&self) -> std::sync::MutexGuard<'_, Seen> {
        // The state stays consistent after a panic elsewhere: every update is a few plain writes.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Default for MemoryReplayStore {
    fn default() -> Self {
        Self::new()
    }
}

impl Seen {
    /// Drops the oldest insert; forgets its id unless a later insert renewed it.
    fn pop_oldest(&mut self) {
        if let Some((id, seq)) = self.order.pop_front()
            && self.ids.get(&id).is_some_and(|(_, s)| *s == seq)
        {
            self.ids.remove(&id);
        }
    }
}

#[async_trait::async_trait]
impl ReplayStore for MemoryReplayStore {
    async fn insert_if_absent(
        &self,
        webhook_id: &str,
        now: SystemTime,
        expires_at: SystemTime,
    ) -> Result<bool, WebhookError> {
        let mut seen = self.seen();
        if let Some((expiry, _)) = seen.ids.get(webhook_id)
            && *expiry > now
        {
            return Ok(false);
        }
        // Forget what has expired at the front of the queue.
        while let Some((id, seq)) = seen.order.front() {
            match seen.ids.get(id) {
                Some((expiry, s)) if *s == *seq && *expiry > now => break,
                _ => seen.pop_oldest(),
            }
        }
        if seen.order.len() >= self.capacity {
            // Expiries need not follow arrival order: sweep the whole queue.
            let Seen { ids, order, .. } = &mut *seen;
            ids.retain(|_, (expiry, _)| *expiry > now);
            order.retain(|(id, seq)| ids.get(id).is_some_and(|(_, s)| s == seq));
            if seen.order.len() >= self.capacity {
                return Err(WebhookError::Store {
                    message: format!(
                        "the in-memory replay store holds {} unexpired delivery ids, its capacity; refusing the delivery \
                         (HighLevel will send it again) instead of forgetting an id that could be replayed; raise the capacity",
                        seen.order.len()
                    ),
                    source: None,
                });
            }
        }
        let seq = seen.next;
        seen.next = seen.next.wrapping_add(1);
        seen.ids.insert(webhook_id.to_owned(), (expires_at, seq));
        seen.order.push_back((webhook_id.to_owned(), seq));
        Ok(true)
    }

    async fn remove(&self, webhook_id: &str) -> Result<(), WebhookError> {
        // Its queue entry stays behind and is skipped when it reaches the front.
        self.seen().ids.remove(webhook_id);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(s: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(s)
    }

    #[tokio::test]
    async fn memory_store_is_bounded_and_forgets_expired_ids() {
        let store = MemoryReplayStore::with_capacity(3);
        for (i, id) in ["a", "b", "c"].iter().enumerate() {
            assert!(store.insert_if_absent(id, at(i as u64), at(100)).await.unwrap());
        }
        assert!(!store.insert_if_absent("b", at(10), at(110)).await.unwrap());
        // Full of unexpired ids: a fourth is refused, and none is forgotten.
        assert!(matches!(store.insert_if_absent("d", at(11), at(111)).await, Err(WebhookError::Store { .. })));
        assert_eq!(store.len(), 3);
        assert!(
            !store.insert_if_absent("a", at(12), at(112)).await.unwrap(),
            "a replay of the oldest is still refused"
        );
        // Everything has expired at 105: room again.
        assert!(store.insert_if_absent("e", at(105), at(205)).await.unwrap());
        assert!(store.len() <= 3);
        assert!(!store.insert_if_absent("e", at(106), at(206)).await.unwrap());
        assert!(store.insert_if_absent("b", at(106), at(206)).await.unwrap());
    }

    #[tokio::test]
    async fn renewed_ids_survive_the_drop_of_their_old_entry() {
        let store = MemoryReplayStore::with_capacity(2);
        assert!(store.insert_if_absent("x", at(0), at(10)).await.unwrap());
        // Expired, inserted again with a later expiry.
        assert!(store.insert_if_absent("x", at(20), at(30)).await.unwrap());
        assert!(store.insert_if_absent("y", at(21), at(31)).await.unwrap());
        assert!(!store.insert_if_absent("x", at(22), at(32)).await.unwrap());
        store.remove("x").await.unwrap();
        assert!(store.insert_if_absent("x", at(23), at(33)).await.unwrap());
    }
}
