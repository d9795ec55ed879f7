package io.tvkraken.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;

/**
 * Runs of background jobs claimed in the journal database (table {@code job_lease}), so that a job meant to run once
 * — the daily summary of a given day — runs on one instance of all those sharing the database. A claim is a lease: if
 * its holder has not marked the run done when the lease runs out, another instance may claim it.
 */
public class JobLeases {


    private final DataSource db;
    private final Clock clock;
    private final String instance;

    public JobLeases(DataSource db, Clock clock, String instance) {
        this.db = db;
        this.clock = clock;
        this.instance = instance;
    }

    /**
     * Claims a run of a job for {@code lease}: true for exactly one caller among all instances, until the lease runs
     * out without the run being {@link #done}.
     */
    public boolean claim(String job, Duration lease) {
        Instant now = clock.instant();
        Instant until = now.plus(lease);
        return Sql.inTransaction(db, "claiming job " + job, c -> {
            // a savepoint: on PostgreSQL a refused statement fails the transaction it is in, unless rolled back to one
            Savepoint beforeInsert = c.setSavepoint();
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO job_lease (job, holder, lease_until) VALUES (?, ?, ?)")) {
                Sql.bind(insert, job, instance, until);
                boolean claimed = insert.executeUpdate() == 1;
                c.releaseSavepoint(beforeInsert);
                return claimed;
            } catch (SQLException e) {
                if (!Sql.uniqueViolation(e)) {
                    throw e;
                }
                c.rollback(beforeInsert);
            }
            // claimed before: take it over only if it was never done and its holder's lease ran out
            try (PreparedStatement takeOver = c.prepareStatement("UPDATE job_lease SET holder = ?, lease_until = ? "
                    + "WHERE job = ? AND done_at IS NULL AND lease_until < ?")) {
                Sql.bind(takeOver, instance, until, job, now);
                return takeOver.executeUpdate() == 1;
            }
        });
    }

    /** The run is over: nobody claims it again. */
    public void done(String job) {
        Sql.update(db, "finishing job " + job, "UPDATE job_lease SET done_at = ? WHERE job = ? AND holder = ?",
                clock.instant(), job, instance);
    }

    /** Whether the run was done, by any instance. */
    public boolean isDone(String job) {
        return Sql.count(db, "reading job " + job,
                "SELECT COUNT(*) FROM job_lease WHERE job = ? AND done_at IS NOT NULL", job) > 0;
    }
}
