-- Risk limits (docs/strategies.md#risk-limits): what each order that passed them counts against them, and one row per
-- scope ('account', 'strategy/<name>') that the check locks, so that two alerts checked at once - on one instance or
-- on several - cannot both pass a limit only one of them fits.
CREATE TABLE risk_scope (
    scope  VARCHAR(80)  PRIMARY KEY
);

-- An order that passed the risk limits: when (it counts from then, while it is received, sending, reconciling or
-- executed), for which strategy (null: none), on which pair, the quote currency it spends, the quote it spends (buys),
-- and its volume, signed (buys above 0).
ALTER TABLE alert ADD COLUMN risk_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE alert ADD COLUMN risk_strategy VARCHAR(64);
ALTER TABLE alert ADD COLUMN risk_pair VARCHAR(32);
ALTER TABLE alert ADD COLUMN risk_quote VARCHAR(16);
ALTER TABLE alert ADD COLUMN risk_spent VARCHAR(48);
ALTER TABLE alert ADD COLUMN risk_volume VARCHAR(48);
CREATE INDEX alert_risk_at ON alert (risk_at);
