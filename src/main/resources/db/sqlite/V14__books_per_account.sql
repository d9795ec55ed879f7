-- SQLite's copy of db/migration/V14__books_per_account.sql (docs/journal.md#engines): the same schema, in SQLite's
-- types. SQLite cannot change a table's primary key, so position_book is built again with the account in it.

-- A strategy's books on several Kraken accounts (docs/accounts.md#strategies-on-several-accounts): each account keeps
-- its own book of each strategy on each pair, counted from what that account's orders executed. The default account's
-- books are the ones kept so far ('default').
CREATE TABLE position_book_v14 (
    strategy    VARCHAR(64)   NOT NULL,
    pair        VARCHAR(32)   NOT NULL,
    account     VARCHAR(32)   DEFAULT 'default' NOT NULL,
    position    VARCHAR(48)   NOT NULL,
    last_time   TEXT,
    last_alert  BIGINT,
    holder      VARCHAR(64),
    held_until  TEXT,
    updated_at  TEXT NOT NULL,
    basis       VARCHAR(48)   DEFAULT '0' NOT NULL,
    PRIMARY KEY (strategy, pair, account)
);
INSERT INTO position_book_v14 (strategy, pair, account, position, last_time, last_alert, holder, held_until,
        updated_at, basis)
    SELECT strategy, pair, 'default', position, last_time, last_alert, holder, held_until, updated_at, basis
    FROM position_book;
DROP TABLE position_book;
ALTER TABLE position_book_v14 RENAME TO position_book;

-- The account of the book an alert row's order trades on, beside book_strategy and book_pair: the default account's
-- until the row is marked a book's order (every row journaled so far is the default account's).
ALTER TABLE alert ADD COLUMN book_account VARCHAR(32) DEFAULT 'default' NOT NULL;
DROP INDEX alert_book;
CREATE INDEX alert_book ON alert (book_strategy, book_pair, book_account, book_state);

-- The accounts an alert fans out to (docs/accounts.md#fan-out), comma-separated, kept on its own row when it is
-- journaled: the ones it named, or its strategy's default list as the strategies file gave it then. An alert run again
-- after its instance stopped fans out to these, whatever the file says by then. NULL: an alert on one account.
ALTER TABLE alert ADD COLUMN fan_out VARCHAR(600);
