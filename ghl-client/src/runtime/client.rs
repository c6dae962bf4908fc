//! The client and the one `execute` every operation goes through: token,
//! rate limit, attempt, and what to do with the answer.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::FutureExt;
use futures::future::Either;
use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::Instrument;
use tracing::field::Empty;

use crate::Error;
pub use crate::runtime::builder::ClientBuilder;

use crate::runtime::auth::{Credentials, Origin};
use crate::runtime::error::{ErrorBody, RateLimitKind, request_id};
use crate::runtime::oauth::{AuthorizationUrl, OAuthApp, OAuthTokens, UserType};
use crate::runtime::rate_limit::{RateBudget, RateLimitHeaders, later};
use crate::runtime::refresh::OAuthSession;
use crate::runtime::request::{Body, OperationMeta, Request};
use crate::runtime::response::ApiResponse;
use crate::runtime::retry::{Decision, Failure, RetryPolicy};
use crate::runtime::transport::{Net, is_replayable, multipart_form};

/// The default API host.
pub const DEFAULT_BASE_URL: &str = "https://services.leadconnectorhq.com";
/// The `User-Agent` every request carries.
pub const USER_AGENT: &str = concat!("ghl-client/", env!("CARGO_PKG_VERSION"));

/// A HighLevel API v2 client. Cheap to clone (an `Arc` inside); `Debug`
/// never shows a token or secret.
///
/// ```
/// let client = ghl_client::Client::builder()
///     .private_integration_token("pit-0000")
///     .location_id("loc-1")
///     .build()?;
/// assert_eq!(client.location_id(), Some("loc-1"));
/// assert!(!format!("{client:?}").contains("pit-0000"));
/// # Ok::<(), ghl_client::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
    pub(crate) call: CallSettings,
}

/// What every call of a client shares.
pub(crate) struct Inner {
    pub(crate) net: Net,
    pub(crate) credentials: Credentials,
    pub(crate) location_id: Option<String>,
    pub(crate) company_id: Option<String>,
    pub(crate) limiter: Option<Arc<dyn RateBudget>>,
}

/// What a call may override ([`Client::with_deadline`] and friends).
#[derive(Clone, Copy, Debug)]
pub(crate) struct CallSettings {
    pub(crate) retry: RetryPolicy,
    /// The whole call, retries and waits included.
    pub(crate) deadline: Option<Duration>,
    /// One attempt, from sending to the end of the body.
    pub(crate) timeout: Option<Duration>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Client")
            .field("base_url", &i.net.base_url)
            .field("location_id", &i.location_id)
            .field("company_id", &i.company_id)
            .field("credentials", &i.credentials)
            .field("retry", &self.call.retry)
            .field("deadline", &self.call.deadline)
            .field("timeout", &self.call.timeout)
            .field("rate_limit", &i.limiter.as_ref().map(|l| l.limit()))
            .finish()
    }
}

impl Client {
    /// A builder with every option.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from `GHL_API_KEY`, `GHL_LOCATION_ID`,
    /// `GHL_CLIENT_ID`, `GHL_CLIENT_SECRET` (and `GHL_BASE_URL` for mock
    /// servers). Values are trimmed; an empty one counts as unset.
    ///
    /// ```no_run
    /// let client = ghl_client::Client::from_env()?;
    /// # Ok::<(), ghl_client::Error>(())
    /// ```
    pub fn from_env() -> Result<Client, Error> {
        Client::builder().from_env().build()
    }

    /// The same client with another overall deadline per call: every attempt,
    /// retry wait and rate-limit wait of a call fits in it, and a call that
    /// would need longer fails with [`Error::Deadline`]. `None`: no deadline.
    /// Cheap: the clone shares connections, tokens and the rate limiter.
    ///
    /// ```
    /// # async fn f(client: ghl_client::Client) -> Result<(), ghl_client::Error> {
    /// use std::time::Duration;
    /// let quick = client.with_deadline(Duration::from_secs(5));
    /// # Ok(()) }
    /// ```
    pub fn with_deadline(&self, deadline: impl Into<Option<Duration>>) -> Client {
        let mut c = self.clone();
        c.call.deadline = deadline.into();
        c
    }

