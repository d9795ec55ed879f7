-- SQLite's copy of db/migration/V4__job_lease.sql (docs/journal.md#engines): the same schema, in SQLite's types. Times are TEXT,
-- fixed-width UTC (2026-01-02T03:04:05.123456789Z), so that comparing two as text compares them in time.

-- Background jobs that must run once across every instance sharing the database (docs/notifications.md#daily-summary):
-- one row per run of a job (e.g. 'daily-summary/2026-01-02'). The primary key makes one instance the holder; a holder
-- that died before it was done is replaced once its lease has run out.
CREATE TABLE job_lease (
    job          VARCHAR(128)  PRIMARY KEY,
    holder       VARCHAR(64)   NOT NULL,
    lease_until  TEXT NOT NULL,
    done_at      TEXT
);
