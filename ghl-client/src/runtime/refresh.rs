//! The refresh protocol: one refresh at a time in a process (a FIFO gate),
//! one across processes (a lease claimed by compare-and-swap in the
//! [`TokenStore`]), the new pair stored before it is used, and location
//! tokens made from the agency token and cached per location.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use secrecy::{ExposeSecret, SecretString};

use crate::Error;
use crate::runtime::oauth::{OAuthApp, OAuthTokens, TOKEN_OP, TokenCallError, UserType, token_call, unix_now};
use crate::runtime::token_store::{RefreshLease, TokenRecord, TokenStore};
use crate::runtime::transport::Net;

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
    /// Its revision in the shared store, when it came from or went to one.
    revision: Option<u64>,
}

type LocationSlot = Arc<tokio::sync::Mutex<Option<LocationToken>>>;

/// A refresh running in its own task, so that a caller giving up (its
/// deadline passed) never abandons a refresh token half spent.
type Flight = Shared<BoxFuture<'static, Result<TokenRecord, Arc<Error>>>>;

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
    unsaved: Mutex<Option<(TokenRecord, Option<SecretString>)>>,
    /// One refresh at a time in this process; tokio's mutex is FIFO.
    gate: tokio::sync::Mutex<()>,
    /// The refresh in flight: every caller that needs a token while it runs
    /// waits for it and gets its outcome, failure included.
    flight: Mutex<Option<Flight>>,
    /// The record whose refresh token HighLevel refused, and why: final for
    /// every call until the store holds another record.
    refused: Mutex<Option<(u64, Arc<Error>)>>,
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
            flight: Mutex::new(None),
            refused: Mutex::new(None),
            locations: Mutex::new(HashMap::new()),
            generations: std::sync::atomic::AtomicU64::new(1),
        }
    }

    pub(crate) fn app(&self) -> &OAuthApp {
        &self.app
    }

    /// The secrets this session holds now, for redacting errors.
    pub(crate) fn known_secrets(&self) -> Vec<SecretString> {
        let mut out = vec![self.app.client_secret.clone()];
        if let Some(r) = lock(&self.cached).as_ref() {
            out.push(r.tokens.access_token.clone());
            out.extend(r.tokens.refresh_token.clone());
        }
        for slot in lock(&self.locations).values() {
            if let Ok(t) = slot.try_lock()
                && let Some(t) = t.as_ref()
            {
                out.push(t.token.clone());
            }
        }
        out
    }

    /// The revision currently in the store, without refreshing anything.
    pub(crate) async fn stored_revision(&self) -> Result<Option<u64>, Error> {
        Ok(self.store.get().await?.map(|r| r.revision))
    }

    /// Whether `record` can be used now, given that revision `failed` was rejected.
    fn usable(&self, record: &TokenRecord, failed: Option<u64>) -> bool {
        record.lease.is_none()
            && failed.is_none_or(|f| record.revision > f)
            && !record.tokens.expires_within(self.settings.refresh_before)
    }

    fn cached_usable(&self, failed: Option<u64>) -> Option<TokenRecord> {
        lock(&self.cached).as_ref().filter(|r| self.usable(r, failed)).cloned()
    }

    /// A usable token record, refreshing first if the access token is (about
    /// to be) expired or revision `failed` (or an older one) was just
    /// rejected by the server. Concurrent callers share one refresh.
    pub(crate) async fn access(
        self: &Arc<Self>,
        net: &Net,
        operation: &'static str,
        failed: Option<u64>,
    ) -> Result<TokenRecord, Error> {
        for _ in 0..4 {
            if let Some(r) = self.cached_usable(failed) {
                return Ok(r);
            }
            let flight = self.join_flight(net, operation, failed, false);
            let outcome = flight.clone().await;
            self.land(&flight);
            match outcome {
                Ok(r) if self.usable(&r, failed) => return Ok(r),
                Ok(_) => continue, // a refresh for an older failure: run one for ours
                Err(e) => return Err(e.replicate()),
            }
        }
        Err(Error::auth(operation, "the refreshed token kept being unusable; check the clock and the token store"))
    }

    /// Refreshes now, whatever the cached token: exactly one call to the
    /// token endpoint unless another refresh since `stored` already did it.
    pub(crate) async fn force_refresh(self: &Arc<Self>, net: &Net, stored: Option<u64>) -> Result<TokenRecord, Error> {
        let flight = self.join_flight(net, TOKEN_OP, stored, true);
        let outcome = flight.clone().await;
        self.land(&flight);
        outcome.map_err(|e| e.replicate())
    }

    /// The refresh in flight, or a new one.
    fn join_flight(self: &Arc<Self>, net: &Net, operation: &'static str, failed: Option<u64>, force: bool) -> Flight {
        let mut slot = lock(&self.flight);
        if let Some(f) = slot.as_ref() {
            return f.clone();
        }
        let (this, net) = (self.clone(), net.clone());
        let task =
            tokio::spawn(async move { this.refresh_once(&net, operation, failed, force).await.map_err(Arc::new) });
        let flight: Flight = async move {
            task.await.unwrap_or_else(|e| {
                Err(Arc::new(Error::auth(operation, format!("the token refresh task failed: {e}"))))
            })
        }
        .boxed()
        .shared();
        *slot = Some(flight.clone());
        flight
    }

    /// Forgets `flight` once it has ended (if it is still the current one).
    fn land(&self, flight: &Flight) {
        let mut slot = lock(&self.flight);
        if slot.as_ref().is_some_and(|f| f.ptr_eq(flight)) {
            *slot = None;
        }
    }

    /// One refresh attempt across processes: the store's lease decides who
    /// calls the token endpoint; the others wait for the record it stores.
    async fn refresh_once(
        self: &Arc<Self>,
        net: &Net,
        operation: &'static str,
        failed: Option<u64>,
        force: bool,
    ) -> Result<TokenRecord, Error> {
        let _gate = self.gate.lock().await;
        self.store_unsaved().await?;
        let mut conflicts = 0u32;
        loop {
            // Someone in this process may have refreshed while we queued.
            if !force && let Some(r) = self.cached_usable(failed) {
                return Ok(r);
            }
            let Some(current) = self.store.get().await? else {
                return Err(Error::auth(
                    operation,
                    "no OAuth tokens are stored yet; send the installing admin to the authorization URL and pass the returned code to `Client::exchange_code`",
                ));
            };
            *lock(&self.cached) = Some(current.clone());
            if self.usable(&current, failed) && (!force || failed.is_some_and(|f| current.revision > f)) {
                return Ok(current);
            }
            if !force
                && let Some((revision, error)) = lock(&self.refused).as_ref()
                && *revision == current.revision
            {
                return Err(error.replicate());
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
                // The store changed under us: look again, but not forever.
                conflicts += 1;
                if conflicts > 32 {
                    return Err(Error::TokenStore {
                        message: "the token store kept changing while claiming the refresh; check that its compare-and-swap compares revisions".into(),
                        source: None,
                    });
                }
                continue;
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
        let api = self.app.api;
        let form = [
            (api.field("client_id"), self.app.client_id.as_str()),
            (api.field("client_secret"), self.app.client_secret.expose_secret()),
            (api.field("grant_type"), "refresh_token"),
            (api.field("refresh_token"), refresh.expose_secret()),
            (api.field("user_type"), user_type.as_str()),
        ];
        match token_call(net, operation, api.token_call(&form), None, user_type).await {
            Ok(mut tokens) => {
                // Keep what the refresh answer may omit.
                tokens.location_id = tokens.location_id.or_else(|| leased.tokens.location_id.clone());
                tokens.company_id = tokens.company_id.or_else(|| leased.tokens.company_id.clone());
                tokens.user_id = tokens.user_id.or_else(|| leased.tokens.user_id.clone());
                tokens.refresh_token = tokens.refresh_token.or_else(|| leased.tokens.refresh_token.clone());
                let new = leased.next(tokens, None);
                self.save_spent(new, Some(refresh)).await
            }
            Err(e) => {
                // Give the lease back so that others do not wait for it to time out.
                let released = leased.next(leased.tokens.clone(), None);
                match self.store.compare_and_swap(Some(leased.revision), &released).await {
                    Ok(true) => *lock(&self.cached) = Some(released.clone()),
                    Ok(false) => {}
                    Err(store_error) => tracing::warn!(error = %store_error, "could not release the refresh lease"),
                }
                let final_refusal = matches!(e, TokenCallError::Rejected(_));
                let error = e.into_error();
                if final_refusal {
                    // The refresh token is dead: no call may spend it again.
                    let error = Arc::new(error.replicate());
                    *lock(&self.refused) = Some((released.revision, error));
                }
                Err(error)
            }
        }
    }

    /// Stores a record whose refresh token was just obtained. The old one
    /// (`spent`) is spent, so this one must land even if our lease was taken
    /// over, unless the store meanwhile holds a pair made from something
    /// else than `spent`: that pair is newer than ours (fencing), and wins.
    async fn save_spent(&self, mut new: TokenRecord, spent: Option<&SecretString>) -> Result<TokenRecord, Error> {
        let mut expected = Some(new.revision.saturating_sub(1));
        for _ in 0..8 {
            match self.store.compare_and_swap(expected, &new).await {
                Ok(true) => {
                    *lock(&self.cached) = Some(new.clone());
                    return Ok(new);
                }
                Ok(false) => {
                    let current = self.store.get().await?;
                    if let (Some(spent), Some(c)) = (spent, &current) {
                        let same = c.tokens.refresh_token.as_ref().map(|r| r.expose_secret() == spent.expose_secret());
                        if same == Some(false) && c.lease.is_none() {
                            tracing::info!("a newer token pair was stored meanwhile; keeping it instead of ours");
                            *lock(&self.cached) = Some(c.clone());
                            return Ok(c.clone());
                        }
                    }
                    expected = current.as_ref().map(|r| r.revision);
                    new.revision = expected.unwrap_or(0).saturating_add(1);
                }
                Err(e) => {
                    *lock(&self.unsaved) = Some((new, spent.cloned()));
                    return Err(e);
                }
            }
        }
        *lock(&self.unsaved) = Some((new, spent.cloned()));
        Err(Error::TokenStore {
            message: "the token store kept changing while saving refreshed tokens; will retry on the next call".into(),
            source: None,
        })
    }

    /// Retries saving a refreshed record that could not be stored before.
    async fn store_unsaved(&self) -> Result<(), Error> {
        let pending = lock(&self.unsaved).take();
        if let Some((record, spent)) = pending {
            self.save_spent(record, spent.as_ref()).await?;
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
        let api = self.app.api;
        let mut form = vec![
            (api.field("client_id"), self.app.client_id.as_str()),
            (api.field("client_secret"), self.app.client_secret.expose_secret()),
            (api.field("grant_type"), "authorization_code"),
            (api.field("code"), code),
            (api.field("user_type"), user_type.as_str()),
        ];
        if let Some(uri) = redirect_uri {
            form.push((api.field("redirect_uri"), uri));
        }
        let tokens = token_call(net, TOKEN_OP, api.token_call(&form), None, user_type)
            .await
            .map_err(TokenCallError::into_error)?;
        let _gate = self.gate.lock().await;
        lock(&self.unsaved).take();
        lock(&self.refused).take();
        let current = self.store.get().await.ok().flatten();
        let record = match &current {
            Some(c) => c.next(tokens.clone(), None),
            None => TokenRecord::new(tokens.clone()),
        };
        self.save_spent(record, None).await?;
        Ok(tokens)
    }

    fn location_slot(&self, location_id: &str) -> LocationSlot {
        lock(&self.locations).entry(location_id.to_owned()).or_default().clone()
    }

    /// A location token for `location_id`, made from the agency token and
    /// cached; `failed` is the generation the server just rejected.
    pub(crate) async fn location_token(
        self: &Arc<Self>,
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
        // A store shared with other processes may hold one already (not the one just rejected).
        let shared = self.store.for_resource(location_id);
        let rejected = cached.as_ref().filter(|t| Some(t.generation) == failed).and_then(|t| t.revision);
        let mut current = None;
        if let Some(store) = &shared {
            match store.get().await {
                Ok(Some(r))
                    if Some(r.revision) != rejected && !r.tokens.expires_within(self.settings.refresh_before) =>
                {
                    let generation = self.generations.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let token = r.tokens.access_token.clone();
                    let (expires_at, revision) = (r.tokens.expires_at, Some(r.revision));
                    *cached = Some(LocationToken { token: token.clone(), expires_at, generation, revision });
                    return Ok((token, generation));
                }
                Ok(r) => current = r.map(|r| r.revision),
                // Making a location token spends nothing: go on without the shared copy.
                Err(e) => tracing::warn!(error = %e, "could not read the shared location token"),
            }
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
                self.app.api.location_token_call(&form),
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
        let mut revision = None;
        if let Some(store) = &shared {
            let record =
                TokenRecord { revision: current.unwrap_or(0).saturating_add(1), tokens: tokens.clone(), lease: None };
            match store.compare_and_swap(current, &record).await {
                Ok(true) => revision = Some(record.revision),
                // Another process stored one meanwhile: ours is valid too.
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "could not share the location token"),
            }
        }
        let generation = self.generations.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let token = tokens.access_token.clone();
        *cached = Some(LocationToken { token: token.clone(), expires_at: tokens.expires_at, generation, revision });
        Ok((token, generation))
    }
}
