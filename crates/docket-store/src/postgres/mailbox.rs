//! The PostgreSQL side of [`MailboxStore`]: mailbox cursors and the mail log.
//!
//! Intake writes a few rows per batch of mails, far from the pipeline's hot
//! path, so these statements use the ordinary pool.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::postgres::PgRow;

use super::PgStore;
use crate::mailbox::{
    self, MAIL_COLUMNS, MailOutcome, MailRecord, MailboxCursor, MailboxStore, uid_from_column,
};
use crate::portable::Portable;
use crate::{DocumentId, StoreResult};

fn mail_from_row(row: &PgRow) -> StoreResult<MailRecord> {
    mailbox::mail_from_row(row, row.try_get::<DateTime<Utc>, _>("at")?)
}

impl PgStore {
    fn portable(&self) -> Portable<'_, sqlx::Postgres, MailRecord> {
        Portable {
            pool: &self.pool,
            decode: mail_from_row,
        }
    }
}

/// One column of a batch of mails, for `INSERT ... SELECT * FROM UNNEST(...)`.
fn column<T>(mails: &[MailRecord], value: impl Fn(&MailRecord) -> T) -> Vec<T> {
    mails.iter().map(value).collect()
}

#[async_trait]
impl MailboxStore for PgStore {
    async fn mailbox_cursor(
        &self,
        account: &str,
        folder: &str,
    ) -> StoreResult<Option<MailboxCursor>> {
        let row: Option<(i64, i64)> = sqlx::query_as(
            "SELECT uidvalidity, last_uid FROM mailbox_cursors WHERE account = $1 AND folder = $2",
        )
        .bind(account)
        .bind(folder)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(uidvalidity, last_uid)| MailboxCursor {
            account: account.to_string(),
            folder: folder.to_string(),
            uidvalidity: uid_from_column(uidvalidity),
            last_uid: uid_from_column(last_uid),
        }))
    }

    async fn set_mailbox_cursor(&self, cursor: &MailboxCursor) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO mailbox_cursors (account, folder, uidvalidity, last_uid, updated_at) \
             VALUES ($1, $2, $3, $4, now()) ON CONFLICT (account, folder) DO UPDATE SET \
             uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid, updated_at = now()",
        )
        .bind(&cursor.account)
        .bind(&cursor.folder)
        .bind(i64::from(cursor.uidvalidity))
        .bind(i64::from(cursor.last_uid))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn record_mails(&self, mails: &[MailRecord]) -> StoreResult<()> {
        if mails.is_empty() {
            return Ok(());
        }
        // One statement for the whole batch: one round trip and one commit.
        sqlx::query(&format!(
            "INSERT INTO mail_log ({MAIL_COLUMNS}) \
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::bigint[], \
                $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], \
                $11::text[], $12::timestamptz[]) \
             ON CONFLICT (account, folder, uidvalidity, uid) DO NOTHING"
        ))
        .bind(column(mails, |m| m.account.clone()))
        .bind(column(mails, |m| m.folder.clone()))
        .bind(column(mails, |m| i64::from(m.uidvalidity)))
        .bind(column(mails, |m| i64::from(m.uid)))
        .bind(column(mails, |m| m.message_id.clone()))
        .bind(column(mails, |m| m.sha256.clone()))
        .bind(column(mails, |m| m.sender.clone()))
        .bind(column(mails, |m| m.subject.clone()))
        .bind(column(mails, |m| m.outcome.as_str()))
        .bind(column(mails, |m| m.reason.clone()))
        .bind(column(mails, |m| {
            m.document_id.as_ref().map(|d| d.0.clone())
        }))
        .bind(column(mails, |m| m.at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn recorded_mails(
        &self,
        account: &str,
        folder: &str,
        uidvalidity: u32,
        uids: &[u32],
    ) -> StoreResult<Vec<MailRecord>> {
        let uids: Vec<i64> = uids.iter().copied().map(i64::from).collect();
        let rows = sqlx::query(&format!(
            "SELECT {MAIL_COLUMNS} FROM mail_log WHERE account = $1 AND folder = $2 \
             AND uidvalidity = $3 AND uid = ANY($4) ORDER BY uid"
        ))
        .bind(account)
        .bind(folder)
        .bind(i64::from(uidvalidity))
        .bind(&uids)
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
