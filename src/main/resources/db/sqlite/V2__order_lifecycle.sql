-- SQLite's copy of db/migration/V2__order_lifecycle.sql (docs/journal.md#engines): the same schema, in SQLite's types. Times are TEXT,
-- fixed-width UTC (2026-01-02T03:04:05.123456789Z), so that comparing two as text compares them in time.

-- The order lifecycle: who works an alert's row, until when an order may still leave, when it is looked up next.

-- The latest time an AddOrder for this alert may leave (the alert's time plus MAX_ALERT_AGE_SECONDS, or the time of
-- an operator's replay plus the same): every AddOrder's deadline is capped there, so that after it nothing this alert
-- sent can still be placed.
ALTER TABLE alert ADD COLUMN send_by TEXT;
-- The instance working the row and until when. A row whose lease ran out is taken over by the reconcile-orders route
-- of any instance: its owner died or stopped.
ALTER TABLE alert ADD COLUMN lease_owner VARCHAR(64);
ALTER TABLE alert ADD COLUMN lease_until TEXT;
-- For a row in 'reconciling': when it is looked up next, since when its outcome is in doubt, and whether it may be
-- sent again once proven absent (an order that failed while the alert was young, or an operator's replay).
ALTER TABLE alert ADD COLUMN next_check_at TEXT;
ALTER TABLE alert ADD COLUMN in_doubt_since TEXT;
ALTER TABLE alert ADD COLUMN may_resend BOOLEAN DEFAULT FALSE NOT NULL;
CREATE INDEX alert_next_check ON alert (state, next_check_at);

-- /health writes here: a journal that answers queries but cannot take a write (full or read-only disk) is down.
CREATE TABLE journal_probe (
    instance   VARCHAR(128) PRIMARY KEY,
    probed_at  TEXT NOT NULL
);
