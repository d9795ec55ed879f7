package io.tvkraken.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static io.tvkraken.journal.AlertState.DEAD_LETTERED;
import static io.tvkraken.journal.AlertState.DUPLICATE;
import static io.tvkraken.journal.AlertState.EXECUTED;
import static io.tvkraken.journal.AlertState.RECEIVED;
import static io.tvkraken.journal.AlertState.RECONCILING;
import static io.tvkraken.journal.AlertState.REJECTED;
import static io.tvkraken.journal.AlertState.SENDING;

/**
 * The journal of alerts (docs/operations.md#guarantees, docs/journal.md): every authenticated alert is written here
 * before anything is sent to Kraken, with each state it goes through. Idempotency is the database's job: {@link #open}
 * claims the alert id through a unique constraint, so concurrent copies — in this process or in another instance on the
 * same PostgreSQL — cannot both win. State changes that must happen once (sending an order) are compare-and-set updates
 * ({@link #sending}), so a replay racing a reconciliation cannot send twice either.
 *
 * <p>Every failure of the database surfaces as {@link JournalUnavailableException}.
 *
 * <p>Its {@link LeaseRelease}, a Camel service added to the context after the {@link Database}, releases this
 * instance's leases when the context stops, after the routes (which finish their in-flight alerts) and before the
 * database closes.
 */
