//! OAuth 2.0 for HighLevel marketplace apps: the authorization URL, the code
//! exchange and refresh at `/oauth/token`, location tokens from an agency
//! token, and the refresh protocol over a [`TokenStore`].

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::runtime::error::{ErrorBody, request_id};
use crate::runtime::token_store::{RefreshLease, TokenRecord, TokenStore};
use crate::runtime::transport::Net;

/// The authorization page of the marketplace.
pub const AUTHORIZATION_URL: &str = "https://marketplace.gohighlevel.com/v2/oauth/chooselocation";
/// The white-labelled authorization page.
pub const WHITE_LABEL_AUTHORIZATION_URL: &str = "https://marketplace.leadconnectorhq.com/v2/oauth/chooselocation";

/// Operation name in errors of a code exchange (no API operation is involved).
const TOKEN_OP: &str = "oauth-token";

/// Which kind of account a token acts for (`user_type` at `/oauth/token`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UserType {
    /// An agency (company) token.
    Company,
    /// A sub-account (location) token.
    Location,
}

impl UserType {
    /// The value sent as `user_type`.
    pub fn as_str(self) -> &'static str {
        match self {
            UserType::Company => "Company",
            UserType::Location => "Location",
        }
    }
}

/// An OAuth token pair and what HighLevel said about it.
///
/// `Debug` never shows the tokens. `expires_at` is Unix time in seconds.
///
/// ```
/// use ghl_client::{OAuthTokens, UserType};
/// let t = OAuthTokens::new("access", Some("refresh".into()), 1_900_000_000, UserType::Company)
///     .company_id("comp-1");
/// assert!(!format!("{t:?}").contains("access\""));
/// assert_eq!(t.company_id.as_deref(), Some("comp-1"));
/// ```
#[derive(Clone, Debug, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OAuthTokens {
    /// The bearer token.
    #[serde(with = "secret")]
    pub access_token: SecretString,
    /// The one-use refresh token (absent on location tokens made from an agency token).
    #[serde(default, with = "opt_secret", skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<SecretString>,
    /// When the access token expires (Unix seconds).
    pub expires_at: u64,
    /// Agency or location token.
    pub user_type: UserType,
    /// The location of a location token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    /// The company (agency) the token belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_id: Option<String>,
    /// The user who installed the app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Granted scopes, space separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

impl OAuthTokens {
    /// Tokens obtained elsewhere (e.g. from your own code exchange).
    pub fn new(
        access_token: impl Into<String>,
        refresh_token: Option<String>,
        expires_at: u64,
        user_type: UserType,
    ) -> Self {
        OAuthTokens {
            access_token: SecretString::from(access_token.into()),
            refresh_token: refresh_token.map(SecretString::from),
            expires_at,
            user_type,
            location_id: None,
            company_id: None,
            user_id: None,
            scope: None,
        }
    }

    /// Sets the location id.
    pub fn location_id(mut self, id: impl Into<String>) -> Self {
        self.location_id = Some(id.into());
        self
    }

    /// Sets the company id.
    pub fn company_id(mut self, id: impl Into<String>) -> Self {
        self.company_id = Some(id.into());
        self
    }

    /// Whether the access token expires within `margin` from now.
    pub fn expires_within(&self, margin: Duration) -> bool {
        self.expires_at <= unix_now().saturating_add(margin.as_secs())
    }
}

/// Seconds since the Unix epoch (wall clock: expiry times are shared between processes).
pub(crate) fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

mod secret {
    use secrecy::{ExposeSecret, SecretString};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &SecretString, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v.expose_secret())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SecretString, D::Error> {
        String::deserialize(d).map(SecretString::from)
    }
}

