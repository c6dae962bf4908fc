//! The one error type of the client.
//!
//! Every message says what failed and, where there is one, what to do about
//! it. No variant ever holds an access token, refresh token or client secret:
//! bodies of the OAuth endpoints (which carry tokens) are never copied into an
//! error.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};

/// Every way a call can fail.
///
/// ```
/// use ghl_client::Error;
/// fn report(e: &Error) -> String {
///     match e.status() {
///         Some(s) if e.is_retryable() => format!("temporary failure ({s}), try again later"),
///         Some(s) => format!("failed with {s}: {e}"),
///         None => format!("failed: {e}"),
///     }
/// }
/// # let e = Error::Config("no credentials".into());
/// # assert_eq!(report(&e), "failed: configuration: no credentials");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// HighLevel answered with an error status.
    #[error("{operation}: HighLevel answered {status}: {message}{}{}", trace_suffix(.request_id.as_deref()), status_hint(*.status))]
    Api {
        /// Operation id.
        operation: &'static str,
        /// HTTP status.
        status: StatusCode,
        /// The error text HighLevel gave (all messages joined with `; `).
        message: String,
        /// The decoded error body (`message` as text or list, `error`,
        /// `traceId`), when it had the usual shape.
        body: Option<Box<ErrorBody>>,
        /// HighLevel's trace id (body `traceId` or a request-id header), if any.
        request_id: Option<String>,
        /// The start of the raw body as received (at most 16 KiB).
        raw: Bytes,
    },
    /// HighLevel's rate limit was hit and the call was not (or no longer) retried.
    #[error("{operation}: {}", rate_limit_message(*.kind, *.wait))]
    RateLimited {
        /// Operation id.
        operation: &'static str,
        /// Which limit: the daily quota or the burst window.
        kind: RateLimitKind,
        /// How long the server asked to wait, when it said.
        wait: Option<Duration>,
        /// HighLevel's trace id, if any.
        request_id: Option<String>,
    },
    /// The credentials were missing, rejected, or lack a scope.
    #[error("{operation}: authentication failed: {message}{}", trace_suffix(.request_id.as_deref()))]
    Auth {
        /// Operation id (`oauth` for token-endpoint calls of their own).
        operation: &'static str,
        /// What went wrong and what to do about it.
        message: String,
        /// The scope the token lacks, when HighLevel answered that it lacks one.
        missing_scope: Option<String>,
        /// HTTP status, when the server answered.
        status: Option<StatusCode>,
        /// HighLevel's trace id, if any.
        request_id: Option<String>,
    },
    /// The response did not match the expected shape.
    #[error("{operation}: could not decode the {status} response at `{path}`: {source}; body starts with: {}", snippet(.raw))]
    Decode {
        /// Operation id.
        operation: &'static str,
        /// HTTP status.
        status: StatusCode,
        /// JSON path where decoding failed.
        path: String,
        /// The start of the raw body (at most 16 KiB; its first 200 bytes are in the message).
        raw: Bytes,
        /// HighLevel's trace id, if any.
        request_id: Option<String>,
        /// The decoder's error.
        #[source]
        source: serde_json::Error,
    },
    /// The request could not be built or encoded.
    #[error("{operation}: could not encode the request: {message}")]
    Encode {
        /// Operation id.
        operation: &'static str,
        /// What went wrong.
        message: String,
    },
    /// A required argument was missing or invalid.
    #[error("{operation}: {message}")]
    InvalidArgument {
        /// Operation id.
        operation: &'static str,
        /// What is wrong, and how to fix it.
        message: String,
    },
    /// The HTTP request failed before an answer arrived.
    #[error("{operation}: request failed: {source}; check the network and the base URL")]
    Transport {
        /// Operation id.
        operation: &'static str,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },
    /// No answer within the configured time.
    #[error("{operation}: {} timed out{}; raise the client's timeouts or try again later", if *.connect { "connecting" } else { "the request" }, .after.map(|d| format!(" after {d:?}")).unwrap_or_default())]
    Timeout {
        /// Operation id.
        operation: &'static str,
        /// True when the connection could not be opened in time.
        connect: bool,
        /// The limit that was reached, when known.
        after: Option<Duration>,
    },
    /// The call did not finish within its overall deadline (attempts, retry
    /// waits and rate-limit waits together; see [`crate::Client::with_deadline`]).
    #[error(
        "{operation}: no answer within the call's deadline of {after:?} (attempts and waits included); raise it with `with_deadline` or try again later"
    )]
    Deadline {
        /// Operation id.
        operation: &'static str,
        /// The deadline that passed.
        after: Duration,
    },
    /// The response body was larger than the client reads into memory.
    #[error(
        "{operation}: the {status} response is larger than the {limit}-byte limit; raise `max_response_bytes` if this is expected"
    )]
    ResponseTooLarge {
        /// Operation id.
        operation: &'static str,
        /// HTTP status of the response.
        status: StatusCode,
        /// The limit in bytes.
        limit: u64,
    },
    /// Reading or writing the token store failed.
    #[error("token store: {message}")]
    TokenStore {
        /// What failed and what to do about it.
        message: String,
        /// The underlying error, if any.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// The client is misconfigured.
    #[error("configuration: {0}")]
    Config(String),
}

