//! Receiving webhooks: check that a delivery comes from HighLevel, is fresh
//! and new, then read it as a typed [`WebhookEvent`].
//!
//! Enabled by the cargo feature `webhooks`.
//!
//! HighLevel signs the raw request body and sends the signature in a header:
//!
//! | header | scheme | key |
//! |---|---|---|
//! | `x-ghl-signature` | Ed25519, base64 | HighLevel's Ed25519 key: configure it with [`WebhookVerifierBuilder::key`] |
//! | `x-wh-signature` | RSA PKCS#1 v1.5 + SHA-256, base64 (legacy, signed until July 2026) | [`HIGHLEVEL_RSA_PUBLIC_KEY_PEM`], built in |
//!
//! [`WebhookVerifier::verify`] runs every check and fails closed:
//!
//! 1. the body is neither empty nor larger than the limit (1 MiB by default);
//! 2. each signature header present, of a scheme the verifier has keys for,
//!    must decode and verify under one of those keys (several keys per scheme
//!    may be configured, for rotation); at least one must verify;
//! 3. the body is a JSON object whose `timestamp` is within the tolerance of
//!    the clock (5 minutes by default, either direction);
//! 4. its `webhookId` was not accepted before ([`ReplayStore`]; in memory by default).
//!
//! Signatures are checked over the exact bytes received: read the body as
//! bytes and verify before any JSON parsing. [`WebhookError::status`] says
//! what to answer; `examples/webhook_receiver.rs` is a complete receiver.
//!
//! ```no_run
//! # async fn f(headers: http::HeaderMap, body: bytes::Bytes) -> Result<(), ghl_client::Error> {
//! use ghl_client::webhook::{PublicKey, WebhookVerifier};
//! use ghl_client::webhook_events::WebhookEvent;
//!
//! let verifier = WebhookVerifier::builder()
//!     .key(PublicKey::parse(&std::env::var("GHL_WEBHOOK_ED25519_KEY").unwrap_or_default())?)
//!     .build();
//! match verifier.verify(&headers, &body).await {
//!     Ok(delivery) => match delivery.into_event() {
//!         Ok(WebhookEvent::ContactCreate(c)) => println!("new contact {:?}", c.id),
//!         Ok(other) => println!("{} not handled", other.event_type()),
//!         Err(e) => eprintln!("authentic but unreadable: {e}"),
//!     },
//!     Err(e) => eprintln!("rejected ({}): {e}", e.status()),
//! }
//! # Ok(()) }
//! ```

mod error;
mod install;
mod keys;
mod replay;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use http::HeaderMap;

use crate::webhook_events::WebhookEvent;

pub use error::{KeyError, WebhookError};
pub use install::{
    FileInstallations, Installation, InstallationStore, Lifecycle, MemoryInstallations, apply_lifecycle,
};
pub use keys::{HIGHLEVEL_RSA_PUBLIC_KEY_PEM, PublicKey, SignatureScheme};
pub use replay::{Clock, MemoryReplayStore, ReplayStore, SystemClock};

/// How long an id is remembered when deliveries carry no timestamp
/// ([`WebhookVerifierBuilder::require_timestamp`] switched off).
const UNTIMED_MEMORY: Duration = Duration::from_secs(24 * 60 * 60);

/// The signature header values of one delivery, for frameworks without
/// [`http::HeaderMap`]. Each is the raw header value, or `None` when absent.
///
/// ```
/// use ghl_client::webhook::SignatureHeaders;
/// let h = SignatureHeaders { ghl_signature: Some(b"c2ln"), wh_signature: None };
/// assert_eq!(h.get(ghl_client::webhook::SignatureScheme::Ed25519), Some(&b"c2ln"[..]));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SignatureHeaders<'a> {
    /// `x-ghl-signature` (Ed25519).
    pub ghl_signature: Option<&'a [u8]>,
    /// `x-wh-signature` (RSA-SHA256, legacy).
    pub wh_signature: Option<&'a [u8]>,
}

