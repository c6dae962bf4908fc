//! The request a generated operation hands to the runtime.
//!
//! Generated builders fill a [`Request`] (path already expanded, query pairs,
//! body) and call [`crate::Client::execute`]. Everything that is the same for
//! every operation (auth, `Version`, retries, rate limits, decoding) lives in
//! the runtime, so the generated code stays small.

use std::fmt::Display;

use crate::Error;
use crate::runtime::upload::Upload;

/// Which access token an operation accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenKind {
    /// A sub-account (location) token or a location Private Integration Token.
    Location,
    /// An agency (company) token or an agency Private Integration Token.
    Agency,
    /// Either kind.
    Either,
    /// No token at all (the OAuth token endpoint authenticates with the app's credentials).
    None,
}

/// Static facts about one operation, taken from the spec.
#[derive(Debug)]
pub struct OperationMeta {
    /// The spec's `operationId`.
    pub id: &'static str,
    /// HTTP method.
    pub method: http::Method,
    /// Path template as written in the spec, e.g. `/contacts/{contactId}`.
    pub path: &'static str,
    /// Value of the `Version` header.
    pub version: &'static str,
    /// Token kind the operation takes.
    pub token: TokenKind,
    /// OAuth scopes the operation needs.
    pub scopes: &'static [&'static str],
}

/// Body of a request. Its `Debug` shows the kind and size, never the
/// content: bodies carry secrets (the token endpoint's client secret and
/// refresh token, or a password field).
#[derive(Default)]
#[non_exhaustive]
pub enum Body {
    /// No body.
    #[default]
    Empty,
    /// A JSON document (already serialized).
    Json(Vec<u8>),
    /// An `application/x-www-form-urlencoded` body (already encoded).
    Form(String),
    /// A `multipart/form-data` body.
    Multipart(Vec<Part>),
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Body::Empty => f.write_str("Empty"),
            Body::Json(b) => write!(f, "Json(<{} bytes>)", b.len()),
            Body::Form(t) => write!(f, "Form(<{} bytes>)", t.len()),
            Body::Multipart(parts) => {
                let names: Vec<&str> = parts
                    .iter()
                    .map(|p| match p {
                        Part::Text { name, .. } | Part::File { name, .. } => name.as_ref(),
                    })
                    .collect();
                write!(f, "Multipart({names:?})")
            }
        }
    }
}

/// One part of a multipart body.
#[derive(Debug)]
#[non_exhaustive]
pub enum Part {
    /// A text field.
    Text {
        /// Field name.
        name: std::borrow::Cow<'static, str>,
        /// Field value.
        value: String,
    },
    /// A file field.
    File {
        /// Field name.
        name: std::borrow::Cow<'static, str>,
        /// The file.
        upload: Upload,
        /// Largest size the endpoint accepts, if documented.
        max_bytes: Option<u64>,
    },
}

