-- Docket's embedded store (SQLite). Forward-only: never edit a shipped migration.
-- Money is canonical decimal text; timestamps are RFC 3339 UTC text.

-- Raw bytes, content-addressed: stored before any document row points at them.
CREATE TABLE blobs (
    sha256      TEXT PRIMARY KEY,
    size        INTEGER NOT NULL,
    bytes       BLOB NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE documents (
    id              TEXT PRIMARY KEY,
    parent_id       TEXT REFERENCES documents(id),
    source          TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    part_name       TEXT,
    media_type      TEXT NOT NULL,
    sha256          TEXT NOT NULL REFERENCES blobs(sha256),
    sender          TEXT,
    state           TEXT NOT NULL,
    kind            TEXT,
    supplier_id     TEXT,
    supplier_name   TEXT,
    number          TEXT,
    gross_amount    TEXT,
    currency        TEXT,
    extracted_json  TEXT,
    match_json      TEXT,
    reasons_json    TEXT NOT NULL DEFAULT '[]',
    erp_ref         TEXT,
    received_at     TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX documents_sha256 ON documents(sha256);
CREATE INDEX documents_state ON documents(state);
CREATE INDEX documents_parent ON documents(parent_id);

-- One row per business key (supplier + normalised number + kind): the first
-- document to claim a key owns it; later ones are duplicates.
CREATE TABLE document_keys (
    key          TEXT PRIMARY KEY,
    document_id  TEXT NOT NULL REFERENCES documents(id),
    created_at   TEXT NOT NULL
);

-- Transactional outbox: written with the state change that causes it.
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id  TEXT NOT NULL REFERENCES documents(id),
    stage        TEXT NOT NULL,
    attempt      INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    sent_at      TEXT
);
CREATE INDEX outbox_unsent ON outbox(sent_at, id);

-- The posting ledger: one row per idempotency key, so a document is booked once.
CREATE TABLE posting_ledger (
    idempotency_key  TEXT PRIMARY KEY,
    document_id      TEXT NOT NULL REFERENCES documents(id),
    state            TEXT NOT NULL,
    erp_ref          TEXT,
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    updated_at       TEXT NOT NULL
);

-- Every state change, for the audit trail and the review UI.
CREATE TABLE events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id  TEXT NOT NULL REFERENCES documents(id),
    at           TEXT NOT NULL,
    from_state   TEXT,
    to_state     TEXT NOT NULL,
    actor        TEXT NOT NULL,
    detail       TEXT
);
CREATE INDEX events_document ON events(document_id, id);
