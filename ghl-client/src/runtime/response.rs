//! A decoded response together with its status, headers and raw body.

use bytes::Bytes;
use http::{HeaderMap, StatusCode};

/// What `send_with_meta()` returns: the decoded body plus everything else
/// the server sent, for callers who need headers or the exact JSON.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ApiResponse<T> {
    /// HTTP status.
    pub status: StatusCode,
    /// Response headers.
    pub headers: HeaderMap,
    /// The raw body bytes, exactly as received.
    pub raw: Bytes,
    /// The decoded body.
    pub body: T,
}

impl<T> ApiResponse<T> {
    /// The decoded body, dropping the rest.
    pub fn into_body(self) -> T {
        self.body
    }

    /// The raw body parsed as untyped JSON (`Null` when the body is empty).
    pub fn raw_json(&self) -> Result<serde_json::Value, serde_json::Error> {
        if self.raw.iter().all(u8::is_ascii_whitespace) {
            return Ok(serde_json::Value::Null);
        }
        serde_json::from_slice(&self.raw)
    }

    /// HighLevel's request id for this call, when the server sent one.
    pub fn request_id(&self) -> Option<&str> {
        crate::runtime::error::request_id(&self.headers)
    }
}