    /// The same client with another time limit per attempt (`None`: none).
    pub fn with_timeout(&self, timeout: impl Into<Option<Duration>>) -> Client {
        let mut c = self.clone();
        c.call.timeout = timeout.into();
        c
    }

    /// The same client with another retry policy.
    ///
    /// ```
    /// # async fn f(client: ghl_client::Client) -> Result<(), ghl_client::Error> {
    /// let once = client.with_retry(ghl_client::RetryPolicy::none());
    /// # Ok(()) }
    /// ```
    pub fn with_retry(&self, policy: RetryPolicy) -> Client {
        let mut c = self.clone();
        c.call.retry = policy;
        c
    }

    /// The location configured on the client, if any.
    pub fn location_id(&self) -> Option<&str> {
        self.inner.location_id.as_deref()
    }

    #[doc(hidden)] // generated code only
    /// Resolves a `locationId` argument: the call's own value, else the client's.
    ///
    /// ```
    /// let client = ghl_client::Client::builder().private_integration_token("t").location_id("loc-1").build()?;
    /// assert_eq!(client.resolve_location("get-contacts", None)?, "loc-1");
    /// assert_eq!(client.resolve_location("get-contacts", Some("loc-2"))?, "loc-2");
    /// # Ok::<(), ghl_client::Error>(())
    /// ```
    pub fn resolve_location(&self, operation: &'static str, explicit: Option<&str>) -> Result<String, Error> {
        explicit.or(self.location_id()).map(str::to_owned).ok_or_else(|| {
            Error::missing_parameter(
                operation,
                "locationId",
                "pass it on the call or configure the client with `.location_id(..)` / GHL_LOCATION_ID",
            )
        })
    }

    /// The OAuth app, when one is configured.
    pub fn oauth_app(&self) -> Option<&OAuthApp> {
        self.inner.credentials.oauth.as_deref().map(OAuthSession::app)
    }

    /// The authorization page for the configured OAuth app.
    pub fn authorization_url(&self, redirect_uri: impl Into<String>) -> Result<AuthorizationUrl, Error> {
        Ok(self.oauth_session()?.app().authorization_url(redirect_uri))
    }

    fn oauth_session(&self) -> Result<&Arc<OAuthSession>, Error> {
        self.inner
            .credentials
            .oauth
            .as_ref()
            .ok_or_else(|| Error::Config("no OAuth app is configured; add `.oauth(OAuthApp::new(..))`".into()))
    }

    /// Exchanges the `code` HighLevel sent to your redirect URI for tokens,
    /// and stores them in the token store (replacing what was there).
    ///
    /// ```no_run
    /// # async fn f(client: ghl_client::Client, code: &str) -> Result<(), ghl_client::Error> {
    /// use ghl_client::UserType;
    /// let tokens = client.exchange_code(code, Some("https://myapp.example/callback"), UserType::Location).await?;
    /// println!("installed for location {:?}", tokens.location_id);
    /// # Ok(()) }
    /// ```
    pub async fn exchange_code(
        &self,
        code: &str,
        redirect_uri: Option<&str>,
        user_type: UserType,
    ) -> Result<OAuthTokens, Error> {
        self.oauth_session()?.exchange_code(&self.inner.net, code, redirect_uri, user_type).await
    }

    /// Refreshes the OAuth token now (normally done on its own, shortly
    /// before expiry or after a 401).
    pub async fn refresh_now(&self) -> Result<(), Error> {
        let session = self.oauth_session()?;
        // Treat the stored revision as spent: exactly one refresh, even when
        // that token was already expired (which `access` alone would refresh
        // too), and even when a cached copy looks usable.
        let stored = session.stored_revision().await?;
        session.force_refresh(&self.inner.net, stored).await?;
        Ok(())
    }