impl<'a> SignatureHeaders<'a> {
    /// Reads both headers; a header given more than once is malformed.
    pub fn from_headers(headers: &'a HeaderMap) -> Result<Self, WebhookError> {
        let one = |scheme: SignatureScheme| -> Result<Option<&'a [u8]>, WebhookError> {
            let mut values = headers.get_all(scheme.header_name()).iter();
            let first = values.next();
            if values.next().is_some() {
                return Err(WebhookError::BadEncoding { scheme, reason: "the header is given more than once" });
            }
            Ok(first.map(|v| v.as_bytes()))
        };
        Ok(SignatureHeaders {
            ghl_signature: one(SignatureScheme::Ed25519)?,
            wh_signature: one(SignatureScheme::RsaSha256)?,
        })
    }

    /// The header value for `scheme`.
    pub fn get(&self, scheme: SignatureScheme) -> Option<&'a [u8]> {
        match scheme {
            SignatureScheme::Ed25519 => self.ghl_signature,
            SignatureScheme::RsaSha256 => self.wh_signature,
        }
    }
}

/// A delivery that passed every check.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct VerifiedWebhook {
    /// The scheme whose signature was verified (Ed25519 when both were).
    pub scheme: SignatureScheme,
    /// The payload's `webhookId`.
    pub webhook_id: Option<String>,
    /// The payload's `timestamp`.
    pub timestamp: Option<SystemTime>,
    /// The whole payload.
    pub payload: serde_json::Value,
}

impl VerifiedWebhook {
    /// The payload's `type`.
    pub fn event_type(&self) -> Option<&str> {
        self.payload.get("type").and_then(serde_json::Value::as_str)
    }

    /// The payload as a typed event (an unknown `type` gives
    /// [`WebhookEvent::Unknown`]). Fails with
    /// [`WebhookError::InvalidPayload`] when a known event's fields have
    /// other JSON types than documented; the delivery is still authentic and
    /// [`Self::payload`] still holds it.
    pub fn event(&self) -> Result<WebhookEvent, WebhookError> {
        self.clone().into_event()
    }

    /// Like [`Self::event`], without copying the payload.
    pub fn into_event(self) -> Result<WebhookEvent, WebhookError> {
        WebhookEvent::from_value(self.payload).map_err(|e| WebhookError::InvalidPayload { reason: e.to_string() })
    }
}

/// Checks webhook deliveries: signature, size, timestamp window and
/// `webhookId` replay. Cheap to share (`Arc` it or build one per app).
///
/// [`WebhookVerifier::new`] has the defaults: HighLevel's published RSA key
/// for `x-wh-signature`, no Ed25519 key (add HighLevel's with
/// [`WebhookVerifierBuilder::key`]), 5-minute window, 1 MiB body limit,
/// timestamp and `webhookId` required, in-memory replay store.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use ghl_client::webhook::{WebhookError, WebhookVerifier};
/// let verifier = WebhookVerifier::new();
/// let e = verifier.verify(&http::HeaderMap::new(), br#"{"type":"ContactCreate"}"#).await.unwrap_err();
/// assert!(matches!(e, WebhookError::MissingSignature));
/// # }
/// ```
#[derive(Clone)]
pub struct WebhookVerifier {
    keys: Vec<PublicKey>,
    legacy_rsa: bool,
    tolerance: Duration,
    max_body_bytes: usize,
    require_timestamp: bool,
    require_webhook_id: bool,
    clock: Arc<dyn Clock>,
    store: Arc<dyn ReplayStore>,
}

impl fmt::Debug for WebhookVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookVerifier")
            .field("keys", &self.keys)
            .field("legacy_rsa", &self.legacy_rsa)
            .field("tolerance", &self.tolerance)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("require_timestamp", &self.require_timestamp)
            .field("require_webhook_id", &self.require_webhook_id)
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

impl Default for WebhookVerifier {
    fn default() -> Self {
        Self::new()
    }
}

impl WebhookVerifier {
    /// Default body limit: 1 MiB.
    pub const DEFAULT_MAX_BODY_BYTES: usize = 1 << 20;
    /// Default timestamp tolerance: 5 minutes.
    pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

    /// A verifier with the defaults (see the type's docs).
    pub fn new() -> Self {
        Self::builder().build()
    }

    /// Starts a configuration.
    pub fn builder() -> WebhookVerifierBuilder {
        WebhookVerifierBuilder::default()
    }

