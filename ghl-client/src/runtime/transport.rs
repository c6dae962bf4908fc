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
    /// `base_url` parsed once, when it can take a path by [`reqwest::Url::set_path`]
    /// (http(s), no fragment): a call then costs a clone, not a parse of the whole URL.
    base: Option<reqwest::Url>,
    pub connect_timeout: Option<Duration>,
    /// The client's time limit per attempt (token-endpoint calls use it too).
    pub timeout: Option<Duration>,
    /// The largest response body read into memory.
    pub max_body: u64,
}

/// The default of [`crate::ClientBuilder::max_response_bytes`]: 64 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

impl Net {
    pub fn new(
        http: reqwest::Client,
        base_url: String,
        connect_timeout: Option<Duration>,
        timeout: Option<Duration>,
        max_body: u64,
    ) -> Net {
        let base = reqwest::Url::parse(&base_url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.query().is_none() && u.fragment().is_none());
        Net { http, base_url, base, connect_timeout, timeout, max_body }
    }

    /// `base_url` followed by `path`, as `Url::parse` of the two would give,
    /// for the paths where setting the path of the parsed base gives the same
    /// (`None` for the others: a query, a fragment, characters to escape).
    fn join(&self, path: &str) -> Option<reqwest::Url> {
        let base = self.base.as_ref()?;
        if !path.starts_with('/') || !path.bytes().all(plain_path_byte) {
            return None;
        }
        let mut url = base.clone();
        match base.path().trim_end_matches('/') {
            "" => url.set_path(path),
            prefix => url.set_path(&format!("{prefix}{path}")),
        }
        Some(url)
    }

