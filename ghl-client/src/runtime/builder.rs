//! Configuration of a [`Client`]: credentials, host, timeouts, retries and
//! rate limits, from code or from the environment.

use std::sync::Arc;
use std::time::Duration;

use crate::Error;
use crate::runtime::auth::Credentials;
use crate::runtime::client::{CallSettings, Client, DEFAULT_BASE_URL, Inner, USER_AGENT};
use crate::runtime::config::EnvSettings;
use crate::runtime::oauth::OAuthApp;
use crate::runtime::rate_limit::{RateBudget, RateLimit, RateLimiter};
use crate::runtime::refresh::{OAuthSession, RefreshSettings};
use crate::runtime::retry::RetryPolicy;
use crate::runtime::token_store::{MemoryTokenStore, TokenStore};
use crate::runtime::transport::{DEFAULT_MAX_RESPONSE_BYTES, Net};

/// How the builder limits the request rate.
#[derive(Debug)]
enum Limiting {
    Own(RateLimit),
    Shared(Arc<dyn RateBudget>),
    Off,
}

/// Builds a [`Client`].
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use ghl_client::{Client, FileTokenStore, OAuthApp, RateLimit, RetryPolicy};
///
/// let client = Client::builder()
///     .oauth(OAuthApp::new("client-id", "client-secret"))
///     .token_store(Arc::new(FileTokenStore::new("/var/lib/myapp/ghl-tokens.json")))
///     .location_id("loc-1")
///     .timeout(Duration::from_secs(30))
///     .retry(RetryPolicy::default().max_attempts(3))
///     .rate_limit(RateLimit::SANDBOX)
///     .build()?;
/// # Ok::<(), ghl_client::Error>(())
/// ```
#[derive(Debug)]
pub struct ClientBuilder {
    base_url: Option<String>,
    location_id: Option<String>,
    company_id: Option<String>,
    credentials: Credentials,
    oauth_app: Option<OAuthApp>,
    store: Option<Arc<dyn TokenStore>>,
    refresh: RefreshSettings,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    deadline: Option<Duration>,
    pool_idle_timeout: Option<Duration>,
    max_body: u64,
    http: Option<reqwest::Client>,
    retry: RetryPolicy,
    limiting: Limiting,
    /// An error found while configuring (e.g. in the environment), reported by `build`.
    error: Option<Error>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            base_url: None,
            location_id: None,
            company_id: None,
            credentials: Credentials::default(),
            oauth_app: None,
            store: None,
            refresh: RefreshSettings::default(),
            connect_timeout: Some(Duration::from_secs(10)),
            timeout: Some(Duration::from_secs(60)),
            deadline: Some(DEFAULT_DEADLINE),
            pool_idle_timeout: Some(Duration::from_secs(90)),
            max_body: DEFAULT_MAX_RESPONSE_BYTES,
            http: None,
            retry: RetryPolicy::default(),
            limiting: Limiting::Own(RateLimit::default()),
            error: None,
        }
    }
}

/// The default overall deadline of a call ([`ClientBuilder::deadline`]).
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(120);

fn secret(token: impl Into<String>) -> secrecy::SecretString {
    secrecy::SecretString::from(token.into())
}

impl ClientBuilder {
    /// Authenticates with a Private Integration Token, or any fixed bearer
    /// token, of unstated kind: it is sent for every operation and HighLevel
    /// decides. Use [`Self::location_token`] / [`Self::agency_token`] to let
    /// the client pick per operation.
    pub fn private_integration_token(mut self, token: impl Into<String>) -> Self {
        self.credentials.any = Some(secret(token));
        self
    }

    /// A sub-account (location) token: a location Private Integration Token
    /// or access token, used for location operations.
    pub fn location_token(mut self, token: impl Into<String>) -> Self {
        self.credentials.location = Some(secret(token));
        self
    }

    /// An agency (company) token: an agency Private Integration Token or
    /// access token, used for agency operations.
    pub fn agency_token(mut self, token: impl Into<String>) -> Self {
        self.credentials.agency = Some(secret(token));
        self
    }

    /// Authenticates as a marketplace app with OAuth 2.0. Tokens live in the
    /// [`Self::token_store`] (in memory if none is given).
    pub fn oauth(mut self, app: OAuthApp) -> Self {
        self.oauth_app = Some(app);
        self
    }

    /// Where OAuth tokens are kept, and shared with other clients or processes.
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// Refresh the OAuth access token this long before it expires (default 5 minutes).
    pub fn refresh_before_expiry(mut self, margin: Duration) -> Self {
        self.refresh.refresh_before = margin;
        self
    }