    /// The configured keys (defaults included).
    pub fn keys(&self) -> &[PublicKey] {
        &self.keys
    }

    /// The body limit in bytes.
    pub fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }

    /// Whether signatures of `scheme` can be checked.
    pub fn accepts(&self, scheme: SignatureScheme) -> bool {
        (scheme != SignatureScheme::RsaSha256 || self.legacy_rsa) && self.keys.iter().any(|k| k.scheme() == scheme)
    }

    /// Runs every check on a delivery: body size, signatures, timestamp
    /// window, `webhookId` replay (the id is recorded only when all else passed).
    pub async fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<VerifiedWebhook, WebhookError> {
        self.verify_with(SignatureHeaders::from_headers(headers)?, body).await
    }

    /// [`Self::verify`] for header values read by other means.
    pub async fn verify_with(
        &self,
        signatures: SignatureHeaders<'_>,
        body: &[u8],
    ) -> Result<VerifiedWebhook, WebhookError> {
        let scheme = self.verify_signature_with(signatures, body)?;
        let payload: serde_json::Value = serde_json::from_slice(body)
            .map_err(|e| WebhookError::InvalidPayload { reason: format!("not JSON ({e})") })?;
        let Some(object) = payload.as_object() else {
            return Err(WebhookError::InvalidPayload { reason: "not a JSON object".into() });
        };
        let now = self.clock.now();
        let timestamp = match object.get("timestamp") {
            None | Some(serde_json::Value::Null) if self.require_timestamp => {
                return Err(WebhookError::MissingTimestamp);
            }
            None | Some(serde_json::Value::Null) => None,
            Some(value) => Some(parse_timestamp(value)?),
        };
        if let Some(ts) = timestamp {
            let (skew, in_future) = match now.duration_since(ts) {
                Ok(age) => (age, false),
                Err(ahead) => (ahead.duration(), true),
            };
            if skew > self.tolerance {
                return Err(WebhookError::StaleTimestamp { skew, in_future, tolerance: self.tolerance });
            }
        }
        let webhook_id = match object.get("webhookId") {
            None | Some(serde_json::Value::Null) if self.require_webhook_id => {
                return Err(WebhookError::MissingWebhookId);
            }
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(id)) if !id.is_empty() => Some(id.clone()),
            Some(_) => {
                return Err(WebhookError::InvalidPayload { reason: "`webhookId` is not a non-empty string".into() });
            }
        };
        if let Some(id) = &webhook_id {
            let expires_at = match timestamp {
                Some(ts) => ts.checked_add(self.tolerance),
                None => now.checked_add(UNTIMED_MEMORY),
            }
            .unwrap_or(now);
            if !self.store.insert_if_absent(id, now, expires_at).await? {
                return Err(WebhookError::Duplicate { webhook_id: id.clone() });
            }
        }
        Ok(VerifiedWebhook { scheme, webhook_id, timestamp, payload })
    }

    /// Forgets a verified delivery's `webhookId`, so that HighLevel may
    /// deliver it again: call it when the event could not be handled and you
    /// answer `429` (the one status HighLevel retries on). A redelivery must
    /// still fall inside the timestamp window.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # use ghl_client::webhook::{VerifiedWebhook, WebhookVerifier};
    /// # async fn handle(_: &VerifiedWebhook) -> Result<(), ()> { Err(()) }
    /// # async fn f(verifier: &WebhookVerifier, delivery: VerifiedWebhook) -> http::StatusCode {
    /// if handle(&delivery).await.is_err() {
    ///     let _ = verifier.release(&delivery).await;
    ///     return http::StatusCode::TOO_MANY_REQUESTS;
    /// }
    /// http::StatusCode::OK
    /// # }
    /// # }
    /// ```
    pub async fn release(&self, delivery: &VerifiedWebhook) -> Result<(), WebhookError> {
        match &delivery.webhook_id {
            Some(id) => self.store.remove(id).await,
            None => Ok(()),
        }
    }

    /// Checks only the body size and the signatures (no timestamp, no
    /// replay); returns the verified scheme.
    ///
    /// Every signature header present whose scheme the verifier accepts must
    /// verify, and at least one must be present: changing either header
    /// or the body is refused.
    pub fn verify_signature(&self, headers: &HeaderMap, body: &[u8]) -> Result<SignatureScheme, WebhookError> {
        self.verify_signature_with(SignatureHeaders::from_headers(headers)?, body)
    }

    /// [`Self::verify_signature`] for header values read by other means.
    pub fn verify_signature_with(
        &self,
        signatures: SignatureHeaders<'_>,
        body: &[u8],
    ) -> Result<SignatureScheme, WebhookError> {
        if body.is_empty() {
            return Err(WebhookError::EmptyBody);
        }
        if body.len() > self.max_body_bytes {
            return Err(WebhookError::BodyTooLarge { len: body.len(), limit: self.max_body_bytes });
        }
        let mut verified = None;
        let mut unchecked = None;
        for scheme in SignatureScheme::ALL {
            let Some(value) = signatures.get(scheme) else { continue };
            if !self.accepts(scheme) {
                unchecked.get_or_insert(scheme);
                continue;
            }
            let signature = keys::decode_signature(scheme, value)?;
            let keys = || self.keys.iter().filter(|k| k.scheme() == scheme);
            if !keys().any(|k| k.signature_len() == signature.len()) {
                return Err(WebhookError::BadEncoding {
                    scheme,
                    reason: "the signature has the wrong length for the configured keys",
                });
            }
            if !keys().any(|k| k.verifies(body, &signature)) {
                return Err(WebhookError::BadSignature { scheme });
            }
            verified.get_or_insert(scheme);
        }
        match (verified, unchecked) {
            (Some(scheme), _) => Ok(scheme),
            (None, Some(scheme)) => Err(WebhookError::SchemeNotAccepted { scheme }),
            (None, None) => Err(WebhookError::MissingSignature),
        }
    }
}

