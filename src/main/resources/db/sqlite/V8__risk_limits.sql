-- SQLite's copy of db/migration/V8__risk_limits.sql (docs/journal.md#engines): the same schema, in SQLite's types. Times are TEXT,
-- fixed-width UTC (2026-01-02T03:04:05.123456789Z), so that comparing two as text compares them in time.

-- Risk limits (docs/strategies.md#risk-limits): what each order that passed them counts against them, and one row per
-- scope ('account', 'strategy/<name>') that the check locks, so that two alerts checked at once - on one instance or
-- on several - cannot both pass a limit only one of them fits.
CREATE TABLE risk_scope (
    scope  VARCHAR(80)  PRIMARY KEY
);

-- An order that passed the risk limits: when (it counts from then, while it is received, sending, reconciling or
-- executed), for which strategy (null: none), on which pair, the quote currency it spends, the quote it spends (buys),
-- and its volume, signed (buys above 0).
ALTER TABLE alert ADD COLUMN risk_at TEXT;
ALTER TABLE alert ADD COLUMN risk_strategy VARCHAR(64);
ALTER TABLE alert ADD COLUMN risk_pair VARCHAR(32);
ALTER TABLE alert ADD COLUMN risk_quote VARCHAR(16);
ALTER TABLE alert ADD COLUMN risk_spent VARCHAR(48);
ALTER TABLE alert ADD COLUMN risk_volume VARCHAR(48);
CREATE INDEX alert_risk_at ON alert (risk_at);