    /// How long another client waits for a refresh lease before taking it
    /// over (default 120 s, above the default request timeout; a refresh
    /// normally takes well under a second).
    pub fn refresh_lease(mut self, ttl: Duration) -> Self {
        self.refresh.lease_ttl = ttl;
        self
    }

    /// The location used when an operation's `locationId` is not set.
    pub fn location_id(mut self, id: impl Into<String>) -> Self {
        self.location_id = Some(id.into());
        self
    }

    /// The company (agency) id, used as rate-limit key when a call names no location.
    pub fn company_id(mut self, id: impl Into<String>) -> Self {
        self.company_id = Some(id.into());
        self
    }

    /// Overrides the API host (for tests and mock servers).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Time allowed to open a connection (default 10 s; `None`: no limit).
    pub fn connect_timeout(mut self, limit: impl Into<Option<Duration>>) -> Self {
        self.connect_timeout = limit.into();
        self
    }

    /// Time allowed for one attempt, from sending to the end of the response
    /// body (default 60 s; `None`: no limit).
    pub fn timeout(mut self, limit: impl Into<Option<Duration>>) -> Self {
        self.timeout = limit.into();
        self
    }

    /// The most time one call may take in all: every attempt, retry wait and
    /// rate-limit wait (default 2 minutes; `None`: no limit). A call that
    /// cannot finish in time fails with [`Error::Deadline`], and a retry whose
    /// wait would pass the deadline is not attempted. Per call:
    /// [`Client::with_deadline`].
    pub fn deadline(mut self, limit: impl Into<Option<Duration>>) -> Self {
        self.deadline = limit.into();
        self
    }

    /// The largest response body read into memory (default 64 MiB); a larger
    /// one fails with [`Error::ResponseTooLarge`] as soon as it passes the
    /// limit (or at once, when `Content-Length` says so).
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_body = limit;
        self
    }

    /// Sends through your own `reqwest::Client` (proxies, custom root
    /// certificates, connection pools). The builder's `connect_timeout` and
    /// `pool_idle_timeout` then do not apply (configure them on yours); the
    /// per-attempt `timeout` and the deadline still do. Configure it with
    /// `redirect::Policy::none()` (or a policy that never leaves the API
    /// host): the client's own policy, which keeps credentials and bodies on
    /// the API host and never follows the token endpoint, cannot be applied
    /// to a client built elsewhere.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// How long an idle connection is kept for reuse (default 90 s; `None`:
    /// no limit, and no background timer, which tests on tokio's paused
    /// clock need since a pending timer makes the paused clock jump).
    pub fn pool_idle_timeout(mut self, limit: impl Into<Option<Duration>>) -> Self {
        self.pool_idle_timeout = limit.into();
        self
    }

    /// How calls are retried (see [`RetryPolicy`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The client-side rate limit per location or company (default 100 per 10 s).
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.limiting = Limiting::Own(limit);
        self
    }

    /// Shares one limiter between clients that spend the same quota: a
    /// [`RateLimiter`] within a process, or a budget shared by processes
    /// (`RedisRateBudget`, feature `redis`).
    pub fn rate_limiter(mut self, limiter: Arc<dyn RateBudget>) -> Self {
        self.limiting = Limiting::Shared(limiter);
        self
    }

    /// Turns client-side rate limiting off (429s are still retried).
    pub fn no_rate_limit(mut self) -> Self {
        self.limiting = Limiting::Off;
        self
    }

    /// Applies `GHL_API_KEY`, `GHL_LOCATION_ID`, `GHL_CLIENT_ID`,
    /// `GHL_CLIENT_SECRET` and `GHL_BASE_URL`; a problem with them is
    /// reported by [`Self::build`].
    pub fn from_env(self) -> Self {
        match EnvSettings::from_process() {
            Ok(env) => self.apply_env(env),
            Err(e) => Self { error: Some(e), ..self },
        }
    }

    fn apply_env(mut self, env: EnvSettings) -> Self {
        if let Some(key) = env.api_key {
            self = self.private_integration_token(key);
        }
        if let Some(id) = env.location_id {
            self = self.location_id(id);
        }
        if let Some((id, secret)) = env.oauth {
            self = self.oauth(OAuthApp::new(id, secret));
        }
        if let Some(url) = env.base_url {
            self = self.base_url(url);
        }
        self
    }

    /// Builds the client, checking the configuration.
    pub fn build(self) -> Result<Client, Error> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let base_url = self.base_url.unwrap_or_else(|| DEFAULT_BASE_URL.to_owned()).trim_end_matches('/').to_owned();
        match reqwest::Url::parse(&base_url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.query().is_none() => {}
            _ => return Err(Error::Config(format!("the base URL `{base_url}` is not an http(s) URL without a query"))),
        }
        let mut credentials = self.credentials;
        credentials.seal()?;
        match (self.oauth_app, self.store) {
            (Some(app), store) => {
                let store = store.unwrap_or_else(|| Arc::new(MemoryTokenStore::new()));
                credentials.oauth = Some(Arc::new(OAuthSession::new(app, store, self.refresh)));
            }
            (None, Some(_)) => {
                return Err(Error::Config(
                    "a token store was given without an OAuth app; add `.oauth(OAuthApp::new(..))`".into(),
                ));
            }
            (None, None) => {}
        }
        if credentials.is_empty() {
            return Err(Error::Config(
                "no credentials: configure `.private_integration_token(..)`, `.location_token(..)`, `.agency_token(..)` or `.oauth(..)` \
                 (or set GHL_API_KEY, or GHL_CLIENT_ID and GHL_CLIENT_SECRET, for `Client::from_env`)"
                    .into(),
            ));
        }
        let http = match self.http {
            Some(http) => http,
            None => {
                let mut http = reqwest::Client::builder()
                    .user_agent(USER_AGENT)
                    .pool_idle_timeout(self.pool_idle_timeout)
                    .redirect(redirect_policy(&base_url));
                if let Some(t) = self.connect_timeout {
                    http = http.connect_timeout(t);
                }
                http.build().map_err(|e| Error::Config(format!("could not build the HTTP client: {e}")))?
            }
        };
        let limiter = match self.limiting {
            Limiting::Own(limit) if limit.max() == 0 || limit.per().is_zero() => {
                return Err(Error::Config(
                    "a rate limit needs at least 1 request per non-zero window; use `.no_rate_limit()` to turn it off"
                        .into(),
                ));
            }
            Limiting::Own(limit) => Some(Arc::new(RateLimiter::new(limit)) as Arc<dyn RateBudget>),
            Limiting::Shared(l) => Some(l),
            Limiting::Off => None,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                net: Net::new(http, base_url, self.connect_timeout, self.timeout, self.max_body),
                credentials,
                location_id: self.location_id,
                company_id: self.company_id,
                limiter,
            }),
            call: CallSettings { retry: self.retry, deadline: self.deadline, timeout: self.timeout },
        })
    }
}

