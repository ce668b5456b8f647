//! Exact's OAuth2 tokens, shared by every worker of one Exact connection.
//!
//! Exact rotates refresh tokens: each refresh returns a new one and the old
//! one is dead. Two workers refreshing from the same old token would break
//! the chain for one of them, so the pair lives in a [`TokenStore`] and is
//! loaded, refreshed and saved under the store's lock: the second worker
//! then finds the first one's fresh pair and uses it. The new pair is saved
//! before it is used, so a crash cannot lose the only valid refresh token.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::ErpError;

/// An access token with the refresh token that replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenPair {
    /// The bearer token.
    pub access_token: String,
    /// The one live refresh token of the chain.
    pub refresh_token: String,
    /// When the pair was issued (Unix milliseconds).
    pub issued_ms: u64,
}

/// Now, in Unix milliseconds.
pub(super) fn now_ms() -> u64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
}

/// Held while a worker loads, refreshes and saves the pair.
pub struct StoreLock(#[allow(dead_code)] Box<dyn Send + Sync>);

/// Where the token pair is kept, with a lock across workers.
#[async_trait]
pub trait TokenStore: Send + Sync {
    /// Takes the store's exclusive lock (released when dropped).
    async fn lock(&self) -> Result<StoreLock, ErpError>;
    /// The pair saved last, if any (call under the lock).
    async fn load(&self) -> Result<Option<TokenPair>, ErpError>;
    /// Replaces the pair (call under the lock).
    async fn save(&self, pair: &TokenPair) -> Result<(), ErpError>;
}

/// A store for the workers of one process.
#[derive(Default)]
pub struct MemoryTokenStore {
    lock: Arc<tokio::sync::Mutex<()>>,
    pair: std::sync::Mutex<Option<TokenPair>>,
}

impl MemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryTokenStore::default()
    }
}

#[async_trait]
impl TokenStore for MemoryTokenStore {
    async fn lock(&self) -> Result<StoreLock, ErpError> {
        let guard = self.lock.clone().lock_owned().await;
        Ok(StoreLock(Box::new(guard)))
    }

    async fn load(&self) -> Result<Option<TokenPair>, ErpError> {
        Ok(self.pair.lock().map_err(|_| poisoned())?.clone())
    }

    async fn save(&self, pair: &TokenPair) -> Result<(), ErpError> {
        *self.pair.lock().map_err(|_| poisoned())? = Some(pair.clone());
        Ok(())
    }
}

fn poisoned() -> ErpError {
    ErpError::Permanent("token store: a worker panicked while holding it".into())
}

/// A store in a JSON file, locked with an OS file lock on `<file>.lock` (as
/// the sandbox locks its state), for workers in several processes.
pub struct FileTokenStore {
    path: PathBuf,
    lock_path: PathBuf,
}

impl FileTokenStore {
    /// A store at `path` (created on first save).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let mut name = path.file_name().unwrap_or_default().to_os_string();
        name.push(".lock");
        FileTokenStore {
            lock_path: path.with_file_name(name),
            path,
        }
    }
}

fn io(path: &std::path::Path, e: impl std::fmt::Display) -> ErpError {
    ErpError::Transient(format!("token store {}: {e}", path.display()))
}

#[async_trait]
impl TokenStore for FileTokenStore {
    async fn lock(&self) -> Result<StoreLock, ErpError> {
        let path = self.lock_path.clone();
        // Blocking until another process lets go: off the async threads.
        let file = tokio::task::spawn_blocking(move || {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .map_err(|e| io(&path, e))?;
            file.lock().map_err(|e| io(&path, e))?;
            Ok::<_, ErpError>(file)
        })
        .await
        .map_err(|e| io(&self.lock_path, e))??;
        Ok(StoreLock(Box::new(file)))
    }

    async fn load(&self) -> Result<Option<TokenPair>, ErpError> {
        match tokio::fs::read(&self.path).await {
            Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
                ErpError::Permanent(format!(
                    "token store {} is damaged ({e}); authorise Docket in Exact again",
                    self.path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(&self.path, e)),
        }
    }

    async fn save(&self, pair: &TokenPair) -> Result<(), ErpError> {
        // Written aside, synced and renamed: a crash leaves the old pair or the new one.
        let bytes = serde_json::to_vec_pretty(pair).map_err(|e| io(&self.path, e))?;
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            use std::io::Write;
            let mut aside = path.clone().into_os_string();
            aside.push(".tmp");
            let mut file = std::fs::File::create(&aside).map_err(|e| io(&path, e))?;
            file.write_all(&bytes).map_err(|e| io(&path, e))?;
            file.sync_all().map_err(|e| io(&path, e))?;
            std::fs::rename(&aside, &path).map_err(|e| io(&path, e))
        })
        .await
        .map_err(|e| io(&self.path, e))?
    }
}
