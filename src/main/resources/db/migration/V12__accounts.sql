-- Several Kraken accounts (docs/accounts.md): the account a row's order is placed on, NULL for the default account.
-- An alert for several accounts (a fan-out) keeps its own row, which places nothing (state fanned_out), and journals
-- one row per account under it (leg = 'account', leg_of = the alert's row), each with its own idempotency key
-- '<alert id>/<account>', so its own client order id, reconciled and replayed on its own.
ALTER TABLE alert ADD COLUMN account VARCHAR(32);
