//! What the IMAP tests share: the throwaway Dovecot that `scripts/dovecot`
//! starts (started here when it is not running yet), a mailbox of a fresh user
//! per test, mails to put in it, a `docket` deployment on a SQLite file, and a
//! TCP proxy that can slow a connection down or cut it.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use docket_ingest::imap::{self, AuthMethod, Connection, MailboxSettings, Secret, TlsMode};
use docket_store::sqlite::SqliteStore;
use docket_store::{DocumentRecord, MailRecord, MailboxCursor, MailboxStore, Store};
use futures_util::TryStreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::process::{Child, Command};
use tokio::sync::watch;

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The running test server, as `scripts/dovecot` describes it.
#[derive(Debug, Clone)]
pub struct Dovecot {
    /// Plain IMAP (and STARTTLS) on 127.0.0.1 and, without IDLE and MOVE, on the minimal host.
    pub port: u16,
    /// Implicit TLS on 127.0.0.1.
    pub tls_port: u16,
    /// The password (and XOAUTH2 token) of every user.
    pub password: String,
    /// The CA that signed the server's certificate.
    pub ca: PathBuf,
    /// The address whose sessions lack IDLE and MOVE.
    pub minimal_host: String,
}

impl Dovecot {
    /// The server, started by `scripts/dovecot` if it is not running (the
    /// script is idempotent and serialises parallel callers).
    pub fn get() -> Dovecot {
        let out = std::process::Command::new(repo().join("scripts/dovecot"))
            .output()
            .expect("running scripts/dovecot");
        assert!(
            out.status.success(),
            "the IMAP tests need the throwaway Dovecot of scripts/dovecot (scripts/test starts it; \
             it installs Debian's dovecot-imapd when run as root): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let env_file = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let text = std::fs::read_to_string(&env_file).unwrap();
        let vars: BTreeMap<&str, &str> = text.lines().filter_map(|l| l.split_once('=')).collect();
        Dovecot {
            port: vars["DOCKET_DOVECOT_PORT"].parse().unwrap(),
            tls_port: vars["DOCKET_DOVECOT_TLS_PORT"].parse().unwrap(),
            password: vars["DOCKET_DOVECOT_PASSWORD"].to_string(),
            ca: PathBuf::from(vars["DOCKET_DOVECOT_CA"]),
            minimal_host: vars["DOCKET_DOVECOT_MINIMAL_HOST"].to_string(),
        }
    }

    /// Settings of a fresh user's mailbox over plain IMAP on loopback, logging in with LOGIN.
    pub fn account(&self, name: &str) -> MailboxSettings {
        MailboxSettings {
            name: name.to_string(),
            host: "127.0.0.1".to_string(),
            port: Some(self.port),
            tls: TlsMode::None,
            auth: AuthMethod::Login,
            user: format!("t{}", uuid::Uuid::now_v7().simple()),
            password: Some(Secret::new(self.password.clone())),
            ca_file: Some(self.ca.clone()),
            ..MailboxSettings::default()
        }
    }
}

/// A test's own IMAP session, to put mails in and look at them.
pub struct Mailbox {
    pub settings: MailboxSettings,
    conn: Connection,
}

impl Mailbox {
    /// Logs in as the account's user (over plain loopback IMAP).
    pub async fn open(dovecot: &Dovecot, account: &MailboxSettings) -> Mailbox {
        let mut settings = dovecot.account("test-client");
        settings.user = account.user.clone();
        let conn = imap::connect(&settings).await.unwrap();
        Mailbox { settings, conn }
    }

    /// Creates a folder (fine when it exists).
    pub async fn create(&mut self, folder: &str) {
        let _ = self.conn.session.create(folder).await;
    }

    /// Deletes a folder and every mail in it (so that it can be made anew with a new UIDVALIDITY).
    pub async fn delete(&mut self, folder: &str) {
        self.conn.session.select("INBOX").await.unwrap();
        self.conn.session.delete(folder).await.unwrap();
    }

    /// Appends a mail.
    pub async fn append(&mut self, folder: &str, mail: &[u8]) {
        self.conn
            .session
            .append(folder, None, None, mail)
            .await
            .unwrap();
    }

