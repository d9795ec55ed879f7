-- SQLite's copy of db/migration/V9__realised_pnl.sql (docs/journal.md#engines): the same schema, in SQLite's types. Times are TEXT,
-- fixed-width UTC (2026-01-02T03:04:05.123456789Z), so that comparing two as text compares them in time.

-- The daily loss limit (docs/strategies.md#risk-limits): what a book's position cost, and what each of its orders
-- realised. basis is the quote currency paid for the position (fees included), at its average cost; an order that
-- reduces the position realises its proceeds (fees deducted) minus the average cost of what it sold. Amounts are
-- decimals kept as text, exact on every engine.
ALTER TABLE position_book ADD COLUMN basis VARCHAR(48) DEFAULT '0' NOT NULL;
ALTER TABLE alert ADD COLUMN book_realised VARCHAR(48);
ALTER TABLE alert ADD COLUMN book_quote VARCHAR(16);
ALTER TABLE alert ADD COLUMN book_counted_at TEXT;
CREATE INDEX alert_book_counted_at ON alert (book_counted_at);
