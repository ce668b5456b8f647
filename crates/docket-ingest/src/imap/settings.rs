//! Typed settings of one IMAP account (`[[ingest.mailboxes]]` in the TOML
//! file; `DOCKET__INGEST__MAILBOXES__0__PASSWORD` overrides a key of the first).
//!
//! Passwords and tokens are [`Secret`]s: printed as `***`, in `Debug` and in
//! `docket config`. They may also be read from a file (`password_file`,
//! `oauth_token_file`), read again at every connection, so a token refreshed on
//! disk by another process is picked up without a restart.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize, Serializer};

use crate::IngestError;
use crate::mail::MailFilter;

/// The longest IDLE Docket keeps before re-issuing it: servers may drop an
/// IDLE after 30 minutes (RFC 2177), so it is renewed before 29.
pub const MAX_IDLE_RENEW: Duration = Duration::from_secs(29 * 60);

/// A password or token: never printed.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// A secret holding `text`.
    pub fn new(text: impl Into<String>) -> Self {
        Secret(text.into())
    }

    /// The secret itself, to send to the server.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("\"***\"")
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("***")
    }
}

/// How the connection is encrypted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// TLS from the first byte (port 993).
    #[default]
    Implicit,
    /// Plain connection upgraded with STARTTLS before logging in (port 143).
    Starttls,
    /// No encryption: only to a loopback address, or with `allow_plaintext = true`.
    None,
}

/// How Docket logs in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthMethod {
    /// `LOGIN user password`.
    #[default]
    Login,
    /// `AUTHENTICATE PLAIN` (SASL PLAIN).
    Plain,
    /// `AUTHENTICATE XOAUTH2` with an OAuth 2.0 access token (Microsoft 365, Gmail).
    Xoauth2,
}

/// What is done to a mail on the server once every document of it is durable.
/// Nothing is ever deleted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum PostAction {
    /// `move:FOLDER`: moved into the folder (created when missing). A server
    /// without MOVE gets a copy there instead, and the original stays.
    Move(String),
    /// `keyword:NAME`: the IMAP keyword (a custom flag) is added.
    Keyword(String),
    /// `seen`: marked as read.
    #[default]
    Seen,
    /// `none`: left exactly as it was (the cursor alone keeps it from being taken twice).
    None,
}

impl TryFrom<String> for PostAction {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        let named = |prefix: &str| {
            text.strip_prefix(prefix)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        if let Some(folder) = named("move:") {
            return Ok(PostAction::Move(folder));
        }
        if let Some(keyword) = named("keyword:") {
            if !is_atom(&keyword) {
                return Err(format!(
                    "keyword {keyword:?} must be one word without spaces, brackets, quotes, % or *"
                ));
            }
            return Ok(PostAction::Keyword(keyword));
        }
        match text.trim() {
            "seen" => Ok(PostAction::Seen),
            "none" => Ok(PostAction::None),
            other => Err(format!(
                "post_action {other:?} is not one of move:FOLDER, keyword:NAME, seen, none"
            )),
        }
    }
}

impl From<PostAction> for String {
    fn from(action: PostAction) -> String {
        match action {
            PostAction::Move(folder) => format!("move:{folder}"),
            PostAction::Keyword(keyword) => format!("keyword:{keyword}"),
            PostAction::Seen => "seen".to_string(),
            PostAction::None => "none".to_string(),
        }
    }
}

/// An IMAP atom (RFC 3501 `atom`): what a keyword may be.
fn is_atom(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_graphic() && !"(){%*\"\\]".contains(c))
}