mod opt_secret {
    use secrecy::{ExposeSecret, SecretString};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<SecretString>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_some(v.expose_secret()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SecretString>, D::Error> {
        Ok(Option::<String>::deserialize(d)?.map(SecretString::from))
    }
}

/// A marketplace app's credentials.
///
/// ```
/// use ghl_client::OAuthApp;
/// let app = OAuthApp::new("my-client-id", "my-client-secret");
/// let url = app
///     .authorization_url("https://myapp.example/oauth/callback")
///     .scopes(["contacts.readonly", "contacts.write"])
///     .state("xyz")
///     .to_string();
/// assert!(url.starts_with("https://marketplace.gohighlevel.com/v2/oauth/chooselocation?response_type=code"));
/// assert!(url.contains("&scope=contacts.readonly%20contacts.write"));
/// assert!(!format!("{app:?}").contains("my-client-secret"));
/// ```
#[derive(Clone)]
pub struct OAuthApp {
    client_id: String,
    client_secret: SecretString,
}

impl fmt::Debug for OAuthApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthApp").field("client_id", &self.client_id).field("client_secret", &"[redacted]").finish()
    }
}

impl OAuthApp {
    /// An app with its client id and secret.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        OAuthApp { client_id: client_id.into(), client_secret: SecretString::from(client_secret.into()) }
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The page to send an installing admin to; HighLevel redirects back to
    /// `redirect_uri` with `?code=...` for [`crate::Client::exchange_code`].
    pub fn authorization_url(&self, redirect_uri: impl Into<String>) -> AuthorizationUrl {
        AuthorizationUrl {
            base: AUTHORIZATION_URL.to_owned(),
            client_id: self.client_id.clone(),
            redirect_uri: redirect_uri.into(),
            scopes: Vec::new(),
            state: None,
            login_same_window: false,
        }
    }
}

/// Builder of an authorization URL; `Display` renders it.
#[derive(Clone, Debug)]
#[must_use]
pub struct AuthorizationUrl {
    base: String,
    client_id: String,
    redirect_uri: String,
    scopes: Vec<String>,
    state: Option<String>,
    login_same_window: bool,
}

impl AuthorizationUrl {
    /// Adds one scope.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scopes.push(scope.into());
        self
    }

    /// Adds scopes.
    pub fn scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes.extend(scopes.into_iter().map(Into::into));
        self
    }

    /// An opaque value returned with the redirect (protects against CSRF).
    pub fn state(mut self, state: impl Into<String>) -> Self {
        self.state = Some(state.into());
        self
    }

    /// Uses the white-labelled marketplace host.
    pub fn white_label(mut self) -> Self {
        self.base = WHITE_LABEL_AUTHORIZATION_URL.to_owned();
        self
    }

    /// Uses another authorization page (e.g. a mock server).
    pub fn base(mut self, url: impl Into<String>) -> Self {
        self.base = url.into();
        self
    }

    /// Opens the login page in the same tab for users who are not logged in.
    pub fn login_in_same_window(mut self) -> Self {
        self.login_same_window = true;
        self
    }
}

impl fmt::Display for AuthorizationUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let enc = |v: &str| percent_encoding::utf8_percent_encode(v, QUERY_VALUE).to_string();
        write!(
            f,
            "{}?response_type=code&redirect_uri={}&client_id={}",
            self.base,
            enc(&self.redirect_uri),
            enc(&self.client_id)
        )?;
        if !self.scopes.is_empty() {
            write!(f, "&scope={}", enc(&self.scopes.join(" ")))?;
        }
        if let Some(state) = &self.state {
            write!(f, "&state={}", enc(state))?;
        }
        if self.login_same_window {
            f.write_str("&loginWindowOpenMode=self")?;
        }
        Ok(())
    }
}

/// Everything but RFC 3986's unreserved characters; `/` kept for readable scopes.
const QUERY_VALUE: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~').remove(b'/');