    /// The Message-IDs of the mails in a folder, with their flags, by UID.
    pub async fn mails(&mut self, folder: &str) -> Vec<(String, Vec<String>)> {
        let Ok(selected) = self.conn.session.select(folder).await else {
            return Vec::new();
        };
        if selected.exists == 0 {
            return Vec::new();
        }
        let fetched: Vec<_> = self
            .conn
            .session
            .uid_fetch("1:*", "(UID FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        let mut mails: Vec<(u32, String, Vec<String>)> = fetched
            .iter()
            .map(|f| {
                let header = String::from_utf8_lossy(f.header().unwrap_or_default());
                let id = header
                    .split_once(':')
                    .map(|(_, v)| v.trim().trim_matches(['<', '>']).to_string())
                    .unwrap_or_default();
                let flags = f.flags().map(|flag| format!("{flag:?}")).collect();
                (f.uid.unwrap(), id, flags)
            })
            .collect();
        mails.sort_by_key(|m| m.0);
        mails
            .into_iter()
            .map(|(_, id, flags)| (id, flags))
            .collect()
    }

    /// The Message-IDs of the mails in a folder, in UID order.
    pub async fn ids(&mut self, folder: &str) -> Vec<String> {
        self.mails(folder)
            .await
            .into_iter()
            .map(|(id, _)| id)
            .collect()
    }
}

/// A small PDF, enough for the media sniffer.
const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// A supplier's mail with a PDF invoice; `tag` keeps Message-IDs unique per test.
pub fn invoice_mail(tag: &str, n: usize) -> Vec<u8> {
    let pdf =
        docket_fixtures::mail::base64(&[PDF, format!("% invoice {tag} {n}\n").as_bytes()].concat());
    format!(
        "From: Billing <billing@supplier.example>\r\nTo: ap@kestrel.example\r\n\
         Subject: Invoice {n}\r\nMessage-ID: <{tag}-{n}@supplier.example>\r\n\
         Date: Mon, 2 Mar 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain\r\n\r\nPlease find invoice {n} attached.\r\n\
         --b\r\nContent-Type: application/pdf\r\n\
         Content-Disposition: attachment; filename=\"invoice-{n}.pdf\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{pdf}\r\n--b--\r\n"
    )
    .into_bytes()
}

/// A newsletter, which a filter on suppliers leaves alone.
pub fn newsletter(tag: &str) -> Vec<u8> {
    format!(
        "From: news@marketing.example\r\nTo: ap@kestrel.example\r\nSubject: Our spring offers\r\n\
         Message-ID: <{tag}-news@marketing.example>\r\n\r\nBuy more.\r\n"
    )
    .into_bytes()
}

/// Bytes that are no mail at all (no header line).
pub const GARBAGE: &[u8] = b"this is not a mail, only a line of text\r\n";

/// A `docket` deployment on a SQLite file, with the given mailboxes.
pub struct Deployment {
    pub dir: tempfile::TempDir,
    pub mailboxes: Vec<MailboxSettings>,
}

impl Deployment {
    /// A deployment reading `mailboxes` (no drop folders), its store created
    /// first, as an operator would.
    pub async fn new(mailboxes: Vec<MailboxSettings>) -> Deployment {
        let deployment = Deployment {
            dir: tempfile::tempdir().unwrap(),
            mailboxes,
        };
        deployment.write_config();
        let migrate = deployment.command(&["migrate"]).output().await.unwrap();
        assert!(
            migrate.status.success(),
            "{}",
            String::from_utf8_lossy(&migrate.stderr)
        );
        deployment
    }

    /// Writes the configuration file (again, after `mailboxes` changed).
    pub fn write_config(&self) {
        #[derive(serde::Serialize)]
        struct Ingest<'a> {
            drop_folders: Vec<PathBuf>,
            mailboxes: &'a [MailboxSettings],
        }
        let mut text = format!(
            "[store]\nkind = \"sqlite\"\npath = {:?}\n\n[queue]\nkind = \"in_process\"\n\n",
            self.db()
        );
        let ingest = Ingest {
            drop_folders: Vec::new(),
            mailboxes: &self.mailboxes,
        };
        let mut wrapped = toml::Table::new();
        wrapped.insert("ingest".into(), toml::Value::try_from(&ingest).unwrap());
        text.push_str(&toml::to_string(&wrapped).unwrap());
        // Secrets serialise as "***": the test server's password goes in by environment.
        std::fs::write(self.config(), text).unwrap();
    }

    pub fn config(&self) -> PathBuf {
        self.dir.path().join("docket.toml")
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("docket.db")
    }

    /// A `docket` command for this deployment.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_docket"));
        cmd.args(args)
            .arg("--config")
            .arg(self.config())
            .env("DOCKET_LOG", "docket_ingest=info")
            .kill_on_drop(true);
        for (i, m) in self.mailboxes.iter().enumerate() {
            if let Some(p) = &m.password {
                cmd.env(
                    format!("DOCKET__INGEST__MAILBOXES__{i}__PASSWORD"),
                    p.expose(),
                );
            }
            if let Some(t) = &m.oauth_token {
                cmd.env(
                    format!("DOCKET__INGEST__MAILBOXES__{i}__OAUTH_TOKEN"),
                    t.expose(),
                );
            }
        }
        cmd
    }

    /// Runs `docket ingest --once`; returns its exit code and stderr.
    pub async fn ingest_once(&self) -> (i32, String) {
        let out = self.command(&["ingest", "--once"]).output().await.unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        (out.status.code().unwrap_or(-1), stderr)
    }

    /// Runs `docket ingest --once` and insists that it read everything.
    pub async fn ingest_all(&self) -> String {
        let (code, stderr) = self.ingest_once().await;
        assert_eq!(code, 0, "docket ingest --once failed:\n{stderr}");
        stderr
    }

