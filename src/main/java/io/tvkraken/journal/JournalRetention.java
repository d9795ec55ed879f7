package io.tvkraken.journal;

import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long the journal keeps what is over (docs/journal.md#retention): alerts that reached a final state, with their
 * events, and dead letters already replayed, once older than the retention. Never a row in flight (received, sending,
 * reconciling) nor a dead letter still pending, nor the alert of one: what may still be replayed stays.
 *
 * <p>An alert id is a duplicate only while a row holding it is kept: after the retention the same id is a new alert.
 * Run by the prune-journal route; each batch is one short transaction, so alerts coming in meanwhile wait at most one
 * batch for the journal.
 */
public final class JournalRetention {

    private static final Logger LOG = LoggerFactory.getLogger(JournalRetention.class);
    /** Rows per transaction: a batch holds SQLite's one write lock for a few milliseconds. */
    static final int BATCH = 500;
    /** Over, and - for an order of a strategy's book - counted in its book (docs/strategies.md#books). */
    private static final String FINISHED = "state IN ('executed', 'validated', 'rejected', 'duplicate', "
            + "'dead_lettered', 'in_position', 'superseded', 'fanned_out') AND (book_state IS NULL OR book_state = 'counted')";

    private final DataSource db;
    private final Clock clock;
    private final Duration retention;

    public JournalRetention(DataSource db, Clock clock, Duration retention) {
        this.db = db;
        this.clock = clock;
        this.retention = retention;
    }

    /**
     * Deletes what is over and older than the retention, in batches.
     *
     * @return how many alerts were deleted
     */
    public int prune() {
        Instant before = clock.instant().minus(retention);
        int letters = 0;
        int batch;
        do {
            batch = deleteBatch("DELETE FROM dead_letter WHERE id IN (SELECT id FROM dead_letter WHERE state <> "
                    + "'pending' AND received_at < ? LIMIT " + BATCH + ")", before, null);
            letters += batch;
        } while (batch == BATCH);
        int alerts = 0;
        do {
            batch = deleteBatch("DELETE FROM alert WHERE id IN (SELECT id FROM alert a WHERE " + FINISHED
                    + " AND updated_at < ? AND NOT EXISTS (SELECT 1 FROM dead_letter d WHERE d.alert = a.id) "
                    + "ORDER BY id LIMIT " + BATCH + ")", before, "DELETE FROM alert_event WHERE alert IN (SELECT id "
                    + "FROM alert a WHERE " + FINISHED + " AND updated_at < ? AND NOT EXISTS (SELECT 1 FROM "
                    + "dead_letter d WHERE d.alert = a.id) ORDER BY id LIMIT " + BATCH + ")");
            alerts += batch;
        } while (batch == BATCH);
        // replays and their reports, once ended (docs/replays.md)
        int replays = deleteBatch("DELETE FROM replay WHERE state <> 'running' AND requested_at < ?", before, null);
        if (alerts > 0 || letters > 0 || replays > 0) {
            LOG.info("journal retention: deleted {} alert(s), {} replayed dead letter(s) and {} replay(s) older than {}",
                    alerts, letters, replays, before);
        }
        return alerts;
    }

    /**
     * One transaction: {@code first} (the events of the batch's alerts, if any), then {@code delete}, both bound to
     * {@code before} and selecting the same rows.
     *
     * @return the rows {@code delete} deleted
     */
    private int deleteBatch(String delete, Instant before, String first) {
        return Sql.inTransaction(db, "pruning the journal", c -> {
            if (first != null) {
                try (PreparedStatement events = c.prepareStatement(first)) {
                    Sql.bind(events, before);
                    events.executeUpdate();
                }
            }
            try (PreparedStatement rows = c.prepareStatement(delete)) {
                Sql.bind(rows, before);
                return rows.executeUpdate();
            }
        });
    }
}
