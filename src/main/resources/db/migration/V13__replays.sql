-- Replays of recorded alerts (docs/replays.md): one row per replay asked for, its request, how far it got, and its
-- report (JSON) and orders (CSV) once done. The instance that accepted it runs it.
CREATE TABLE replay (
    id            VARCHAR(40)               PRIMARY KEY,
    state         VARCHAR(16)               NOT NULL,
    instance      VARCHAR(64)               NOT NULL,
    requested_at  TIMESTAMP WITH TIME ZONE  NOT NULL,
    updated_at    TIMESTAMP WITH TIME ZONE  NOT NULL,
    request       TEXT                      NOT NULL,
    done          INTEGER                   NOT NULL,
    total         INTEGER                   NOT NULL,
    report        TEXT,
    orders_csv    TEXT,
    error         VARCHAR(2000)
);
