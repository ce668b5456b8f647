//! The SQLite side of [`MailboxStore`]: mailbox cursors and the mail log.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::SqliteStore;
use super::rows::{now, parse_time, stamp};
use crate::mailbox::{
    self, MAIL_COLUMNS, MailOutcome, MailRecord, MailboxCursor, MailboxStore, uid_from_column,
};
use crate::portable::Portable;
use crate::{DocumentId, StoreResult};

fn mail_from_row(row: &SqliteRow) -> StoreResult<MailRecord> {
    let at: String = row.try_get("at")?;
    mailbox::mail_from_row(row, parse_time(&at)?)
}

impl SqliteStore {
    fn portable(&self) -> Portable<'_, sqlx::Sqlite, MailRecord> {
        Portable {
            pool: &self.pool,
            decode: mail_from_row,
        }
    }
}

#[async_trait]
impl MailboxStore for SqliteStore {
    async fn mailbox_cursor(
        &self,
        account: &str,
        folder: &str,
    ) -> StoreResult<Option<MailboxCursor>> {
        let row = sqlx::query(
            "SELECT uidvalidity, last_uid FROM mailbox_cursors WHERE account = ? AND folder = ?",
        )
        .bind(account)
        .bind(folder)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(MailboxCursor {
                account: account.to_string(),
                folder: folder.to_string(),
                uidvalidity: uid_from_column(row.try_get("uidvalidity")?),
                last_uid: uid_from_column(row.try_get("last_uid")?),
            })
        })
        .transpose()
    }

    async fn set_mailbox_cursor(&self, cursor: &MailboxCursor) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO mailbox_cursors (account, folder, uidvalidity, last_uid, updated_at) \
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (account, folder) DO UPDATE SET \
             uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid, \
             updated_at = excluded.updated_at",
        )
        .bind(&cursor.account)
        .bind(&cursor.folder)
        .bind(i64::from(cursor.uidvalidity))
        .bind(i64::from(cursor.last_uid))
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn record_mails(&self, mails: &[MailRecord]) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        for mail in mails {
            sqlx::query(&format!(
                "INSERT INTO mail_log ({MAIL_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (account, folder, uidvalidity, uid) DO NOTHING"
            ))
            .bind(&mail.account)
            .bind(&mail.folder)
            .bind(i64::from(mail.uidvalidity))
            .bind(i64::from(mail.uid))
            .bind(&mail.message_id)
            .bind(&mail.sha256)
            .bind(&mail.sender)
            .bind(&mail.subject)
            .bind(mail.outcome.as_str())
            .bind(&mail.reason)
            .bind(mail.document_id.as_ref().map(DocumentId::as_str))
            .bind(stamp(mail.at))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn recorded_mails(
        &self,
        account: &str,
        folder: &str,
        uidvalidity: u32,
        uids: &[u32],
    ) -> StoreResult<Vec<MailRecord>> {
        // SQLite binds no arrays: the UIDs travel as one JSON array.
        let uids = serde_json::to_string(uids)?;
        let rows = sqlx::query(&format!(
            "SELECT {MAIL_COLUMNS} FROM mail_log WHERE account = ? AND folder = ? \
             AND uidvalidity = ? AND uid IN (SELECT value FROM json_each(?)) ORDER BY uid"
        ))
        .bind(account)
        .bind(folder)
        .bind(i64::from(uidvalidity))
        .bind(uids)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(mail_from_row).collect()
    }

    async fn mail_by_content(
        &self,
        account: &str,
        message_id: Option<&str>,
        sha256: &str,
    ) -> StoreResult<Option<MailRecord>> {
        self.portable()
            .mail_by_content(account, message_id, sha256)
            .await
    }

    async fn document_by_content(
        &self,
        source: &str,
        sha256: &str,
    ) -> StoreResult<Option<DocumentId>> {
        self.portable().document_by_content(source, sha256).await
    }

    async fn mail_log(
        &self,
        outcome: Option<MailOutcome>,
        limit: u32,
    ) -> StoreResult<Vec<MailRecord>> {
        self.portable().mail_log(outcome, limit).await
    }
}
