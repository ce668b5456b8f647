//! Post-actions: what is done to mails on the server once they are recorded.
//!
//! Stored mails get the account's post-action (move, keyword, seen, none),
//! mails that cannot be read go to the error folder, filtered mails are left
//! alone. A folder that does not exist is created on the first refusal. Docket
//! never deletes: without MOVE on the server, mails are copied and the
//! originals stay where they were.

use docket_store::MailOutcome;
use futures_util::TryStreamExt;

use super::connect::{Connection, confirm, within};
use super::settings::{MailboxSettings, PostAction};
use crate::IngestError;

/// What is due to one mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    /// The account's post-action (a stored mail).
    Post,
    /// Into the error folder (a mail that cannot be read).
    Quarantine,
    /// Nothing (a filtered mail).
    Leave,
}

impl Action {
    /// What is due to a mail with this outcome.
    pub fn for_outcome(outcome: MailOutcome) -> Self {
        match outcome {
            MailOutcome::Stored => Action::Post,
            MailOutcome::Quarantined => Action::Quarantine,
            MailOutcome::Filtered => Action::Leave,
        }
    }
}

/// Applies the actions due to recorded mails of the selected folder.
pub(crate) async fn apply(
    conn: &mut Connection,
    account: &MailboxSettings,
    due: &[(Action, u32)],
) -> Result<(), IngestError> {
    let uids_for = |wanted: Action| -> Vec<u32> {
        due.iter()
            .filter(|(action, _)| *action == wanted)
            .map(|(_, uid)| *uid)
            .collect()
    };
    let posted = uids_for(Action::Post);
    if !posted.is_empty() {
        let set = uid_set(&posted);
        match &account.post_action {
            PostAction::Move(folder) => move_to(conn, account, &set, folder).await?,
            PostAction::Keyword(keyword) => add_flag(conn, account, &set, keyword).await?,
            PostAction::Seen => add_flag(conn, account, &set, "\\Seen").await?,
            PostAction::None => {}
        }
    }
    let quarantined = uids_for(Action::Quarantine);
    if !quarantined.is_empty() {
        let set = uid_set(&quarantined);
        move_to(conn, account, &set, &account.error_folder).await?;
    }
    Ok(())
}

/// Moves (or, without MOVE, copies) the mails into `folder`, creating it when missing.
async fn move_to(
    conn: &mut Connection,
    account: &MailboxSettings,
    set: &str,
    folder: &str,
) -> Result<(), IngestError> {
    let can_move = conn.can_move;
    let verb = if can_move { "UID MOVE" } else { "UID COPY" };
    let session = &mut conn.session;
    let first = if can_move {
        within(account, verb, session.uid_mv(set, folder)).await
    } else {
        within(account, verb, session.uid_copy(set, folder)).await
    };
    if first.is_ok() {
        return Ok(());
    }
    // Most likely the folder does not exist yet (`NO [TRYCREATE]`): create it
    // and try once more; a second failure is the real error. A CREATE that
    // fails because the folder exists after all is harmless.
    let _ = within(account, "CREATE", session.create(folder)).await;
    if can_move {
        within(account, verb, session.uid_mv(set, folder)).await
    } else {
        tracing::info!(
            account = %account.name, folder,
            "the server has no MOVE: mails are copied, the originals stay (Docket never deletes)"
        );
        within(account, verb, session.uid_copy(set, folder)).await
    }
}

/// Adds a flag or keyword to the mails.
async fn add_flag(
    conn: &mut Connection,
    account: &MailboxSettings,
    set: &str,
    flag: &str,
) -> Result<(), IngestError> {
    let session = &mut conn.session;
    let query = format!("+FLAGS.SILENT ({flag})");
    // The answer must be read to its end, or the next command reads its tail.
    let _: Vec<_> = within(account, "UID STORE", async {
        session.uid_store(set, &query).await?.try_collect().await
    })
    .await?;
    confirm(conn, account, "UID STORE").await
}

/// An IMAP sequence set of UIDs, with runs written as ranges (`1:4,7,9:10`).
pub(crate) fn uid_set(uids: &[u32]) -> String {
    let mut sorted = uids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let start = sorted[i];
        let mut end = start;
        while i + 1 < sorted.len() && sorted[i + 1] == end + 1 {
            i += 1;
            end = sorted[i];
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}:{end}")
        });
        i += 1;
    }
    parts.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_sets_write_runs_as_ranges() {
        assert_eq!(uid_set(&[4, 1, 2, 3, 7, 9, 10, 10]), "1:4,7,9:10");
        assert_eq!(uid_set(&[5]), "5");
        assert_eq!(uid_set(&[]), "");
    }

    #[test]
    fn each_outcome_has_its_action() {
        assert_eq!(Action::for_outcome(MailOutcome::Stored), Action::Post);
        assert_eq!(
            Action::for_outcome(MailOutcome::Quarantined),
            Action::Quarantine
        );
        assert_eq!(Action::for_outcome(MailOutcome::Filtered), Action::Leave);
    }
}
