//! Watching a drop folder: file-system events wake the scan at once, and a
//! periodic rescan catches whatever the events miss (network shares send
//! none, a full event queue drops some, a watch can fail to start).
//!
//! Events only ever wake the scanner: what is taken is still decided by the
//! scan and its stability check, so a lost or a spurious event costs nothing.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use docket_store::Store;
use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind, RenameMode};
use notify::{RecursiveMode, Watcher};
use tokio::sync::{Notify, watch};

use super::DropFolder;
use crate::IngestError;

/// Wake-ups from the file system for one folder (not its sub-folders, where
/// Docket's own moves happen).
pub struct FolderEvents {
    /// Kept for its `Drop`: the OS watch ends with it.
    _watcher: notify::RecommendedWatcher,
    changed: Arc<Notify>,
}

impl FolderEvents {
    /// Starts watching `dir`. Fails when the OS refuses (no such folder, out
    /// of inotify watches, ...).
    pub fn start(dir: &Path) -> Result<Self, IngestError> {
        let refused = |source| IngestError::Watch {
            path: dir.display().to_string(),
            source,
        };
        let changed = Arc::new(Notify::new());
        let wake = changed.clone();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                // A watcher error (its queue overflowed, say) may hide a change: scan.
                if event.map_or(true, |e| may_bring_a_file(&e.kind)) {
                    // Stores a permit when nobody waits: events during a pass
                    // cause exactly one more pass, however many there were.
                    wake.notify_one();
                }
            })
            .map_err(refused)?;
        watcher
            .watch(dir, RecursiveMode::NonRecursive)
            .map_err(refused)?;
        Ok(FolderEvents {
            _watcher: watcher,
            changed,
        })
    }

    /// Waits until the folder changed since the last wait, or `at_most` passed.
    pub async fn wait(&self, at_most: Duration) {
        // Either way a scan follows; which one it was does not matter.
        let _ = tokio::time::timeout(at_most, self.changed.notified()).await;
    }
}

/// Whether an event may mean a file arrived or changed: files leaving the
/// folder (Docket's own moves) and reads do not.
fn may_bring_a_file(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) | EventKind::Remove(_) => false,
        EventKind::Modify(ModifyKind::Name(RenameMode::From)) => false,
        _ => true,
    }
}

