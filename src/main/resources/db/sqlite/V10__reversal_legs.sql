-- SQLite's copy of db/migration/V10__reversal_legs.sql (docs/journal.md#engines): the same schema, in SQLite's types.
ALTER TABLE alert ADD COLUMN leg VARCHAR(8);
ALTER TABLE alert ADD COLUMN leg_of INTEGER;
