//! Drop folders: documents people or scanners put in a shared folder.
//!
//! A file is taken only once it is stable (same size and modification time over
//! the configured interval), so a half-copied file is never read. It is moved
//! (a rename, atomic on one file system) into `processing/`, stored, and then
//! moved into `archive/`; a file that cannot be read goes to `error/` with a
//! `.reason` file beside it. A file left in `processing/` by a crash is taken
//! again on the next scan. Nothing is deleted.
//!
//! [`DropFolder::watch`] runs the scans: at once when the file system reports
//! a change ([`watch::FolderEvents`]), and periodically whatever it reports.

mod watch;

pub use watch::FolderEvents;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use docket_store::{IngestOutcome, NewDocument, Store};

use crate::{IngestError, media};

/// Files stored at the same time by one pass.
const INGEST_CONCURRENCY: usize = 8;

/// A watched folder and its bookkeeping sub-folders.
#[derive(Debug, Clone)]
pub struct DropFolder {
    root: PathBuf,
    stable_for: Duration,
}

/// A file taken from the folder and stored.
#[derive(Debug, Clone)]
pub struct IngestedFile {
    /// The file name as dropped.
    pub name: String,
    /// What the store made of it.
    pub outcome: IngestOutcome,
    /// Where the file was archived.
    pub archived_to: PathBuf,
}

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> IngestError + use<> {
    let path = path.display().to_string();
    move |source| IngestError::Io {
        action,
        path,
        source,
    }
}

impl DropFolder {
    /// A drop folder at `root`; files must be unchanged for `stable_for` before they are taken.
    pub fn new(root: impl Into<PathBuf>, stable_for: Duration) -> Self {
        DropFolder {
            root: root.into(),
            stable_for,
        }
    }

    /// Where files wait while being stored.
    pub fn processing_dir(&self) -> PathBuf {
        self.root.join("processing")
    }

    /// Where stored files are kept.
    pub fn archive_dir(&self) -> PathBuf {
        self.root.join("archive")
    }

    /// Where unreadable files are put, with a `.reason` file each.
    pub fn error_dir(&self) -> PathBuf {
        self.root.join("error")
    }

    /// Creates the folder and its sub-folders.
    pub async fn prepare(&self) -> Result<(), IngestError> {
        for dir in [
            &self.root,
            &self.processing_dir(),
            &self.archive_dir(),
            &self.error_dir(),
        ] {
            tokio::fs::create_dir_all(dir)
                .await
                .map_err(io("creating", dir))?;
        }
        Ok(())
    }

    /// Files directly in `dir` (not hidden, not folders), sorted by name.
    async fn files_in(dir: &Path) -> Result<Vec<(PathBuf, u64, Option<SystemTime>)>, IngestError> {
        let mut found = Vec::new();
        let mut entries = tokio::fs::read_dir(dir).await.map_err(io("listing", dir))?;
        while let Some(entry) = entries.next_entry().await.map_err(io("listing", dir))? {
            let name = entry.file_name();
            let hidden = name.to_string_lossy().starts_with('.');
            let meta = entry
                .metadata()
                .await
                .map_err(io("inspecting", &entry.path()))?;
            if !hidden && meta.is_file() {
                found.push((entry.path(), meta.len(), meta.modified().ok()));
            }
        }
        found.sort();
        Ok(found)
    }

    /// Files that stayed unchanged over the stability interval.
    pub async fn stable_files(&self) -> Result<Vec<PathBuf>, IngestError> {
        let first = Self::files_in(&self.root).await?;
        // An empty folder needs no waiting: woken scans cost nothing then.
        if self.stable_for.is_zero() || first.is_empty() {
            return Ok(first.into_iter().map(|(p, _, _)| p).collect());
        }
        tokio::time::sleep(self.stable_for).await;
        let second = Self::files_in(&self.root).await?;
        Ok(first
            .into_iter()
            .filter(|f| second.contains(f))
            .map(|(p, _, _)| p)
            .collect())
    }

    /// One pass: re-takes files a crash left in `processing/`, then takes every
    /// stable new file, stores it and archives it.
    pub async fn ingest_once(&self, store: &dyn Store) -> Result<Vec<IngestedFile>, IngestError> {
        self.prepare().await?;
        let mut taken: Vec<PathBuf> = Self::files_in(&self.processing_dir())
            .await?
            .into_iter()
            .map(|(p, _, _)| p)
            .collect();
        for file in self.stable_files().await? {
            let Some(name) = file.file_name() else {
                continue;
            };
            let target = unique_path(&self.processing_dir(), &name.to_string_lossy()).await;
            tokio::fs::rename(&file, &target)
                .await
                .map_err(io("moving", &file))?;
            taken.push(target);
        }
        // Several files at a time: each store is a durable commit, and waiting
        // for them one by one would make intake the slowest stage.
        let mut done = Vec::with_capacity(taken.len());
        for chunk in taken.chunks(INGEST_CONCURRENCY) {
            let stored =
                futures_util::future::join_all(chunk.iter().map(|f| self.store_one(store, f)))
                    .await;
            for result in stored {
                done.push(result?);
            }
        }
        Ok(done)
    }