/// Which HighLevel rate limit a [`Error::RateLimited`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RateLimitKind {
    /// The per-day quota (`X-RateLimit-Daily-Remaining: 0`): waiting seconds will not help.
    Daily,
    /// The burst window (100 requests per 10 s by default).
    Burst,
}

fn rate_limit_message(kind: RateLimitKind, wait: Option<Duration>) -> String {
    match kind {
        RateLimitKind::Daily => "the daily API limit for this location or company is spent; \
             calls will fail until HighLevel resets it (see X-RateLimit-Limit-Daily)"
            .to_owned(),
        RateLimitKind::Burst => match wait {
            Some(w) => format!("rate limited by HighLevel; retry after {w:?} or lower the request rate"),
            None => "rate limited by HighLevel; retry later or lower the request rate".to_owned(),
        },
    }
}

/// The first bytes of a body, for messages.
fn snippet(raw: &Bytes) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(&raw[..raw.len().min(200)])
}

fn trace_suffix(id: Option<&str>) -> String {
    id.map(|id| format!(" (trace id {id})")).unwrap_or_default()
}

fn status_hint(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 422 => "; check the request's fields against the operation's documentation",
        403 => "; the token has no access to this resource or location",
        404 => "; check the ids in the request",
        500..=599 => "; HighLevel had a server error, try again later",
        _ => "",
    }
}

impl Error {
    pub(crate) fn encode(operation: &'static str, e: impl std::fmt::Display) -> Self {
        Error::Encode { operation, message: e.to_string() }
    }

    pub(crate) fn store(
        message: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Error::TokenStore { message: message.into(), source: Some(source.into()) }
    }

    pub(crate) fn auth(operation: &'static str, message: impl Into<String>) -> Self {
        Error::Auth { operation, message: message.into(), missing_scope: None, status: None, request_id: None }
    }

    /// Maps a reqwest error to [`Error::Timeout`] or [`Error::Transport`].
    pub(crate) fn from_reqwest(
        operation: &'static str,
        source: reqwest::Error,
        limits: (Option<Duration>, Option<Duration>),
    ) -> Self {
        if source.is_timeout() {
            let connect = source.is_connect();
            let after = if connect { limits.0 } else { limits.1 };
            return Error::Timeout { operation, connect, after };
        }
        Error::Transport { operation, source }
    }

    /// A required parameter that was neither passed nor configured on the client.
    ///
    /// ```
    /// let e = ghl_client::Error::missing_parameter("get-contacts", "locationId", "pass it on the call");
    /// assert_eq!(e.to_string(), "get-contacts: missing required parameter `locationId`: pass it on the call");
    /// ```
    pub fn missing_parameter(operation: &'static str, name: &str, hint: &str) -> Self {
        Error::InvalidArgument { operation, message: format!("missing required parameter `{name}`: {hint}") }
    }

