//! App install and uninstall: which account an `INSTALL` or `UNINSTALL`
//! event is about, and where that account's OAuth tokens are kept.
//!
//! The events carry no tokens. Tokens come from the OAuth code exchange
//! ([`Client::exchange_code`](crate::Client::exchange_code)) when the
//! installer is sent to the app's redirect URL; for sub-accounts of an agency
//! that installed the app, the client derives location tokens from the agency
//! token on its own. What the events are for is bookkeeping: an `INSTALL`
//! announces an account whose tokens will be kept, an `UNINSTALL` means its
//! tokens stopped working and should be deleted.
//!
//! [`InstallationStore`] keeps one [`TokenStore`] per installation;
//! [`apply_lifecycle`] runs it on a verified event.
//!
//! ```no_run
//! # async fn f(verified: ghl_client::webhook::VerifiedWebhook, app: ghl_client::OAuthApp) -> Result<(), ghl_client::Error> {
//! use ghl_client::webhook::{apply_lifecycle, FileInstallations, InstallationStore, Lifecycle};
//!
//! let installations = FileInstallations::new("/var/lib/my-app/tokens");
//! let event = verified.into_event().map_err(|e| ghl_client::Error::Config(e.to_string()))?;
//! match apply_lifecycle(&event, &installations).await? {
//!     Some(Lifecycle::Installed { installation, .. }) => {
//!         // A client for the new account; its tokens arrive with the OAuth code exchange.
//!         let client = ghl_client::Client::builder()
//!             .oauth(app)
//!             .token_store(installations.token_store(&installation).await?)
//!             .build()?;
//! #       let _ = client;
//!     }
//!     Some(Lifecycle::Uninstalled { installation, .. }) => println!("tokens of {installation} deleted"),
//!     _ => {}
//! }
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::Error;
use crate::runtime::oauth::UserType;
use crate::runtime::token_store::{FileTokenStore, MemoryTokenStore, TokenStore};
use crate::webhook_events::{AppInstallEvent, AppUninstallEvent, WebhookEvent};

/// The account an app is installed in: one sub-account, or a whole agency.
///
/// ```
/// use ghl_client::webhook::Installation;
/// let i = Installation::Location { location_id: "ve9EPM428h8vShlRW1KT".into() };
/// assert_eq!(i.to_string(), "location ve9EPM428h8vShlRW1KT");
/// assert_eq!(i.file_stem(), "location-ve9EPM428h8vShlRW1KT");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Installation {
    /// A sub-account (location).
    Location {
        /// Its id.
        location_id: String,
    },
    /// An agency (company).
    Company {
        /// Its id.
        company_id: String,
    },
}

impl Installation {
    /// The account an `INSTALL` event is about: the sub-account when it names
    /// one, else the agency; `None` when it names neither.
    pub fn of_install(event: &AppInstallEvent) -> Option<Installation> {
        Self::from_ids(event.location_id.as_deref(), event.company_id.as_deref())
    }

    /// The account an `UNINSTALL` event is about (same rule as [`Self::of_install`]).
    pub fn of_uninstall(event: &AppUninstallEvent) -> Option<Installation> {
        Self::from_ids(event.location_id.as_deref(), event.company_id.as_deref())
    }

    fn from_ids(location: Option<&str>, company: Option<&str>) -> Option<Installation> {
        match (location.filter(|s| !s.is_empty()), company.filter(|s| !s.is_empty())) {
            (Some(l), _) => Some(Installation::Location { location_id: l.to_owned() }),
            (None, Some(c)) => Some(Installation::Company { company_id: c.to_owned() }),
            (None, None) => None,
        }
    }

    /// The kind of OAuth token the account uses.
    pub fn user_type(&self) -> UserType {
        match self {
            Installation::Location { .. } => UserType::Location,
            Installation::Company { .. } => UserType::Company,
        }
    }

    /// The account id.
    pub fn id(&self) -> &str {
        match self {
            Installation::Location { location_id } => location_id,
            Installation::Company { company_id } => company_id,
        }
    }

    /// `location-<id>` or `company-<id>`: a key for maps, files or rows.
    pub fn file_stem(&self) -> String {
        match self {
            Installation::Location { location_id } => format!("location-{location_id}"),
            Installation::Company { company_id } => format!("company-{company_id}"),
        }
    }
}