/// A request ready for [`crate::Client::execute`].
#[derive(Debug)]
#[non_exhaustive]
pub struct Request {
    /// The operation this request belongs to.
    pub meta: &'static OperationMeta,
    /// The path with parameters substituted and percent-encoded.
    pub path: String,
    /// Query pairs, in the order they are sent.
    pub query: Vec<(&'static str, String)>,
    /// Extra headers declared by the operation.
    pub headers: Vec<(&'static str, String)>,
    /// The body.
    pub body: Body,
    /// The location (or company) the call is about, used as rate-limit key.
    pub scope_key: Option<String>,
}

impl Request {
    #[doc(hidden)] // generated code only
    /// A request for `meta` at an already expanded `path`.
    pub fn new(meta: &'static OperationMeta, path: String) -> Self {
        Request { meta, path, query: Vec::new(), headers: Vec::new(), body: Body::Empty, scope_key: None }
    }

    #[doc(hidden)] // generated code only
    /// A request for `meta` at its path template with each `{name}` filled,
    /// in order, by the percent-encoded `params` (one string per operation
    /// instead of a `format!` in each one's code).
    pub fn at(meta: &'static OperationMeta, params: &[&str]) -> Self {
        Request::new(meta, expand_path(meta.path, params))
    }

    #[doc(hidden)] // generated code only
    /// Adds one query pair.
    pub fn query(&mut self, name: &'static str, value: impl Display) {
        self.query.push((name, value.to_string()));
    }

    #[doc(hidden)] // generated code only
    /// Adds one query pair per element (`?ids=a&ids=b`).
    pub fn query_each<T: Display>(&mut self, name: &'static str, values: impl IntoIterator<Item = T>) {
        for v in values {
            self.query(name, v);
        }
    }

    #[doc(hidden)] // generated code only
    /// Adds one query pair holding every element, comma-separated (`?ids=a,b`).
    pub fn query_joined<T: Display>(&mut self, name: &'static str, values: impl IntoIterator<Item = T>) {
        let joined = values.into_iter().map(|v| v.to_string()).collect::<Vec<_>>().join(",");
        self.query.push((name, joined));
    }

    #[doc(hidden)] // generated code only
    /// Adds a structured query value, sent as its JSON text.
    pub fn query_json<T: serde::Serialize>(&mut self, name: &'static str, value: &T) -> Result<(), Error> {
        let text = serde_json::to_string(value).map_err(|e| Error::encode(self.meta.id, e))?;
        self.query.push((name, text));
        Ok(())
    }

    #[doc(hidden)] // generated code only
    /// Adds a header declared by the operation.
    pub fn header(&mut self, name: &'static str, value: impl Display) {
        self.headers.push((name, value.to_string()));
    }

    #[doc(hidden)] // generated code only
    /// Sets a JSON body.
    pub fn json<T: serde::Serialize>(&mut self, body: &T) -> Result<(), Error> {
        self.body = Body::Json(serde_json::to_vec(body).map_err(|e| Error::encode(self.meta.id, e))?);
        Ok(())
    }

    #[doc(hidden)] // generated code only
    /// Sets a form-urlencoded body.
    pub fn form<T: serde::Serialize>(&mut self, body: &T) -> Result<(), Error> {
        let text = serde_urlencoded::to_string(body).map_err(|e| Error::encode(self.meta.id, e))?;
        self.body = Body::Form(text);
        Ok(())
    }

    #[doc(hidden)] // generated code only
    /// Sets a multipart body.
    pub fn multipart(&mut self, parts: Vec<Part>) {
        self.body = Body::Multipart(parts);
    }

    #[doc(hidden)] // generated code only
    /// Records the location or company the call is about (for rate limiting).
    pub fn scope_key(&mut self, key: impl Into<String>) {
        self.scope_key = Some(key.into());
    }
}

#[doc(hidden)] // generated code only
/// Text of a non-file multipart field: strings as they are, anything else as JSON.
pub fn multipart_text<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// What a path segment keeps as it is: the unreserved characters (RFC 3986).
const SEGMENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

#[doc(hidden)] // the CLI and hand-built requests (generated code uses `Request::at`)
/// Percent-encodes one path segment.
pub fn path_segment(value: &str) -> String {
    let mut segment = String::with_capacity(value.len());
    push_segment(&mut segment, value);
    segment
}

/// Appends `value` percent-encoded. Most ids need no escaping: a copy,
/// without the encoder.
fn push_segment(path: &mut String, value: &str) {
    if value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')) {
        path.push_str(value);
    } else {
        path.extend(percent_encoding::utf8_percent_encode(value, SEGMENT));
    }
}

/// `template` with its `{name}` placeholders replaced, in order, by the
/// encoded `params` (a placeholder without a parameter becomes empty).
fn expand_path(template: &str, params: &[&str]) -> String {
    let mut path = String::with_capacity(template.len() + params.iter().map(|p| p.len()).sum::<usize>());
    let mut params = params.iter();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else { break };
        path.push_str(&rest[..start]);
        if let Some(param) = params.next() {
            push_segment(&mut path, param);
        }
        rest = &rest[start + len + 1..];
    }
    path.push_str(rest);
    path
}

#[doc(hidden)] // generated code only
/// A boxed sample call, as generated for contract tests.
#[doc(hidden)]
pub type SampleCall = std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), Error>> + Send>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(path_segment("abc-1_2.3~"), "abc-1_2.3~");
        assert_eq!(path_segment("a/b c?"), "a%2Fb%20c%3F");
        assert_eq!(path_segment("+1423"), "%2B1423");
    }

    #[test]
    fn path_templates_are_filled_in_order() {
        assert_eq!(expand_path("/contacts/", &[]), "/contacts/");
        assert_eq!(expand_path("/a/{x}/b/{y}", &["1 2", "c/d"]), "/a/1%202/b/c%2Fd");
        assert_eq!(expand_path("/a/{x}{y}.json", &["p", "q"]), "/a/pq.json");
        assert_eq!(expand_path("/a/{x}/b", &[]), "/a//b");
        assert_eq!(expand_path("/a/{open", &["p"]), "/a/{open");
    }

    #[test]
    fn the_unescaped_shortcut_agrees_with_the_encoder() {
        use percent_encoding::utf8_percent_encode;
        for c in (0u8..128).map(char::from).chain(['é', '\u{1F600}']) {
            let value = format!("a{c}b");
            assert_eq!(path_segment(&value), utf8_percent_encode(&value, SEGMENT).to_string(), "{c:?}");
            assert_eq!(expand_path("/x/{id}", &[&value]), format!("/x/{}", utf8_percent_encode(&value, SEGMENT)));
        }
    }
}