    #[doc(hidden)] // generated code only
    /// Sends `request` and decodes a 2xx body as `T` (an empty body decodes as JSON `null`).
    ///
    /// Picks the token the operation takes, waits for the rate limiter,
    /// retries as the [`RetryPolicy`] allows, renews the token once on a 401,
    /// and records a `ghl_request` tracing span (operation, method, path
    /// template, attempt, status, wait) that never holds a token.
    ///
    /// ```no_run
    /// # async fn f(client: ghl_client::Client) -> Result<(), ghl_client::Error> {
    /// use ghl_client::{OperationMeta, Request, TokenKind};
    /// static GET_CONTACT: OperationMeta = OperationMeta {
    ///     id: "get-contact",
    ///     method: http::Method::GET,
    ///     path: "/contacts/{contactId}",
    ///     version: "2021-07-28",
    ///     token: TokenKind::Location,
    ///     scopes: &["contacts.readonly"],
    /// };
    /// let path = format!("/contacts/{}", ghl_client::runtime::request::path_segment("abc"));
    /// let contact = client.execute::<serde_json::Value>(Request::new(&GET_CONTACT, path)).await?;
    /// println!("{}", contact.body);
    /// # Ok(()) }
    /// ```
    pub async fn execute<T: DeserializeOwned>(&self, request: Request) -> Result<ApiResponse<T>, Error> {
        self.respond(&request).await
    }

    #[doc(hidden)] // generated code only
    /// Like [`Client::execute`], for operations whose success body is not
    /// JSON (a recording, a text file): the body is returned as bytes.
    pub async fn execute_bytes(&self, request: Request) -> Result<ApiResponse<Bytes>, Error> {
        let span = request_span(request.meta);
        let (status, headers, raw) = self.send(&request, &span).instrument(span.clone()).await?;
        Ok(ApiResponse { status, headers, body: raw.clone(), raw })
    }

    /// [`Client::execute`] of a borrowed request.
    async fn respond<T: DeserializeOwned>(&self, request: &Request) -> Result<ApiResponse<T>, Error> {
        let span = request_span(request.meta);
        let (status, headers, raw) = self.send(request, &span).instrument(span.clone()).await?;
        let body = span.in_scope(|| decode(request.meta, status, &headers, &raw))?;
        Ok(ApiResponse { status, headers, raw, body })
    }

    /// The attempt loop of one call, under its deadline, run inside `span`
    /// (the call's `ghl_request` span, whose fields it records); returns a
    /// 2xx answer or the final error.
    ///
    /// Every wait of a call is bounded by its deadline step by step (token,
    /// rate limit, body parts, the attempt itself; retry pauses are checked
    /// before sleeping), rather than by a timer around the whole loop: the
    /// attempt's own time limit and the deadline then share one timer.
    ///
    /// Each in-flight call holds this future, and every call allocates it:
    /// what is rarely needed (the OAuth path, multipart parts) is boxed,
    /// the attempt itself too (its body read is the largest state), and
    /// what an answer leads to is decided by [`Client::judge`], outside the
    /// state kept across waits.
    async fn send(&self, request: &Request, span: &tracing::Span) -> Result<Answer, Error> {
        check_path(request)?;
        check_body(request)?;
        let limit = self.call.deadline.map(|limit| Limit { at: later(Instant::now(), limit), after: limit });
        let inner = &*self.inner;
        let call = &self.call;
        let meta = request.meta;
        let location = request.scope_key.as_deref().or(inner.location_id.as_deref());
        let key = location.or(inner.company_id.as_deref()).unwrap_or("");
        let mut state = Progress {
            replayable: is_replayable(&request.body),
            renewed: false,
            deadline: limit.map(|l| l.at),
            attempt: 0,
        };
        let mut renew: Option<Origin> = None;
        let mut waited = Duration::ZERO;
        let mut sent = 0u32;
        loop {
            sent += 1;
            span.record("attempt", sent);
            // Blocks end what a later wait need not keep (the token before
            // the attempt, the attempt before a retry's pause).
            let (wait, retried) = {
                let (http_request, origin, permit) = {
                    // (`if let`, not `match`: the fixed token's result is not kept across the OAuth wait.)
                    let bearer = if let Some(fixed) = inner.credentials.fixed_bearer(meta) {
                        renew = None;
                        fixed?
                    } else {
                        let failed = renew.take();
                        let oauth = Box::pin(inner.credentials.bearer(&inner.net, meta, location, failed.as_ref()));
                        within(limit, meta.id, oauth).await?
                    };
                    let permit = match &inner.limiter {
                        Some(limiter) => {
                            // A 429's wait longer than the policy allows (or than the deadline
                            // leaves) fails the call now instead of blocking it.
                            let mut patience = call.retry.longest_wait();
                            if let Some(d) = state.deadline {
                                patience = patience.min(d.saturating_duration_since(Instant::now()));
                            }
                            let acquire = async {
                                limiter.acquire_within(key, patience).await.map_err(|refusal| Error::RateLimited {
                                    operation: meta.id,
                                    kind: refusal.kind,
                                    wait: refusal.wait,
                                    request_id: None,
                                })
                            };
                            let permit = within(limit, meta.id, acquire).await?;
                            let w = permit.waited();
                            if !w.is_zero() {
                                waited += w;
                                span.record("wait_ms", waited.as_millis() as u64);
                                tracing::debug!(
                                    wait_ms = w.as_millis() as u64,
                                    "waited for the client-side rate limit"
                                );
                            }
                            Some(permit)
                        }
                        None => None,
                    };
                    let headers = Net::headers(request)?;
                    let form = match &request.body {
                        Body::Multipart(parts) => {
                            Some(within(limit, meta.id, Box::pin(multipart_form(meta.id, parts))).await?)
                        }
                        _ => None,
                    };
                    (inner.net.build(request, bearer.header, headers, form)?, bearer.origin, permit)
                };
                state.attempt += 1;
                {
                    let fetch = inner.net.fetch(meta.id, http_request, call.timeout);
                    let answer = Box::pin(attempt_within(limit, call.timeout, meta.id, fetch)).await?;
                    drop(permit); // the request has arrived (or failed): its slot's window starts now
                    match self.judge(request, key, &state, &origin, span, answer) {
                        Next::Done(result) => return result,
                        Next::Renew => {
                            state.renewed = true;
                            state.attempt -= 1;
                            renew = Some(origin);
                            continue;
                        }
                        Next::Retry(wait, retried) => (wait, retried),
                    }
                }
            };
            waited += wait;
            span.record("wait_ms", waited.as_millis() as u64);
            // Boxed: a timer is large, and only a retry needs this one.
            Box::pin(tokio::time::sleep(wait)).await;
            retried.log(wait);
        }
    }