/// RFC 3339 text, or Unix time as a number (milliseconds when above 10^11).
fn parse_timestamp(value: &serde_json::Value) -> Result<SystemTime, WebhookError> {
    match value {
        serde_json::Value::String(text) => {
            let parsed = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                .map_err(|_| WebhookError::BadTimestamp)?;
            let nanos = parsed.unix_timestamp_nanos();
            let since_epoch = |n: i128| Duration::from_nanos(u64::try_from(n).unwrap_or(u64::MAX));
            if nanos >= 0 {
                SystemTime::UNIX_EPOCH.checked_add(since_epoch(nanos)).ok_or(WebhookError::BadTimestamp)
            } else {
                SystemTime::UNIX_EPOCH.checked_sub(since_epoch(-nanos)).ok_or(WebhookError::BadTimestamp)
            }
        }
        serde_json::Value::Number(n) => {
            let secs = n.as_f64().filter(|s| s.is_finite() && *s >= 0.0).ok_or(WebhookError::BadTimestamp)?;
            let secs = if secs >= 1e11 { secs / 1000.0 } else { secs };
            let d = Duration::try_from_secs_f64(secs).map_err(|_| WebhookError::BadTimestamp)?;
            SystemTime::UNIX_EPOCH.checked_add(d).ok_or(WebhookError::BadTimestamp)
        }
        _ => Err(WebhookError::BadTimestamp),
    }
}

/// Configures a [`WebhookVerifier`].
///
/// ```
/// use ghl_client::webhook::{MemoryReplayStore, PublicKey, WebhookVerifier};
/// use std::sync::Arc;
/// use std::time::Duration;
/// let verifier = WebhookVerifier::builder()
///     .key(PublicKey::from_hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")?)
///     .legacy_rsa(false)
///     .tolerance(Duration::from_secs(120))
///     .max_body_bytes(256 * 1024)
///     .replay_store(Arc::new(MemoryReplayStore::with_capacity(10_000)))
///     .build();
/// assert!(verifier.accepts(ghl_client::webhook::SignatureScheme::Ed25519));
/// assert!(!verifier.accepts(ghl_client::webhook::SignatureScheme::RsaSha256));
/// # Ok::<(), ghl_client::webhook::KeyError>(())
/// ```
#[must_use]
pub struct WebhookVerifierBuilder {
    keys: Vec<PublicKey>,
    default_keys: bool,
    legacy_rsa: bool,
    tolerance: Duration,
    max_body_bytes: usize,
    require_timestamp: bool,
    require_webhook_id: bool,
    clock: Arc<dyn Clock>,
    store: Option<Arc<dyn ReplayStore>>,
}

