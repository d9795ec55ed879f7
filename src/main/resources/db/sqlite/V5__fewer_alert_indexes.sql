-- SQLite's copy of db/migration/V5__fewer_alert_indexes.sql (docs/journal.md#engines): the same schema, in SQLite's types. Times are TEXT,
-- fixed-width UTC (2026-01-02T03:04:05.123456789Z), so that comparing two as text compares them in time.

-- Every index an alert's write touches is written again at each commit (docs/journal.md#indexes). Two indexes of the
-- alert table were read by no query: alert_state is the first column of alert_next_check (state, next_check_at),
-- which serves every query by state, and nothing filters or sorts alerts by received_at.
DROP INDEX alert_state;
DROP INDEX alert_received_at;
