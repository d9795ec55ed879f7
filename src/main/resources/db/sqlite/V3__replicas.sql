-- SQLite's copy of db/migration/V3__replicas.sql (docs/journal.md#engines): the same schema, in SQLite's types. Times are TEXT,
-- fixed-width UTC (2026-01-02T03:04:05.123456789Z), so that comparing two as text compares them in time.

-- Several instances on one database (docs/replicas.md).

-- The kill switch, one row (id = 1), shared by every instance: it survives restarts, and an instance reads it before
-- every AddOrder. TRADING_ENABLED only writes it when there is no row yet.
CREATE TABLE trading_switch (
    id          INTEGER       PRIMARY KEY,
    enabled     BOOLEAN       NOT NULL,
    changed_at  TEXT NOT NULL,
    CONSTRAINT trading_switch_one_row CHECK (id = 1)
);

-- Every change of the kill switch, with who asked for it and from where: the admin request's id and source address,
-- or the setting that seeded it, and the instance that wrote it.
CREATE TABLE trading_switch_change (
    id              INTEGER PRIMARY KEY,
    enabled         BOOLEAN       NOT NULL,
    changed_at      TEXT NOT NULL,
    request_id      VARCHAR(128),
    source_address  VARCHAR(128),
    instance        VARCHAR(64)   NOT NULL,
    reason          VARCHAR(200)  NOT NULL
);