    /// The HTTP status, when the server answered.
    ///
    /// ```
    /// use ghl_client::{Error, RateLimitKind};
    /// let e = Error::RateLimited { operation: "op", kind: RateLimitKind::Burst, wait: None, request_id: None };
    /// assert_eq!(e.status(), Some(http::StatusCode::TOO_MANY_REQUESTS));
    /// ```
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api { status, .. } | Error::Decode { status, .. } | Error::ResponseTooLarge { status, .. } => {
                Some(*status)
            }
            Error::RateLimited { .. } => Some(StatusCode::TOO_MANY_REQUESTS),
            Error::Auth { status, .. } => *status,
            Error::Transport { source, .. } => source.status(),
            _ => None,
        }
    }

    /// HighLevel's trace id for the failed request, when it sent one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api { request_id, .. }
            | Error::RateLimited { request_id, .. }
            | Error::Auth { request_id, .. }
            | Error::Decode { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// Whether trying the same call again later may succeed: server errors,
    /// burst rate limits, timeouts and network failures. Not for a spent daily
    /// limit, bad credentials, bad arguments or undecodable responses.
    ///
    /// ```
    /// use ghl_client::{Error, RateLimitKind};
    /// let daily = Error::RateLimited { operation: "op", kind: RateLimitKind::Daily, wait: None, request_id: None };
    /// assert!(!daily.is_retryable());
    /// assert!(Error::Timeout { operation: "op", connect: false, after: None }.is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api { status, .. } => status.is_server_error() || *status == StatusCode::TOO_MANY_REQUESTS,
            Error::RateLimited { kind, .. } => *kind == RateLimitKind::Burst,
            Error::Timeout { .. } | Error::Deadline { .. } => true,
            Error::Transport { source, .. } => {
                source.is_connect() || source.is_timeout() || source.is_request() || source.is_body()
            }
            _ => false,
        }
    }

    /// A copy of this error for another caller (one failed token refresh
    /// answers every call that waited for it). Variants holding an error
    /// that cannot be copied keep its text.
    pub(crate) fn replicate(&self) -> Error {
        match self {
            Error::Api { operation, status, message, body, request_id, raw } => Error::Api {
                operation,
                status: *status,
                message: message.clone(),
                body: body.clone(),
                request_id: request_id.clone(),
                raw: raw.clone(),
            },
            Error::RateLimited { operation, kind, wait, request_id } => {
                Error::RateLimited { operation, kind: *kind, wait: *wait, request_id: request_id.clone() }
            }
            Error::Auth { operation, message, missing_scope, status, request_id } => Error::Auth {
                operation,
                message: message.clone(),
                missing_scope: missing_scope.clone(),
                status: *status,
                request_id: request_id.clone(),
            },
            Error::Encode { operation, message } => Error::Encode { operation, message: message.clone() },
            Error::InvalidArgument { operation, message } => {
                Error::InvalidArgument { operation, message: message.clone() }
            }
            Error::Timeout { operation, connect, after } => {
                Error::Timeout { operation, connect: *connect, after: *after }
            }
            Error::Deadline { operation, after } => Error::Deadline { operation, after: *after },
            Error::ResponseTooLarge { operation, status, limit } => {
                Error::ResponseTooLarge { operation, status: *status, limit: *limit }
            }
            Error::TokenStore { message, source } => Error::TokenStore {
                message: match source {
                    Some(s) => format!("{message}: {s}"),
                    None => message.clone(),
                },
                source: None,
            },
            Error::Config(m) => Error::Config(m.clone()),
            Error::Decode { operation, status, request_id, .. } => Error::Auth {
                operation,
                message: self.to_string(),
                missing_scope: None,
                status: Some(*status),
                request_id: request_id.clone(),
            },
            Error::Transport { operation, .. } => Error::Auth {
                operation,
                message: self.to_string(),
                missing_scope: None,
                status: None,
                request_id: None,
            },
        }
    }

    /// No answer arrived (network failure or per-attempt timeout): the kind of
    /// failure an idempotent call may be sent again for.
    pub(crate) fn is_transport_failure(&self) -> bool {
        matches!(self, Error::Transport { .. } | Error::Timeout { .. })
    }

    /// Replaces every occurrence of `secrets` in what the error shows
    /// (message, body, raw bytes) with `[redacted]`: a server that echoes a
    /// token must not put it into logs through our errors.
    pub(crate) fn redact(self, secrets: &[&str]) -> Error {
        let secrets: Vec<&str> = secrets.iter().copied().filter(|s| s.len() >= 4).collect();
        if secrets.is_empty() {
            return self;
        }
        let text = |t: String| redact_text(t, &secrets);
        match self {
            Error::Api { operation, status, message, body, request_id, raw } => Error::Api {
                operation,
                status,
                message: text(message),
                body: body.map(|mut b| {
                    b.message = b.message.map(|m| match m {
                        ErrorMessage::Text(t) => ErrorMessage::Text(text(t)),
                        ErrorMessage::List(l) => ErrorMessage::List(l.into_iter().map(text).collect()),
                    });
                    b.error = b.error.map(text);
                    b
                }),
                request_id,
                raw: redact_bytes(raw, &secrets),
            },
            Error::Auth { operation, message, missing_scope, status, request_id } => {
                Error::Auth { operation, message: text(message), missing_scope, status, request_id }
            }
            Error::Decode { operation, status, path, raw, request_id, source } => {
                Error::Decode { operation, status, path, raw: redact_bytes(raw, &secrets), request_id, source }
            }
            other => other,
        }
    }

    /// The scope the token lacks, when the call failed for that reason.
    pub fn missing_scope(&self) -> Option<&str> {
        match self {
            Error::Auth { missing_scope, .. } => missing_scope.as_deref(),
            _ => None,
        }
    }
}

