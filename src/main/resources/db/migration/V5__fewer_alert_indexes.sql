-- Every index an alert's write touches is written again at each commit (docs/journal.md#indexes). Two indexes of the
-- alert table were read by no query: alert_state is the first column of alert_next_check (state, next_check_at),
-- which serves every query by state, and nothing filters or sorts alerts by received_at.
DROP INDEX alert_state;
DROP INDEX alert_received_at;
