-- A strategy's books on several Kraken accounts (docs/accounts.md#strategies-on-several-accounts): each account keeps
-- its own book of each strategy on each pair, counted from what that account's orders executed. The default account's
-- books are the ones kept so far ('default').
ALTER TABLE position_book ADD COLUMN account VARCHAR(32) DEFAULT 'default' NOT NULL;
ALTER TABLE position_book DROP CONSTRAINT position_book_pkey;
ALTER TABLE position_book ADD PRIMARY KEY (strategy, pair, account);

-- The account of the book an alert row's order trades on, beside book_strategy and book_pair: the default account's
-- until the row is marked a book's order (every row journaled so far is the default account's).
ALTER TABLE alert ADD COLUMN book_account VARCHAR(32) DEFAULT 'default' NOT NULL;
DROP INDEX alert_book;
CREATE INDEX alert_book ON alert (book_strategy, book_pair, book_account, book_state);

-- The accounts an alert fans out to (docs/accounts.md#fan-out), comma-separated, kept on its own row when it is
-- journaled: the ones it named, or its strategy's default list as the strategies file gave it then. An alert run again
-- after its instance stopped fans out to these, whatever the file says by then. NULL: an alert on one account.
ALTER TABLE alert ADD COLUMN fan_out VARCHAR(600);