    /// What the answer to an attempt leads to: the call's result, a renewed
    /// token, or another attempt after a wait that fits in the deadline.
    fn judge(
        &self,
        request: &Request,
        key: &str,
        state: &Progress,
        origin: &Origin,
        span: &tracing::Span,
        answer: Result<Answer, Error>,
    ) -> Next {
        let inner = &*self.inner;
        let call = &self.call;
        let meta = request.meta;
        let attempt = state.attempt;
        // Whether the call may send again after `wait`: a body that can be
        // sent again, and a wait that ends before the deadline.
        let may_wait =
            |wait: Duration| state.replayable && state.deadline.is_none_or(|d| later(Instant::now(), wait) <= d);
        let (status, headers, raw) = match answer {
            Ok(a) => a,
            Err(error) => {
                let retry = error.is_transport_failure();
                return match call.retry.decide(&meta.method, Failure::Transport, attempt) {
                    Decision::Retry(wait) if retry && may_wait(wait) => {
                        Next::Retry(wait, Retried::Transport(Box::new(error)))
                    }
                    _ => Next::Done(Err(error)),
                };
            }
        };
        span.record("status", status.as_u16());
        if status.is_success() && inner.limiter.is_none() {
            return Next::Done(Ok((status, headers, raw))); // nobody reads the rate-limit headers
        }
        let limits = RateLimitHeaders::parse(&headers);
        if let Some(limiter) = &inner.limiter {
            limiter.observe(key, &limits);
        }
        if status.is_success() {
            return Next::Done(Ok((status, headers, raw)));
        }
        let trace = request_id(&headers).map(str::to_owned).or_else(|| ErrorBody::parse(&raw).and_then(|b| b.trace_id));
        if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
            && let Some(e) = scope_error(meta, status, &raw, trace.clone())
        {
            return Next::Done(Err(inner.credentials.redact_error(e)));
        }
        if status == StatusCode::UNAUTHORIZED {
            if origin.renewable() && !state.renewed && state.replayable {
                tracing::info!("the token was rejected (401); renewing it and retrying once");
                return Next::Renew;
            }
            let e = unauthorized(meta, origin, state.renewed, &raw, trace);
            return Next::Done(Err(inner.credentials.redact_error(e)));
        }
        let failure = Failure::Status(status, &limits);
        let decision = call.retry.decide(&meta.method, failure, attempt);
        if status == StatusCode::TOO_MANY_REQUESTS {
            let server_wait = limits.retry_after.or(limits.interval);
            if let (Some(limiter), Some(w)) = (&inner.limiter, server_wait) {
                // Everyone on this key waits, not just this call; a wait
                // beyond the policy's patience makes their calls fail fast.
                limiter.pause(key, w);
            }
            return match decision {
                Decision::DailyLimit => Next::Done(Err(Error::RateLimited {
                    operation: meta.id,
                    kind: RateLimitKind::Daily,
                    wait: None,
                    request_id: trace,
                })),
                Decision::Retry(wait) if may_wait(wait) => Next::Retry(wait, Retried::RateLimited),
                _ => Next::Done(Err(Error::RateLimited {
                    operation: meta.id,
                    kind: RateLimitKind::Burst,
                    wait: server_wait,
                    request_id: trace,
                })),
            };
        }
        if let Decision::Retry(wait) = decision
            && may_wait(wait)
        {
            return Next::Retry(wait, Retried::Status(status));
        }
        Next::Done(Err(inner.credentials.redact_error(api_error(meta.id, status, &headers, raw, trace))))
    }
}

