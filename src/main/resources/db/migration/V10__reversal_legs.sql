-- Reversals (docs/strategies.md#reversals): a target alert that crosses flat is placed in two legs, the close first and
-- the open only once the close has executed. The alert's own row is its close leg (leg = 'close'); the open leg is a
-- row of its own, with its own idempotency key and client order id, pointing at the alert's row (leg_of). Every other
-- row is a single order: both are NULL.
ALTER TABLE alert ADD COLUMN leg VARCHAR(8);
ALTER TABLE alert ADD COLUMN leg_of BIGINT;
