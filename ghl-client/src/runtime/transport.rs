//! Turning a [`Request`] into one HTTP attempt.

use std::time::Duration;

use http::{HeaderName, HeaderValue};

use crate::Error;
use crate::runtime::request::{Body, Part, Request};

/// The HTTP client and where it sends.
#[derive(Clone, Debug)]
pub(crate) struct Net {
    pub http: reqwest::Client,
    /// Without a trailing slash.
    pub base_url: String,
    pub connect_timeout: Option<Duration>,
    /// The client's time limit per attempt (token-endpoint calls use it too).
    pub timeout: Option<Duration>,
    /// The largest response body read into memory.
    pub max_body: u64,
}

/// The default of [`crate::ClientBuilder::max_response_bytes`]: 64 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

impl Net {
    /// Sends one attempt and reads its body, at most `max_body` bytes of it.
    pub async fn fetch(
        &self,
        operation: &'static str,
        request: reqwest::Request,
        timeout: Option<Duration>,
    ) -> Result<(http::StatusCode, http::HeaderMap, bytes::Bytes), Error> {
        let map = |e| Error::from_reqwest(operation, e, (self.connect_timeout, timeout));
        let response = self.http.execute(request).await.map_err(map)?;
        let status = response.status();
        let headers = response.headers().clone();
        let raw = read_body(response, self.max_body).await.map_err(|e| match e {
            BodyError::Http(e) => map(e),
            BodyError::TooLarge => Error::ResponseTooLarge { operation, status, limit: self.max_body },
        })?;
        Ok((status, headers, raw))
    }

    /// Builds one attempt of `request` (bodies are rebuilt for every attempt).
    pub async fn build(
        &self,
        request: &Request,
        authorization: Option<HeaderValue>,
        timeout: Option<Duration>,
    ) -> Result<reqwest::Request, Error> {
        let op = request.meta.id;
        let mut builder = self
            .http
            .request(request.meta.method.clone(), format!("{}{}", self.base_url, request.path))
            .query(&request.query)
            .header("Version", request.meta.version)
            .header(http::header::ACCEPT, "application/json");
        if let Some(t) = timeout {
            builder = builder.timeout(t);
        }
        if let Some(authorization) = authorization {
            builder = builder.header(http::header::AUTHORIZATION, authorization);
        }
        for (name, value) in &request.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::encode(op, format!("`{name}` is not a valid header name")))?;
            let value = HeaderValue::from_str(value).map_err(|_| {
                Error::encode(op, format!("the value of header `{name}` has characters not allowed in a header"))
            })?;
            builder = builder.header(name, value);
        }
        builder = match &request.body {
            Body::Empty => builder,
            Body::Json(bytes) => builder.header(http::header::CONTENT_TYPE, "application/json").body(bytes.clone()),
            Body::Form(text) => {
                builder.header(http::header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(text.clone())
            }
            Body::Multipart(parts) => builder.multipart(multipart_form(op, parts).await?),
        };
        builder.build().map_err(|e| Error::encode(op, e))
    }
}

/// Whether `body` can be sent again (a streamed upload cannot).
pub(crate) fn is_replayable(body: &Body) -> bool {
    match body {
        Body::Multipart(parts) => parts.iter().all(|p| match p {
            Part::Text { .. } => true,
            Part::File { upload, .. } => upload.is_replayable(),
        }),
        _ => true,
    }
}

async fn multipart_form(operation: &'static str, parts: &[Part]) -> Result<reqwest::multipart::Form, Error> {
    let mut form = reqwest::multipart::Form::new();
    for part in parts {
        form = match part {
            Part::Text { name, value } => form.text(name.clone(), value.clone()),
            Part::File { name, upload, max_bytes } => {
                form.part(name.clone(), upload.to_part(operation, *max_bytes).await?)
            }
        };
    }
    Ok(form)
}

pub(crate) enum BodyError {
    Http(reqwest::Error),
    TooLarge,
}

/// Reads a body chunk by chunk, stopping as soon as it passes `limit`
/// (a `Content-Length` above it is refused before reading anything).
pub(crate) async fn read_body(mut response: reqwest::Response, limit: u64) -> Result<bytes::Bytes, BodyError> {
    if response.content_length().is_some_and(|n| n > limit) {
        return Err(BodyError::TooLarge);
    }
    let mut body = bytes::BytesMut::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Http)? {
        if body.len() as u64 + chunk.len() as u64 > limit {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}
