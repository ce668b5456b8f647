//! Opening an IMAP session: TCP, TLS (implicit or STARTTLS, via rustls with the
//! public web roots plus an optional private CA), and logging in with LOGIN,
//! SASL PLAIN or XOAUTH2.
//!
//! Every network step is bounded by [`COMMAND_TIMEOUT`], so a server (or a
//! network) that stops answering ends the session with an error that the
//! caller retries, never a hang.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use async_imap::types::Fetch;
use async_imap::{Authenticator, Client, Session};
use futures_util::TryStreamExt;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use super::settings::{AuthMethod, MailboxSettings, TlsMode};
use crate::IngestError;

/// The longest any one IMAP step (connecting, a command and its answer) may take.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// The connection under a session: plain TCP (loopback, or before STARTTLS) or TLS.
#[derive(Debug)]
pub enum MailStream {
    /// Unencrypted.
    Plain(TcpStream),
    /// Encrypted.
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for MailStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            MailStream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            MailStream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for MailStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            MailStream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            MailStream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            MailStream::Plain(s) => Pin::new(s).poll_flush(cx),
            MailStream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            MailStream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            MailStream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// A logged-in session.
pub type MailSession = Session<MailStream>;

/// A logged-in session and what its server can do.
#[derive(Debug)]
pub struct Connection {
    /// The session.
    pub session: MailSession,
    /// The server offers IDLE (RFC 2177).
    pub can_idle: bool,
    /// The server offers MOVE (RFC 6851); without it mails are copied.
    pub can_move: bool,
}

/// An IMAP failure of `account`, with what was being done.
pub(crate) fn imap_error(
    account: &MailboxSettings,
    doing: &str,
    detail: impl std::fmt::Display,
) -> IngestError {
    IngestError::Imap(format!(
        "mailbox {:?} ({}:{}): {doing}: {detail}",
        account.name,
        account.host,
        account.port()
    ))
}

/// Runs one IMAP step within [`COMMAND_TIMEOUT`].
pub(crate) async fn within<T, E: std::fmt::Display>(
    account: &MailboxSettings,
    doing: &str,
    step: impl Future<Output = Result<T, E>>,
) -> Result<T, IngestError> {
    match tokio::time::timeout(COMMAND_TIMEOUT, step).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(imap_error(account, doing, e)),
        Err(_) => Err(imap_error(
            account,
            doing,
            format!("no answer within {} s", COMMAND_TIMEOUT.as_secs()),
        )),
    }
}

/// Checks that the session still answers: `NOOP`, and its tagged answer read.
///
/// async-imap hands the answers of `FETCH` and `STORE` (and of its own
/// `noop()`) over as streams that simply end when the connection does, so a
/// cut mid-answer looks like a shorter answer. Every such command is followed
/// by this check, which waits for the server's tagged `OK` and fails when the
/// connection is gone: a cut is an error, never missing mail.
pub(crate) async fn confirm(
    conn: &mut Connection,
    account: &MailboxSettings,
    after: &str,
) -> Result<(), IngestError> {
    let noop = conn.session.run_command_and_check_ok("NOOP");
    within(account, &format!("confirming {after}"), noop).await
}

/// `UID FETCH set query`, read to its end and then [confirmed](confirm).
pub(crate) async fn fetch_all(
    conn: &mut Connection,
    account: &MailboxSettings,
    set: &str,
    query: &str,
) -> Result<Vec<Fetch>, IngestError> {
    let session = &mut conn.session;
    let doing = format!("UID FETCH {query}");
    let fetched = within(account, &doing, async {
        session.uid_fetch(set, query).await?.try_collect().await
    })
    .await?;
    confirm(conn, account, &doing).await?;
    Ok(fetched)
}

/// Connects, secures and logs in as the settings say.
pub async fn connect(account: &MailboxSettings) -> Result<Connection, IngestError> {
    let address = (account.host.as_str(), account.port());
    let tcp = within(account, "connecting", TcpStream::connect(address)).await?;
    // Commands are small and answered one at a time: do not let Nagle hold them.
    let _ = tcp.set_nodelay(true);
    let client = match account.tls {
        TlsMode::Implicit => {
            let tls = secure(account, tcp).await?;
            greeted(account, Client::new(MailStream::Tls(Box::new(tls)))).await?
        }
        TlsMode::Starttls => {
            let mut plain = greeted(account, Client::new(MailStream::Plain(tcp))).await?;
            let upgrade = plain.run_command_and_check_ok("STARTTLS", None);
            within(account, "STARTTLS", upgrade).await?;
            let MailStream::Plain(tcp) = plain.into_inner() else {
                return Err(imap_error(account, "STARTTLS", "the stream was not plain"));
            };
            // No greeting after STARTTLS: the server waits for the handshake.
            Client::new(MailStream::Tls(Box::new(secure(account, tcp).await?)))
        }
        TlsMode::None => greeted(account, Client::new(MailStream::Plain(tcp))).await?,
    };
    let session = match account.auth {
        AuthMethod::Login => {
            let password = account.password()?;
            let login = client.login(&account.user, password.expose());
            logged_in(account, "LOGIN", login).await?
        }
        AuthMethod::Plain => {
            let password = account.password()?;
            let plain = SaslPlain::new(&account.user, password.expose());
            logged_in(
                account,
                "AUTHENTICATE PLAIN",
                client.authenticate("PLAIN", plain),
            )
            .await?
        }
        AuthMethod::Xoauth2 => {
            let token = account.oauth_token()?;
            let mut xoauth2 = Xoauth2::new(&account.user, token.expose());
            let login = client.authenticate("XOAUTH2", &mut xoauth2);
            let result = logged_in(account, "AUTHENTICATE XOAUTH2", login).await;
            // The server explains a refused token in a challenge (RFC 7628): pass it on.
            match (result, xoauth2.server_said) {
                (Err(IngestError::LoginRefused(e)), Some(said)) => {
                    return Err(IngestError::LoginRefused(format!(
                        "{e}; the server said {said}"
                    )));
                }
                (result, _) => result?,
            }
        }
    };
    with_capabilities(account, session).await
}

