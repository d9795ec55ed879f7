package io.tvkraken.journal;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The strategies' books in the journal (table {@code position_book}, docs/strategies.md#books): the position each
 * strategy holds on each pair of each Kraken account, counted only from what Kraken reports executed, the last alert applied to it, and the
 * lease of the instance planning an alert of it.
 *
 * <p>Every write is one transaction that reads the book's row locked ({@code FOR UPDATE} on PostgreSQL; on SQLite a
 * transaction holds the database's one write lock from its start), so two instances sharing the database never both
 * hold a book, never both apply an alert to it, and never count one order twice.
 */
public final class Books {

    /** An alert row's {@code book_state}: its order's execution is not counted in its book yet. */
    public static final String OPEN = "open";
    /** An alert row's {@code book_state}: what its order executed is in its book ({@code book_volume}). */
    public static final String COUNTED = "counted";

    private final DataSource db;
    private final Clock clock;
    private final String instance;
    private final Duration lease;

    /**
     * @param lease how long a book stays held by this instance without being renewed ({@link #renewLeases}): an
     *              instance that died leaves its books to the others after it
     */
    public Books(DataSource db, Clock clock, String instance, Duration lease) {
        this.db = db;
        this.clock = clock;
        this.instance = instance;
        this.lease = lease;
    }

    /** The account of a book kept on the default Kraken account (docs/accounts.md). */
    public static final String DEFAULT_ACCOUNT = io.tvkraken.kraken.Accounts.DEFAULT;

    /**
     * A strategy's book on one pair of one Kraken account; {@code strategy} is {@code ""} for the pair's default book,
     * {@code account} {@code default} (also for null) for the default account's (docs/accounts.md#strategies-on-several-accounts).
     */
    public record Key(String strategy, String pair, String account) {
        public Key {
            strategy = strategy == null ? "" : strategy;
            account = account == null || account.isEmpty() ? DEFAULT_ACCOUNT : account;
        }

        /** A book of the default account. */
        public Key(String strategy, String pair) {
            this(strategy, pair, null);
        }

        public boolean defaultAccount() {
            return DEFAULT_ACCOUNT.equals(account);
        }

        @Override
        public String toString() {
            return (strategy.isEmpty() ? "default book" : "strategy '" + strategy + "'") + " on " + pair
                    + (defaultAccount() ? "" : " of account " + account);
        }
    }

    /**
     * A book as the journal holds it.
     *
     * @param position  signed, in the base currency: what its orders executed, counted
     * @param lastTime  the fired time of the last alert applied, or null (none applied, or none had a time)
     * @param lastAlert the journal row of the last alert applied, or null
     * @param basis     the quote currency its position cost, at average cost ({@link Counted})
     */
    public record Book(Key key, BigDecimal position, Instant lastTime, Long lastAlert, Instant updatedAt,
            BigDecimal basis) {
    }

    /** An order of a book whose execution is not counted in it yet. */
    public record OpenOrder(long row, AlertState state, List<String> txids, String clOrdId, boolean sent,
            boolean mayHaveBeenPlaced) {
    }

    /**
     * Takes the book for this instance for one lease, creating it flat if it is new: false while another instance
     * holds it and its lease has not run out.
     */
    public boolean hold(Key key) {
        Instant now = clock.instant();
        return Sql.inTransaction(db, "holding a book", c -> {
            ensure(c, key, now);
            try (PreparedStatement read = c.prepareStatement("SELECT holder, held_until FROM position_book "
                    + "WHERE strategy = ? AND pair = ? AND account = ?" + Sql.forUpdate(c))) {
                Sql.bind(read, key.strategy(), key.pair(), key.account());
                try (ResultSet rs = read.executeQuery()) {
                    rs.next();
                    String holder = rs.getString("holder");
                    Instant until = Sql.instant(rs, "held_until");
                    if (holder != null && !holder.equals(instance) && until != null && until.isAfter(now)) {
                        return false;
                    }
                }
            }
            try (PreparedStatement take = c.prepareStatement("UPDATE position_book SET holder = ?, held_until = ? "
                    + "WHERE strategy = ? AND pair = ? AND account = ?")) {
                Sql.bind(take, instance, now.plus(lease), key.strategy(), key.pair(), key.account());
                take.executeUpdate();
            }
            return true;
        });
    }