    /// Sends one attempt and reads its body, at most `max_body` bytes of it.
    ///
    /// The request is handed to reqwest before the returned future starts,
    /// so that future does not hold it: every call's future is that much smaller.
    pub fn fetch(
        &self,
        operation: &'static str,
        request: reqwest::Request,
        timeout: Option<Duration>,
    ) -> impl Future<Output = Result<(http::StatusCode, http::HeaderMap, bytes::Bytes), Error>> + Send + '_ {
        let pending = self.http.execute(request);
        async move {
            let map = |e| Error::from_reqwest(operation, e, (self.connect_timeout, timeout));
            let mut response = pending.await.map_err(map)?;
            let status = response.status();
            let raw = read_body(&mut response, self.max_body).await.map_err(|e| match e {
                BodyError::Http(e) => map(e),
                BodyError::TooLarge => Error::ResponseTooLarge { operation, status, limit: self.max_body },
            })?;
            // Taken, not cloned, and only now: the future need not keep them while the body comes.
            let headers = std::mem::take(response.headers_mut());
            Ok((status, headers, raw))
        }
    }

    /// [`Net::build`] with the multipart form made here: for a one-off
    /// request (the CLI's dry run); a call takes the steps one by one.
    #[cfg_attr(not(feature = "cli"), allow(dead_code))]
    pub async fn build_whole(
        &self,
        request: &Request,
        authorization: Option<HeaderValue>,
    ) -> Result<reqwest::Request, Error> {
        let headers = Net::headers(request)?;
        let form = match &request.body {
            Body::Multipart(parts) => Some(multipart_form(request.meta.id, parts).await?),
            _ => None,
        };
        self.build(request, authorization, headers, form)
    }

    /// The operation's own headers of `request`, checked (before anything
    /// else of an attempt is built).
    pub fn headers(request: &Request) -> Result<Vec<(HeaderName, HeaderValue)>, Error> {
        let op = request.meta.id;
        let mut headers = Vec::with_capacity(request.headers.len());
        for (name, value) in &request.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::encode(op, format!("`{name}` is not a valid header name")))?;
            let value = HeaderValue::from_str(value).map_err(|_| {
                Error::encode(op, format!("the value of header `{name}` has characters not allowed in a header"))
            })?;
            headers.push((name, value));
        }
        Ok(headers)
    }

    /// Builds one attempt of `request` (bodies are rebuilt for every attempt)
    /// from its [`Net::headers`] and, for a multipart body, the `form` of
    /// [`multipart_form`]: the one step that waits, which the caller awaits
    /// only for such bodies, so that other calls' futures do not hold it.
    /// Its time limit is the caller's to enforce (see `Client::send`).
    pub fn build(
        &self,
        request: &Request,
        authorization: Option<HeaderValue>,
        headers: Vec<(HeaderName, HeaderValue)>,
        form: Option<reqwest::multipart::Form>,
    ) -> Result<reqwest::Request, Error> {
        let op = request.meta.id;
        let method = request.meta.method.clone();
        let mut builder = match self.join(&request.path) {
            Some(url) => self.http.request(method, url),
            None => self.http.request(method, format!("{}{}", self.base_url, request.path)),
        };
        if !request.query.is_empty() {
            builder = builder.query(&request.query);
        }
        builder = builder.header("Version", request.meta.version).header(http::header::ACCEPT, "application/json");
        if let Some(authorization) = authorization {
            builder = builder.header(http::header::AUTHORIZATION, authorization);
        }
        for (name, value) in headers {
            builder = builder.header(name, value);
        }
        builder = match (&request.body, form) {
            (_, Some(form)) => builder.multipart(form),
            (Body::Json(bytes), _) => {
                builder.header(http::header::CONTENT_TYPE, "application/json").body(bytes.clone())
            }
            (Body::Form(text), _) => {
                builder.header(http::header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(text.clone())
            }
            (Body::Empty | Body::Multipart(_), None) => builder,
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

pub(crate) async fn multipart_form(operation: &'static str, parts: &[Part]) -> Result<reqwest::multipart::Form, Error> {
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
/// Borrows the response rather than taking it, so that the caller's future
/// does not hold two copies of it.
pub(crate) async fn read_body(response: &mut reqwest::Response, limit: u64) -> Result<bytes::Bytes, BodyError> {
    if response.content_length().is_some_and(|n| n > limit) {
        return Err(BodyError::TooLarge);
    }
    // A body that comes in one chunk (most) is returned as it is, uncopied.
    let Some(first) = response.chunk().await.map_err(BodyError::Http)? else {
        return Ok(bytes::Bytes::new());
    };
    if first.len() as u64 > limit {
        return Err(BodyError::TooLarge);
    }
    let Some(second) = response.chunk().await.map_err(BodyError::Http)? else {
        return Ok(first);
    };
    let mut body = bytes::BytesMut::with_capacity(first.len() + second.len());
    body.extend_from_slice(&first);
    let mut next = Some(second);
    while let Some(chunk) = next {
        if body.len() as u64 + chunk.len() as u64 > limit {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
        next = response.chunk().await.map_err(BodyError::Http)?;
    }
    Ok(body.freeze())
}

/// Bytes a path may hold for [`Net::join`]: unreserved, sub-delimiters, `:`,
/// `@`, `/` and `%` (already escaped). Anything else takes the full parse.
fn plain_path_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/%".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_urls_are_what_parsing_the_whole_url_gives() {
        let bases = ["http://127.0.0.1:9", "https://h.example/api", "http://h/a/./b", "http://u:p@h:8080/x%20y"];
        let plain = [
            "/contacts/abc",
            "/contacts/a%2Fb/notes/x",
            "/a/../b",
            "/../x",
            "/a/./b/",
            "/x/%2e%2E/y",
            "/x;y=1/@:$&'()*+,",
            "/",
        ];
        for base in bases {
            let net = Net::new(reqwest::Client::new(), base.to_owned(), None, None, 0);
            for path in plain {
                let whole = reqwest::Url::parse(&format!("{base}{path}")).unwrap();
                assert_eq!(net.join(path), Some(whole), "{base} + {path}");
            }
            for path in ["/q?x=1", "/f#x", "/sp ace", "/\u{fc}", "/back\\slash", "no-slash", ""] {
                assert_eq!(net.join(path), None, "{base} + {path}");
            }
        }
        // A base that set_path cannot extend alike is never used.
        for base in ["http://h/x#frag", "mailto:someone", "not a url"] {
            let net = Net::new(reqwest::Client::new(), base.to_owned(), None, None, 0);
            assert_eq!(net.join("/contacts/abc"), None, "{base}");
        }
    }
}