    async fn store_one(&self, store: &dyn Store, file: &Path) -> Result<IngestedFile, IngestError> {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = match tokio::fs::read(file).await {
            Ok(bytes) => bytes,
            Err(e) => {
                self.reject(file, &name, &format!("cannot read the file: {e}"))
                    .await?;
                return Err(io("reading", file)(e));
            }
        };
        let doc = NewDocument {
            parent_id: None,
            source: format!("drop:{}", self.root.display()),
            file_name: name.clone(),
            part_name: None,
            media_type: media::sniff(&name, &bytes).to_string(),
            sender: None,
            bytes,
        };
        // On a store failure the file stays in processing/ and is taken again next pass.
        let outcome = store
            .ingest(doc)
            .await
            .map_err(|source| IngestError::Store {
                path: file.display().to_string(),
                source,
            })?;
        let archived_to = unique_path(&self.archive_dir(), &name).await;
        tokio::fs::rename(file, &archived_to)
            .await
            .map_err(io("archiving", file))?;
        Ok(IngestedFile {
            name,
            outcome,
            archived_to,
        })
    }

    async fn reject(&self, file: &Path, name: &str, reason: &str) -> Result<(), IngestError> {
        let target = unique_path(&self.error_dir(), name).await;
        tokio::fs::rename(file, &target)
            .await
            .map_err(io("moving to error", file))?;
        let reason_file = target.with_file_name(format!(
            "{}.reason",
            target
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        ));
        tokio::fs::write(&reason_file, format!("{reason}\n"))
            .await
            .map_err(io("writing", &reason_file))
    }
}

/// `dir/name`, or `dir/name.1`, `dir/name.2`, ... when taken: never overwrite.
async fn unique_path(dir: &Path, name: &str) -> PathBuf {
    let first = dir.join(name);
    if !tokio::fs::try_exists(&first).await.unwrap_or(false) {
        return first;
    }
    (1u32..)
        .map(|n| dir.join(format!("{name}.{n}")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use docket_store::sqlite::SqliteStore;

    #[tokio::test]
    async fn files_are_stored_then_archived_and_never_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let folder = DropFolder::new(dir.path(), Duration::ZERO);
        folder.prepare().await.unwrap();
        std::fs::write(dir.path().join("a.pdf"), b"%PDF-1.4 a").unwrap();
        std::fs::write(dir.path().join("b.xml"), b"<?xml version='1.0'?><x/>").unwrap();
        std::fs::write(dir.path().join(".hidden"), b"ignored").unwrap();
        let store = SqliteStore::in_memory().await.unwrap();
        let done = folder.ingest_once(&store).await.unwrap();
        assert_eq!(done.len(), 2);
        assert!(folder.archive_dir().join("a.pdf").exists());
        assert!(!dir.path().join("a.pdf").exists());
        let record = store.document(done[1].outcome.id()).await.unwrap();
        assert_eq!(record.media_type, media::XML);
        assert!(dir.path().join(".hidden").exists());
        // The same file dropped again is archived beside the first, and recorded as a duplicate.
        std::fs::write(dir.path().join("a.pdf"), b"%PDF-1.4 a").unwrap();
        let again = folder.ingest_once(&store).await.unwrap();
        assert!(matches!(again[0].outcome, IngestOutcome::SameFile { .. }));
        assert!(folder.archive_dir().join("a.pdf.1").exists());
    }

    #[tokio::test]
    async fn a_file_left_in_processing_by_a_crash_is_taken_again() {
        let dir = tempfile::tempdir().unwrap();
        let folder = DropFolder::new(dir.path(), Duration::ZERO);
        folder.prepare().await.unwrap();
        std::fs::write(folder.processing_dir().join("left.pdf"), b"%PDF-1.4 left").unwrap();
        let store = SqliteStore::in_memory().await.unwrap();
        let done = folder.ingest_once(&store).await.unwrap();
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].name, "left.pdf");
    }

    #[tokio::test]
    async fn a_growing_file_is_left_until_it_is_stable() {
        let dir = tempfile::tempdir().unwrap();
        let folder = DropFolder::new(dir.path(), Duration::from_millis(300));
        folder.prepare().await.unwrap();
        let path = dir.path().join("growing.pdf");
        std::fs::write(&path, b"%PDF-1.4").unwrap();
        let writer = {
            let path = path.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(100)).await;
                std::fs::write(&path, b"%PDF-1.4 more bytes").unwrap();
            })
        };
        let stable = folder.stable_files().await.unwrap();
        writer.await.unwrap();
        assert!(stable.is_empty(), "{stable:?}");
        assert_eq!(folder.stable_files().await.unwrap(), vec![path]);
    }
}