    /** Gives the book up, if this instance holds it. */
    public void release(Key key) {
        Sql.update(db, "releasing a book", "UPDATE position_book SET holder = NULL, held_until = NULL "
                + "WHERE strategy = ? AND pair = ? AND account = ? AND holder = ?", key.strategy(), key.pair(), key.account(),
                instance);
    }

    /** Extends the leases of the books this instance holds (the renew-leases route). */
    public int renewLeases() {
        Instant until = clock.instant().plus(lease);
        return Sql.update(db, "renewing book leases", "UPDATE position_book SET held_until = ? WHERE holder = ?",
                until, instance);
    }

    /**
     * Applies alert {@code row}, fired at {@code firedAt} (null when it gave no time), to the book, unless a newer
     * alert was applied already: a later fired time wins; with the same time, or without one, the alert journaled
     * later (arrival order) wins. Re-applying the last alert applied (a re-run of it) is allowed.
     *
     * @return the book as it was, if the alert was applied; empty if it is superseded
     */
    public Optional<Book> apply(Key key, long row, Instant firedAt) {
        Instant now = clock.instant();
        return Sql.inTransaction(db, "applying an alert to a book", c -> {
            ensure(c, key, now);
            Book book = read(c, key);
            if (superseded(firedAt, row, book.lastTime(), book.lastAlert())) {
                return Optional.empty();
            }
            Instant lastTime = firedAt == null || (book.lastTime() != null && !firedAt.isAfter(book.lastTime()))
                    ? book.lastTime() : firedAt;
            try (PreparedStatement update = c.prepareStatement("UPDATE position_book SET last_time = ?, "
                    + "last_alert = ?, updated_at = ? WHERE strategy = ? AND pair = ? AND account = ?")) {
                Sql.bind(update, lastTime == null ? new Sql.TypedNull(Types.TIMESTAMP_WITH_TIMEZONE) : lastTime, row,
                        now, key.strategy(), key.pair(), key.account());
                update.executeUpdate();
            }
            return Optional.of(book);
        });
    }

    /** Whether an alert ({@code firedAt}, {@code row}) is older than the last one applied. */
    public static boolean superseded(Instant firedAt, long row, Instant lastTime, Long lastAlert) {
        if (lastAlert == null) {
            return false;
        }
        if (firedAt != null && lastTime != null && !firedAt.equals(lastTime)) {
            return firedAt.isBefore(lastTime);
        }
        return row < lastAlert;
    }

    /** A row's part in a reversal (docs/strategies.md#reversals): the close placed first, then the open. */
    public static final String CLOSE_LEG = "close";
    public static final String OPEN_LEG = "open";

    /**
     * Marks alert {@code row} as an order of the book whose execution is to be counted: before it is sent.
     *
     * @param leg {@link #CLOSE_LEG} when it is the close of a reversal, else null (an open leg is marked so when it is
     *            journaled)
     */
    public void opened(long row, Key key, String leg) {
        Sql.update(db, "marking a book order", "UPDATE alert SET book_strategy = ?, book_pair = ?, book_account = ?, "
                + "book_state = ?, book_volume = NULL, leg = COALESCE(?, leg) WHERE id = ?", key.strategy(), key.pair(),
                key.account(), OPEN,
                leg == null ? new Sql.TypedNull(Types.VARCHAR) : leg, row);
    }