/// One IMAP account Docket reads mail from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailboxSettings {
    /// A short name: in logs, in `docket mail log`, and in every document's source
    /// (`imap:NAME/FOLDER`). Keep it when the server changes, or mails are taken anew.
    pub name: String,
    /// The server's host name (also checked against its TLS certificate).
    pub host: String,
    /// The port; 993 for implicit TLS, else 143, when unset.
    pub port: Option<u16>,
    /// `implicit`, `starttls` or `none`.
    pub tls: TlsMode,
    /// Allows `tls = "none"` to a host that is not a loopback address.
    pub allow_plaintext: bool,
    /// A PEM file of certificates to trust besides the public roots (a private CA).
    pub ca_file: Option<PathBuf>,
    /// `login`, `plain` or `xoauth2`.
    pub auth: AuthMethod,
    /// The user name (the mail address, for Microsoft 365 and Gmail).
    pub user: String,
    /// The password (`login`, `plain`); better: `password_file` or
    /// `DOCKET__INGEST__MAILBOXES__<n>__PASSWORD`.
    pub password: Option<Secret>,
    /// A file holding the password (trailing white space ignored).
    pub password_file: Option<PathBuf>,
    /// The OAuth 2.0 access token (`xoauth2`).
    pub oauth_token: Option<Secret>,
    /// A file holding the access token, read at every connection (a token
    /// refresher keeps it current).
    pub oauth_token_file: Option<PathBuf>,
    /// The folders to read.
    pub folders: Vec<String>,
    /// What is done to a mail once it is stored: `move:FOLDER`, `keyword:NAME`, `seen`, `none`.
    pub post_action: PostAction,
    /// Where mails that cannot be read go (created when missing).
    pub error_folder: String,
    /// Which mails this account takes; the others are left alone (and logged).
    pub filter: MailFilter,
    /// Waits for new mail with IDLE when the server offers it; polls otherwise.
    pub idle: bool,
    /// An IDLE is ended and re-issued after this long (at most 29 minutes).
    pub idle_renew_ms: u64,
    /// Pause between polls, when not idling.
    pub poll_interval_ms: u64,
}

impl Default for MailboxSettings {
    fn default() -> Self {
        MailboxSettings {
            name: String::new(),
            host: String::new(),
            port: None,
            tls: TlsMode::Implicit,
            allow_plaintext: false,
            ca_file: None,
            auth: AuthMethod::Login,
            user: String::new(),
            password: None,
            password_file: None,
            oauth_token: None,
            oauth_token_file: None,
            folders: vec!["INBOX".to_string()],
            post_action: PostAction::Seen,
            error_folder: "Docket-Error".to_string(),
            filter: MailFilter::default(),
            idle: true,
            idle_renew_ms: 10 * 60 * 1000,
            poll_interval_ms: 60_000,
        }
    }
}

impl MailboxSettings {
    /// The port to connect to.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            TlsMode::Implicit => 993,
            TlsMode::Starttls | TlsMode::None => 143,
        })
    }

    /// How long an IDLE lasts before it is re-issued.
    pub fn idle_renew(&self) -> Duration {
        Duration::from_millis(self.idle_renew_ms).min(MAX_IDLE_RENEW)
    }

    /// Pause between polls.
    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.poll_interval_ms.max(100))
    }

    /// The document source of mails from `folder`.
    pub fn source(&self, folder: &str) -> String {
        format!("imap:{}/{folder}", self.name)
    }

    /// Checks that the settings can work, naming the first thing that cannot.
    pub fn validate(&self) -> Result<(), IngestError> {
        let bad = |what: String| {
            Err(IngestError::Settings(format!(
                "mailbox {:?}: {what}",
                self.name
            )))
        };
        if self.name.trim().is_empty() || self.name.contains('/') {
            return bad("name must be set and hold no '/'".to_string());
        }
        if self.host.trim().is_empty() || self.user.trim().is_empty() {
            return bad("host and user must be set".to_string());
        }
        if self.tls == TlsMode::None && !self.allow_plaintext && !is_loopback(&self.host) {
            return bad(format!(
                "tls = \"none\" sends the password in clear text: only to a loopback address, \
                 or set allow_plaintext = true ({} is not loopback)",
                self.host
            ));
        }
        let has_password = self.password.is_some() || self.password_file.is_some();
        let has_token = self.oauth_token.is_some() || self.oauth_token_file.is_some();
        match self.auth {
            AuthMethod::Login | AuthMethod::Plain if !has_password => {
                return bad("needs password or password_file".to_string());
            }
            AuthMethod::Xoauth2 if !has_token => {
                return bad("auth = \"xoauth2\" needs oauth_token or oauth_token_file".to_string());
            }
            _ => {}
        }
        if self.folders.is_empty() || self.folders.iter().any(|f| f.trim().is_empty()) {
            return bad("folders must name at least one folder".to_string());
        }
        // A mail moved into a folder Docket reads would be read and moved again, forever.
        let targets = match &self.post_action {
            PostAction::Move(target) => vec![target, &self.error_folder],
            _ => vec![&self.error_folder],
        };
        if let Some(target) = targets.iter().find(|t| self.folders.contains(t)) {
            return bad(format!(
                "{target:?} is read by Docket and cannot also be where mails are moved to"
            ));
        }
        if self.error_folder.trim().is_empty() {
            return bad("error_folder must be set".to_string());
        }
        Ok(())
    }

    /// The password, from the settings or its file.
    pub fn password(&self) -> Result<Secret, IngestError> {
        self.secret(&self.password, &self.password_file, "password")
    }

    /// The OAuth access token, from the settings or its file.
    pub fn oauth_token(&self) -> Result<Secret, IngestError> {
        self.secret(&self.oauth_token, &self.oauth_token_file, "oauth_token")
    }

    fn secret(
        &self,
        inline: &Option<Secret>,
        file: &Option<PathBuf>,
        what: &str,
    ) -> Result<Secret, IngestError> {
        if let Some(secret) = inline {
            return Ok(secret.clone());
        }
        let Some(path) = file else {
            return Err(IngestError::Settings(format!(
                "mailbox {:?}: no {what} configured",
                self.name
            )));
        };
        let text = std::fs::read_to_string(path).map_err(|source| IngestError::Io {
            action: "reading the secret file",
            path: path.display().to_string(),
            source,
        })?;
        Ok(Secret(text.trim_end().to_string()))
    }
}

