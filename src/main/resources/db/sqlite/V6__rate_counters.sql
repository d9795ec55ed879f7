-- SQLite's copy of db/migration/V6__rate_counters.sql (docs/journal.md#engines): the same schema, in SQLite's types. Times are TEXT,
-- fixed-width UTC (2026-01-02T03:04:05.123456789Z), so that comparing two as text compares them in time.

-- Kraken's rate counters, shared by every instance on one database and one Kraken account (docs/replicas.md#rate-counters):
-- one row per counter, named 'rest/<SHA-256 of the API key>' (an API key's REST call counter) or 'trading/<PAIR>'
-- (a pair's trading counter, account-wide). The level is as of updated_ms, milliseconds since the epoch by the
-- database's clock; it decays from there. Each call that is admitted locks its counter's row, decays, adds and writes
-- it back in one transaction. The embedded H2 journal serves one instance and keeps its counters in memory.
CREATE TABLE rate_counter (
    counter     VARCHAR(100)      PRIMARY KEY,
    level       DOUBLE PRECISION  NOT NULL,
    updated_ms  BIGINT            NOT NULL
);
