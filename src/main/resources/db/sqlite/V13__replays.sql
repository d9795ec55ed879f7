-- SQLite's copy of db/migration/V13__replays.sql (docs/journal.md#engines): the same schema, in SQLite's types. Times are
-- TEXT, fixed-width UTC (2026-01-02T03:04:05.123456789Z), so that comparing two as text compares them in time.
CREATE TABLE replay (
    id            VARCHAR(40)   PRIMARY KEY,
    state         VARCHAR(16)   NOT NULL,
    instance      VARCHAR(64)   NOT NULL,
    requested_at  TEXT          NOT NULL,
    updated_at    TEXT          NOT NULL,
    request       TEXT          NOT NULL,
    done          INTEGER       NOT NULL,
    total         INTEGER       NOT NULL,
    report        TEXT,
    orders_csv    TEXT,
    error         VARCHAR(2000)
);
