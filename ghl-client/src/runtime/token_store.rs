//! Where OAuth tokens live between calls and between processes.
//!
//! HighLevel rotates the refresh token on every use, so a refresh token may
//! be spent exactly once. The store therefore offers a compare-and-swap:
//! before refreshing, a client swaps in a *lease* (a claim naming it as the
//! refresher); only the one whose swap succeeds calls `/oauth/token`, stores
//! the new pair, and drops the lease. Everyone else waits for the new record.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::runtime::oauth::OAuthTokens;

/// What a [`TokenStore`] holds: the tokens, a revision that every write
/// increases, and the refresh lease if a refresh is under way.
///
/// Its JSON form (through `serde`) contains the tokens in clear text: keep
/// it where only the owner can read it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TokenRecord {
    /// Increases by one on every write; what compare-and-swap compares.
    pub revision: u64,
    /// The access and refresh tokens.
    pub tokens: OAuthTokens,
    /// Set while some client is refreshing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease: Option<RefreshLease>,
}

impl TokenRecord {
    /// A first record (revision 1) for tokens obtained elsewhere.
    ///
    /// ```
    /// use ghl_client::{OAuthTokens, TokenRecord, UserType};
    /// let tokens = OAuthTokens::new("access", Some("refresh".into()), 1_900_000_000, UserType::Location);
    /// assert_eq!(TokenRecord::new(tokens).revision, 1);
    /// ```
    pub fn new(tokens: OAuthTokens) -> Self {
        TokenRecord { revision: 1, tokens, lease: None }
    }

    /// The record that replaces this one: same tokens, next revision.
    pub(crate) fn next(&self, tokens: OAuthTokens, lease: Option<RefreshLease>) -> Self {
        TokenRecord { revision: self.revision.saturating_add(1), tokens, lease }
    }
}

/// A claim on the right to spend the refresh token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshLease {
    /// Who holds it (process id and a random part).
    pub holder: String,
    /// Unix time (seconds) after which others may take it over.
    pub expires_at: u64,
}

/// Persistent storage for one OAuth token set.
///
/// Implement it to keep tokens in a database or secret manager. `get` returns
/// the current record; `compare_and_swap` writes `new` only if the stored
/// revision is still `expected` (`None`: the store is empty) and must be
/// atomic with respect to every other writer, including other processes.
///
/// ```
/// use ghl_client::{Error, TokenRecord, TokenStore};
/// use std::sync::Mutex;
///
/// #[derive(Debug, Default)]
/// struct MyStore(Mutex<Option<TokenRecord>>);
///
/// #[ghl_client::async_trait]
/// impl TokenStore for MyStore {
///     async fn get(&self) -> Result<Option<TokenRecord>, Error> {
///         Ok(self.0.lock().unwrap().clone())
///     }
///     async fn compare_and_swap(&self, expected: Option<u64>, new: &TokenRecord) -> Result<bool, Error> {
///         let mut slot = self.0.lock().unwrap();
///         if slot.as_ref().map(|r| r.revision) != expected {
///             return Ok(false);
///         }
///         *slot = Some(new.clone());
///         Ok(true)
///     }
/// }
/// ```
#[async_trait::async_trait]
pub trait TokenStore: Send + Sync + fmt::Debug {
    /// The stored record, or `None` when nothing is stored yet.
    async fn get(&self) -> Result<Option<TokenRecord>, Error>;

    /// Stores `new` if the current revision is `expected`; returns whether it did.
    async fn compare_and_swap(&self, expected: Option<u64>, new: &TokenRecord) -> Result<bool, Error>;

    /// The store of the same app for another location or company, when this
    /// store is one of a keyed family (`RedisTokenStore`). Location tokens
    /// made from an agency token are then kept there and shared with other
    /// processes; by default (`None`) they are cached in memory only.
    fn for_resource(&self, resource: &str) -> Option<Arc<dyn TokenStore>> {
        let _ = resource;
        None
    }
}

/// A [`TokenStore`] in memory: tokens last as long as the process.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), ghl_client::Error> {
/// use ghl_client::{MemoryTokenStore, OAuthTokens, TokenStore, UserType};
/// let store = MemoryTokenStore::with_tokens(OAuthTokens::new("a", Some("r".into()), 1_900_000_000, UserType::Company));
/// assert_eq!(store.get().await?.unwrap().revision, 1);
/// # Ok(()) }
/// ```
#[derive(Debug, Default)]
pub struct MemoryTokenStore {
    record: Mutex<Option<TokenRecord>>,
}

