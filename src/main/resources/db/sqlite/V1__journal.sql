-- SQLite's copy of db/migration/V1__journal.sql (docs/journal.md#engines): the same schema, in SQLite's types. Times are TEXT,
-- fixed-width UTC (2026-01-02T03:04:05.123456789Z), so that comparing two as text compares them in time.

-- The journal (docs/journal.md, docs/operations.md#guarantees). Plain SQL that H2 (the embedded default) and PostgreSQL
-- both run.

-- One row per authenticated alert, written before anything is sent to Kraken. idempotency_key holds the alert id
-- while this row owns it: the unique constraint is what makes every instance sharing the database agree that an
-- alert is executed at most once. A row that did not claim the key (a validation, a refusal, a duplicate) keeps
-- it null; NULLs never collide in a unique constraint.
CREATE TABLE alert (
    id               INTEGER PRIMARY KEY,
    request_id       VARCHAR(128)    NOT NULL,
    alert_id         VARCHAR(200)    NOT NULL,
    idempotency_key  VARCHAR(200),
    intent           VARCHAR(16)     NOT NULL,
    state            VARCHAR(24)     NOT NULL,
    body             VARCHAR(100000),
    order_request    VARCHAR(8000),
    cl_ord_id        VARCHAR(64),
    userref          INTEGER,
    attempts         INTEGER         DEFAULT 0 NOT NULL,
    first_sent_at    TEXT,
    deadline_at      TEXT,
    txids            VARCHAR(1000),
    http_status      INTEGER,
    answer           VARCHAR(16000),
    duplicate_of     BIGINT,
    received_at      TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    CONSTRAINT alert_idempotency_key UNIQUE (idempotency_key)
);
CREATE INDEX alert_alert_id ON alert (alert_id);
CREATE INDEX alert_state ON alert (state);
CREATE INDEX alert_received_at ON alert (received_at);

-- Every state an alert went through, with its time: received, sending, reconciling, executed...
CREATE TABLE alert_event (
    id           INTEGER PRIMARY KEY,
    alert        BIGINT          NOT NULL REFERENCES alert (id),
    occurred_at  TEXT NOT NULL,
    state        VARCHAR(24)     NOT NULL,
    detail       VARCHAR(4000)
);
CREATE INDEX alert_event_alert ON alert_event (alert);

-- Alerts that could not reach Kraken, kept for replay. A replay runs the alert's own journal row again, so it goes
-- through the same idempotency key.
CREATE TABLE dead_letter (
    id                    VARCHAR(64)     PRIMARY KEY,
    alert                 BIGINT          REFERENCES alert (id),
    request_id            VARCHAR(128),
    alert_id              VARCHAR(200),
    received_at           TEXT NOT NULL,
    reason                VARCHAR(64)     NOT NULL,
    message               VARCHAR(4000),
    may_have_been_placed  BOOLEAN         NOT NULL,
    intent                VARCHAR(16),
    order_request         VARCHAR(8000),
    body                  VARCHAR(100000),
    state                 VARCHAR(16)     NOT NULL,
    resolved_at           TEXT,
    resolution            VARCHAR(4000)
);
CREATE INDEX dead_letter_state ON dead_letter (state);

-- The highest Kraken nonce that may have been used, per API key (a SHA-256 of the key, never the key): a restart
-- starts above it, so nonces keep increasing even if the clock went back.
CREATE TABLE kraken_nonce (
    api_key_hash  VARCHAR(64)  PRIMARY KEY,
    high_water    BIGINT       NOT NULL
);
