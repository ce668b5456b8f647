-- Docket's production store (PostgreSQL). Forward-only: never edit a shipped migration.
-- Mirrors migrations/sqlite/0001_init.sql with native types: NUMERIC money,
-- timestamptz, JSONB for structured documents and match results.

CREATE TABLE blobs (
    sha256      TEXT PRIMARY KEY,
    size        BIGINT NOT NULL,
    bytes       BYTEA NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
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
    gross_amount    NUMERIC,
    currency        CHAR(3),
    extracted_json  JSONB,
    match_json      JSONB,
    reasons_json    JSONB NOT NULL DEFAULT '[]',
    erp_ref         TEXT,
    received_at     TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX documents_sha256 ON documents(sha256);
CREATE INDEX documents_state ON documents(state);
CREATE INDEX documents_parent ON documents(parent_id);

CREATE TABLE document_keys (
    key          TEXT PRIMARY KEY,
    document_id  TEXT NOT NULL REFERENCES documents(id),
    created_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE outbox (
    id           BIGSERIAL PRIMARY KEY,
    document_id  TEXT NOT NULL REFERENCES documents(id),
    stage        TEXT NOT NULL,
    attempt      INTEGER NOT NULL DEFAULT 0,
    created_at   TIMESTAMPTZ NOT NULL,
    sent_at      TIMESTAMPTZ
);
CREATE INDEX outbox_unsent ON outbox(id) WHERE sent_at IS NULL;

CREATE TABLE posting_ledger (
    idempotency_key  TEXT PRIMARY KEY,
    document_id      TEXT NOT NULL REFERENCES documents(id),
    state            TEXT NOT NULL,
    erp_ref          TEXT,
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    updated_at       TIMESTAMPTZ NOT NULL
);

CREATE TABLE events (
    id           BIGSERIAL PRIMARY KEY,
    document_id  TEXT NOT NULL REFERENCES documents(id),
    at           TIMESTAMPTZ NOT NULL,
    from_state   TEXT,
    to_state     TEXT NOT NULL,
    actor        TEXT NOT NULL,
    detail       TEXT
);
CREATE INDEX events_document ON events(document_id, id);