impl Default for WebhookVerifierBuilder {
    fn default() -> Self {
        WebhookVerifierBuilder {
            keys: Vec::new(),
            default_keys: true,
            legacy_rsa: true,
            tolerance: WebhookVerifier::DEFAULT_TOLERANCE,
            max_body_bytes: WebhookVerifier::DEFAULT_MAX_BODY_BYTES,
            require_timestamp: true,
            require_webhook_id: true,
            clock: Arc::new(SystemClock),
            store: None,
        }
    }
}

impl fmt::Debug for WebhookVerifierBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookVerifierBuilder").field("keys", &self.keys).finish_non_exhaustive()
    }
}

impl WebhookVerifierBuilder {
    /// Adds a key (any number per scheme: a signature verifying under any of
    /// them is accepted, which is how a key rotation is bridged).
    pub fn key(mut self, key: PublicKey) -> Self {
        self.keys.push(key);
        self
    }

    /// Adds several keys.
    pub fn keys(mut self, keys: impl IntoIterator<Item = PublicKey>) -> Self {
        self.keys.extend(keys);
        self
    }

    /// Drops the built-in keys (HighLevel's published RSA key): only keys
    /// given here are used.
    pub fn without_default_keys(mut self) -> Self {
        self.default_keys = false;
        self
    }

    /// Whether `x-wh-signature` (RSA, legacy) is checked (default: yes).
    /// When off, a delivery signed only that way is refused.
    pub fn legacy_rsa(mut self, accept: bool) -> Self {
        self.legacy_rsa = accept;
        self
    }

    /// How far the payload's `timestamp` may be from the clock, either way
    /// (default 5 minutes).
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Largest body accepted, in bytes (default 1 MiB).
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Whether a payload without `timestamp` is refused (default: yes).
    /// When off, such a payload skips the window check and its `webhookId`
    /// is remembered for 24 hours.
    pub fn require_timestamp(mut self, require: bool) -> Self {
        self.require_timestamp = require;
        self
    }

    /// Whether a payload without `webhookId` is refused (default: yes).
    /// When off, such a payload skips the replay check.
    pub fn require_webhook_id(mut self, require: bool) -> Self {
        self.require_webhook_id = require;
        self
    }

    /// The clock the timestamp window is checked against.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Where accepted `webhookId`s are remembered (default: a
    /// [`MemoryReplayStore`] of its default capacity).
    pub fn replay_store(mut self, store: Arc<dyn ReplayStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// The verifier.
    pub fn build(self) -> WebhookVerifier {
        let mut keys = Vec::new();
        if self.default_keys {
            keys.push(PublicKey::highlevel_rsa());
        }
        for key in self.keys {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        WebhookVerifier {
            keys,
            legacy_rsa: self.legacy_rsa,
            tolerance: self.tolerance,
            max_body_bytes: self.max_body_bytes,
            require_timestamp: self.require_timestamp,
            require_webhook_id: self.require_webhook_id,
            clock: self.clock,
            store: self.store.unwrap_or_else(|| Arc::new(MemoryReplayStore::new())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_parse_in_both_forms() {
        let at = |s: u64| SystemTime::UNIX_EPOCH + Duration::from_secs(s);
        assert_eq!(parse_timestamp(&"2025-01-28T14:35:00Z".into()).unwrap(), at(1_738_074_900));
        assert_eq!(parse_timestamp(&"2025-01-28T15:35:00+01:00".into()).unwrap(), at(1_738_074_900));
        assert_eq!(parse_timestamp(&1_738_074_900.into()).unwrap(), at(1_738_074_900));
        assert_eq!(parse_timestamp(&1_738_074_900_000u64.into()).unwrap(), at(1_738_074_900));
        for bad in
            [serde_json::json!("yesterday"), serde_json::json!(-5), serde_json::json!(true), serde_json::json!(1e300)]
        {
            assert!(matches!(parse_timestamp(&bad), Err(WebhookError::BadTimestamp)), "{bad}");
        }
    }
}