/// Parses a token-endpoint answer. Errors never quote the body: it holds tokens.
fn parse_tokens(raw: &[u8], requested: UserType) -> Result<OAuthTokens, &'static str> {
    let value: serde_json::Value = serde_json::from_slice(raw).map_err(|_| "the answer is not JSON")?;
    let obj = value.as_object().ok_or("the answer is not a JSON object")?;
    let text = |k: &str| obj.get(k).and_then(|v| v.as_str()).filter(|s| !s.is_empty()).map(str::to_owned);
    let access = text("access_token").ok_or("the answer has no access_token")?;
    let expires_in = match obj.get("expires_in") {
        None | Some(serde_json::Value::Null) => 86_399, // documented lifetime: a day
        Some(v) => v
            .as_f64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            .filter(|s| s.is_finite() && *s >= 0.0)
            .ok_or("expires_in is not a number")? as u64,
    };
    let user_type = match text("userType").as_deref() {
        Some("Company") => UserType::Company,
        Some("Location") => UserType::Location,
        _ => requested,
    };
    Ok(OAuthTokens {
        access_token: SecretString::from(access),
        refresh_token: text("refresh_token").map(SecretString::from),
        expires_at: unix_now().saturating_add(expires_in),
        user_type,
        location_id: text("locationId"),
        company_id: text("companyId"),
        user_id: text("userId"),
        scope: text("scope"),
    })
}

/// Why a token-endpoint call failed.
enum TokenCallError {
    /// HighLevel rejected the credentials (400/401/403): refreshing again will not help.
    Rejected(Error),
    /// Anything else.
    Other(Error),
}

impl TokenCallError {
    fn into_error(self) -> Error {
        match self {
            TokenCallError::Rejected(e) | TokenCallError::Other(e) => e,
        }
    }
}

/// POSTs a form to a token endpoint and parses the tokens it returns.
async fn token_call(
    net: &Net,
    operation: &'static str,
    path: &str,
    form: &[(&str, &str)],
    bearer: Option<&SecretString>,
    requested: UserType,
) -> Result<OAuthTokens, TokenCallError> {
    let body = serde_urlencoded::to_string(form).map_err(|e| TokenCallError::Other(Error::encode(operation, e)))?;
    let mut builder = net
        .http
        .post(format!("{}{path}", net.base_url))
        .header(http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(http::header::ACCEPT, "application/json")
        .header("Version", "2021-07-28")
        .body(body);
    if let Some(token) = bearer {
        builder = builder.header(
            http::header::AUTHORIZATION,
            crate::runtime::auth::bearer_header(token).map_err(TokenCallError::Other)?,
        );
    }
    let response = builder.send().await.map_err(|e| TokenCallError::Other(net.error(operation, e)))?;
    let status = response.status();
    let trace = request_id(response.headers()).map(str::to_owned);
    let raw = response.bytes().await.map_err(|e| TokenCallError::Other(net.error(operation, e)))?;
    if !status.is_success() {
        // Error bodies carry no tokens; still, only the known text fields are kept.
        let said = ErrorBody::parse(&raw)
            .map(|b| [b.error, b.message.map(|m| m.to_string())].into_iter().flatten().collect::<Vec<_>>().join(": "))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_owned());
        let rejected = matches!(status.as_u16(), 400 | 401 | 403 | 422);
        let advice = if rejected {
            "check the app's client id and secret; if the refresh token was revoked or already used, authorize the app again"
        } else {
            "try again later"
        };
        let trace_id = trace.or_else(|| ErrorBody::parse(&raw).and_then(|b| b.trace_id));
        let error = Error::Auth {
            operation,
            message: format!("HighLevel refused the token request at {path} ({status}: {said}); {advice}"),
            missing_scope: None,
            status: Some(status),
            request_id: trace_id,
        };
        return Err(if rejected { TokenCallError::Rejected(error) } else { TokenCallError::Other(error) });
    }
    parse_tokens(&raw, requested).map_err(|why| {
        TokenCallError::Other(Error::Auth {
            operation,
            message: format!("unexpected answer from {path}: {why}"),
            missing_scope: None,
            status: Some(status),
            request_id: trace,
        })
    })
}

/// Settings of the refresh protocol.
#[derive(Clone, Debug)]
pub(crate) struct RefreshSettings {
    /// Refresh this long before the access token expires.
    pub refresh_before: Duration,
    /// How long a refresh lease is honoured by others.
    pub lease_ttl: Duration,
    /// How often a waiting client looks at the store again.
    pub poll: Duration,
}

impl Default for RefreshSettings {
    fn default() -> Self {
        RefreshSettings {
            refresh_before: Duration::from_secs(300),
            lease_ttl: Duration::from_secs(120),
            poll: Duration::from_millis(100),
        }
    }
}

