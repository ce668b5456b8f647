-- The language model's cache, daily token budget and spend
-- (docket-store/src/llm.rs). Days are 'YYYY-MM-DD' text, times RFC 3339 text
-- and costs canonical decimal text, as elsewhere in the SQLite store.

-- Answers that fit the answer schema, by document content, model and prompt
-- version: a hit answers without a call and without spending budget.
CREATE TABLE llm_cache (
    sha256          TEXT NOT NULL,
    model           TEXT NOT NULL,
    prompt_version  TEXT NOT NULL,
    answer          TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (sha256, model, prompt_version)
);

-- Tokens spent per UTC day by finished calls.
CREATE TABLE llm_days (
    day    TEXT PRIMARY KEY,
    spent  INTEGER NOT NULL DEFAULT 0
);

-- Tokens held by calls in flight; a reservation whose worker died stops
-- counting at expires_at.
CREATE TABLE llm_reservations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    day         TEXT NOT NULL,
    tokens      INTEGER NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX llm_reservations_day ON llm_reservations (day);

-- One row per call: what it spent, for its document and its day.
CREATE TABLE llm_spend (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id        TEXT NOT NULL REFERENCES documents(id),
    day                TEXT NOT NULL,
    at                 TEXT NOT NULL,
    model              TEXT NOT NULL,
    prompt_tokens      INTEGER NOT NULL,
    completion_tokens  INTEGER NOT NULL,
    estimated          INTEGER NOT NULL,
    cost               TEXT,
    outcome            TEXT NOT NULL
);
CREATE INDEX llm_spend_day ON llm_spend (day);
CREATE INDEX llm_spend_document ON llm_spend (document_id);
