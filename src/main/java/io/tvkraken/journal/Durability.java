package io.tvkraken.journal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What makes the transactions committed so far reach stable storage before anyone is told they happened
 * (docs/journal.md#power-loss). Called once a commit returned, for the commits the service's promises rest on: an
 * alert journaled as {@code received} (it is acknowledged next, and its alert id is claimed), an order marked
 * {@code sending} (its AddOrder leaves next), the kill switch set.
 */
@FunctionalInterface
public interface Durability {

    /**
     * @param connection any connection to the database
     * @throws SQLException when the commits cannot be made durable: the caller must not acknowledge them
     */
    void sync(Connection connection) throws SQLException;

    /**
     * PostgreSQL: a commit returns once its WAL record is flushed to disk ({@code synchronous_commit = on}, the
     * default; https://www.postgresql.org/docs/current/wal-async-commit.html): nothing more to do.
     */
    Durability AT_COMMIT = connection -> {
    };

    /**
     * H2: with {@code WRITE_DELAY=0} a commit writes its chunk to the file before it returns, but never asks the
     * operating system to keep it; {@code CHECKPOINT SYNC} forces the file to the device (one fsync), what H2's
     * documentation names for durability (https://h2database.com/html/advanced.html#durability_problems). It covers
     * every commit made before it, so concurrent callers share the cost.
     */
    Durability H2_CHECKPOINT_SYNC = connection -> {
        try (Statement sync = connection.createStatement()) {
            sync.execute("CHECKPOINT SYNC");
        }
    };
}
