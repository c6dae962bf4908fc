//! Faults the mock can inject instead of (or into) its normal answer.

use serde::{Deserialize, Serialize};

/// The value [`Fault::UnknownEnumValue`] puts in every enum-typed field.
pub const UNKNOWN_ENUM_VALUE: &str = "ghl_mock_value_from_the_future";

/// The field [`Fault::UnknownFields`] adds to every object of a response.
pub const UNKNOWN_FIELD: &str = "ghlMockFieldFromTheFuture";

/// One misbehaviour of the server, applied to one request.
///
/// In JSON (for `POST /__mock/faults`) a fault is tagged by `kind`:
/// `{"kind": "server_error", "status": 503}`, `{"kind": "connection_reset"}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// `429 Too Many Requests` with HighLevel's `X-RateLimit-*` headers and
    /// `Retry-After: <retry_after_secs>`; with `daily_exhausted`,
    /// `X-RateLimit-Daily-Remaining: 0` (the daily quota is spent).
    RateLimited {
        /// Seconds in `Retry-After` (fractions allowed).
        retry_after_secs: f64,
        /// Whether the daily quota is spent.
        #[serde(default)]
        daily_exhausted: bool,
    },
    /// This status (500, 502, 503, …) with a HighLevel-style JSON error body.
    ServerError {
        /// The HTTP status.
        status: u16,
    },
    /// The connection is closed after the request was read, with no answer.
    ConnectionReset,
    /// The normal answer, sent after this delay (to go past a client timeout).
    Slow {
        /// Delay in milliseconds.
        delay_ms: u64,
    },
    /// The normal status and `application/json`, with the body cut in half.
    TruncatedJson,
    /// The headers announce the whole body; the connection drops halfway through it.
    TruncatedBody,
    /// An HTML error page, as a proxy or load balancer sends, with this status.
    HtmlErrorPage {
        /// The HTTP status (e.g. 502).
        status: u16,
    },
    /// A success status with a `text/plain` body (`OK`) where JSON is expected.
    WrongContentType,
    /// The normal answer with every enum value replaced by [`UNKNOWN_ENUM_VALUE`].
    UnknownEnumValue,
    /// The normal answer with [`UNKNOWN_FIELD`] added to every object.
    UnknownFields,
    /// This JSON body with the operation's success status, whatever the
    /// request (to replay a documented or recorded answer).
    Body {
        /// The body.
        body: serde_json::Value,
    },
}

impl Fault {
    /// Every kind of fault, with typical settings (for sweeps over all faults).
    pub fn all() -> Vec<Fault> {
        vec![
            Fault::RateLimited { retry_after_secs: 1.0, daily_exhausted: false },
            Fault::RateLimited { retry_after_secs: 1.0, daily_exhausted: true },
            Fault::ServerError { status: 500 },
            Fault::ServerError { status: 502 },
            Fault::ServerError { status: 503 },
            Fault::ConnectionReset,
            Fault::Slow { delay_ms: 50 },
            Fault::TruncatedJson,
            Fault::TruncatedBody,
            Fault::HtmlErrorPage { status: 502 },
            Fault::WrongContentType,
            Fault::UnknownEnumValue,
            Fault::UnknownFields,
        ]
    }
}

/// Which requests a queued fault applies to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultScope {
    /// Any request (a global queue).
    Any,
    /// Requests routed to the operation with this `operationId`.
    Operation(String),
    /// Requests whose path template (`/contacts/{contactId}`) or actual path equals this.
    Path(String),
}

impl FaultScope {
    pub(crate) fn matches(&self, operation: Option<&str>, template: Option<&str>, path: &str) -> bool {
        match self {
            FaultScope::Any => true,
            FaultScope::Operation(id) => operation == Some(id.as_str()),
            FaultScope::Path(p) => template == Some(p.as_str()) || path == p,
        }
    }
}

/// A queued fault: applied to the next `times` matching requests (`None`: all of them).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    /// Which requests it applies to.
    #[serde(default = "any")]
    pub scope: FaultScope,
    /// What happens.
    pub fault: Fault,
    /// How many more requests it applies to; `None` for every one.
    #[serde(default = "once")]
    pub times: Option<usize>,
}

fn any() -> FaultScope {
    FaultScope::Any
}

fn once() -> Option<usize> {
    Some(1)
}

/// Takes the fault for a request: the first queued rule that matches, in
/// the order they were added.
pub(crate) fn take(
    queue: &mut Vec<FaultRule>,
    operation: Option<&str>,
    template: Option<&str>,
    path: &str,
) -> Option<Fault> {
    let i = queue.iter().position(|r| r.times != Some(0) && r.scope.matches(operation, template, path))?;
    let fault = queue[i].fault.clone();
    if let Some(n) = &mut queue[i].times {
        *n -= 1;
        if *n == 0 {
            queue.remove(i);
        }
    }
    Some(fault)
}