/// A 2xx answer: status, headers and body.
type Answer = (StatusCode, HeaderMap, Bytes);

/// What [`Client::judge`] needs to know of the call so far.
struct Progress {
    /// The body can be sent again.
    replayable: bool,
    /// The token was renewed once already (after a 401).
    renewed: bool,
    deadline: Option<Instant>,
    /// Attempts counted toward the retry budget (the 401 renewal is not).
    attempt: u32,
}

/// What the answer to an attempt leads to.
enum Next {
    Done(Result<Answer, Error>),
    /// Renew the token and send again, without counting an attempt.
    Renew,
    /// Send again after the wait; what to log once it has passed.
    Retry(Duration, Retried),
}

/// Why a call is sent again (boxed: kept across the wait, in every call's future).
enum Retried {
    Transport(Box<Error>),
    RateLimited,
    Status(StatusCode),
}

impl Retried {
    fn log(self, wait: Duration) {
        let wait_ms = wait.as_millis() as u64;
        match self {
            Retried::Transport(error) => tracing::warn!(error = %error, wait_ms, "request failed; retried"),
            Retried::RateLimited => tracing::warn!(wait_ms, "rate limited by HighLevel (429); retried after the wait"),
            Retried::Status(status) => tracing::warn!(status = status.as_u16(), wait_ms, "server error; retried"),
        }
    }
}

/// A call's deadline: when, and the limit it came from (for the error).
#[derive(Clone, Copy)]
struct Limit {
    at: Instant,
    after: Duration,
}

/// `step` of a call, failed with [`Error::Deadline`] if the deadline passes
/// first. Its timer is registered only if `step` has to wait, and boxed: a
/// timer is large, and only calls with a deadline need one here. (Combinators,
/// not `async`: an async fn would hold `step` twice, its argument and the awaited copy.)
fn within<T>(
    limit: Option<Limit>,
    operation: &'static str,
    step: impl Future<Output = Result<T, Error>>,
) -> impl Future<Output = Result<T, Error>> {
    match limit {
        None => Either::Right(step),
        Some(l) => Either::Left(Box::pin(
            tokio::time::timeout_at(l.at, step)
                .map(move |r| r.unwrap_or(Err(Error::Deadline { operation, after: l.after }))),
        )),
    }
}

/// One attempt under one timer: its own time limit (`timeout`, the answer
/// being an [`Error::Timeout`] that may be retried) or the call's deadline
/// (the outer `Err`, final), whichever ends first.
fn attempt_within<T>(
    limit: Option<Limit>,
    timeout: Option<Duration>,
    operation: &'static str,
    attempt: impl Future<Output = Result<T, Error>>,
) -> impl Future<Output = Result<Result<T, Error>, Error>> {
    let end = timeout.map(|t| later(Instant::now(), t));
    let at = match (end, limit) {
        (None, None) => None,
        (Some(end), Some(l)) => Some(end.min(l.at)),
        (Some(end), None) => Some(end),
        (None, Some(l)) => Some(l.at),
    };
    match at {
        None => Either::Right(attempt.map(Ok)),
        Some(at) => Either::Left(tokio::time::timeout_at(at, attempt).map(move |answer| match answer {
            Ok(answer) => Ok(answer),
            // On a tie the attempt's limit wins, as when each had its own timer.
            Err(_) => match limit {
                Some(l) if end.is_none_or(|end| l.at < end) => Err(Error::Deadline { operation, after: l.after }),
                _ => Ok(Err(Error::Timeout { operation, connect: false, after: timeout })),
            },
        })),
    }
}

