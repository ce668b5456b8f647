-- IMAP intake state (docket-store/src/mailbox.rs): where reading stands in each
-- mailbox folder, and a record of every mail taken from one.

-- Every mail up to last_uid of the folder (under this UIDVALIDITY) has been
-- taken and its post-action applied.
CREATE TABLE mailbox_cursors (
    account      TEXT NOT NULL,
    folder       TEXT NOT NULL,
    uidvalidity  BIGINT NOT NULL,
    last_uid     BIGINT NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (account, folder)
);

-- One row per mail taken: what became of it (stored | quarantined | filtered),
-- why, and the document it became. Looked up by place (a mail seen again) and
-- by content (a rescan after a UIDVALIDITY change); listed by `docket mail log`.
CREATE TABLE mail_log (
    id           BIGSERIAL PRIMARY KEY,
    account      TEXT NOT NULL,
    folder       TEXT NOT NULL,
    uidvalidity  BIGINT NOT NULL,
    uid          BIGINT NOT NULL,
    message_id   TEXT,
    sha256       TEXT,
    sender       TEXT,
    subject      TEXT,
    outcome      TEXT NOT NULL,
    reason       TEXT,
    document_id  TEXT REFERENCES documents(id),
    at           TIMESTAMPTZ NOT NULL,
    UNIQUE (account, folder, uidvalidity, uid)
);
CREATE INDEX mail_log_content ON mail_log (account, sha256);
CREATE INDEX mail_log_outcome ON mail_log (outcome, id);