impl MemoryTokenStore {
    /// An empty store (fill it with [`crate::Client::exchange_code`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// A store holding `tokens` at revision 1.
    pub fn with_tokens(tokens: OAuthTokens) -> Self {
        MemoryTokenStore { record: Mutex::new(Some(TokenRecord::new(tokens))) }
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<TokenRecord>> {
        self.record.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait::async_trait]
impl TokenStore for MemoryTokenStore {
    async fn get(&self) -> Result<Option<TokenRecord>, Error> {
        Ok(self.slot().clone())
    }

    async fn compare_and_swap(&self, expected: Option<u64>, new: &TokenRecord) -> Result<bool, Error> {
        let mut slot = self.slot();
        if slot.as_ref().map(|r| r.revision) != expected {
            return Ok(false);
        }
        *slot = Some(new.clone());
        Ok(true)
    }
}

/// A [`TokenStore`] in a JSON file, safe to share between processes.
///
/// Writes go to a temporary file in the same directory (owner-only
/// permissions, `0600` on Unix), are flushed to disk and renamed over the
/// old file, so a reader never sees half a record. Compare-and-swap holds an
/// exclusive lock on `<file>.lock` while it compares and writes.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), ghl_client::Error> {
/// use ghl_client::{FileTokenStore, OAuthTokens, TokenRecord, TokenStore, UserType};
/// let dir = tempfile::tempdir().unwrap();
/// let store = FileTokenStore::new(dir.path().join("ghl-tokens.json"));
/// assert!(store.get().await?.is_none());
/// let first = TokenRecord::new(OAuthTokens::new("a", Some("r".into()), 1_900_000_000, UserType::Location));
/// assert!(store.compare_and_swap(None, &first).await?);
/// assert!(!store.compare_and_swap(None, &first).await?); // revision 1 is there now
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct FileTokenStore {
    path: PathBuf,
}

impl FileTokenStore {
    /// A store at `path` (created on the first write; its directory must exist).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileTokenStore { path: path.into() }
    }

    /// The token file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[async_trait::async_trait]
impl TokenStore for FileTokenStore {
    async fn get(&self) -> Result<Option<TokenRecord>, Error> {
        let path = self.path.clone();
        blocking(move || read_record(&path)).await
    }

    async fn compare_and_swap(&self, expected: Option<u64>, new: &TokenRecord) -> Result<bool, Error> {
        let path = self.path.clone();
        let new = new.clone();
        blocking(move || swap_file(&path, expected, &new)).await
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, Error> + Send + 'static) -> Result<T, Error> {
    tokio::task::spawn_blocking(f).await.map_err(|e| Error::store("the token file task failed", e))?
}

fn read_record(path: &Path) -> Result<Option<TokenRecord>, Error> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::store(format!("could not read the token file {}", path.display()), e)),
    };
    warn_if_readable_by_others(path);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    // The parser's own message can quote values (tokens): report the position only.
    serde_json::from_slice(&bytes).map_err(|e| Error::TokenStore {
        message: format!(
            "the token file {} is not a valid token record ({:?} error at line {}, column {}); \
             delete it and authorize the app again",
            path.display(),
            e.classify(),
            e.line(),
            e.column()
        ),
        source: None,
    })
}

