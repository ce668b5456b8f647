-- The language model's cache, daily token budget and spend
-- (docket-store/src/llm.rs).

-- Answers that fit the answer schema, by document content, model and prompt
-- version: a hit answers without a call and without spending budget.
CREATE TABLE llm_cache (
    sha256          TEXT NOT NULL,
    model           TEXT NOT NULL,
    prompt_version  TEXT NOT NULL,
    answer          TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (sha256, model, prompt_version)
);

-- Tokens spent per UTC day by finished calls. A day's row is also the lock
-- that makes reservations of that day one at a time across all workers.
CREATE TABLE llm_days (
    day    DATE PRIMARY KEY,
    spent  BIGINT NOT NULL DEFAULT 0
);

-- Tokens held by calls in flight; a reservation whose worker died stops
-- counting at expires_at.
CREATE TABLE llm_reservations (
    id          BIGSERIAL PRIMARY KEY,
    day         DATE NOT NULL,
    tokens      BIGINT NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX llm_reservations_day ON llm_reservations (day);

-- One row per call: what it spent, for its document and its day.
CREATE TABLE llm_spend (
    id                 BIGSERIAL PRIMARY KEY,
    document_id        TEXT NOT NULL REFERENCES documents(id),
    day                DATE NOT NULL,
    at                 TIMESTAMPTZ NOT NULL,
    model              TEXT NOT NULL,
    prompt_tokens      BIGINT NOT NULL,
    completion_tokens  BIGINT NOT NULL,
    estimated          BOOLEAN NOT NULL,
    cost               NUMERIC,
    outcome            TEXT NOT NULL
);
CREATE INDEX llm_spend_day ON llm_spend (day);
CREATE INDEX llm_spend_document ON llm_spend (document_id);