/// A location token made from the agency token, cached per location.
struct LocationToken {
    token: SecretString,
    expires_at: u64,
    generation: u64,
}

type LocationSlot = Arc<tokio::sync::Mutex<Option<LocationToken>>>;

/// The OAuth state of one client: app, store, cache, and the refresh gate.
pub(crate) struct OAuthSession {
    app: OAuthApp,
    store: Arc<dyn TokenStore>,
    settings: RefreshSettings,
    /// Names this session in refresh leases.
    holder: String,
    /// Last record seen; the fast path reads only this.
    cached: Mutex<Option<TokenRecord>>,
    /// A refreshed record that could not be stored yet: stored before any use.
    unsaved: Mutex<Option<TokenRecord>>,
    /// One refresh at a time in this process; tokio's mutex is FIFO.
    gate: tokio::sync::Mutex<()>,
    locations: Mutex<HashMap<String, LocationSlot>>,
    generations: std::sync::atomic::AtomicU64,
}

impl fmt::Debug for OAuthSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthSession").field("app", &self.app).field("store", &self.store).finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl OAuthSession {
    pub(crate) fn new(app: OAuthApp, store: Arc<dyn TokenStore>, settings: RefreshSettings) -> Self {
        OAuthSession {
            app,
            store,
            settings,
            holder: format!("{}-{:016x}", std::process::id(), fastrand::u64(..)),
            cached: Mutex::new(None),
            unsaved: Mutex::new(None),
            gate: tokio::sync::Mutex::new(()),
            locations: Mutex::new(HashMap::new()),
            generations: std::sync::atomic::AtomicU64::new(1),
        }
    }

    pub(crate) fn app(&self) -> &OAuthApp {
        &self.app
    }

    /// Whether `record` can be used now, given that revision `failed` was rejected.
    fn usable(&self, record: &TokenRecord, failed: Option<u64>) -> bool {
        record.lease.is_none()
            && Some(record.revision) != failed
            && !record.tokens.expires_within(self.settings.refresh_before)
    }

    fn cached_usable(&self, failed: Option<u64>) -> Option<TokenRecord> {
        lock(&self.cached).as_ref().filter(|r| self.usable(r, failed)).cloned()
    }

    /// A usable token record, refreshing first if the access token is (about
    /// to be) expired or revision `failed` was just rejected by the server.
    pub(crate) async fn access(
        &self,
        net: &Net,
        operation: &'static str,
        failed: Option<u64>,
    ) -> Result<TokenRecord, Error> {
        if let Some(r) = self.cached_usable(failed) {
            return Ok(r);
        }
        let _gate = self.gate.lock().await;
        self.store_unsaved().await?;
        loop {
            // Someone in this process may have refreshed while we queued.
            if let Some(r) = self.cached_usable(failed) {
                return Ok(r);
            }
            let Some(current) = self.store.get().await? else {
                return Err(Error::auth(
                    operation,
                    "no OAuth tokens are stored yet; send the installing admin to the authorization URL and pass the returned code to `Client::exchange_code`",
                ));
            };
            *lock(&self.cached) = Some(current.clone());
            if self.usable(&current, failed) {
                return Ok(current);
            }
            if let Some(lease) = &current.lease
                && lease.holder != self.holder
                && lease.expires_at > unix_now()
            {
                // Another process is refreshing: wait for its record.
                tokio::time::sleep(self.settings.poll).await;
                continue;
            }
            let Some(refresh) = current.tokens.refresh_token.clone() else {
                return Err(Error::auth(
                    operation,
                    "the stored access token expired and there is no refresh token; authorize the app again",
                ));
            };
            let lease = RefreshLease {
                holder: self.holder.clone(),
                expires_at: unix_now().saturating_add(self.settings.lease_ttl.as_secs()),
            };
            let leased = current.next(current.tokens.clone(), Some(lease));
            if !self.store.compare_and_swap(Some(current.revision), &leased).await? {
                continue; // the store changed under us: look again
            }
            return self.refresh_with_lease(net, operation, &leased, &refresh).await;
        }
    }

    /// Spends the refresh token (we hold the lease) and stores the new pair.
    async fn refresh_with_lease(
        &self,
        net: &Net,
        operation: &'static str,
        leased: &TokenRecord,
        refresh: &SecretString,
    ) -> Result<TokenRecord, Error> {
        tracing::info!(operation, user_type = leased.tokens.user_type.as_str(), "refreshing the OAuth access token");
        let user_type = leased.tokens.user_type;
        let form = [
            ("client_id", self.app.client_id.as_str()),
            ("client_secret", self.app.client_secret.expose_secret()),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.expose_secret()),
            ("user_type", user_type.as_str()),
        ];
        match token_call(net, operation, "/oauth/token", &form, None, user_type).await {
            Ok(mut tokens) => {
                // Keep what the refresh answer may omit.
                tokens.location_id = tokens.location_id.or_else(|| leased.tokens.location_id.clone());
                tokens.company_id = tokens.company_id.or_else(|| leased.tokens.company_id.clone());
                tokens.user_id = tokens.user_id.or_else(|| leased.tokens.user_id.clone());
                tokens.refresh_token = tokens.refresh_token.or_else(|| leased.tokens.refresh_token.clone());
                let new = leased.next(tokens, None);
                self.save_spent(new).await
            }
            Err(e) => {
                // Give the lease back so that others do not wait for it to time out.
                let released = leased.next(leased.tokens.clone(), None);
                if let Err(store_error) = self.store.compare_and_swap(Some(leased.revision), &released).await {
                    tracing::warn!(error = %store_error, "could not release the refresh lease");
                }
                Err(e.into_error())
            }
        }
    }

    /// Stores a record whose refresh token was just obtained. The old one is
    /// spent, so this one must land even if our lease was taken over.
    async fn save_spent(&self, mut new: TokenRecord) -> Result<TokenRecord, Error> {
        let mut expected = Some(new.revision.saturating_sub(1));
        for _ in 0..8 {
            match self.store.compare_and_swap(expected, &new).await {
                Ok(true) => {
                    *lock(&self.cached) = Some(new.clone());
                    return Ok(new);
                }
                Ok(false) => {
                    let current = self.store.get().await?;
                    expected = current.as_ref().map(|r| r.revision);
                    new.revision = expected.unwrap_or(0).saturating_add(1);
                }
                Err(e) => {
                    *lock(&self.unsaved) = Some(new);
                    return Err(e);
                }
            }
        }
        *lock(&self.unsaved) = Some(new);
        Err(Error::TokenStore {
            message: "the token store kept changing while saving refreshed tokens; will retry on the next call".into(),
            source: None,
        })
    }

    /// Retries saving a refreshed record that could not be stored before.
    async fn store_unsaved(&self) -> Result<(), Error> {
        let pending = lock(&self.unsaved).take();
        if let Some(record) = pending {
            self.save_spent(record).await?;
        }
        Ok(())
    }

    /// Exchanges an authorization code and stores the tokens (replacing any).
    pub(crate) async fn exchange_code(
        &self,
        net: &Net,
        code: &str,
        redirect_uri: Option<&str>,
        user_type: UserType,
    ) -> Result<OAuthTokens, Error> {
        let mut form = vec![
            ("client_id", self.app.client_id.as_str()),
            ("client_secret", self.app.client_secret.expose_secret()),
            ("grant_type", "authorization_code"),
            ("code", code),
            ("user_type", user_type.as_str()),
        ];
        if let Some(uri) = redirect_uri {
            form.push(("redirect_uri", uri));
        }
        let tokens = token_call(net, TOKEN_OP, "/oauth/token", &form, None, user_type)
            .await
            .map_err(TokenCallError::into_error)?;
        let _gate = self.gate.lock().await;
        lock(&self.unsaved).take();
        let current = self.store.get().await.ok().flatten();
        let record = match &current {
            Some(c) => c.next(tokens.clone(), None),
            None => TokenRecord::new(tokens.clone()),
        };
        self.save_spent(record).await?;
        Ok(tokens)
    }

    fn location_slot(&self, location_id: &str) -> LocationSlot {
        lock(&self.locations).entry(location_id.to_owned()).or_default().clone()
    }

    /// A location token for `location_id`, made from the agency token and
    /// cached; `failed` is the generation the server just rejected.
    pub(crate) async fn location_token(
        &self,
        net: &Net,
        operation: &'static str,
        agency: TokenRecord,
        location_id: &str,
        failed: Option<u64>,
    ) -> Result<(SecretString, u64), Error> {
        let slot = self.location_slot(location_id);
        let mut cached = slot.lock().await; // one fetch per location at a time
        if let Some(t) = cached.as_ref()
            && Some(t.generation) != failed
            && t.expires_at > unix_now().saturating_add(self.settings.refresh_before.as_secs())
        {
            return Ok((t.token.clone(), t.generation));
        }
        let Some(company_id) = agency.tokens.company_id.clone() else {
            return Err(Error::auth(
                operation,
                "the agency token has no company id, so no location token can be requested; authorize the app again",
            ));
        };
        let form = [("companyId", company_id.as_str()), ("locationId", location_id)];
        tracing::info!(operation, location_id, "requesting a location token from the agency token");
        let mut agency = agency;
        let mut retried = false;
        let tokens = loop {
            match token_call(
                net,
                operation,
                "/oauth/locationToken",
                &form,
                Some(&agency.tokens.access_token),
                UserType::Location,
            )
            .await
            {
                Ok(t) => break t,
                // The agency token may have been revoked or expired early: refresh it once.
                Err(TokenCallError::Rejected(Error::Auth { status: Some(s), .. }))
                    if s == http::StatusCode::UNAUTHORIZED && !retried =>
                {
                    retried = true;
                    agency = self.access(net, operation, Some(agency.revision)).await?;
                }
                Err(e) => return Err(e.into_error()),
            }
        };
        let generation = self.generations.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let token = tokens.access_token.clone();
        *cached = Some(LocationToken { token: token.clone(), expires_at: tokens.expires_at, generation });
        Ok((token, generation))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_answers_parse_leniently_and_errors_hide_the_body() {
        let t = parse_tokens(
            br#"{"access_token":"A","refresh_token":"R","expires_in":86399.0,"userType":"Company","companyId":"c"}"#,
            UserType::Location,
        )
        .unwrap();
        assert_eq!(t.user_type, UserType::Company);
        assert_eq!(t.company_id.as_deref(), Some("c"));
        assert!(t.expires_at >= unix_now() + 86_000);
        let t = parse_tokens(br#"{"access_token":"A","expires_in":"60"}"#, UserType::Location).unwrap();
        assert!(t.refresh_token.is_none() && t.user_type == UserType::Location);
        for bad in [
            &br#"{"access_token":"SECRET","expires_in":"soon"}"#[..],
            b"SECRET",
            br#"["SECRET"]"#,
            br#"{"refresh_token":"SECRET"}"#,
        ] {
            let why = parse_tokens(bad, UserType::Location).unwrap_err();
            assert!(!why.contains("SECRET"));
        }
    }

    #[test]
    fn authorization_url_encodes_values() {
        let url = OAuthApp::new("id 1", "s")
            .authorization_url("https://a.example/cb?x=1")
            .scope("conversations/message.readonly")
            .white_label()
            .login_in_same_window()
            .to_string();
        assert_eq!(
            url,
            "https://marketplace.leadconnectorhq.com/v2/oauth/chooselocation?response_type=code\
             &redirect_uri=https%3A//a.example/cb%3Fx%3D1&client_id=id%201\
             &scope=conversations/message.readonly&loginWindowOpenMode=self"
        );
    }

    #[test]
    fn stored_tokens_round_trip_through_json() {
        let t = OAuthTokens::new("A", Some("R".into()), 5, UserType::Location).location_id("l");
        let json = serde_json::to_string(&TokenRecord::new(t)).unwrap();
        let back: TokenRecord = serde_json::from_str(&json).unwrap();
        assert_eq!(back.tokens.access_token.expose_secret(), "A");
        assert_eq!(back.tokens.refresh_token.unwrap().expose_secret(), "R");
        assert_eq!(back.tokens.location_id.as_deref(), Some("l"));
    }
}