/// Refuses a path parameter that would change which endpoint is called:
/// an empty value, `.` or `..` (also percent-encoded) would be resolved away
/// by URL normalisation, so `get_contact("..")` would reach `GET /`.
fn check_path(request: &Request) -> Result<(), Error> {
    let path = request.path.split('?').next().unwrap_or_default();
    // A segment after the first is empty, `.` or `..` (or `%2E`…) only where
    // the path has `//`, a trailing `/`, `/.` or `%2`: most paths have none
    // (one pass over the bytes finds out).
    if !may_hide_a_dot_segment(path) {
        return Ok(());
    }
    let template = request.meta.path.split('/');
    let actual = path.split('/');
    for (t, a) in template.zip(actual) {
        let Some(name) = t.strip_prefix('{').and_then(|n| n.strip_suffix('}')) else { continue };
        // Each `%XY` decodes to one byte: past 6 bytes a segment cannot decode to `..` or less.
        if a.len() > 6 {
            continue;
        }
        let decoded = percent_encoding::percent_decode_str(a).decode_utf8_lossy();
        if matches!(decoded.as_ref(), "" | "." | "..") {
            return Err(Error::InvalidArgument {
                operation: request.meta.id,
                message: format!(
                    "path parameter `{name}` is {}; it must be a non-empty id other than `.` or `..`",
                    if decoded.is_empty() { "empty".to_owned() } else { format!("`{decoded}`") }
                ),
            });
        }
    }
    Ok(())
}

/// Whether `path` has `//`, `/.`, `%2` or a trailing `/`, in one pass.
fn may_hide_a_dot_segment(path: &str) -> bool {
    let bytes = path.as_bytes();
    bytes.last() == Some(&b'/') || bytes.windows(2).any(|w| matches!(w, [b'/', b'/' | b'.'] | [b'%', b'2']))
}

/// Refuses a multipart body without any part: no endpoint accepts an empty
/// form, and the caller learns which call lacks its fields before anything is sent.
fn check_body(request: &Request) -> Result<(), Error> {
    match &request.body {
        Body::Multipart(parts) if parts.is_empty() => Err(Error::InvalidArgument {
            operation: request.meta.id,
            message: "the multipart body has no part; set at least one of its fields".to_owned(),
        }),
        _ => Ok(()),
    }
}

fn api_error(
    operation: &'static str,
    status: StatusCode,
    headers: &HeaderMap,
    raw: Bytes,
    request_id: Option<String>,
) -> Error {
    let body = ErrorBody::parse(&raw);
    let message = if status.is_redirection() {
        let to = headers.get(http::header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("nowhere");
        format!(
            "a redirect to `{to}`, which the client does not follow (it leaves the API host, or comes from the token endpoint)"
        )
    } else {
        body.as_ref()
            .and_then(|b| b.message.as_ref().map(ToString::to_string).or_else(|| b.error.clone()))
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_owned())
    };
    Error::Api { operation, status, message, body: body.map(Box::new), request_id, raw: error_prefix(raw) }
}

/// A 401 (or 403) whose body says the token lacks a scope: final, and names the scope.
fn scope_error(meta: &OperationMeta, status: StatusCode, raw: &[u8], request_id: Option<String>) -> Option<Error> {
    let said = ErrorBody::parse(raw)?.message?.to_string();
    if !said.to_ascii_lowercase().contains("scope") {
        return None;
    }
    // Prefer a scope the server named; otherwise the ones the operation needs.
    let named: Vec<&str> = meta.scopes.iter().copied().filter(|s| said.contains(s)).collect();
    let scopes = if named.is_empty() { meta.scopes.to_vec() } else { named };
    let missing = (!scopes.is_empty()).then(|| scopes.join(" or "));
    let which =
        missing.as_ref().map(|s| format!("`{s}`")).unwrap_or_else(|| "the scope this operation needs".to_owned());
    Some(Error::Auth {
        operation: meta.id,
        message: format!(
            "the token is not authorized for {which} (HighLevel said: {said}); add the scope to the app or Private Integration \
             and authorize again"
        ),
        missing_scope: missing,
        status: Some(status),
        request_id,
    })
}

