-- Background jobs that must run once across every instance sharing the database (docs/notifications.md#daily-summary):
-- one row per run of a job (e.g. 'daily-summary/2026-01-02'). The primary key makes one instance the holder; a holder
-- that died before it was done is replaced once its lease has run out.
CREATE TABLE job_lease (
    job          VARCHAR(128)  PRIMARY KEY,
    holder       VARCHAR(64)   NOT NULL,
    lease_until  TIMESTAMP WITH TIME ZONE NOT NULL,
    done_at      TIMESTAMP WITH TIME ZONE
);