impl fmt::Display for Installation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Installation::Location { location_id } => write!(f, "location {location_id}"),
            Installation::Company { company_id } => write!(f, "company {company_id}"),
        }
    }
}

/// An install or uninstall, read from a [`WebhookEvent`].
///
/// ```
/// use ghl_client::webhook::{Installation, Lifecycle};
/// use ghl_client::webhook_events::WebhookEvent;
/// let event = WebhookEvent::from_slice(br#"{"type":"UNINSTALL","appId":"a1","companyId":"c1"}"#).unwrap();
/// match Lifecycle::of(&event) {
///     Some(Lifecycle::Uninstalled { installation, .. }) => {
///         assert_eq!(installation, Installation::Company { company_id: "c1".into() })
///     }
///     other => panic!("{other:?}"),
/// }
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Lifecycle<'a> {
    /// The app was installed.
    Installed {
        /// Where.
        installation: Installation,
        /// The whole event (plan, trial, white-label details, ...).
        event: &'a AppInstallEvent,
    },
    /// The app was uninstalled; the account's tokens no longer work.
    Uninstalled {
        /// Where.
        installation: Installation,
        /// The whole event.
        event: &'a AppUninstallEvent,
    },
}

impl<'a> Lifecycle<'a> {
    /// The install or uninstall `event` is, if it is one naming an account.
    pub fn of(event: &'a WebhookEvent) -> Option<Lifecycle<'a>> {
        match event {
            WebhookEvent::Install(e) => {
                Installation::of_install(e).map(|installation| Lifecycle::Installed { installation, event: e })
            }
            WebhookEvent::Uninstall(e) => {
                Installation::of_uninstall(e).map(|installation| Lifecycle::Uninstalled { installation, event: e })
            }
            _ => None,
        }
    }

    /// The account.
    pub fn installation(&self) -> &Installation {
        match self {
            Lifecycle::Installed { installation, .. } | Lifecycle::Uninstalled { installation, .. } => installation,
        }
    }
}

/// One [`TokenStore`] per installation.
///
/// Implement it over your database; [`MemoryInstallations`] and
/// [`FileInstallations`] are ready-made.
#[async_trait::async_trait]
pub trait InstallationStore: Send + Sync + fmt::Debug {
    /// The token store of `installation`, created empty if it has none yet.
    /// Give it to [`ClientBuilder::token_store`](crate::ClientBuilder::token_store).
    async fn token_store(&self, installation: &Installation) -> Result<Arc<dyn TokenStore>, Error>;

    /// Deletes the tokens of `installation`; returns whether there were any.
    async fn remove(&self, installation: &Installation) -> Result<bool, Error>;
}

/// Applies an install or uninstall to `store`: an install makes sure the
/// account has a token store, an uninstall deletes its tokens. Other events
/// are left alone (`Ok(None)`).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), ghl_client::Error> {
/// use ghl_client::webhook::{apply_lifecycle, InstallationStore, Lifecycle, MemoryInstallations};
/// use ghl_client::webhook_events::WebhookEvent;
/// let store = MemoryInstallations::new();
/// let install = WebhookEvent::from_slice(br#"{"type":"INSTALL","appId":"a","locationId":"l1"}"#).unwrap();
/// assert!(matches!(apply_lifecycle(&install, &store).await?, Some(Lifecycle::Installed { .. })));
/// assert_eq!(store.installations().len(), 1);
/// let uninstall = WebhookEvent::from_slice(br#"{"type":"UNINSTALL","appId":"a","locationId":"l1"}"#).unwrap();
/// apply_lifecycle(&uninstall, &store).await?;
/// assert!(store.installations().is_empty());
/// # Ok(()) }
/// ```
pub async fn apply_lifecycle<'a>(
    event: &'a WebhookEvent,
    store: &dyn InstallationStore,
) -> Result<Option<Lifecycle<'a>>, Error> {
    let Some(lifecycle) = Lifecycle::of(event) else { return Ok(None) };
    match &lifecycle {
        Lifecycle::Installed { installation, .. } => {
            store.token_store(installation).await?;
        }
        Lifecycle::Uninstalled { installation, .. } => {
            store.remove(installation).await?;
        }
    }
    Ok(Some(lifecycle))
}