fn unauthorized(meta: &OperationMeta, origin: &Origin, renewed: bool, raw: &[u8], request_id: Option<String>) -> Error {
    let said = ErrorBody::parse(raw)
        .and_then(|b| b.message)
        .map(|m| m.to_string())
        .unwrap_or_else(|| "Unauthorized".to_owned());
    let advice = match (origin, renewed) {
        (Origin::Static, _) => "check that the token is current and was issued for this location or agency",
        (_, true) => {
            "it was rejected again after renewing it; the app may have been uninstalled, so authorize it again"
        }
        (_, false) => "the request body could not be sent again to retry with a renewed token; retry the call",
    };
    Error::Auth {
        operation: meta.id,
        message: format!("HighLevel rejected the token ({said}); {advice}"),
        missing_scope: None,
        status: Some(StatusCode::UNAUTHORIZED),
        request_id,
    }
}

/// Decodes a success body, keeping the JSON path of the first mismatch.
/// The `ghl_request` span of one call; never holds a token.
fn request_span(meta: &OperationMeta) -> tracing::Span {
    tracing::info_span!(
        "ghl_request",
        operation = meta.id,
        method = %meta.method,
        path = meta.path,
        attempt = Empty,
        status = Empty,
        wait_ms = Empty,
    )
}

fn decode<T: DeserializeOwned>(
    meta: &OperationMeta,
    status: StatusCode,
    headers: &HeaderMap,
    raw: &Bytes,
) -> Result<T, Error> {
    let text: &[u8] = if raw.iter().all(u8::is_ascii_whitespace) { b"null" } else { raw };
    // Plain serde_json first: tracking the path costs ~30% per call, and it
    // is only needed to explain a failure, so decode again only then.
    if let Ok(value) = serde_json::from_slice(text) {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_slice(text);
    let (path, source) = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Err(e) => (e.path().to_string(), e.into_inner()),
        // The value decodes, so what failed is what follows it (trailing garbage).
        Ok(value) => match de.end() {
            Err(e) => ("(after the JSON value)".to_owned(), e),
            Ok(()) => return Ok(value),
        },
    };
    // The token endpoints answer with tokens: keep them out of the error.
    let raw = if meta.path.starts_with("/oauth/") {
        Bytes::from_static(b"[body withheld: it may hold tokens]")
    } else {
        error_prefix(raw.clone())
    };
    Err(Error::Decode {
        operation: meta.id,
        status,
        path,
        raw,
        request_id: request_id(headers).map(str::to_owned),
        source,
    })
}

/// The most of a body an error keeps: enough to read HighLevel's message,
/// never a whole download.
pub(crate) const ERROR_BODY_PREFIX: usize = 16 * 1024;

fn error_prefix(raw: Bytes) -> Bytes {
    if raw.len() > ERROR_BODY_PREFIX { raw.slice(..ERROR_BODY_PREFIX) } else { raw }
}

// The futures of every operation's `send()` and `send_with_meta()`. The
// generated methods only build the request and return one of these, so no
// operation has a future of its own to compile (each cost this crate a
// coroutine); a program compiles the few it uses, per response type.

// `call` and `call_body` return async blocks rather than being `async fn`s:
// an async fn moves its arguments into the future once more, and every call
// allocates and copies that future. (`request?` would make a third copy.)

#[doc(hidden)] // generated code only
/// An operation's `send_with_meta()`: `request` is its `to_request()`.
#[allow(clippy::manual_async_fn)] // on purpose, see above
pub fn call<T: DeserializeOwned>(
    request: Result<Request, Error>,
    client: Client,
) -> impl Future<Output = Result<ApiResponse<T>, Error>> {
    async move {
        match request {
            Ok(ref request) => client.respond(request).await,
            Err(e) => Err(e),
        }
    }
}

