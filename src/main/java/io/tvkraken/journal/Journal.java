package io.tvkraken.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The journal of alerts (SPEC section 5, issue 3): every authenticated alert is written here before anything is sent
 * to Kraken, with each state it goes through. Idempotency is the database's job: {@link #open} claims the alert id
 * through a unique constraint, so concurrent copies — in this process or in another instance on the same
 * PostgreSQL — cannot both win. State changes that must happen once (sending an order) are compare-and-set updates
 * ({@link #sending}), so a replay racing a reconciliation cannot send twice either.
 *
 * <p>Every failure of the database surfaces as {@link JournalUnavailableException}.
 */
public final class Journal {

    /** Journaled, nothing sent yet. */
    public static final String RECEIVED = "received";
    /** An AddOrder is leaving (or left): from here on the order may exist at Kraken. */
    public static final String SENDING = "sending";
    /** The AddOrder got no clear answer; the order is being looked up before anything is sent again. */
    public static final String RECONCILING = "reconciling";
    public static final String EXECUTED = "executed";
    public static final String VALIDATED = "validated";
    /** Refused, by us or by Kraken: nothing was placed. */
    public static final String REJECTED = "rejected";
    /** A repeat of an alert seen before ({@code duplicate_of}); nothing was done. */
    public static final String DUPLICATE = "duplicate";
    /** Could not be carried out; kept in the dead-letter store for replay. */
    public static final String DEAD_LETTERED = "dead_lettered";

    static final Set<String> FINAL_STATES = Set.of(EXECUTED, VALIDATED, REJECTED, DUPLICATE, DEAD_LETTERED);
    /** States an execution can be found in after a crash: it was acknowledged but not finished. */
    public static final Set<String> UNFINISHED = Set.of(RECEIVED, SENDING, RECONCILING);

    private static final String SQL_STATE_UNIQUE_VIOLATION = "23505";
    private static final String COLUMNS = "id, request_id, alert_id, idempotency_key, intent, state, body, "
            + "order_request, cl_ord_id, userref, attempts, first_sent_at, deadline_at, txids, http_status, answer, "
            + "duplicate_of, received_at, updated_at";

    private final DataSource db;
    private final Clock clock;

    public Journal(DataSource db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /**
     * What {@link #open} found: a new row, or — when another row already owns the alert id — this alert's own row
     * (journaled as a {@link #DUPLICATE}) and the first one.
     */
    public record Opened(long row, JournalEntry first) {
        public boolean duplicate() {
            return first != null;
        }
    }

    /**
     * Journals an authenticated alert. With {@code claim}, the row takes the alert id as its idempotency key; if another
     * row holds it, this alert is journaled as a duplicate of that one instead and nothing else may happen to it.
     */
    public Opened open(String requestId, String alertId, String intent, String body, boolean claim) {
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                long row = insert(requestId, alertId, claim ? alertId : null, intent, RECEIVED, body, null);
                return new Opened(row, null);
            } catch (UniqueViolation taken) {
                Optional<JournalEntry> holder = holderOf(alertId);
                if (holder.isPresent()) {
                    long row = insert(requestId, alertId, null, intent, DUPLICATE, body, holder.get().id());
                    return new Opened(row, holder.get());
                }
                // The holder gave the key up between our insert and our look-up (it was refused): try again.
            }
        }
        throw new JournalUnavailableException("claiming alert id", new SQLException("the key kept changing hands"));
    }

    /** An authenticated alert refused before it was journaled (bad fields, stale): journaled as refused. */
    public long refused(String requestId, String alertId, String intent, String body, int httpStatus, String answer) {
        long row = insert(requestId, alertId, null, intent, REJECTED, body, null);
        finish(row, REJECTED, httpStatus, answer, null, false, null);
        return row;
    }

    private long insert(String requestId, String alertId, String key, String intent, String state, String body,
            Long duplicateOf) {
        Instant now = clock.instant();
        String sql = "INSERT INTO alert (request_id, alert_id, idempotency_key, intent, state, body, duplicate_of, "
                + "received_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
        try (Connection c = db.getConnection();
                PreparedStatement insert = c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
            insert.setString(1, requestId);
            insert.setString(2, alertId);
            insert.setString(3, key);
            insert.setString(4, intent);
            insert.setString(5, state);
            insert.setString(6, body);
            if (duplicateOf == null) {
                insert.setNull(7, Types.BIGINT);
            } else {
                insert.setLong(7, duplicateOf);
            }
            insert.setObject(8, Sql.utc(now));
            insert.setObject(9, Sql.utc(now));
            insert.executeUpdate();
            long row;
            try (ResultSet keys = insert.getGeneratedKeys()) {
                keys.next();
                row = keys.getLong(1);
            }
            addEvent(c, row, now, state, duplicateOf == null ? null : "duplicate of journal entry " + duplicateOf);
            return row;
        } catch (SQLException e) {
            if (SQL_STATE_UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw new UniqueViolation();
            }
            throw new JournalUnavailableException("journaling an alert", e);
        }
    }

    /**
     * Makes an unclaimed row the owner of its alert id (a replay of an alert that failed before it claimed it).
     *
     * @return false if another row owns it: this alert is a duplicate of that one
     */
    public boolean claim(long row) {
        try {
            return update("claiming an alert id", "UPDATE alert SET idempotency_key = alert_id, updated_at = ? "
                    + "WHERE id = ? AND idempotency_key IS NULL", Sql.utc(clock.instant()), row) == 1;
        } catch (JournalUnavailableException e) {
            if (e.getCause() instanceof SQLException sql && SQL_STATE_UNIQUE_VIOLATION.equals(sql.getSQLState())) {
                return false;
            }
            throw e;
        }
    }

    /** The row that owns {@code alertId}, if any. */
    public Optional<JournalEntry> holderOf(String alertId) {
        List<JournalEntry> found = query("SELECT " + COLUMNS + " FROM alert WHERE idempotency_key = ?", alertId);
        return found.stream().findFirst();
    }

    public JournalEntry get(long row) {
        return query("SELECT " + COLUMNS + " FROM alert WHERE id = ?", row).stream().findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no journal entry " + row));
    }

    /** The order was planned: what will be sent (AddOrder parameters without nonce, JSON). */
    public void planned(long row, String orderRequest, String clOrdId, Integer userref) {
        update("recording the planned order",
                "UPDATE alert SET order_request = ?, cl_ord_id = ?, userref = ?, updated_at = ? WHERE id = ?",
                orderRequest, clOrdId, Sql.intOrNull(userref), Sql.utc(clock.instant()), row);
    }

    /**
     * Compare-and-set to {@link #SENDING}, written before an AddOrder leaves: only one caller wins, whoever else —
     * a replay, a reconciliation, another instance — tries at the same time.
     *
     * @return false if the row was not in one of {@code from}: then nothing may be sent
     */
    public boolean sending(long row, Collection<String> from, Instant deadline) {
        Instant now = clock.instant();
        String in = String.join(", ", from.stream().map(s -> "?").toList());
        List<Object> args = new ArrayList<>(List.of(Sql.utc(now), Sql.utc(deadline), Sql.utc(now)));
        args.add(row);
        args.addAll(from);
        int changed = update("recording an order being sent",
                "UPDATE alert SET state = '" + SENDING + "', attempts = attempts + 1, "
                        + "first_sent_at = COALESCE(first_sent_at, ?), deadline_at = ?, updated_at = ? "
                        + "WHERE id = ? AND state IN (" + in + ")", args.toArray());
        if (changed == 1) {
            event(row, SENDING, "AddOrder leaving, deadline " + deadline);
        }
        return changed == 1;
    }

    /** Compare-and-set of the state alone. */
    public boolean transition(long row, Collection<String> from, String to, String detail) {
        String in = String.join(", ", from.stream().map(s -> "?").toList());
        List<Object> args = new ArrayList<>(List.of(to, Sql.utc(clock.instant()), row));
        args.addAll(from);
        int changed = update("changing an alert's state",
                "UPDATE alert SET state = ?, updated_at = ? WHERE id = ? AND state IN (" + in + ")", args.toArray());
        if (changed == 1) {
            event(row, to, detail);
        }
        return changed == 1;
    }

    /**
     * The outcome: final state, the answer given (replayed to duplicates), Kraken's txids. With {@code releaseKey}
     * the alert id is given up — used when nothing was placed and nothing is pending, so that the same alert may be
     * sent again later (after the kill switch is back on, say) instead of being answered as a duplicate forever.
     */
    public void finish(long row, String state, int httpStatus, String answer, List<String> txids, boolean releaseKey,
            String detail) {
        update("recording an outcome",
                "UPDATE alert SET state = ?, http_status = ?, answer = ?, txids = COALESCE(?, txids), updated_at = ?"
                        + (releaseKey ? ", idempotency_key = NULL" : "") + " WHERE id = ?",
                state, httpStatus, answer, txids == null || txids.isEmpty() ? null : String.join(",", txids),
                Sql.utc(clock.instant()), row);
        event(row, state, detail);
    }

    public void event(long row, String state, String detail) {
        try (Connection c = db.getConnection()) {
            addEvent(c, row, clock.instant(), state, detail);
        } catch (SQLException e) {
            throw new JournalUnavailableException("recording an event", e);
        }
    }

    /** Newest first, with their events. */
    public List<JournalEntry> recent(int limit) {
        List<JournalEntry> rows = query("SELECT " + COLUMNS + " FROM alert ORDER BY id DESC FETCH FIRST "
                + Math.max(1, limit) + " ROWS ONLY");
        return rows.stream().map(e -> e.withEvents(events(e.id()))).toList();
    }

    /**
     * Executions acknowledged but not finished, last touched before {@code touchedBefore} (this process's start):
     * what a crash or SIGTERM left behind. Oldest first.
     */
    public List<JournalEntry> unfinished(Instant touchedBefore) {
        return query("SELECT " + COLUMNS + " FROM alert WHERE intent = 'execute' AND state IN (?, ?, ?) "
                + "AND updated_at < ? ORDER BY id", RECEIVED, SENDING, RECONCILING, Sql.utc(touchedBefore));
    }

    /** How many orders were placed since {@code since} (for /status). */
    public long executedSince(Instant since) {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement(
                        "SELECT COUNT(*) FROM alert WHERE state = ? AND intent = 'execute' AND updated_at >= ?")) {
            q.setString(1, EXECUTED);
            q.setObject(2, Sql.utc(since));
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new JournalUnavailableException("counting orders", e);
        }
    }

    public List<JournalEntry.Event> events(long row) {
        List<JournalEntry.Event> events = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement(
                        "SELECT occurred_at, state, detail FROM alert_event WHERE alert = ? ORDER BY id")) {
            q.setLong(1, row);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    events.add(new JournalEntry.Event(Sql.instant(rs, "occurred_at"), rs.getString(2), rs.getString(3)));
                }
            }
        } catch (SQLException e) {
            throw new JournalUnavailableException("reading events", e);
        }
        return events;
    }

    private static void addEvent(Connection c, long row, Instant at, String state, String detail)
            throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO alert_event (alert, occurred_at, state, detail) VALUES (?, ?, ?, ?)")) {
            insert.setLong(1, row);
            insert.setObject(2, Sql.utc(at));
            insert.setString(3, state);
            insert.setString(4, detail == null ? null : truncate(detail, 4000));
            insert.executeUpdate();
        }
    }

    private int update(String operation, String sql, Object... args) {
        try (Connection c = db.getConnection(); PreparedStatement update = c.prepareStatement(sql)) {
            Sql.bind(update, args);
            return update.executeUpdate();
        } catch (SQLException e) {
            throw new JournalUnavailableException(operation, e);
        }
    }

    private List<JournalEntry> query(String sql, Object... args) {
        List<JournalEntry> rows = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement q = c.prepareStatement(sql)) {
            Sql.bind(q, args);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    rows.add(entry(rs));
                }
            }
        } catch (SQLException e) {
            throw new JournalUnavailableException("reading the journal", e);
        }
        return rows;
    }

    private static JournalEntry entry(ResultSet rs) throws SQLException {
        String txids = rs.getString("txids");
        Integer userref = (Integer) rs.getObject("userref", Integer.class);
        Integer status = (Integer) rs.getObject("http_status", Integer.class);
        Long duplicateOf = (Long) rs.getObject("duplicate_of", Long.class);
        return new JournalEntry(rs.getLong("id"), rs.getString("request_id"), rs.getString("alert_id"),
                rs.getString("idempotency_key") != null, rs.getString("intent"), rs.getString("state"),
                rs.getString("body"), rs.getString("order_request"), rs.getString("cl_ord_id"), userref,
                rs.getInt("attempts"), Sql.instant(rs, "first_sent_at"), Sql.instant(rs, "deadline_at"),
                txids == null ? List.of() : Arrays.asList(txids.split(",")), status, rs.getString("answer"),
                duplicateOf, Sql.instant(rs, "received_at"), Sql.instant(rs, "updated_at"), null);
    }

    public static String truncate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    /** A unique constraint said no: the alert id is owned by another row. */
    private static final class UniqueViolation extends RuntimeException {
        UniqueViolation() {
            super(null, null, false, false);
        }
    }
}
