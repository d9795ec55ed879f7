package io.tvkraken.journal;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The replays asked for (docs/replays.md), in the journal database: each one's request, its state ({@code running},
 * {@code done}, {@code failed}), how many of its alerts were replayed so far, and its report and orders once done.
 */
public final class ReplayStore {

    public static final String RUNNING = "running";
    public static final String DONE = "done";
    public static final String FAILED = "failed";

    private final DataSource db;
    private final Clock clock;
    private final String instance;

    public ReplayStore(DataSource db, Clock clock, String instance) {
        this.db = db;
        this.clock = clock;
        this.instance = instance;
    }

    /** One replay as stored. */
    public record Replay(String id, String state, String instance, Instant requestedAt, Instant updatedAt,
            String request, int done, int total, String report, String ordersCsv, String error) {
    }

    /** A recorded alert to replay: its row, when it arrived, its body, and the price its pair had then. */
    public record RecordedAlert(long row, String alertId, Instant receivedAt, String body, String marketPrice) {
    }

    public void create(String id, String request, int total) {
        Instant now = clock.instant();
        Sql.update(db, "recording a replay", "INSERT INTO replay (id, state, instance, requested_at, updated_at, request,"
                + " done, total) VALUES (?, ?, ?, ?, ?, ?, 0, ?)", id, RUNNING, instance, now, now, request, total);
    }

    public void progress(String id, int done) {
        Sql.update(db, "recording a replay's progress", "UPDATE replay SET done = ?, updated_at = ? WHERE id = ?", done,
                clock.instant(), id);
    }

    public void done(String id, int done, String report, String ordersCsv) {
        Sql.update(db, "recording a replay's report", "UPDATE replay SET state = ?, done = ?, report = ?, "
                + "orders_csv = ?, updated_at = ? WHERE id = ?", DONE, done, report, ordersCsv, clock.instant(), id);
    }

    public void failed(String id, String error) {
        Sql.update(db, "recording a replay's failure", "UPDATE replay SET state = ?, error = ?, updated_at = ? "
                + "WHERE id = ?", FAILED, Journal.truncate(error, 2000), clock.instant(), id);
    }

    /**
     * A replay still {@code running} whose progress has not moved for {@code quiet}: the instance running it stopped
     * (a replay runs on the instance that took it), so it is failed, saying so.
     */
    public void failIfStalled(String id, java.time.Duration quiet) {
        Instant now = clock.instant();
        Sql.update(db, "failing a stalled replay", "UPDATE replay SET state = ?, error = ?, updated_at = ? WHERE id = ? "
                + "AND state = ? AND updated_at < ?", FAILED, "its progress stopped: the instance running it "
                + "(see instance) stopped before it finished; ask for it again", now, id, RUNNING, now.minus(quiet));
    }

    public Optional<Replay> get(String id) {
        return Sql.query(db, "reading a replay", "SELECT * FROM replay WHERE id = ?", rs -> new Replay(
                rs.getString("id"), rs.getString("state"), rs.getString("instance"), Sql.instant(rs, "requested_at"),
                Sql.instant(rs, "updated_at"), rs.getString("request"), rs.getInt("done"), rs.getInt("total"),
                rs.getString("report"), rs.getString("orders_csv"), rs.getString("error")), id).stream().findFirst();
    }

    /**
     * The alerts that arrived from {@code from} (inclusive) to {@code to} (exclusive), in the order they arrived: every
     * alert's own row (not the rows of its legs or accounts), at most {@code limit}.
     */
    public List<RecordedAlert> recorded(Instant from, Instant to, int limit) {
        return Sql.query(db, "reading the alerts to replay", "SELECT id, alert_id, received_at, body, market_price "
                + "FROM alert WHERE received_at >= ? AND received_at < ? AND leg IS NULL AND body IS NOT NULL "
                + "ORDER BY received_at, id LIMIT " + Math.max(1, limit), rs -> new RecordedAlert(rs.getLong("id"),
                rs.getString("alert_id"), Sql.instant(rs, "received_at"), rs.getString("body"),
                rs.getString("market_price")), from, to);
    }
}