public final class Journal {

    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);

    private static final String COLUMNS = "id, request_id, alert_id, idempotency_key, intent, state, body, "
            + "order_request, cl_ord_id, userref, attempts, first_sent_at, deadline_at, txids, http_status, answer, "
            + "duplicate_of, received_at, updated_at, send_by, next_check_at, in_doubt_since, may_resend, "
            + "lease_owner, lease_until, market_price, market_price_at, account, fan_out";
    /**
     * How long after its send-by time an alert in flight (received, sending) stays leased to the instance that took
     * it: longer than any AddOrder can take to leave and be answered. After that, the instance is taken to have died,
     * and the row is reconciled by whichever instance gets to it first.
     */
    public static final Duration IN_FLIGHT_MARGIN = Duration.ofSeconds(10);

    private final DataSource db;
    private final Clock clock;
    private final String instance;
    private final Duration inFlightLease;

    /**
     * @param instance      this process, as it appears in the leases it holds
     * @param inFlightLease how long a row in flight (received, sending) stays leased to this instance without being
     *                      renewed ({@link #renewLeases}): an instance that died leaves its rows to the others after it
     */
    public Journal(DataSource db, Clock clock, String instance, Duration inFlightLease) {
        this.db = db;
        this.clock = clock;
        this.instance = instance;
        this.inFlightLease = inFlightLease;
    }

    public String instance() {
        return instance;
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
     * Journals an authenticated alert, leased to this instance while it is in flight. With {@code claim}, the row
     * takes the alert id as its idempotency key; if another row holds it, this alert is journaled as a duplicate of
     * that one instead and nothing else may happen to it.
     *
     * @param sendBy the latest time an AddOrder for this alert may leave
     */
    public Opened open(String requestId, String alertId, String intent, String body, boolean claim, Instant sendBy) {
        return open(requestId, alertId, intent, body, claim, sendBy, List.of());
    }

    /**
     * {@link #open} for an alert that fans out to {@code fanOut} (docs/accounts.md#fan-out), kept on its row: run again
     * after its instance stopped, it fans out to these whatever the configuration says by then. Empty: one account.
     */
    public Opened open(String requestId, String alertId, String intent, String body, boolean claim, Instant sendBy,
            List<String> fanOut) {
        String accounts = fanOut.isEmpty() ? null : String.join(",", fanOut);
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                // on stable storage when the commit returns (Database: every engine syncs at commit), before the
                // alert is acknowledged; a commit that cannot be synced fails, and the alert is answered 503
                long row = insert(requestId, alertId, claim ? alertId : null, intent, RECEIVED, body, null, sendBy,
                        null, accounts);
                return new Opened(row, null);
            } catch (UniqueViolation taken) {
                Optional<JournalEntry> holder = holderOf(alertId);
                if (holder.isPresent()) {
                    long row = insert(requestId, alertId, null, intent, DUPLICATE, body, holder.get().id(), null);
                    return new Opened(row, holder.get());
                }
                // The holder gave the key up between our insert and our look-up (it was refused): try again.
            }
        }
        throw new JournalUnavailableException("claiming alert id", new SQLException("the key kept changing hands"));
    }

    /**
     * Journals the open leg of a reversal (docs/strategies.md#reversals) as a row of its own under the alert's row
     * {@code closeLeg}: its own idempotency key ({@code legAlertId}), so its own client order id, and reconciled on its
     * own; leased to this instance while in flight, as any alert. It is placed on its close's account: {@code account},
     * as the close's row names it (null for an alert's row on the default account, docs/accounts.md).
     *
     * @return the new row; or, when the leg was journaled before (a re-run of the alert), that row as
     *         {@link Opened#first()} and no new row (-1)
     */
    public Opened openLeg(long closeLeg, String account, String requestId, String legAlertId, String intent,
            String body, Instant sendBy) {
        return leg(closeLeg, "open", account, requestId, legAlertId, intent, body, true, sendBy);
    }

    /**
     * Journals one account's order of an alert for several accounts (docs/accounts.md#fan-out) as a row of its own
     * under the alert's row {@code alertRow}: its own idempotency key ({@code legAlertId}, unless a validation), so its
     * own client order id, and reconciled on its own.
     *
     * @return the new row; or, when it was journaled before (a re-run of the alert), that row as
     *         {@link Opened#first()} and no new row (-1)
     */
    public Opened accountLeg(long alertRow, String account, String requestId, String legAlertId, String intent,
            String body, boolean claim, Instant sendBy) {
        return leg(alertRow, "account", account, requestId, legAlertId, intent, body, claim, sendBy);
    }

    private Opened leg(long of, String leg, String account, String requestId, String legAlertId, String intent,
            String body, boolean claim, Instant sendBy) {
        try {
            // the row and its place under the alert, in one statement: never a leg row that does not say so
            long row = insert(requestId, legAlertId, claim ? legAlertId : null, intent, RECEIVED, body, null, sendBy,
                    new Leg(leg, of, account), null);
            return new Opened(row, null);
        } catch (UniqueViolation taken) {
            return new Opened(-1, holderOf(legAlertId).orElseThrow(() -> new JournalUnavailableException(
                    "journaling a leg of an alert", new SQLException("its key changed hands"))));
        }
    }

    /** The legs of alert row {@code row} (a fan-out's accounts, a reversal's open leg), oldest first. */
    public List<JournalEntry> legsOf(long row) {
        return query("SELECT " + COLUMNS + " FROM alert WHERE leg_of = ? ORDER BY id", row);
    }

    /** What a row is of another: its kind ({@code open}, {@code account}), the alert's row, and the account. */
    private record Leg(String kind, long of, String account) {
    }

    /**
     * The answer kept for alert {@code row} changes, its state staying: a reversal's answer, once its open leg is
     * decided, is the one a copy of the alert repeats.
     */
    public void answered(long row, int httpStatus, String answer) {
        update("recording a reversal's answer", "UPDATE alert SET http_status = ?, answer = ?, updated_at = ? "
                + "WHERE id = ?", httpStatus, answer, clock.instant(), row);
    }

    /** An authenticated alert refused before it was journaled (bad fields, stale): journaled as refused. */
    public long refused(String requestId, String alertId, String intent, String body, int httpStatus, String answer) {
        long row = insert(requestId, alertId, null, intent, REJECTED, body, null, null);
        finish(row, REJECTED, httpStatus, answer, null, false, null);
        return row;
    }

    private long insert(String requestId, String alertId, String key, String intent, AlertState state, String body,
            Long duplicateOf, Instant sendBy) {
        return insert(requestId, alertId, key, intent, state, body, duplicateOf, sendBy, null, null);
    }

    /**
     * @param leg    for a leg of an alert (a reversal's open leg, a fan-out's account), what it is of it; else null
     * @param fanOut for an alert for several accounts, their names, comma-separated; else null
     */
    private long insert(String requestId, String alertId, String key, String intent, AlertState state, String body,
            Long duplicateOf, Instant sendBy, Leg leg, String fanOut) {
        Instant now = clock.instant();
        String sql = "INSERT INTO alert (request_id, alert_id, idempotency_key, intent, state, body, duplicate_of, "
                + "received_at, updated_at, send_by, lease_owner, lease_until, fan_out"
                + (leg == null ? ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                        : ", leg, leg_of, account) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        boolean inFlight = RECEIVED.equals(state);
        return inTransaction("journaling an alert", c -> {
            long row;
            try (PreparedStatement insert = c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
                Sql.bind(insert, requestId, alertId, key, intent, state, body,
                        duplicateOf == null ? new Sql.TypedNull(Types.BIGINT) : duplicateOf, now, now,
                        sendBy == null ? new Sql.TypedNull(Types.TIMESTAMP_WITH_TIMEZONE) : sendBy,
                        inFlight ? instance : null,
                        inFlight ? now.plus(inFlightLease) : new Sql.TypedNull(Types.TIMESTAMP_WITH_TIMEZONE),
                        fanOut == null ? new Sql.TypedNull(Types.VARCHAR) : fanOut);
                if (leg != null) {
                    insert.setString(14, leg.kind());
                    insert.setLong(15, leg.of());
                    insert.setString(16, leg.account());
                }
                insert.executeUpdate();
                try (ResultSet keys = insert.getGeneratedKeys()) {
                    keys.next();
                    row = keys.getLong(1);
                }
            } catch (SQLException e) {
                if (Sql.uniqueViolation(e)) {
                    throw new UniqueViolation();
                }
                throw e;
            }
            addEvent(c, row, now, state, duplicateOf == null ? null : "duplicate of journal entry " + duplicateOf);
            return row;
        });
    }

    /**
     * Makes an unclaimed row the owner of its alert id (a replay of an alert that failed before it claimed it).
     *
     * @return false if another row owns it: this alert is a duplicate of that one
     */
    public boolean claim(long row) {
        try {
            return update("claiming an alert id", "UPDATE alert SET idempotency_key = alert_id, updated_at = ? "
                    + "WHERE id = ? AND idempotency_key IS NULL", clock.instant(), row) == 1;
        } catch (JournalUnavailableException e) {
            if (Sql.uniqueViolation(e.getCause())) {
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
                orderRequest, clOrdId, Sql.intOrNull(userref), clock.instant(), row);
    }

    /**
     * Compare-and-set to {@link #SENDING}, committed before an AddOrder leaves: only one caller wins, whoever else —
     * a replay, a reconciliation, another instance — tries at the same time. The row is leased to this instance until
     * well after the deadline the AddOrder carries.
     *
     * The order as it leaves (AddOrder's parameters without nonce and deadline, JSON) and its client order id are
     * journaled in the same transaction: one commit on the way out, not two.
     *
     * <p>Only while this instance holds the row's lease: a row another instance took over (this one stalled past its
     * lease) is that instance's to send.
     *
     * @return false if the row was not in one of {@code from}, or is not leased to this instance: then nothing may be
     *         sent
     */
    public boolean sending(long row, Collection<AlertState> from, Instant deadline, String orderRequest,
            String clOrdId, Integer userref) {
        Instant now = clock.instant();
        boolean marked = changeState("recording an order being sent", row, (state, leaseOwner, leaseUntil) ->
                from.contains(state) && instance.equals(leaseOwner), SENDING, "AddOrder leaving, deadline " + deadline,
                "state = '" + SENDING + "', attempts = attempts + 1, first_sent_at = COALESCE(first_sent_at, ?), "
                        + "deadline_at = ?, lease_owner = ?, lease_until = ?, next_check_at = NULL, updated_at = ?, "
                        + "order_request = ?, cl_ord_id = ?, userref = ?",
                now, deadline, instance, deadline.plus(IN_FLIGHT_MARGIN), now, orderRequest,
                clOrdId == null ? new Sql.TypedNull(Types.VARCHAR) : clOrdId, Sql.intOrNull(userref));
        // on stable storage when the commit returns, before the AddOrder leaves: a commit that cannot be synced fails,
        // and nothing leaves
        return marked;
    }

    /**
     * An AddOrder got no clear answer: compare-and-set from {@link #SENDING} to {@link #RECONCILING}, unleased, to be
     * looked up by the reconcile-orders route from {@code nextCheckAt}.
     *
     * @param mayResend whether it may be sent again once proven absent (while the alert is young enough)
     */
    public boolean inDoubt(long row, String detail, Instant nextCheckAt, boolean mayResend) {
        Instant now = clock.instant();
        return changeState("recording an order in doubt", row, Guard.in(List.of(SENDING)), RECONCILING, detail,
                "state = '" + RECONCILING + "', next_check_at = ?, in_doubt_since = COALESCE(in_doubt_since, ?), "
                        + "may_resend = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?",
                nextCheckAt, now, mayResend, now);
    }

    /** Compare-and-set of the state alone. */
    public boolean transition(long row, Collection<AlertState> from, AlertState to, String detail) {
        return changeState("changing an alert's state", row, Guard.in(from), to, detail,
                "state = ?, updated_at = ?", to, clock.instant());
    }

    /**
     * A dead-lettered alert is run again (an operator's replay): to {@link #RECONCILING}, looked up at once and sent
     * again only if proven absent, or — when no order was ever planned for it — back to {@link #RECEIVED}. Either way
     * with a new send-by time: a replay is a new decision.
     */
    public boolean reopen(long row, AlertState to, Instant sendBy, String detail) {
        Instant now = clock.instant();
        boolean reconcile = RECONCILING.equals(to);
        return changeState("reopening an alert", row, Guard.in(List.of(DEAD_LETTERED)), to, detail,
                "state = ?, send_by = ?, next_check_at = ?, in_doubt_since = ?, may_resend = ?, "
                        + "lease_owner = ?, lease_until = ?, http_status = NULL, answer = NULL, updated_at = ?",
                to, sendBy, reconcile ? now : new Sql.TypedNull(Types.TIMESTAMP_WITH_TIMEZONE),
                reconcile ? now : new Sql.TypedNull(Types.TIMESTAMP_WITH_TIMEZONE), reconcile,
                reconcile ? null : instance,
                reconcile ? new Sql.TypedNull(Types.TIMESTAMP_WITH_TIMEZONE) : now.plus(inFlightLease), now);
    }

    /**
     * The outcome: final state, the answer given (replayed to duplicates), Kraken's txids, and its event, in one
     * transaction. With {@code releaseKey} the alert id is given up — used when nothing was placed and nothing is
     * pending, so that the same alert may be sent again later (after the kill switch is back on, say) instead of being
     * answered as a duplicate forever.
     */
    public void finish(long row, AlertState state, int httpStatus, String answer, List<String> txids, boolean releaseKey,
            String detail) {
        finish(row, state, httpStatus, answer, txids, releaseKey, detail, null, null);
    }

    /**
     * An outcome, with the price of the alert's pair when it was decided and when that price was read
     * (docs/journal.md#market-prices), in the same statement; null keeps what the row holds.
     */
    public void finish(long row, AlertState state, int httpStatus, String answer, List<String> txids, boolean releaseKey,
            String detail, java.math.BigDecimal marketPrice, Instant marketPriceAt) {
        Instant now = clock.instant();
        inTransaction("recording an outcome", c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE alert SET state = ?, http_status = ?, "
                    + "answer = ?, txids = COALESCE(?, txids), lease_owner = NULL, lease_until = NULL, "
                    + "next_check_at = NULL, updated_at = ?, market_price = COALESCE(?, market_price), "
                    + "market_price_at = COALESCE(?, market_price_at)"
                    + (releaseKey ? ", idempotency_key = NULL" : "") + " WHERE id = ?")) {
                Sql.bind(update, state, httpStatus, answer,
                        txids == null || txids.isEmpty() ? null : String.join(",", txids), now,
                        marketPrice == null ? new Sql.TypedNull(Types.VARCHAR) : marketPrice.toPlainString(),
                        marketPriceAt == null ? new Sql.TypedNull(Types.TIMESTAMP_WITH_TIMEZONE) : marketPriceAt,
                        row);
                update.executeUpdate();
            }
            addEvent(c, row, now, state, detail);
            return null;
        });
    }

    public void event(long row, AlertState state, String detail) {
        inTransaction("recording an event", c -> {
            addEvent(c, row, clock.instant(), state, detail);
            return null;
        });
    }

    // ---- the reconcile-orders route's rows ----

    /**
     * Alerts in flight (received, sending) whose lease ran out: the instance that took them stopped or died before
     * finishing. Oldest first.
     */
    public List<JournalEntry> orphans(int limit) {
        return query("SELECT " + COLUMNS + " FROM alert WHERE state IN (?, ?) AND (lease_until IS NULL OR "
                + "lease_until < ?) ORDER BY id LIMIT " + limit, RECEIVED, SENDING,
                clock.instant());
    }

    /**
     * Takes an orphan over as {@link #RECONCILING}: it is looked up at Kraken first, and sent (again) only once proven
     * absent after its last deadline, if {@code mayResend} and the alert is still young enough. Compare-and-set: of two
     * instances, one wins; the instance that had it can no longer send it ({@link #sending} needs its lease).
     */
    public boolean adopt(long row, String detail, boolean mayResend) {
        Instant now = clock.instant();
        return changeState("taking over an alert", row, (state, leaseOwner, leaseUntil) -> (RECEIVED.equals(state)
                || SENDING.equals(state)) && (leaseUntil == null || leaseUntil.isBefore(now)), RECONCILING, detail,
                "state = '" + RECONCILING + "', next_check_at = ?, in_doubt_since = COALESCE(in_doubt_since, ?), "
                        + "may_resend = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?",
                now, now, mayResend, now);
    }

    /**
     * This instance is alive: its rows in flight (received, sending) stay leased to it for another lease. Run by the
     * renew-leases route, several times a lease (docs/replicas.md#leases).
     *
     * @return how many rows were renewed
     */
    public int renewLeases() {
        Instant now = clock.instant();
        Instant until = now.plus(inFlightLease);
        return update("renewing leases", "UPDATE alert SET lease_until = ? WHERE lease_owner = ? AND state IN (?, ?) "
                + "AND lease_until < ?", until, instance, RECEIVED, SENDING, until);
    }

    /**
     * When at least one row in {@link #RECONCILING} is due for a look-up, leases every unleased row in
     * {@link #RECONCILING} to this instance until {@code leaseUntil} and returns them: one look-up serves them all, and
     * an order found early is settled early. A row leased by another instance is left alone until its lease runs out.
     */
    public List<JournalEntry> claimForLookUp(Instant leaseUntil, int limit) {
        Instant now = clock.instant();
        if (query("SELECT " + COLUMNS + " FROM alert WHERE state = ? AND next_check_at <= ? AND (lease_until IS NULL "
                + "OR lease_until < ?) LIMIT 1", RECONCILING, now, now).isEmpty()) {
            return List.of();
        }
        update("leasing rows to reconcile", "UPDATE alert SET lease_owner = ?, lease_until = ? WHERE id IN ("
                + "SELECT id FROM alert WHERE state = ? AND (lease_until IS NULL OR lease_until < ?) "
                + "ORDER BY next_check_at LIMIT " + limit + ") "
                + "AND state = ? AND (lease_until IS NULL OR lease_until < ?)",
                instance, leaseUntil, RECONCILING, now, RECONCILING, now);
        return query("SELECT " + COLUMNS + " FROM alert WHERE state = ? AND lease_owner = ? AND lease_until = ? "
                + "ORDER BY id", RECONCILING, instance, leaseUntil);
    }

    /**
     * Releases the journal's leases ({@link #releaseLeases}) when the context stops, once the routes have stopped.
     * Not the journal itself: a bean that routes call (renew-leases) is stopped with the first of those routes to stop,
     * while others still finish their in-flight alerts.
     */
    public static final class LeaseRelease extends ServiceSupport {

        private final Journal journal;

        public LeaseRelease(Journal journal) {
            this.journal = journal;
        }

        @Override
        protected void doStop() {
            int released = journal.releaseLeases();
            if (released > 0) {
                LOG.warn("{} alert(s) still in flight at shutdown: left for the next instance to reconcile", released);
            }
        }
    }

    /**
     * This instance is stopping: its rows still in flight (an alert queued but never started, say) are released at
     * once, for the reconcile-orders route of the next instance to take over without waiting for the lease to run out.
     *
     * @return how many rows were released
     */
    public int releaseLeases() {
        Instant now = clock.instant();
        return update("releasing leases", "UPDATE alert SET lease_until = ? WHERE lease_owner = ? AND state IN (?, ?)",
                now.minusMillis(1), instance, RECEIVED, SENDING);
    }

    /** Not settled yet: unleased, looked up again from {@code nextCheckAt}; {@code detail}, if any, as an event. */
    public void recheckLater(long row, Instant nextCheckAt, String detail) {
        Instant now = clock.instant();
        inTransaction("scheduling a look-up", c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE alert SET next_check_at = ?, "
                    + "lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE id = ? AND state = ? "
                    + "AND lease_owner = ?")) {
                Sql.bind(update, nextCheckAt, now, row, RECONCILING, instance);
                if (update.executeUpdate() == 1 && detail != null) {
                    addEvent(c, row, now, RECONCILING, detail);
                }
            }
            return null;
        });
    }

    /** Newest first, with their events: one query. */
    public List<JournalEntry> recent(int limit) {
        String columns = java.util.Arrays.stream(COLUMNS.split(", ")).map(c -> "a." + c)
                .collect(java.util.stream.Collectors.joining(", "));
        String sql = "SELECT " + columns + ", e.occurred_at AS event_at, e.state AS event_state, e.detail AS event_detail "
                + "FROM (SELECT " + COLUMNS + " FROM alert ORDER BY id DESC LIMIT " + Math.max(1, limit)
                + ") a LEFT JOIN alert_event e ON e.alert = a.id ORDER BY a.id DESC, e.id";
        java.util.LinkedHashMap<Long, JournalEntry> rows = new java.util.LinkedHashMap<>();
        java.util.Map<Long, List<JournalEntry.Event>> events = new java.util.HashMap<>();
        try (Connection c = db.getConnection(); PreparedStatement q = c.prepareStatement(sql);
                ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                long id = rs.getLong("id");
                if (!rows.containsKey(id)) {
                    rows.put(id, entry(rs));
                    events.put(id, new ArrayList<>());
                }
                if (rs.getString("event_state") != null) {
                    events.get(id).add(new JournalEntry.Event(Sql.instant(rs, "event_at"), rs.getString("event_state"),
                            rs.getString("event_detail")));
                }
            }
        } catch (SQLException e) {
            throw new JournalUnavailableException("reading the journal", e);
        }
        return rows.values().stream().map(e -> e.withEvents(events.get(e.id()))).toList();
    }

    /** How many orders were placed since {@code since} (for /status). */
    public long executedSince(Instant since) {
        return ordersSince(EXECUTED, since);
    }

    /**
     * How many orders (not validations) ended in {@code state} since {@code since}, across every instance sharing the
     * database (for the daily summary).
     */
    public long ordersSince(AlertState state, Instant since) {
        return Sql.count(db, "counting orders",
                "SELECT COUNT(*) FROM alert WHERE state = ? AND intent = 'execute' AND updated_at >= ?", state, since);
    }

    public List<JournalEntry.Event> events(long row) {
        return Sql.query(db, "reading events", "SELECT occurred_at, state, detail FROM alert_event WHERE alert = ? "
                + "ORDER BY id", rs -> new JournalEntry.Event(Sql.instant(rs, "occurred_at"), rs.getString(2),
                        rs.getString(3)), row);
    }

    private static void addEvent(Connection c, long row, Instant at, AlertState state, String detail)
            throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO alert_event (alert, occurred_at, state, detail) VALUES (?, ?, ?, ?)")) {
            insert.setLong(1, row);
            Sql.setTime(insert, 2, at);
            insert.setString(3, state.value());
            insert.setString(4, detail == null ? null : truncate(detail, 4000));
            insert.executeUpdate();
        }
    }

    /** A compare-and-set update of a row's state and its event, in one transaction. */
    /**
     * A compare-and-set of one row with its event, in one transaction: the row is locked by its primary key and read
     * ({@code SELECT ... FOR UPDATE}; on SQLite the transaction holds the database's one write lock from its start),
     * and changed (again by its primary key) only if {@code from} accepts what it holds. Both statements name the
     * primary key alone: with a condition on {@code state} in the UPDATE itself, a planner may go through the state
     * index and walk every row in that state — thousands during a burst — for each alert (H2 did).
     *
     * @param set the UPDATE's SET clause, its parameters in {@code args}
     */
    private boolean changeState(String operation, long row, Guard from, AlertState to, String detail, String set,
            Object... args) {
        return inTransaction(operation, c -> {
            try (PreparedStatement lock = c.prepareStatement(
                    "SELECT state, lease_owner, lease_until FROM alert WHERE id = ?" + Sql.forUpdate(c))) {
                Sql.bind(lock, row);
                try (ResultSet held = lock.executeQuery()) {
                    if (!held.next() || !from.accepts(AlertState.of(held.getString("state")),
                            held.getString("lease_owner"), Sql.instant(held, "lease_until"))) {
                        return false;
                    }
                }
            }
            try (PreparedStatement update = c.prepareStatement("UPDATE alert SET " + set + " WHERE id = ?")) {
                Object[] bound = java.util.Arrays.copyOf(args, args.length + 1);
                bound[args.length] = row;
                Sql.bind(update, bound);
                if (update.executeUpdate() != 1) {
                    return false;
                }
            }
            addEvent(c, row, clock.instant(), to, detail);
            return true;
        });
    }

    /**
     * Whether a row in {@code state}, leased to {@code leaseOwner} until {@code leaseUntil} (both null when not
     * leased), may be changed.
     */
    @FunctionalInterface
    private interface Guard {
        boolean accepts(AlertState state, String leaseOwner, Instant leaseUntil);

        /** In one of {@code states}, leased or not. */
        static Guard in(Collection<AlertState> states) {
            return (state, leaseOwner, leaseUntil) -> states.contains(state);
        }
    }

    private <T> T inTransaction(String operation, Sql.Work<T> work) {
        return Sql.inTransaction(db, operation, work);
    }

    private int update(String operation, String sql, Object... args) {
        return Sql.update(db, operation, sql, args);
    }

    private List<JournalEntry> query(String sql, Object... args) {
        return Sql.query(db, "reading the journal", sql, Journal::entry, args);
    }

    private static JournalEntry entry(ResultSet rs) throws SQLException {
        String txids = rs.getString("txids");
        String fanOut = rs.getString("fan_out");
        Integer userref = Sql.intOrNull(rs, "userref");
        Integer status = Sql.intOrNull(rs, "http_status");
        long duplicate = rs.getLong("duplicate_of");
        Long duplicateOf = rs.wasNull() ? null : duplicate;
        return new JournalEntry(rs.getLong("id"), rs.getString("request_id"), rs.getString("alert_id"),
                rs.getString("idempotency_key") != null, rs.getString("intent"), AlertState.of(rs.getString("state")),
                rs.getString("body"), rs.getString("order_request"), rs.getString("cl_ord_id"), userref,
                rs.getInt("attempts"), Sql.instant(rs, "first_sent_at"), Sql.instant(rs, "deadline_at"),
                txids == null ? List.of() : Arrays.asList(txids.split(",")), status, rs.getString("answer"),
                duplicateOf, Sql.instant(rs, "received_at"), Sql.instant(rs, "updated_at"), Sql.instant(rs, "send_by"),
                Sql.instant(rs, "next_check_at"), Sql.instant(rs, "in_doubt_since"), rs.getBoolean("may_resend"),
                rs.getString("lease_owner"), Sql.instant(rs, "lease_until"), rs.getString("market_price"),
                Sql.instant(rs, "market_price_at"), rs.getString("account"), fanOut == null ? null
                        : List.of(fanOut.split(",")), null);
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
