-- SQLite's copy of db/migration/V11__market_prices.sql (docs/journal.md#engines): the same schema, in SQLite's types. Times are TEXT,
-- fixed-width UTC (2026-01-02T03:04:05.123456789Z), so that comparing two as text compares them in time.
ALTER TABLE alert ADD COLUMN market_price VARCHAR(48);
ALTER TABLE alert ADD COLUMN market_price_at TEXT;