#[doc(hidden)] // generated code only
/// An operation's `send()`: the decoded body of [`call`], decoded here
/// (inside the call's span) so that it is moved as few times as can be:
/// it may be kilobytes.
#[allow(clippy::manual_async_fn)] // on purpose, see above
pub fn call_body<T: DeserializeOwned>(
    request: Result<Request, Error>,
    client: Client,
) -> impl Future<Output = Result<T, Error>> {
    async move {
        let request = match request {
            Ok(ref request) => request,
            Err(e) => return Err(e),
        };
        let span = request_span(request.meta);
        let (status, headers, raw) = client.send(request, &span).instrument(span.clone()).await?;
        span.in_scope(|| decode(request.meta, status, &headers, &raw))
    }
}

#[doc(hidden)] // generated code only
/// [`call`] for operations whose success body is not JSON.
pub async fn call_bytes(request: Result<Request, Error>, client: Client) -> Result<ApiResponse<Bytes>, Error> {
    client.execute_bytes(request?).await
}

#[doc(hidden)] // generated code only
/// [`call_body`] for operations whose success body is not JSON.
pub async fn call_bytes_body(request: Result<Request, Error>, client: Client) -> Result<Bytes, Error> {
    Ok(client.execute_bytes(request?).await?.body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(after: u64) -> Option<Limit> {
        let after = Duration::from_secs(after);
        Some(Limit { at: Instant::now() + after, after })
    }

    fn secs(n: u64) -> Option<Duration> {
        Some(Duration::from_secs(n))
    }

    /// An attempt that never answers: only a timer ends it.
    fn hanging() -> impl Future<Output = Result<(), Error>> {
        std::future::pending()
    }

    #[test]
    fn the_one_pass_path_scan_finds_what_the_substring_searches_found() {
        let paths =
            ["/contacts/abc", "/a//b", "/a/./b", "/a/..", "/a/", "/x%2e", "/x%2", "/x%20y", "/x.y/z", "/", "", "%2"];
        for path in paths {
            let searched = path.ends_with('/') || path.contains("//") || path.contains("/.") || path.contains("%2");
            assert_eq!(may_hide_a_dot_segment(path), searched, "{path}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn one_timer_ends_an_attempt_with_whichever_limit_comes_first() {
        let start = Instant::now();
        let e = attempt_within(limit(10), secs(5), "op", hanging()).await.unwrap().unwrap_err();
        assert!(matches!(e, Error::Timeout { connect: false, after: Some(d), .. } if d == Duration::from_secs(5)));
        assert_eq!(start.elapsed(), Duration::from_secs(5));

        let e = attempt_within(limit(3), secs(5), "op", hanging()).await.unwrap_err();
        assert!(matches!(e, Error::Deadline { after, .. } if after == Duration::from_secs(3)), "{e:?}");
        let e = attempt_within(limit(3), None, "op", hanging()).await.unwrap_err();
        assert!(matches!(e, Error::Deadline { .. }), "{e:?}");
        let e = attempt_within(None, secs(2), "op", hanging()).await.unwrap().unwrap_err();
        assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
        // A tie is the attempt's: it may still be retried (the pause before a
        // retry is checked against the deadline).
        let e = attempt_within(limit(4), secs(4), "op", hanging()).await.unwrap().unwrap_err();
        assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
        assert_eq!(start.elapsed(), Duration::from_secs(5 + 3 + 3 + 2 + 4));

        // An answer in time is passed through, errors included.
        let ok = attempt_within(limit(1), secs(1), "op", async { Ok::<_, Error>(7) }).await;
        assert!(matches!(ok, Ok(Ok(7))));
        let api = attempt_within(None, None, "op", async { Err::<(), _>(Error::Config("x".into())) }).await;
        assert!(matches!(api, Ok(Err(Error::Config(_)))));
    }

    #[tokio::test(start_paused = true)]
    async fn steps_of_a_call_stop_at_its_deadline() {
        let e = within(limit(30), "op", hanging()).await.unwrap_err();
        assert!(matches!(e, Error::Deadline { operation: "op", after } if after == Duration::from_secs(30)), "{e:?}");
        assert!(matches!(within(limit(30), "op", async { Ok::<_, Error>(1) }).await, Ok(1)));
        // Without a deadline a step is only awaited.
        let step = within(None, "op", tokio::time::sleep(Duration::from_secs(3600)).map(Ok::<_, Error>));
        assert!(step.await.is_ok());
    }
}