impl DropFolder {
    /// Takes files as they arrive until `stop` turns true: a pass at once,
    /// then one whenever the folder changes and at least every `rescan_every`.
    ///
    /// Never fails: a failed pass is logged and its files stay where they are
    /// for the next one; a folder that cannot be watched is rescanned only.
    pub async fn watch(
        &self,
        store: &dyn Store,
        rescan_every: Duration,
        mut stop: watch::Receiver<bool>,
    ) {
        let folder = self.root.display().to_string();
        let mut events: Option<FolderEvents> = None;
        let mut told_unwatched = false;
        while !*stop.borrow() {
            // Watch before scanning, so that nothing dropped during the scan is missed.
            if events.is_none() && self.prepare().await.is_ok() {
                match FolderEvents::start(&self.root) {
                    Ok(started) => events = Some(started),
                    Err(e) if !told_unwatched => {
                        told_unwatched = true;
                        tracing::warn!(%folder, error = %e, every = ?rescan_every, "cannot watch the drop folder; rescanning it only");
                    }
                    Err(_) => {}
                }
            }
            match self.ingest_once(store).await {
                Ok(taken) => {
                    for file in &taken {
                        tracing::info!(%folder, file = %file.name, document = %file.outcome.id(), "taken in");
                    }
                }
                Err(e) => {
                    tracing::error!(%folder, error = %e, "drop-folder pass failed; its files are taken on a later pass");
                }
            }
            let woken = async {
                match &events {
                    Some(events) => events.wait(rescan_every).await,
                    None => tokio::time::sleep(rescan_every).await,
                }
            };
            tokio::select! {
                () = woken => {}
                changed = stop.changed() => {
                    if changed.is_err() {
                        // Whoever could stop us is gone: stop.
                        return;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::time::Instant;

    use docket_store::sqlite::SqliteStore;

    use super::*;

    /// Long enough that a test passing proves the events woke the scan.
    const NEVER: Duration = Duration::from_secs(3600);
    /// The bound on every wait, so a broken watcher fails the test instead of hanging it.
    const PATIENCE: Duration = Duration::from_secs(20);

    async fn appears(path: PathBuf) -> bool {
        let since = Instant::now();
        while since.elapsed() < PATIENCE {
            if path.exists() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        false
    }

    /// Watches `folder` in the background; stop it with the returned sender.
    async fn watching(folder: &DropFolder) -> (watch::Sender<bool>, tokio::task::JoinHandle<()>) {
        let store = SqliteStore::in_memory().await.unwrap();
        let (stop, stopped) = watch::channel(false);
        let folder = folder.clone();
        let task = tokio::spawn(async move { folder.watch(&store, NEVER, stopped).await });
        (stop, task)
    }

    async fn stop_and_join(stop: watch::Sender<bool>, task: tokio::task::JoinHandle<()>) {
        stop.send(true).unwrap();
        tokio::time::timeout(PATIENCE, task)
            .await
            .expect("the watch loop stops when told")
            .unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_file_dropped_while_watching_is_taken_without_waiting_for_the_rescan() {
        let dir = tempfile::tempdir().unwrap();
        let folder = DropFolder::new(dir.path(), Duration::from_millis(50));
        std::fs::write(dir.path().join("first.pdf"), b"%PDF-1.4 first").unwrap();
        let (stop, task) = watching(&folder).await;
        // The first pass takes what was there; the watch started before it.
        assert!(appears(folder.archive_dir().join("first.pdf")).await);
        std::fs::write(dir.path().join("second.pdf"), b"%PDF-1.4 second").unwrap();
        assert!(
            appears(folder.archive_dir().join("second.pdf")).await,
            "a dropped file waited for the rescan (or was never taken)"
        );
        assert!(!dir.path().join("second.pdf").exists());
        stop_and_join(stop, task).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_file_that_is_still_growing_is_not_taken() {
        let dir = tempfile::tempdir().unwrap();
        // Far longer than the writer's pauses, even on a busy machine.
        let folder = DropFolder::new(dir.path(), Duration::from_secs(1));
        folder.prepare().await.unwrap();
        let path = dir.path().join("growing.pdf");
        std::fs::write(&path, b"%PDF-1.4\n").unwrap();
        let (stop, task) = watching(&folder).await;
        let writer = {
            let path = path.clone();
            std::thread::spawn(move || -> std::io::Result<usize> {
                let mut written = b"%PDF-1.4\n".len();
                let since = Instant::now();
                while since.elapsed() < Duration::from_millis(2500) {
                    // Opening by name fails if the file was taken away mid-write.
                    let mut file = std::fs::OpenOptions::new().append(true).open(&path)?;
                    std::io::Write::write_all(&mut file, b"more bytes\n")?;
                    written += b"more bytes\n".len();
                    std::thread::sleep(Duration::from_millis(50));
                }
                Ok(written)
            })
        };
        let archived = folder.archive_dir().join("growing.pdf");
        while !writer.is_finished() {
            assert!(!archived.exists(), "taken while still being written");
            assert!(!folder.processing_dir().join("growing.pdf").exists());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let written = writer.join().unwrap().expect("the writer kept its file");
        assert!(appears(archived.clone()).await, "taken once stable");
        assert_eq!(std::fs::read(&archived).unwrap().len(), written);
        stop_and_join(stop, task).await;
    }

    #[test]
    fn only_events_that_may_bring_a_file_wake_the_scan() {
        use notify::event::{CreateKind, DataChange, RemoveKind};
        assert!(may_bring_a_file(&EventKind::Create(CreateKind::File)));
        assert!(may_bring_a_file(&EventKind::Modify(ModifyKind::Data(
            DataChange::Any
        ))));
        assert!(may_bring_a_file(&EventKind::Modify(ModifyKind::Name(
            RenameMode::To
        ))));
        assert!(may_bring_a_file(&EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(!may_bring_a_file(&EventKind::Modify(ModifyKind::Name(
            RenameMode::From
        ))));
        assert!(!may_bring_a_file(&EventKind::Remove(RemoveKind::File)));
        assert!(!may_bring_a_file(&EventKind::Access(AccessKind::Read)));
    }
}
