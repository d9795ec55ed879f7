-- SQLite's copy of db/migration/V12__accounts.sql (docs/journal.md#engines): the same schema, in SQLite's types.
ALTER TABLE alert ADD COLUMN account VARCHAR(32);