    /// Starts the long-running `docket ingest`.
    pub fn spawn(&self) -> Child {
        self.command(&["ingest"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// The database itself, to inject faults with SQL.
    pub async fn sqlite(&self) -> sqlx::SqlitePool {
        sqlx::SqlitePool::connect(&format!("sqlite://{}", self.db().display()))
            .await
            .unwrap()
    }

    /// The store, opened beside a running process (SQLite in WAL mode).
    pub async fn store(&self) -> SqliteStore {
        SqliteStore::open(&self.db()).await.unwrap()
    }

    /// Every document.
    pub async fn documents(&self) -> Vec<DocumentRecord> {
        self.store().await.summaries(None).await.unwrap()
    }

    /// The cursor of a folder.
    pub async fn cursor(&self, account: &str, folder: &str) -> Option<MailboxCursor> {
        self.store()
            .await
            .mailbox_cursor(account, folder)
            .await
            .unwrap()
    }

    /// The mail log, oldest first.
    pub async fn mail_log(&self) -> Vec<MailRecord> {
        let mut log = self.store().await.mail_log(None, 10_000).await.unwrap();
        log.reverse();
        log
    }

    /// Polls until `done` holds for the documents, at most `limit`.
    pub async fn wait_for_documents(
        &self,
        limit: Duration,
        done: impl Fn(&[DocumentRecord]) -> bool,
    ) -> Vec<DocumentRecord> {
        let started = Instant::now();
        let store = self.store().await;
        loop {
            let docs = store.summaries(None).await.unwrap();
            if done(&docs) || started.elapsed() > limit {
                return docs;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Sends SIGTERM and waits (at most 20 s) for the process to end; returns
/// whether it exited successfully, and its stderr.
pub async fn terminate(mut child: Child) -> (bool, String) {
    let pid = child.id().unwrap().to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    let out = tokio::time::timeout(Duration::from_secs(20), async {
        let status = child.wait().await.unwrap();
        let mut stderr = String::new();
        if let Some(mut err) = child.stderr.take() {
            let _ = err.read_to_string(&mut stderr).await;
        }
        (status.success(), stderr)
    })
    .await;
    out.expect("docket ingest did not stop within 20 s of SIGTERM")
}

/// A TCP proxy to the test server that can slow connections down (a pause
/// per chunk the server sends) and cut every connection, or the first one
/// after a number of bytes from the server.
pub struct Proxy {
    pub port: u16,
    cut: watch::Sender<u64>,
    delay: Arc<AtomicU64>,
    cut_after: Arc<AtomicU64>,
}

impl Proxy {
    /// A proxy to `127.0.0.1:target`.
    pub async fn start(target: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (cut, cuts) = watch::channel(0u64);
        let delay = Arc::new(AtomicU64::new(0));
        let cut_after = Arc::new(AtomicU64::new(u64::MAX));
        let (d, c) = (delay.clone(), cut_after.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(("127.0.0.1", target)).await else {
                    continue;
                };
                tokio::spawn(pipe(client, server, cuts.clone(), d.clone(), c.clone()));
            }
        });
        Proxy {
            port,
            cut,
            delay,
            cut_after,
        }
    }

    /// Cuts every open connection (new ones are still accepted).
    pub fn cut_all(&self) {
        self.cut.send_modify(|n| *n += 1);
    }

    /// Pauses this long after every chunk the server sends.
    pub fn slow_down(&self, per_chunk: Duration) {
        let micros = u64::try_from(per_chunk.as_micros()).unwrap();
        self.delay.store(micros, Ordering::SeqCst);
    }

    /// Cuts the next connection that receives more than `bytes` from the server (once).
    pub fn cut_after(&self, bytes: u64) {
        self.cut_after.store(bytes, Ordering::SeqCst);
    }
}

async fn pipe(
    client: TcpStream,
    server: TcpStream,
    mut cuts: watch::Receiver<u64>,
    delay: Arc<AtomicU64>,
    cut_after: Arc<AtomicU64>,
) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let upstream = tokio::io::copy(&mut client_read, &mut server_write);
    let downstream = async {
        let mut buf = vec![0u8; 16 * 1024];
        let mut passed = 0u64;
        loop {
            let n = server_read.read(&mut buf).await?;
            if n == 0 {
                return Ok::<_, std::io::Error>(());
            }
            passed += n as u64;
            let limit = cut_after.load(Ordering::SeqCst);
            if passed > limit
                && cut_after
                    .compare_exchange(limit, u64::MAX, Ordering::SeqCst, Ordering::SeqCst)
                    .is_ok()
            {
                return Ok(());
            }
            client_write.write_all(&buf[..n]).await?;
            let pause = delay.load(Ordering::SeqCst);
            if pause > 0 {
                tokio::time::sleep(Duration::from_micros(pause)).await;
            }
        }
    };
    cuts.borrow_and_update();
    tokio::select! {
        _ = upstream => {}
        _ = downstream => {}
        _ = cuts.changed() => {}
    }
    // Dropping both halves closes both connections.
}
