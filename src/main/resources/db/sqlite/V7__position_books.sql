-- SQLite's copy of db/migration/V7__position_books.sql (docs/journal.md#engines): the same schema, in SQLite's types. Times are TEXT,
-- fixed-width UTC (2026-01-02T03:04:05.123456789Z), so that comparing two as text compares them in time.

-- Strategies' books (docs/strategies.md#books): the position each strategy holds on each pair, counted from the
-- volumes Kraken reports executed, never from the volumes asked for.

-- One row per strategy and pair (strategy '' is the pair's default book, for alerts that name none). position is a
-- signed decimal kept as text, exact on every engine. last_time and last_alert are the fired time (the alert's time
-- field, null when it had none) and the journal row of the last alert applied: an older alert is superseded. holder and
-- held_until are the lease of the instance planning an alert of this book: two alerts of one book are never planned
-- at once, across instances too.
CREATE TABLE position_book (
    strategy    VARCHAR(64)   NOT NULL,
    pair        VARCHAR(32)   NOT NULL,
    position    VARCHAR(48)   NOT NULL,
    last_time   TEXT,
    last_alert  BIGINT,
    holder      VARCHAR(64),
    held_until  TEXT,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (strategy, pair)
);

-- An alert that trades on a book: which one, and whether what its order executed is counted in it yet ('open': not
-- yet, the order may still fill or its outcome is not known; 'counted': book_volume, signed, is in the position).
ALTER TABLE alert ADD COLUMN book_strategy VARCHAR(64);
ALTER TABLE alert ADD COLUMN book_pair VARCHAR(32);
ALTER TABLE alert ADD COLUMN book_state VARCHAR(16);
ALTER TABLE alert ADD COLUMN book_volume VARCHAR(48);
CREATE INDEX alert_book ON alert (book_strategy, book_pair, book_state);
