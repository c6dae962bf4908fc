//! Turning a [`Request`] into one HTTP attempt.

use std::time::Duration;

use http::{HeaderName, HeaderValue};

use crate::Error;
use crate::runtime::request::{Body, Part, Request};

/// The HTTP client and where it sends.
#[derive(Debug)]
pub(crate) struct Net {
    pub http: reqwest::Client,
    /// Without a trailing slash.
    pub base_url: String,
    pub connect_timeout: Option<Duration>,
    pub timeout: Option<Duration>,
}

impl Net {
    /// Maps a reqwest error, telling timeouts apart.
    pub fn error(&self, operation: &'static str, e: reqwest::Error) -> Error {
        Error::from_reqwest(operation, e, (self.connect_timeout, self.timeout))
    }

    /// Builds one attempt of `request` (bodies are rebuilt for every attempt).
    pub async fn build(
        &self,
        request: &Request,
        authorization: Option<HeaderValue>,
    ) -> Result<reqwest::Request, Error> {
        let op = request.meta.id;
        let mut builder = self
            .http
            .request(request.meta.method.clone(), format!("{}{}", self.base_url, request.path))
            .query(&request.query)
            .header("Version", request.meta.version)
            .header(http::header::ACCEPT, "application/json");
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
