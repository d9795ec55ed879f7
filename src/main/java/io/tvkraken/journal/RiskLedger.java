package io.tvkraken.journal;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * What the orders that passed the risk limits count against them, and what the books' orders realised, in the journal
 * (docs/strategies.md#risk-limits).
 * {@link #reserve} reads the usage and records an order as counted in one transaction that holds the scopes' rows
 * locked ({@code risk_scope}: {@code FOR UPDATE} on PostgreSQL; on SQLite the transaction holds the database's one write
 * lock from its start), so two orders checked at once, on one instance or on several, never both pass a limit only
 * one of them fits.
 *
 * <p>An order counts from the moment it passed while it is {@code received}, {@code sending}, {@code reconciling} or
 * {@code executed}: one refused or dead-lettered (nothing placed) counts no more.
 */
public final class RiskLedger {

    private static final String COUNTING = "state IN ('received', 'sending', 'reconciling', 'executed')";

    private final DataSource db;
    private final Clock clock;

    public RiskLedger(DataSource db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /**
     * An order about to be counted. {@code strategy} null: none; {@code spent}: the quote a buy spends, else 0;
     * {@code account}: the named account it is placed on, null for the default account (docs/accounts.md).
     */
    public record Order(long row, String strategy, String pair, String quote, BigDecimal spent,
            BigDecimal signedVolume, String account) {

        public Order(long row, String strategy, String pair, String quote, BigDecimal spent,
                BigDecimal signedVolume) {
            this(row, strategy, pair, quote, spent, signedVolume, null);
        }
    }

    /**
     * What a scope's orders used: orders in the last hour and since 00:00 UTC, the quote spent since 00:00 UTC in this
     * order's quote currency, and the volume on this order's pair of the orders not yet counted in their books.
     */
    public record Usage(int ordersLastHour, int ordersToday, BigDecimal quoteSpentToday, BigDecimal openOnPair,
            BigDecimal realisedToday) {
    }

    /**
     * The usage of the whole account and of the order's strategy (null without one), as the check sees them, and the
     * positions on the order's pair: every book together, and the strategy's own book (0 without one).
     */
    public record Usages(Usage account, Usage strategy, BigDecimal booksOnPair, BigDecimal strategyBook) {
    }

    /**
     * Reads the usage with the scopes locked, and records the order as counted unless {@code check} refuses it.
     *
     * @param check the rules: a refusal, or empty when the order fits
     * @param count false for a validation: the verdict only, nothing recorded
     * @return the refusal, if any
     */
    public <T> Optional<T> reserve(Order order, Function<Usages, Optional<T>> check, boolean count) {
        Instant now = clock.instant();
        return Sql.inTransaction(db, "checking risk limits", c -> {
            // each account is limited on its own orders: a named account's rows name it, the default account's do not
            // (or say default, for its order of an alert for several accounts)
            Usage account = usage(c, order.account() == null ? "account" : "account/" + order.account(), null, order,
                    now);
            Usage strategy = order.strategy() == null ? null
                    : usage(c, "strategy/" + order.strategy(), order.strategy(), order, now);
            BigDecimal onPair = BigDecimal.ZERO;
            BigDecimal own = BigDecimal.ZERO;
            try (PreparedStatement books = c.prepareStatement(
                    "SELECT strategy, position FROM position_book WHERE pair = ? AND account = ?")) {
                Sql.bind(books, order.pair(), bookAccount(order));
                try (ResultSet rs = books.executeQuery()) {
                    while (rs.next()) {
                        BigDecimal position = new BigDecimal(rs.getString("position"));
                        onPair = onPair.add(position);
                        if (rs.getString("strategy").equals(order.strategy())) {
                            own = position;
                        }
                    }
                }
            }
            Optional<T> refused = check.apply(new Usages(account, strategy, onPair, own));
            if (refused.isEmpty() && count) {
                try (PreparedStatement mark = c.prepareStatement("UPDATE alert SET risk_at = ?, risk_strategy = ?, "
                        + "risk_pair = ?, risk_quote = ?, risk_spent = ?, risk_volume = ? WHERE id = ?")) {
                    Sql.bind(mark, now, order.strategy(), order.pair(), order.quote(), order.spent().toPlainString(),
                            order.signedVolume().toPlainString(), order.row());
                    mark.executeUpdate();
                }
            }
            return refused;
        });
    }

    private static Usage usage(Connection c, String scope, String strategy, Order order, Instant now)
            throws SQLException {
        lock(c, scope);
        Instant hourAgo = now.minus(Duration.ofHours(1));
        Instant today = now.truncatedTo(ChronoUnit.DAYS);
        String mine = (strategy == null ? "" : " AND risk_strategy = ?") + (order.account() == null
                ? " AND (account IS NULL OR account = 'default')" : " AND account = ?");
        int lastHour = 0;
        int sinceMidnight = 0;
        BigDecimal spent = BigDecimal.ZERO;
        BigDecimal open = BigDecimal.ZERO;
        Instant from = hourAgo.isBefore(today) ? hourAgo : today;
        try (PreparedStatement q = c.prepareStatement("SELECT risk_at, risk_pair, risk_quote, risk_spent, risk_volume, "
                + "book_state FROM alert WHERE risk_at >= ? AND " + COUNTING + mine)) {
            List<Object> args = new ArrayList<>(List.of(from));
            if (strategy != null) {
                args.add(strategy);
            }
            if (order.account() != null) {
                args.add(order.account());
            }
            Sql.bind(q, args.toArray());
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    Instant at = Sql.instant(rs, "risk_at");
                    if (!at.isBefore(hourAgo)) {
                        lastHour++;
                    }
                    if (!at.isBefore(today)) {
                        sinceMidnight++;
                        if (order.quote().equals(rs.getString("risk_quote"))) {
                            spent = spent.add(new BigDecimal(rs.getString("risk_spent")));
                        }
                    }
                    if (order.pair().equals(rs.getString("risk_pair")) && Books.OPEN.equals(rs.getString("book_state"))) {
                        open = open.add(new BigDecimal(rs.getString("risk_volume")));
                    }
                }
            }
        }
        BigDecimal realised = BigDecimal.ZERO;
        // what the account's own books realised (docs/accounts.md#strategies-on-several-accounts)
        try (PreparedStatement q = c.prepareStatement("SELECT book_realised FROM alert WHERE book_counted_at >= ? "
                + "AND book_quote = ? AND book_account = ?" + (strategy == null ? "" : " AND book_strategy = ?"))) {
            List<Object> args = new ArrayList<>(List.of(today, order.quote(), bookAccount(order)));
            if (strategy != null) {
                args.add(strategy);
            }
            Sql.bind(q, args.toArray());
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    if (rs.getString(1) != null) {
                        realised = realised.add(new BigDecimal(rs.getString(1)));
                    }
                }
            }
        }
        return new Usage(lastHour, sinceMidnight, spent, open, realised);
    }

    /** The account of the books an order trades on, as {@code position_book} names it. */
    private static String bookAccount(Order order) {
        return order.account() == null ? Books.DEFAULT_ACCOUNT : order.account();
    }

    private static void lock(Connection c, String scope) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO risk_scope (scope) VALUES (?) ON CONFLICT DO NOTHING")) {
            Sql.bind(insert, scope);
            insert.executeUpdate();
        }
        try (PreparedStatement select = c.prepareStatement("SELECT scope FROM risk_scope WHERE scope = ?"
                + Sql.forUpdate(c))) {
            Sql.bind(select, scope);
            select.executeQuery().close();
        }
    }
}