    /**
     * A row's part in a reversal.
     *
     * @param part {@link #CLOSE_LEG} or {@link #OPEN_LEG}
     * @param of   for an open leg, the row of its alert (its close leg); else null
     */
    public record Leg(String part, Long of) {
        public boolean close() {
            return CLOSE_LEG.equals(part);
        }

        public boolean open() {
            return OPEN_LEG.equals(part);
        }
    }

    /** Row {@code row}'s part in a reversal, if it has one. */
    public Optional<Leg> leg(long row) {
        return Sql.query(db, "reading a row's leg", "SELECT leg, leg_of FROM alert WHERE id = ?", rs -> {
            String part = rs.getString("leg");
            long of = rs.getLong("leg_of");
            return part == null ? null : new Leg(part, rs.wasNull() ? null : of);
        }, row).stream().filter(java.util.Objects::nonNull).findFirst();
    }

    /**
     * What an order executed, as Kraken reports it (QueryOrders' {@code vol_exec}, {@code cost}, {@code fee}).
     *
     * @param volume signed: bought above 0, sold below
     * @param cost   the quote amount it traded, never negative
     * @param fee    the fee it paid, in the quote currency
     * @param quote  the quote currency, as the realised profit or loss is kept in it
     */
    public record Fill(BigDecimal volume, BigDecimal cost, BigDecimal fee, String quote) {

        /** Nothing executed (refused, cancelled unfilled, never placed). */
        public static Fill none(String quote) {
            return new Fill(BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, quote);
        }
    }

    /**
     * Counts what alert {@code row}'s order executed in its book, once: a row counted already changes nothing. The
     * book's cost basis follows the fills at their average cost, and an order that reduces the position realises its
     * proceeds, fees deducted, minus the average cost of what it closed (docs/strategies.md#risk-limits).
     *
     * @return the book's position afterwards
     */
    public BigDecimal count(long row, Key key, Fill fill) {
        Instant now = clock.instant();
        return Sql.inTransaction(db, "counting an execution in a book", c -> {
            Book book = read(c, key);
            Counted counted = Counted.of(book.position(), book.basis(), fill);
            try (PreparedStatement mark = c.prepareStatement("UPDATE alert SET book_state = ?, book_volume = ?, "
                    + "book_realised = ?, book_quote = ?, book_counted_at = ? WHERE id = ? AND book_state = ?")) {
                Sql.bind(mark, COUNTED, fill.volume().toPlainString(), plain(counted.realised()), fill.quote(), now,
                        row, OPEN);
                if (mark.executeUpdate() != 1) {
                    return book.position();
                }
            }
            try (PreparedStatement update = c.prepareStatement("UPDATE position_book SET position = ?, basis = ?, "
                    + "updated_at = ? WHERE strategy = ? AND pair = ? AND account = ?")) {
                Sql.bind(update, plain(counted.position()), plain(counted.basis()), now, key.strategy(), key.pair(),
                        key.account());
                update.executeUpdate();
            }
            return counted.position();
        });
    }

    /** A book after a fill: its position, its cost basis, and what the fill realised. */
    record Counted(BigDecimal position, BigDecimal basis, BigDecimal realised) {

        private static final java.math.MathContext PRECISION = java.math.MathContext.DECIMAL128;