/// An [`InstallationStore`] in memory ([`MemoryTokenStore`] per installation).
#[derive(Debug, Default)]
pub struct MemoryInstallations {
    stores: Mutex<HashMap<Installation, Arc<MemoryTokenStore>>>,
}

impl MemoryInstallations {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// The installations that have a store, sorted.
    pub fn installations(&self) -> Vec<Installation> {
        let mut all: Vec<Installation> = self.map().keys().cloned().collect();
        all.sort();
        all
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<Installation, Arc<MemoryTokenStore>>> {
        self.stores.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait::async_trait]
impl InstallationStore for MemoryInstallations {
    async fn token_store(&self, installation: &Installation) -> Result<Arc<dyn TokenStore>, Error> {
        let store = self.map().entry(installation.clone()).or_default().clone();
        Ok(store)
    }

    async fn remove(&self, installation: &Installation) -> Result<bool, Error> {
        Ok(self.map().remove(installation).is_some())
    }
}

/// An [`InstallationStore`] in a directory: one [`FileTokenStore`] file
/// (`location-<id>.json` or `company-<id>.json`) per installation.
///
/// Ids are used in file names only when made of ASCII letters, digits, `-`
/// and `_` (HighLevel ids are); anything else is refused.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), ghl_client::Error> {
/// use ghl_client::webhook::{FileInstallations, Installation, InstallationStore};
/// let dir = tempfile::tempdir().unwrap();
/// let store = FileInstallations::new(dir.path());
/// let bad = Installation::Location { location_id: "../etc".into() };
/// assert!(store.token_store(&bad).await.is_err());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct FileInstallations {
    dir: PathBuf,
}

impl FileInstallations {
    /// Token files go to `dir` (which must exist).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        FileInstallations { dir: dir.into() }
    }

    /// The token file of `installation`.
    pub fn path(&self, installation: &Installation) -> Result<PathBuf, Error> {
        let id = installation.id();
        if id.is_empty() || id.len() > 128 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            return Err(Error::TokenStore {
                message: format!(
                    "refusing to name a token file after the id {:?}: only ASCII letters, digits, `-` and `_` are allowed",
                    id.chars().take(64).collect::<String>()
                ),
                source: None,
            });
        }
        Ok(self.dir.join(format!("{}.json", installation.file_stem())))
    }
}

fn remove_file(path: &Path) -> Result<bool, Error> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::store(format!("could not delete {}", path.display()), e)),
    }
}

#[async_trait::async_trait]
impl InstallationStore for FileInstallations {
    async fn token_store(&self, installation: &Installation) -> Result<Arc<dyn TokenStore>, Error> {
        Ok(Arc::new(FileTokenStore::new(self.path(installation)?)))
    }

    async fn remove(&self, installation: &Installation) -> Result<bool, Error> {
        let path = self.path(installation)?;
        let mut lock = path.clone().into_os_string();
        lock.push(".lock");
        let lock = PathBuf::from(lock);
        tokio::task::spawn_blocking(move || {
            let had = remove_file(&path)?;
            remove_file(&lock)?;
            Ok(had)
        })
        .await
        .map_err(|e| Error::store("the token file task failed", e))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::oauth::OAuthTokens;
    use crate::runtime::token_store::TokenRecord;

    #[tokio::test]
    async fn file_installations_store_and_drop_tokens() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileInstallations::new(dir.path());
        let inst = Installation::Company { company_id: "otg8dTQqGLh3Q6iQI55w".into() };
        let tokens = store.token_store(&inst).await.unwrap();
        let record = TokenRecord::new(OAuthTokens::new("a", Some("r".into()), 1_900_000_000, UserType::Company));
        assert!(tokens.compare_and_swap(None, &record).await.unwrap());
        assert!(dir.path().join("company-otg8dTQqGLh3Q6iQI55w.json").exists());
        assert!(store.remove(&inst).await.unwrap());
        assert!(!store.remove(&inst).await.unwrap());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        assert!(store.token_store(&inst).await.unwrap().get().await.unwrap().is_none());
    }

    #[test]
    fn installation_prefers_the_location() {
        assert_eq!(
            Installation::from_ids(Some("l"), Some("c")),
            Some(Installation::Location { location_id: "l".into() })
        );
        assert_eq!(Installation::from_ids(Some(""), Some("c")), Some(Installation::Company { company_id: "c".into() }));
        assert_eq!(Installation::from_ids(None, None), None);
    }
}
