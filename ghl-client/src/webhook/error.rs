//! Why a delivery was rejected, and why a key could not be read.

use std::fmt;
use std::time::Duration;

use http::StatusCode;

use super::keys::SignatureScheme;

/// Why a webhook delivery was rejected.
///
/// Every check of [`WebhookVerifier`](super::WebhookVerifier) fails closed
/// with one of these. [`WebhookError::status`] gives the HTTP status to
/// answer with; HighLevel redelivers only after a `429`.
///
/// ```
/// use ghl_client::webhook::WebhookError;
/// use http::StatusCode;
/// assert_eq!(WebhookError::MissingSignature.status(), StatusCode::UNAUTHORIZED);
/// assert_eq!(WebhookError::Duplicate { webhook_id: "w1".into() }.status(), StatusCode::OK);
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The body is empty.
    #[error("the delivery has an empty body")]
    EmptyBody,
    /// The body is larger than the verifier accepts.
    #[error("the delivery body has {len} bytes, more than the limit of {limit}")]
    BodyTooLarge {
        /// Body length in bytes.
        len: usize,
        /// The configured limit.
        limit: usize,
    },
    /// Neither `x-ghl-signature` nor `x-wh-signature` is present.
    #[error("the delivery is not signed: no x-ghl-signature or x-wh-signature header")]
    MissingSignature,
    /// A scheme name that is neither `ed25519` nor `rsa-sha256`.
    #[error("unknown signature scheme `{name}` (known: ed25519, rsa-sha256)")]
    UnknownScheme {
        /// The name given.
        name: String,
    },
    /// The only signatures present are of a scheme this verifier does not
    /// accept: it has no key for it, or the legacy RSA scheme is switched off.
    #[error(
        "the delivery is signed only with {scheme} ({}), which this verifier does not accept: {}",
        .scheme.header_name(),
        scheme_hint(*.scheme)
    )]
    SchemeNotAccepted {
        /// The scheme of the signature that could not be checked.
        scheme: SignatureScheme,
    },
    /// A signature header is present but is not a well-formed signature
    /// (not canonical base64, wrong length, repeated header, ...).
    #[error("the {} header is malformed: {reason}", .scheme.header_name())]
    BadEncoding {
        /// The scheme of the header.
        scheme: SignatureScheme,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A signature does not match the body under any configured key of its
    /// scheme: the body was changed, or it was signed with another key.
    #[error("the {} signature does not match the body under any configured {scheme} key", .scheme.header_name())]
    BadSignature {
        /// The scheme whose check failed.
        scheme: SignatureScheme,
    },
    /// The signed body is not a JSON object, or a field the checks read has
    /// the wrong JSON type, or (from [`VerifiedWebhook::event`](super::VerifiedWebhook::event))
    /// the payload does not fit its event's type.
    #[error("the delivery body is not a valid webhook payload: {reason}")]
    InvalidPayload {
        /// What is wrong.
        reason: String,
    },
    /// The payload has no `timestamp` and the verifier requires one.
    #[error("the payload has no `timestamp`, so its age cannot be checked")]
    MissingTimestamp,
    /// The payload's `timestamp` is neither an RFC 3339 date-time nor Unix time.
    #[error("the payload's `timestamp` is not an RFC 3339 date-time or a Unix time")]
    BadTimestamp,
    /// The payload's `timestamp` is further from now than the tolerance.
    #[error(
        "the delivery's timestamp is {}s {}, outside the accepted window of {}s",
        .skew.as_secs(),
        if *.in_future { "in the future" } else { "old" },
        .tolerance.as_secs()
    )]
    StaleTimestamp {
        /// Distance between the timestamp and now.
        skew: Duration,
        /// True when the timestamp lies ahead of the clock.
        in_future: bool,
        /// The configured tolerance.
        tolerance: Duration,
    },
    /// The payload has no `webhookId` and the verifier requires one.
    #[error("the payload has no `webhookId`, so a replay cannot be detected")]
    MissingWebhookId,
    /// This `webhookId` was accepted before: a replay, or a redelivery of
    /// an event already handled.
    #[error("webhookId `{webhook_id}` was already accepted (replay or redelivery)")]
    Duplicate {
        /// The repeated id.
        webhook_id: String,
    },
    /// The replay store failed; the delivery was not recorded.
    #[error("replay store: {message}")]
    Store {
        /// What failed.
        message: String,
        /// The underlying error, if any.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

fn scheme_hint(scheme: SignatureScheme) -> &'static str {
    match scheme {
        SignatureScheme::Ed25519 => "add HighLevel's Ed25519 public key with `.key(PublicKey::from_pem(..)?)`",
        SignatureScheme::RsaSha256 => "the legacy scheme is switched off or has no key",
    }
}

impl WebhookError {
    /// A [`WebhookError::Store`] for [`ReplayStore`](super::ReplayStore) implementations.
    ///
    /// ```
    /// use ghl_client::webhook::WebhookError;
    /// let e = WebhookError::store("redis is unreachable", std::io::Error::other("timeout"));
    /// assert!(e.to_string().contains("redis"));
    /// ```
    pub fn store(message: impl Into<String>, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        WebhookError::Store { message: message.into(), source: Some(source.into()) }
    }

    /// The status a receiver should answer with.
    ///
    /// - `401` for anything that makes the delivery untrustworthy: a missing,
    ///   malformed or wrong signature, an unaccepted scheme, a stale timestamp;
    /// - `400` for an empty or malformed body or missing replay fields,
    ///   `413` for an oversized body;
    /// - `200` for a duplicate `webhookId`: it was accepted before, so
    ///   acknowledge it again but do not process it twice;
    /// - `429` when the replay store failed: HighLevel retries only on `429`,
    ///   so this asks for a later redelivery instead of losing the event.
    pub fn status(&self) -> StatusCode {
        match self {
            WebhookError::EmptyBody
            | WebhookError::InvalidPayload { .. }
            | WebhookError::MissingTimestamp
            | WebhookError::BadTimestamp
            | WebhookError::MissingWebhookId => StatusCode::BAD_REQUEST,
            WebhookError::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            WebhookError::MissingSignature
            | WebhookError::UnknownScheme { .. }
            | WebhookError::SchemeNotAccepted { .. }
            | WebhookError::BadEncoding { .. }
            | WebhookError::BadSignature { .. }
            | WebhookError::StaleTimestamp { .. } => StatusCode::UNAUTHORIZED,
            WebhookError::Duplicate { .. } => StatusCode::OK,
            WebhookError::Store { .. } => StatusCode::TOO_MANY_REQUESTS,
        }
    }

    /// True for [`WebhookError::Duplicate`]: the delivery is authentic but was handled before.
    pub fn is_duplicate(&self) -> bool {
        matches!(self, WebhookError::Duplicate { .. })
    }
}

/// Why a public key could not be read.
///
/// ```
/// use ghl_client::webhook::PublicKey;
/// let e = PublicKey::from_hex("not hex").unwrap_err();
/// assert!(e.to_string().starts_with("webhook public key: not hex"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyError {
    message: String,
}

impl KeyError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        KeyError { message: message.into() }
    }
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "webhook public key: {}", self.message)
    }
}

impl std::error::Error for KeyError {}

impl From<KeyError> for crate::Error {
    fn from(e: KeyError) -> Self {
        crate::Error::Config(e.to_string())
    }
}