        /**
         * A fill that opens or adds to the position adds to the basis (a buy its cost plus fee, a sell its proceeds
         * minus fee); one that reduces it takes out the average cost of what it closed and realises the difference.
         */
        static Counted of(BigDecimal position, BigDecimal basis, Fill fill) {
            BigDecimal v = fill.volume();
            if (v.signum() == 0) {
                return new Counted(position, basis, BigDecimal.ZERO);
            }
            boolean buy = v.signum() > 0;
            BigDecimal net = buy ? fill.cost().add(fill.fee()) : fill.cost().subtract(fill.fee());
            if (position.signum() == 0 || position.signum() == v.signum()) {
                return new Counted(position.add(v), basis.add(net), BigDecimal.ZERO);
            }
            BigDecimal closed = v.abs().min(position.abs());
            BigDecimal average = basis.divide(position.abs(), PRECISION);
            BigDecimal closedCost = average.multiply(closed, PRECISION);
            BigDecimal share = closed.divide(v.abs(), PRECISION);
            BigDecimal realised = buy ? closedCost.subtract(net.multiply(share, PRECISION))
                    : net.multiply(share, PRECISION).subtract(closedCost);
            BigDecimal after = position.add(v);
            // a fill that crosses flat opens the rest on the other side at its own price (reversals place two legs)
            BigDecimal rest = after.signum() == position.signum() || after.signum() == 0 ? BigDecimal.ZERO
                    : net.multiply(BigDecimal.ONE.subtract(share), PRECISION);
            BigDecimal left = after.signum() == position.signum() ? basis.subtract(closedCost) : rest;
            return new Counted(after, left, realised);
        }
    }

    /** The book's orders whose execution is not counted yet, oldest first. */
    public List<OpenOrder> openOrders(Key key) {
        return Sql.query(db, "reading a book's orders", "SELECT id, state, txids, cl_ord_id, first_sent_at, "
                + "(SELECT COUNT(*) FROM dead_letter d WHERE d.alert = a.id AND d.may_have_been_placed = ?) "
                + "AS in_doubt FROM alert a WHERE book_strategy = ? AND book_pair = ? AND book_account = ? AND book_state = ? "
                + "ORDER BY id",
                rs -> {
                    String txids = rs.getString("txids");
                    return new OpenOrder(rs.getLong("id"), AlertState.of(rs.getString("state")),
                            txids == null ? List.of() : List.of(txids.split(",")), rs.getString("cl_ord_id"),
                            Sql.instant(rs, "first_sent_at") != null, rs.getLong("in_doubt") > 0);
                }, true, key.strategy(), key.pair(), key.account(), OPEN);
    }

    public Optional<Book> get(Key key) {
        return Sql.query(db, "reading a book", "SELECT * FROM position_book WHERE strategy = ? AND pair = ? "
                + "AND account = ?", Books::book, key.strategy(), key.pair(), key.account()).stream().findFirst();
    }

    /** Every book, by account (the default account's first), strategy and pair. */
    public List<Book> all() {
        return Sql.query(db, "reading the books", "SELECT * FROM position_book ORDER BY CASE WHEN account = 'default' "
                + "THEN 0 ELSE 1 END, account, strategy, pair",
                Books::book);
    }

    private static void ensure(Connection c, Key key, Instant now) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO position_book (strategy, pair, account, "
                + "position, updated_at) VALUES (?, ?, ?, '0', ?) ON CONFLICT DO NOTHING")) {
            Sql.bind(insert, key.strategy(), key.pair(), key.account(), now);
            insert.executeUpdate();
        }
    }

    private static Book read(Connection c, Key key) throws SQLException {
        try (PreparedStatement read = c.prepareStatement("SELECT * FROM position_book WHERE strategy = ? AND pair = ? "
                + "AND account = ?" + Sql.forUpdate(c))) {
            Sql.bind(read, key.strategy(), key.pair(), key.account());
            try (ResultSet rs = read.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("no book for " + key);
                }
                return book(rs);
            }
        }
    }

    private static Book book(ResultSet rs) throws SQLException {
        long last = rs.getLong("last_alert");
        Long lastAlert = rs.wasNull() ? null : last;
        return new Book(new Key(rs.getString("strategy"), rs.getString("pair"), rs.getString("account")),
                new BigDecimal(rs.getString(
                "position")), Sql.instant(rs, "last_time"), lastAlert, Sql.instant(rs, "updated_at"),
                new BigDecimal(rs.getString("basis")));
    }

    private static String plain(BigDecimal amount) {
        return amount.signum() == 0 ? "0" : amount.stripTrailingZeros().toPlainString();
    }
}