/// Redirects are followed only on the API host (at most 5), never from the
/// token endpoint: a redirect elsewhere would carry a body (a 307 repeats a
/// POST with its body, client secret included) to a host we did not choose.
/// A redirect not followed is returned as an error naming its target.
fn redirect_policy(base_url: &str) -> reqwest::redirect::Policy {
    let origin = reqwest::Url::parse(base_url).ok().map(|u| u.origin());
    reqwest::redirect::Policy::custom(move |attempt| {
        let first = attempt.previous().first();
        let from_token_endpoint = first.is_some_and(|u| u.path().starts_with("/oauth/"));
        let same_host = origin.as_ref().is_some_and(|o| *o == attempt.url().origin());
        if attempt.previous().len() > 5 || from_token_endpoint || !same_host {
            attempt.stop()
        } else {
            attempt.follow()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_configures_the_builder() {
        let env = EnvSettings {
            api_key: Some("pit".into()),
            location_id: Some("loc-1".into()),
            oauth: Some(("id".into(), "secret".into())),
            base_url: Some("http://127.0.0.1:9/".into()),
        };
        let client = ClientBuilder::default().apply_env(env).build().unwrap();
        assert_eq!(client.location_id(), Some("loc-1"));
        assert_eq!(client.oauth_app().map(OAuthApp::client_id), Some("id"));
        assert_eq!(client.inner.net.base_url, "http://127.0.0.1:9");
        assert!(client.inner.credentials.any.is_some());
    }

    #[test]
    fn bad_configuration_is_reported_by_build() {
        let e = |b: ClientBuilder| b.build().unwrap_err().to_string();
        assert!(e(Client::builder()).contains("no credentials"));
        assert!(e(Client::builder().private_integration_token("t").base_url("not a url")).contains("base URL"));
        assert!(
            e(Client::builder().private_integration_token("t").rate_limit(RateLimit::new(0, Duration::from_secs(1))))
                .contains("rate limit")
        );
        let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::new());
        assert!(e(Client::builder().token_store(store)).contains("without an OAuth app"));
        assert!(e(Client::builder().location_token("a\r\nb")).contains("not allowed in an HTTP header"));
    }
}