fn redact_text(text: String, secrets: &[&str]) -> String {
    if !secrets.iter().any(|s| text.contains(s)) {
        return text;
    }
    secrets.iter().fold(text, |t, s| t.replace(s, "[redacted]"))
}

fn redact_bytes(raw: Bytes, secrets: &[&str]) -> Bytes {
    let hit = |s: &&str| raw.windows(s.len()).any(|w| w == s.as_bytes());
    if !secrets.iter().any(hit) {
        return raw;
    }
    Bytes::from(redact_text(String::from_utf8_lossy(&raw).into_owned(), secrets))
}

/// The request-id header HighLevel sends, if present.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<&str> {
    ["x-request-id", "x-trace-id", "traceparent"].iter().find_map(|h| headers.get(*h)).and_then(|v| v.to_str().ok())
}

/// The JSON body HighLevel sends with an error status.
#[derive(Clone, Debug, Default, PartialEq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ErrorBody {
    /// The HTTP status, repeated in the body.
    #[serde(default)]
    pub status_code: Option<u16>,
    /// One message, or one per validation problem.
    #[serde(default)]
    pub message: Option<ErrorMessage>,
    /// The HTTP reason phrase.
    #[serde(default)]
    pub error: Option<String>,
    /// HighLevel's id for the failed request.
    #[serde(default)]
    pub trace_id: Option<String>,
}

impl ErrorBody {
    /// Parses an error body leniently: `None` when it is not a JSON object,
    /// and fields of an unexpected type are dropped rather than failing.
    pub(crate) fn parse(raw: &[u8]) -> Option<ErrorBody> {
        let value: serde_json::Value = serde_json::from_slice(raw).ok()?;
        let obj = value.as_object()?;
        let text = |k: &str| obj.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        let message = match obj.get("message") {
            Some(serde_json::Value::String(s)) => Some(ErrorMessage::Text(s.clone())),
            Some(serde_json::Value::Array(items)) => Some(ErrorMessage::List(
                items.iter().map(|i| i.as_str().map(str::to_owned).unwrap_or_else(|| i.to_string())).collect(),
            )),
            _ => None,
        };
        Some(ErrorBody {
            status_code: obj.get("statusCode").and_then(|v| v.as_u64()).and_then(|v| u16::try_from(v).ok()),
            message,
            error: text("error"),
            trace_id: text("traceId"),
        })
    }
}

/// `message` of an [`ErrorBody`]: GHL sends a text or a list of texts.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum ErrorMessage {
    /// A single message.
    Text(String),
    /// One message per problem.
    List(Vec<String>),
}

impl ErrorMessage {
    /// Every message, as a list.
    pub fn texts(&self) -> Vec<&str> {
        match self {
            ErrorMessage::Text(t) => vec![t.as_str()],
            ErrorMessage::List(items) => items.iter().map(String::as_str).collect(),
        }
    }
}

impl std::fmt::Display for ErrorMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ErrorMessage::Text(t) => f.write_str(t),
            ErrorMessage::List(items) => f.write_str(&items.join("; ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_parses_text_list_and_junk() {
        let b = ErrorBody::parse(br#"{"statusCode":422,"message":["a","b"],"error":"Unprocessable","traceId":"t1"}"#)
            .unwrap();
        assert_eq!(b.message.unwrap().to_string(), "a; b");
        assert_eq!(b.trace_id.as_deref(), Some("t1"));
        let b = ErrorBody::parse(br#"{"message":"x","statusCode":"oops"}"#).unwrap();
        assert_eq!(b.message, Some(ErrorMessage::Text("x".into())));
        assert_eq!(b.status_code, None);
        assert!(ErrorBody::parse(b"<html>").is_none());
        assert!(ErrorBody::parse(b"[1]").is_none());
    }

    #[test]
    fn messages_are_actionable() {
        let e = Error::RateLimited { operation: "op", kind: RateLimitKind::Daily, wait: None, request_id: None };
        assert!(e.to_string().contains("daily API limit"));
        let e = Error::Api {
            operation: "get-contact",
            status: StatusCode::NOT_FOUND,
            message: "Contact not found".into(),
            body: None,
            request_id: Some("abc".into()),
            raw: Bytes::new(),
        };
        assert_eq!(
            e.to_string(),
            "get-contact: HighLevel answered 404 Not Found: Contact not found (trace id abc); check the ids in the request"
        );
        assert_eq!(e.request_id(), Some("abc"));
    }
}