/// TLS over `tcp`, checking the server's certificate against its host name.
async fn secure(
    account: &MailboxSettings,
    tcp: TcpStream,
) -> Result<TlsStream<TcpStream>, IngestError> {
    let host = account
        .host
        .trim_matches(|c| c == '[' || c == ']')
        .to_string();
    let name = ServerName::try_from(host)
        .map_err(|e| imap_error(account, "reading the host name for TLS", e))?;
    let connector = TlsConnector::from(tls_config(account)?);
    within(account, "TLS handshake", connector.connect(name, tcp)).await
}

/// The TLS client settings: the public web roots, plus the account's own CA file.
fn tls_config(account: &MailboxSettings) -> Result<Arc<rustls::ClientConfig>, IngestError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = &account.ca_file {
        let bad = |e: &dyn std::fmt::Display| {
            IngestError::Settings(format!(
                "mailbox {:?}: ca_file {}: {e}",
                account.name,
                path.display()
            ))
        };
        for cert in CertificateDer::pem_file_iter(path).map_err(|e| bad(&e))? {
            roots.add(cert.map_err(|e| bad(&e))?).map_err(|e| bad(&e))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| imap_error(account, "setting up TLS", e))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The client once the server's greeting has been read.
async fn greeted(
    account: &MailboxSettings,
    mut client: Client<MailStream>,
) -> Result<Client<MailStream>, IngestError> {
    match within(account, "reading the greeting", client.read_response()).await? {
        Some(_) => Ok(client),
        None => Err(imap_error(
            account,
            "reading the greeting",
            "connection closed",
        )),
    }
}

/// The session of a log-in attempt, or why it failed: the server's refusal
/// (wrong credentials, an expired token) is told apart from a broken connection.
async fn logged_in(
    account: &MailboxSettings,
    doing: &str,
    attempt: impl Future<Output = Result<MailSession, (async_imap::error::Error, Client<MailStream>)>>,
) -> Result<MailSession, IngestError> {
    use async_imap::error::Error;
    let refused = |said: &str| {
        IngestError::LoginRefused(format!(
            "mailbox {:?}: {doing} as {} refused: {said}",
            account.name, account.user
        ))
    };
    match within(account, doing, async { Ok::<_, Error>(attempt.await) }).await? {
        Ok(session) => Ok(session),
        Err((Error::No(said) | Error::Bad(said), _)) => Err(refused(&said)),
        Err((e, _)) => Err(imap_error(account, doing, e)),
    }
}

/// The session with the capabilities Docket cares about.
async fn with_capabilities(
    account: &MailboxSettings,
    mut session: MailSession,
) -> Result<Connection, IngestError> {
    let capabilities = within(account, "CAPABILITY", session.capabilities()).await?;
    Ok(Connection {
        can_idle: capabilities.has_str("IDLE"),
        can_move: capabilities.has_str("MOVE"),
        session,
    })
}

/// SASL PLAIN (RFC 4616): no authorisation identity, the user, the password.
struct SaslPlain {
    response: Vec<u8>,
}

impl SaslPlain {
    fn new(user: &str, password: &str) -> Self {
        SaslPlain {
            response: format!("\0{user}\0{password}").into_bytes(),
        }
    }
}

impl Authenticator for SaslPlain {
    type Response = Vec<u8>;

    fn process(&mut self, _challenge: &[u8]) -> Vec<u8> {
        self.response.clone()
    }
}

/// XOAUTH2 (Google's and Microsoft's SASL mechanism for OAuth 2.0 bearer tokens).
struct Xoauth2 {
    response: String,
    /// What the server sent back instead of accepting the token (a JSON error).
    server_said: Option<String>,
}

impl Xoauth2 {
    fn new(user: &str, token: &str) -> Self {
        Xoauth2 {
            response: format!("user={user}\x01auth=Bearer {token}\x01\x01"),
            server_said: None,
        }
    }
}

impl Authenticator for &mut Xoauth2 {
    type Response = String;

    fn process(&mut self, challenge: &[u8]) -> String {
        if challenge.is_empty() && self.server_said.is_none() {
            return self.response.clone();
        }
        // A second challenge is the server's error report; an empty answer
        // lets it finish with NO.
        self.server_said = Some(String::from_utf8_lossy(challenge).into_owned());
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sasl_plain_sends_user_and_password_after_nul_bytes() {
        let mut plain = SaslPlain::new("ap@example.com", "pa ss");
        assert_eq!(plain.process(b""), b"\0ap@example.com\0pa ss".to_vec());
    }

    #[test]
    fn xoauth2_sends_the_bearer_token_then_reads_the_error() {
        let mut xoauth2 = Xoauth2::new("ap@example.com", "ya29.token");
        let mut auth = &mut xoauth2;
        assert_eq!(
            auth.process(b""),
            "user=ap@example.com\x01auth=Bearer ya29.token\x01\x01"
        );
        let error = br#"{"status":"401","schemes":"Bearer","scope":"https://mail.google.com/"}"#;
        assert_eq!(auth.process(error), "");
        assert!(
            xoauth2
                .server_said
                .as_deref()
                .is_some_and(|s| s.contains("401"))
        );
    }
}