/// Whether `host` names this machine (`localhost`, 127.0.0.0/8, ::1).
pub fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_matches(|c| c == '[' || c == ']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Checks every account, and that no two share a name.
pub fn validate_all(accounts: &[MailboxSettings]) -> Result<(), IngestError> {
    for (i, account) in accounts.iter().enumerate() {
        account.validate()?;
        if accounts[..i].iter().any(|a| a.name == account.name) {
            return Err(IngestError::Settings(format!(
                "two mailboxes are named {:?}: names must be unique",
                account.name
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> MailboxSettings {
        MailboxSettings {
            name: "ap".into(),
            host: "imap.example.com".into(),
            user: "ap@example.com".into(),
            password: Some(Secret::new("hunter2")),
            ..MailboxSettings::default()
        }
    }

    #[test]
    fn post_actions_read_and_write_as_text() {
        for text in ["move:Done/2026", "keyword:$Docket", "seen", "none"] {
            let action = PostAction::try_from(text.to_string()).unwrap();
            assert_eq!(String::from(action), text);
        }
        assert_eq!(
            PostAction::try_from("move: Processed ".to_string()),
            Ok(PostAction::Move("Processed".into()))
        );
        for bad in ["move:", "keyword:two words", "keyword:a(b", "delete", ""] {
            assert!(PostAction::try_from(bad.to_string()).is_err(), "{bad}");
        }
    }

    #[test]
    fn plaintext_goes_only_to_loopback_unless_allowed() {
        let mut a = account();
        a.tls = TlsMode::None;
        assert!(a.validate().is_err());
        a.allow_plaintext = true;
        assert!(a.validate().is_ok());
        for host in ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"] {
            let mut a = account();
            a.tls = TlsMode::None;
            a.host = host.into();
            assert!(a.validate().is_ok(), "{host}");
        }
        assert_eq!(account().port(), 993);
        a.tls = TlsMode::Starttls;
        assert_eq!(a.port(), 143);
    }

    #[test]
    fn credentials_must_fit_the_method() {
        let mut a = account();
        a.auth = AuthMethod::Xoauth2;
        assert!(a.validate().is_err(), "a password is not a token");
        a.oauth_token = Some(Secret::new("ya29.token"));
        assert!(a.validate().is_ok());
        a.password = None;
        a.auth = AuthMethod::Plain;
        assert!(a.validate().is_err());
    }

    #[test]
    fn mails_are_never_moved_into_a_folder_that_is_read() {
        let mut a = account();
        a.folders = vec!["INBOX".into(), "Processed".into()];
        a.post_action = PostAction::Move("Processed".into());
        assert!(a.validate().is_err());
        a.post_action = PostAction::Seen;
        a.error_folder = "INBOX".into();
        assert!(a.validate().is_err());
        let twice = [account(), account()];
        assert!(validate_all(&twice).is_err());
    }

    #[test]
    fn secrets_are_never_printed_and_files_are_read() {
        let mut a = account();
        a.oauth_token = Some(Secret::new("ya29.s3cret"));
        let shown = format!("{a:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("s3cret"),
            "{shown}"
        );
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("token");
        std::fs::write(&file, "from-file\n").unwrap();
        a.oauth_token = None;
        a.oauth_token_file = Some(file);
        assert_eq!(a.oauth_token().unwrap().expose(), "from-file");
    }
}