fn swap_file(path: &Path, expected: Option<u64>, new: &TokenRecord) -> Result<bool, Error> {
    let io = |what: &str, e: std::io::Error| Error::store(format!("could not {what} {}", path.display()), e);
    let lock_path = {
        let mut p = path.as_os_str().to_owned();
        p.push(".lock");
        PathBuf::from(p)
    };
    let lock = owner_only(std::fs::OpenOptions::new().create(true).truncate(false).read(true).write(true))
        .open(&lock_path)
        .map_err(|e| io("open the lock file for", e))?;
    lock_exclusive(&lock).map_err(|e| io("lock", e))?;
    // The lock is released when `lock` is dropped, on every return path.
    let current = read_record(path)?;
    if current.map(|r| r.revision) != expected {
        return Ok(false);
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let text = serde_json::to_vec_pretty(new).map_err(|e| Error::store("could not encode the token record", e))?;
    // tempfile creates the file with mode 0600 on Unix.
    let mut tmp = tempfile::Builder::new()
        .prefix(".ghl-tokens")
        .tempfile_in(dir)
        .map_err(|e| io("create a temporary file next to", e))?;
    std::io::Write::write_all(&mut tmp, &text).map_err(|e| io("write", e))?;
    tmp.as_file().sync_all().map_err(|e| io("flush", e))?;
    tmp.persist(path).map_err(|e| io("replace", e.error))?;
    sync_dir(dir);
    Ok(true)
}

// `File::lock` is stable since 1.89, the workspace MSRV.
fn lock_exclusive(file: &std::fs::File) -> std::io::Result<()> {
    file.lock()
}

#[cfg(unix)]
fn owner_only(options: &mut std::fs::OpenOptions) -> &mut std::fs::OpenOptions {
    use std::os::unix::fs::OpenOptionsExt;
    options.mode(0o600)
}

#[cfg(not(unix))]
fn owner_only(options: &mut std::fs::OpenOptions) -> &mut std::fs::OpenOptions {
    options
}

#[cfg(unix)]
fn sync_dir(dir: &Path) {
    // Makes the rename durable; failure only weakens crash safety.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(not(unix))]
fn sync_dir(_: &Path) {}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(path = %path.display(), "the token file can be read by other users; it will be made owner-only on the next write");
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::oauth::UserType;

    fn record(rev: u64, access: &str) -> TokenRecord {
        let mut r =
            TokenRecord::new(OAuthTokens::new(access, Some(format!("r-{access}")), 1_900_000_000, UserType::Location));
        r.revision = rev;
        r
    }

    #[tokio::test]
    async fn memory_store_compares_revisions() {
        let s = MemoryTokenStore::new();
        assert!(s.compare_and_swap(None, &record(1, "a")).await.unwrap());
        assert!(!s.compare_and_swap(None, &record(2, "b")).await.unwrap());
        assert!(!s.compare_and_swap(Some(7), &record(2, "b")).await.unwrap());
        assert!(s.compare_and_swap(Some(1), &record(2, "b")).await.unwrap());
        assert_eq!(s.get().await.unwrap().unwrap().revision, 2);
    }

    #[tokio::test]
    async fn file_store_round_trips_with_owner_only_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.json");
        let s = FileTokenStore::new(&path);
        assert!(s.compare_and_swap(None, &record(1, "a")).await.unwrap());
        assert!(s.compare_and_swap(Some(1), &record(2, "b")).await.unwrap());
        assert!(!s.compare_and_swap(Some(1), &record(3, "c")).await.unwrap());
        let got = s.get().await.unwrap().unwrap();
        assert_eq!(got.revision, 2);
        use secrecy::ExposeSecret;
        assert_eq!(got.tokens.access_token.expose_secret(), "b");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        // Only the record and its lock file: no temporary files left behind.
        let mut names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        names.sort();
        assert_eq!(names, ["t.json", "t.json.lock"]);
    }

    #[tokio::test]
    async fn corrupt_file_is_an_error_that_does_not_quote_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.json");
        std::fs::write(&path, r#"{"revision": "secret-token-value", "tokens": {}}"#).unwrap();
        let s = FileTokenStore::new(&path);
        let e = s.get().await.unwrap_err();
        let text = format!("{e} {e:?}");
        assert!(text.contains("not a valid token record"), "{text}");
        assert!(!text.contains("secret-token-value"), "{text}");
        // ...and it is not overwritten by a blind write.
        assert!(s.compare_and_swap(None, &record(1, "a")).await.is_err());
        std::fs::write(&path, [0xff, 0x00, 0x13]).unwrap();
        assert!(s.get().await.is_err());
    }

    #[tokio::test]
    async fn missing_directory_is_a_clear_error() {
        let s = FileTokenStore::new("/nonexistent-dir-ghl/t.json");
        assert!(s.get().await.unwrap().is_none());
        let e = s.compare_and_swap(None, &record(1, "a")).await.unwrap_err();
        assert!(e.to_string().contains("/nonexistent-dir-ghl/t.json"), "{e}");
    }
}
