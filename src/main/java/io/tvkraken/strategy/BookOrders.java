package io.tvkraken.strategy;

import static io.tvkraken.order.OrderRequest.plain;

import com.fasterxml.jackson.databind.JsonNode;
import io.tvkraken.alert.Alert;
import io.tvkraken.alert.AlertAge;
import io.tvkraken.alert.OrderType;
import io.tvkraken.alert.Refusal;
import io.tvkraken.alert.RefusedException;
import io.tvkraken.alert.Side;
import io.tvkraken.alert.Target;
import io.tvkraken.journal.AlertState;
import io.tvkraken.journal.Books;
import io.tvkraken.kraken.Accounts;
import io.tvkraken.kraken.AssetPair;
import io.tvkraken.kraken.KrakenApi;
import io.tvkraken.kraken.KrakenRefusedException;
import io.tvkraken.kraken.MarketData;
import io.tvkraken.kraken.RateBudget;
import io.tvkraken.order.AccountSizing;
import io.tvkraken.order.AlertCase;
import io.tvkraken.order.BookUnavailableException;
import io.tvkraken.order.OrderDesk;
import io.tvkraken.order.OrderLifecycle;
import io.tvkraken.order.OrderPlanner;
import io.tvkraken.order.OrderRequest;
import io.tvkraken.order.Outcome;
import io.tvkraken.telemetry.RequestLog;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Body;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of an alert that trades on a strategy's book (routes/orders.camel.yaml, route execute-on-book;
 * docs/strategies.md): a target-position alert (docs/alerts.md#target-positions), or an order alert that names its
 * {@code strategy}. {@link #take} waits for the strategy's book on the pair (one alert of a book is planned at a time,
 * across instances too); {@link #plan} settles the book's earlier orders with Kraken, then, for a target, drops an
 * alert older than the last one applied ({@code superseded}) and orders the difference between the target and the
 * book, or answers {@code in_position}; for an order alert, places the order as sent, but never sells more than the
 * book holds. Once Kraken placed it, {@link #executed} counts what it executed ({@code vol_exec}, read back with
 * QueryOrders), and {@link #release} gives the book up.
 *
 * <p>A book counts only what Kraken reports executed, never the volume asked for: a limit order still resting when
 * the next alert of its book arrives is cancelled first (by its client order id), and only what it filled is counted.
 */
public class BookOrders {

    private static final Logger LOG = LoggerFactory.getLogger(BookOrders.class);
    /** How often a book held by another instance is asked for again. */
    private static final long HOLD_RETRY_MS = 50;
    /** How often a market order not shown as done is read again, and how long apart (each read costs 1 on the REST
     * counter, checked before it). */
    private static final int MARKET_READ_AGAIN = 3;
    private static final Duration MARKET_READ_PAUSE = Duration.ofMillis(250);
    /** QueryOrders takes at most this many txids in one call. */
    private static final int QUERY_ORDERS_MAX = 50;

    private final MarketData market;
    private final OrderDesk desk;
    private final OrderPlanner planner;
    private final Books books;
    private final KrakenApi kraken;
    private final RateBudget budget;
    private final OrderLifecycle lifecycle;
    private final Duration waitForBook;
    private final StrategyFile strategies;
    /** This instance's turn on each book: its alerts take the book one at a time before asking the database. */
    private final Map<Books.Key, Semaphore> turns = new ConcurrentHashMap<>();

    /**
     * @param waitForBook how long an alert waits for its book before it is dead-lettered {@code book_busy}
     */
    public BookOrders(MarketData market, OrderDesk desk, OrderPlanner planner, Books books, KrakenApi kraken,
            RateBudget budget, OrderLifecycle lifecycle, Duration waitForBook, StrategyFile strategies) {
        this.market = market;
        this.desk = desk;
        this.planner = planner;
        this.books = books;
        this.kraken = kraken;
        this.budget = budget;
        this.lifecycle = lifecycle;
        this.waitForBook = waitForBook;
        this.strategies = strategies;
    }

    /**
     * Resolves the alert's pair and takes its strategy's book on it: this instance's turn first, then the book's lease
     * in the database.
     *
     * @throws BookUnavailableException ({@code book_busy}) when the book is not free within the wait
     */
    public Books.Key take(@Variable("case") AlertCase alertCase) {
        Books.Key key = keyOf(alertCase);
        long deadline = System.nanoTime() + waitForBook.toNanos();
        Semaphore turn = turns.computeIfAbsent(key, k -> new Semaphore(1, true));
        boolean turnTaken = false;
        boolean held = false;
        try {
            turnTaken = turn.tryAcquire(waitForBook.toMillis(), TimeUnit.MILLISECONDS);
            if (!turnTaken) {
                throw busy(key);
            }
            while (!books.hold(key)) {
                if (System.nanoTime() > deadline) {
                    throw busy(key);
                }
                Thread.sleep(HOLD_RETRY_MS);
            }
            held = true;
            return key;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw busy(key);
        } finally {
            if (turnTaken && !held) {
                turn.release();
            }
        }
    }

    /** Gives the book up (the doFinally of route execute-on-book). */
    public void release(@Variable("book") Books.Key key) {
        try {
            books.release(key);
        } finally {
            Semaphore turn = turns.get(key);
            if (turn != null) {
                turn.release();
            }
        }
    }

    /**
     * With the book held, first of all: the alert as its account sizes it (the strategies file's {@code accounts},
     * docs/accounts.md#strategies-on-several-accounts). An order alert is sized as any order on that account
     * ({@link AccountSizing#apply}); a target by {@link AccountSizing#target}, from the book once its earlier orders
     * are settled. A reversal's open leg keeps the size its close was planned with.
     *
     * @return the case to plan, its alert sized; unchanged when the account sizes nothing
     */
    public AlertCase sizedForAccount(@Variable("case") AlertCase alertCase, @Variable("book") Books.Key key) {
        StrategySettings.Sizing sizing = strategies.settings().sizingOf(key.account());
        if (sizing.asSent()) {
            return alertCase;
        }
        // a fixed cost or percent keeps a position at the size it opened with: decided on the book as settled
        boolean fromBook = alertCase.alert().targetsPosition() && sizing.multiplier() == null;
        return sized(alertCase, key, sizing, fromBook ? settle(key, alertCase.journalEntry()) : BigDecimal.ZERO);
    }

    /** {@link #sizedForAccount}, the book's position given ({@code book}). */
    private AlertCase sized(AlertCase alertCase, Books.Key key, StrategySettings.Sizing sizing, BigDecimal book) {
        if (sizing.asSent()) {
            return alertCase;
        }
        Alert alert = alertCase.alert();
        Alert sized;
        if (alert.targetsPosition()) {
            AssetPair pair = pairOf(alert);
            sized = alert.withTarget(AccountSizing.target(alert.target(), book, sizing, () -> market.lastPrice(pair),
                    () -> market.balances(alertCase.account()).getOrDefault(pair.quote(), BigDecimal.ZERO)));
            LOG.info("{}: target {} for account {} ({})", key, plain(sized.target().position()), key.account(),
                    AccountSizing.describe(sizing));
        } else {
            sized = AccountSizing.apply(alert, sizing);
            LOG.info("{}: sized for account {}: {}", key, key.account(), AccountSizing.describe(sizing));
        }
        return alertCase.withChangedAlert(sized);
    }

    /**
     * With the book held: the book's earlier orders settled, the alert checked against the last one applied, and the
     * difference to the target planned.
     *
     * @return the {@link OrderRequest} to place, or the {@link Outcome} when there is nothing to order
     *         ({@code superseded}, {@code in_position}), journaled
     */
    public Object plan(@Variable("case") AlertCase alertCase, @Variable("book") Books.Key key) {
        Alert alert = alertCase.alert();
        long row = alertCase.journalEntry();
        if (!alert.targetsPosition()) {
            Object planned = ownOrder(alertCase, key, settle(key, row));
            books.opened(row, key, null);
            return planned;
        }
        Instant firedAt = alert.time() == null ? null : AlertAge.firedAt(alert.time());
        // a reversal's open leg is applied as its alert, whose row it names: an alert that arrived while the reversal
        // held the book must not look older than the leg's own, later, row (docs/strategies.md#reversals)
        // only a row whose alert id says so can be an open leg: other alerts are not asked about
        Optional<Long> legOf = alertCase.alertId().endsWith(OrderLifecycle.OPEN_LEG_SUFFIX)
                ? books.leg(row).filter(Books.Leg::open).map(Books.Leg::of) : Optional.empty();
        long applies = legOf.orElse(row);
        Books.Book before = books.get(key).orElseThrow();
        if (legOf.isPresent() ? !legOf.get().equals(before.lastAlert())
                : Books.superseded(firedAt, row, before.lastTime(), before.lastAlert())) {
            return superseded(alertCase, key, before);
        }
        BigDecimal position = settle(key, row);
        Optional<Books.Book> applied = books.apply(key, applies, firedAt);
        if (applied.isEmpty()) {
            return superseded(alertCase, key, books.get(key).orElseThrow());
        }
        boolean reversal = legOf.isEmpty() && reverses(position, alert.target(), pairOf(alert));
        Object planned = difference(alertCase, key, position, reversal, legOf.isPresent());
        if (planned instanceof OrderRequest) {
            books.opened(row, key, reversal ? Books.CLOSE_LEG : null);
        }
        return planned;
    }

    /**
     * After a reversal's close leg was placed and counted: whether its open leg goes now. Only when the close executed
     * in full and the book is flat with nothing of it left uncounted (docs/strategies.md#reversals): a close that
     * failed, is still open, or could not be read back never leads to an open, so a position is never doubled.
     */
    public boolean opensNext(@Variable("case") AlertCase alertCase, @Variable("book") Books.Key key,
            @Body Outcome outcome) {
        long row = alertCase.journalEntry();
        if (!alertCase.alert().targetsPosition() || !Outcome.EXECUTED.equals(outcome.status())
                || !books.leg(row).map(Books.Leg::close).orElse(false)) {
            return false;
        }
        Books.Book book = books.get(key).orElseThrow();
        boolean flat = book.position().signum() == 0 && books.openOrders(key).isEmpty();
        if (!flat) {
            LOG.warn("{}: the close leg of journal entry {} did not leave the book flat and counted (book {}): its "
                    + "open leg is not placed; the book's next alert plans from the book as it is", key, row,
                    plain(book.position()));
        }
        return flat;
    }

    /** The open leg's own case: journaled under the alert's row, with its own alert id and client order id. */
    public AlertCase openLeg(@Variable("case") AlertCase close) {
        return lifecycle.openLeg(close);
    }

    /**
     * Both legs decided: the answer lists them, close first, ends with the open leg's outcome, and becomes the alert's
     * kept answer.
     */
    public Outcome reversed(@Variable("closeCase") AlertCase close, @Variable("closeLeg") Outcome closeLeg,
            @Variable("book") Books.Key key, @Body Outcome openLeg) {
        Target target = close.alert().target();
        String what = Outcome.EXECUTED.equals(openLeg.status()) ? "reversed: closed, then opened"
                : "closed, but the open leg ended " + openLeg.status() + ": the book's next alert plans from the book";
        Outcome answer;
        try {
            BigDecimal book = books.get(key).map(Books.Book::position).orElse(BigDecimal.ZERO);
            answer = Outcome.reversal(closeLeg, openLeg, view(key, book, target, what));
            return lifecycle.reversed(close, answer);
        } catch (RuntimeException e) {
            // both legs are journaled on their own rows already: only the alert's kept answer could not be updated
            LOG.warn("{}: the reversal's answer could not be kept for copies of journal entry {} ({})", key,
                    close.journalEntry(), e.getMessage());
            return Outcome.reversal(closeLeg, openLeg, new Outcome.Position(key.strategy().isEmpty() ? null
                    : key.strategy(), key.pair(), null, plain(target.position()), what));
        }
    }

    /**
     * The open leg could not be journaled (the journal refused the write): nothing of it exists, so nothing was placed.
     * The answer is the close's, saying so; the book is flat, and its next alert plans from it.
     */
    public Outcome openLegNotJournaled(@Variable("closeLeg") Outcome closeLeg, @Variable("book") Books.Key key,
            @Variable("closeCase") AlertCase close,
            @org.apache.camel.ExchangeProperty(org.apache.camel.Exchange.EXCEPTION_CAUGHT) Throwable failure) {
        LOG.warn("{}: the open leg of journal entry {} could not be journaled ({}): not placed", key,
                close.journalEntry(), failure == null ? "unknown" : failure.getMessage());
        return closeLeg.withPosition(view(key, BigDecimal.ZERO, close.alert().target(), "closed; the open leg could "
                + "not be journaled, so it was not placed: the book is flat, and its next alert plans from it"));
    }

    /**
     * A validation of an alert on a book: its order (the difference to the book as it stands, for a target), checked by
     * Kraken with {@code validate=true}; nothing is settled, applied or held.
     */
    public Object planValidation(@Variable("case") AlertCase unsized) {
        Books.Key key = keyOf(unsized);
        BigDecimal position = books.get(key).map(Books.Book::position).orElse(BigDecimal.ZERO);
        AlertCase alertCase = sized(unsized, key, strategies.settings().sizingOf(key.account()), position);
        Alert alert = alertCase.alert();
        Object planned = alert.targetsPosition()
                ? difference(alertCase, key, position, reverses(position, alert.target(), pairOf(alert)), false)
                : ownOrder(alertCase, key, position);
        return planned instanceof OrderRequest order ? order.asValidation() : planned;
    }

    /**
     * After Kraken answered the order: if it is done (a market order fills at once), what it executed is counted in the
     * book now. A limit order still resting, or one that cannot be read back now (no room in Kraken's REST counter, a
     * failed look-up), is counted when the book's next alert settles it. The order was placed: nothing here may turn
     * its outcome into a failure.
     */
    public Outcome executed(@Variable("case") AlertCase alertCase, @Variable("book") Books.Key key,
            @Body Outcome outcome) {
        Target target = alertCase.alert().target();
        if (!Outcome.EXECUTED.equals(outcome.status()) || outcome.order() == null || outcome.order().txid() == null) {
            return outcome;
        }
        BigDecimal bookBefore = books.get(key).map(Books.Book::position).orElse(BigDecimal.ZERO);
        String txid = String.join(",", outcome.order().txid());
        String later = "; what it executes is counted in the book when its next alert arrives";
        if (!budget.restRoomFor(key.account(), 1)) {
            return outcome.withPosition(view(key, bookBefore, target, "order " + txid + " placed; no room in "
                    + "Kraken's REST counter to read it back now" + later));
        }
        Map<String, Execution> read;
        try {
            read = query(key, List.of(txid));
        } catch (RuntimeException e) {
            LOG.warn("{}: order {} could not be read back ({}){}", key, txid, e.getMessage(), later);
            return outcome.withPosition(view(key, bookBefore, target, "order " + txid + " placed; it could not be "
                    + "read back" + later));
        }
        Execution execution = read.get(txid);
        // a market order Kraken has not shown as done yet (pending, or not listed a moment after its AddOrder): read
        // again, a few times, while the REST counter has room, so that a reversal's close can lead to its open leg
        boolean market = "market".equals(outcome.order().orderType());
        for (int again = 0; market && again < MARKET_READ_AGAIN && (execution == null || !execution.done())
                && budget.restRoomFor(key.account(), 1); again++) {
            pause(MARKET_READ_PAUSE);
            try {
                execution = query(key, List.of(txid)).get(txid);
            } catch (RuntimeException e) {
                LOG.warn("{}: order {} could not be read back again ({})", key, txid, e.getMessage());
                break;
            }
        }
        if (execution == null || !execution.done()) {
            return outcome.withPosition(view(key, bookBefore, target, "order " + txid + " is open" + later));
        }
        BigDecimal after = books.count(alertCase.journalEntry(), key, execution.fill(quoteOf(key)));
        return outcome.withPosition(view(key, after, target, execution.describe() + ": book " + plain(bookBefore)
                + " -> " + plain(after)));
    }

    // ---- planning ----

    /**
     * Whether going from {@code position} to the target crosses flat with a close Kraken can place: then the close is
     * ordered first, on its own (docs/strategies.md#reversals). A position too small to close (below the pair's
     * minimum volume or cost) is not closed first: the order goes to the target at once.
     */
    private boolean reverses(BigDecimal position, Target target, AssetPair pair) {
        if (position.signum() * target.position().signum() >= 0) {
            return false;
        }
        BigDecimal close = position.abs().setScale(pair.lotDecimals(), RoundingMode.DOWN);
        if (close.compareTo(pair.orderMin()) < 0) {
            return false;
        }
        // and its cost: a close refused below the pair's minimum cost would leave the book on the wrong side
        return pair.costMin().signum() == 0 || close.multiply(market.lastPrice(pair)).compareTo(pair.costMin()) >= 0;
    }

    /**
     * The order from the book to the target, or for a reversal's close leg ({@code closeFirst}) to flat. The short side
     * trades on margin (docs/strategies.md#margin-shorts): an order that opens or grows a short carries the strategy's
     * {@code leverage}; one that reduces a short carries it too, with {@code reduce_only}. The long side is spot.
     */
    private Object difference(AlertCase alertCase, Books.Key key, BigDecimal position, boolean closeFirst,
            boolean openLeg) {
        Alert alert = alertCase.alert();
        Target target = alert.target();
        AssetPair pair = pairOf(alert);
        StrategySettings.Strategy strategy = strategies.settings().strategy(alert.strategy());
        if ((target.isShort() || position.signum() < 0) && !strategy.onMargin()) {
            throw new RefusedException(Refusal.MARGIN_REQUIRED, (target.isShort() ? target.source() + " is a short "
                    + "position" : "the book is short (" + plain(position) + ")") + ", which needs a strategy "
                    + "trading on margin: set 'leverage' for it in the strategies file; " + key + " trades spot only",
                    List.of("position: " + plain(target.position()), "leverage: not set for "
                            + (alert.strategy() == null ? "the default book (name a strategy)" : "strategy '"
                            + alert.strategy() + "'")));
        }
        BigDecimal aim = closeFirst ? BigDecimal.ZERO : target.position();
        BigDecimal wanted = aim.subtract(position);
        BigDecimal volume = wanted.abs().setScale(pair.lotDecimals(), RoundingMode.DOWN);
        if (volume.signum() == 0 || volume.compareTo(pair.orderMin()) < 0) {
            String why = wanted.signum() == 0 ? "the book is at the target"
                    : "the difference " + plain(wanted) + " is below the minimum order " + plain(pair.orderMin())
                            + " " + pair.baseSymbol() + " of " + pair.altname() + ": nothing to order";
            return inPosition(alertCase, key, position, why);
        }
        Side side = wanted.signum() > 0 ? Side.BUY : Side.SELL;
        // on margin: an order that opens, grows or reduces a short and goes no further than flat. A short too small to
        // close on its own that a long target crosses is bought over spot (docs/strategies.md#margin-shorts)
        boolean shortSide = aim.signum() < 0 || (position.signum() < 0 && aim.signum() == 0);
        String leverage = shortSide ? strategy.leverage().toString() : null;
        boolean reduceOnly = shortSide && side == Side.BUY;
        // a reversal's two legs are told apart by their own client order ids, derived from their own alert ids: a
        // trader's userref, the same on both, would make one look like the other at Kraken (docs/kraken.md#client-order-ids)
        Integer userref = closeFirst || openLeg ? null : alert.userref();
        RequestLog.order(pair.altname(), side.kraken());
        Alert order = new Alert(alert.ticker(), side, alert.orderType(), volume, null, null, alert.price(),
                alert.price2(), alert.trigger(), leverage, reduceOnly, alert.postOnly(), alert.timeInForce(),
                alert.expireTime(), alert.close(), alert.id(), alert.time(), alert.validate(), userref,
                alert.comment(), alert.strategy(), null, alert.accounts());
        try {
            OrderRequest planned = planner.plan(order, pair, () -> market.lastPrice(pair),
                    () -> market.balances(alertCase.account()));
            LOG.info("{}: {} -> {}{}: {} {} {}{}", key, plain(position), plain(target.position()),
                    closeFirst ? " (a reversal: the close first)" : "", side.kraken(), plain(volume), pair.altname(),
                    leverage == null ? "" : " on margin " + leverage + ":1" + (reduceOnly ? ", reduce only" : ""));
            return planned;
        } catch (RefusedException refusal) {
            if (refusal.refusal() == Refusal.BELOW_MINIMUM) {
                return inPosition(alertCase, key, position, "the difference " + plain(wanted) + " is too small to "
                        + "order: " + refusal.getMessage());
            }
            throw refusal;
        }
    }

    /**
     * An order alert naming its strategy: the order as sent, sized and checked as any, but a sell never larger than
     * what the book holds (422 {@code exceeds_book}): a strategy never sells another's coins.
     */
    private OrderRequest ownOrder(AlertCase alertCase, Books.Key key, BigDecimal position) {
        Alert alert = alertCase.alert();
        AssetPair pair = pairOf(alert);
        RequestLog.order(pair.altname(), alert.action().kraken());
        boolean coversShort = position.signum() < 0 && alert.action() == Side.BUY;
        if (coversShort) {
            // a buy on a short book reduces the margin position, as the strategy's target orders do: on margin,
            // reduce only, never more than the short (docs/strategies.md#margin-shorts)
            StrategySettings.Strategy strategy = strategies.settings().strategy(alert.strategy());
            if (!strategy.onMargin()) {
                throw new RefusedException(Refusal.MARGIN_REQUIRED, key + " is short (" + plain(position) + "): a "
                        + "buy that reduces it trades on margin, which needs 'leverage' for the strategy in the "
                        + "strategies file", List.of("book: " + plain(position), "leverage: not set"));
            }
            alert = new Alert(alert.ticker(), alert.action(), alert.orderType(), alert.volume(), alert.cost(),
                    alert.percent(), alert.price(), alert.price2(), alert.trigger(), strategy.leverage().toString(),
                    true, alert.postOnly(), alert.timeInForce(), alert.expireTime(), alert.close(), alert.id(),
                    alert.time(), alert.validate(), alert.userref(), alert.comment(), alert.strategy(), null,
                    alert.accounts());
        }
        OrderRequest order = planner.plan(alert, pair, () -> market.lastPrice(pair),
                () -> market.balances(alertCase.account()));
        if (coversShort && order.volume().compareTo(position.negate()) > 0) {
            throw new RefusedException(Refusal.EXCEEDS_BOOK, "buy " + plain(order.volume()) + " " + pair.baseSymbol()
                    + " is more than " + key + " is short (" + plain(position) + "): an order alert only reduces a "
                    + "short; a target alert reverses it", List.of("volume: " + plain(order.volume()),
                    "book: " + plain(position)));
        }
        if (order.side() == Side.SELL && order.volume().compareTo(position) > 0) {
            throw new RefusedException(Refusal.EXCEEDS_BOOK, "sell " + plain(order.volume()) + " " + pair.baseSymbol()
                    + " is more than " + key + " holds (" + plain(position) + "): a strategy sells only what its own "
                    + "orders bought", List.of("volume: " + plain(order.volume()), "book: " + plain(position)));
        }
        LOG.info("{}: book {}, {} {} {}", key, plain(position), order.side().kraken(), plain(order.volume()),
                pair.altname());
        return order;
    }

    private Outcome inPosition(AlertCase alertCase, Books.Key key, BigDecimal position, String why) {
        return lifecycle.noOrder(alertCase, AlertState.IN_POSITION,
                view(key, position, alertCase.alert().target(), why));
    }

    private Outcome superseded(AlertCase alertCase, Books.Key key, Books.Book book) {
        String why = "an alert fired later" + (book.lastTime() == null ? "" : " (" + book.lastTime() + ")")
                + " was applied to " + key + " already (journal entry " + book.lastAlert() + "): nothing changed";
        return lifecycle.noOrder(alertCase, AlertState.SUPERSEDED,
                view(key, book.position(), alertCase.alert().target(), why));
    }

    // ---- settling the book's earlier orders ----

    /**
     * Counts what every earlier order of the book executed, cancelling any still open first (by its client order id):
     * a resting limit order is never counted twice, once as the book and once as an order still to fill. The orders
     * are read with one QueryOrders (and, if some had to be cancelled, one more), whatever their number.
     *
     * @return the book's position once settled
     * @throws BookUnavailableException ({@code book_unsettled}) when an earlier order's outcome is still in doubt
     */
    private BigDecimal settle(Books.Key key, long row) {
        List<Books.OpenOrder> placed = new ArrayList<>();
        for (Books.OpenOrder open : books.openOrders(key)) {
            if (open.row() == row) {
                continue;
            }
            switch (open.state()) {
                case RECEIVED, SENDING, RECONCILING -> throw new BookUnavailableException(
                        BookUnavailableException.UNSETTLED, "journal entry " + open.row() + ", an earlier order of "
                        + key + ", is " + open.state() + ": its outcome at Kraken is not known yet, so neither is "
                        + "the position; nothing was sent");
                case EXECUTED -> placed.add(open);
                case DEAD_LETTERED -> {
                    if (open.mayHaveBeenPlaced()) {
                        throw new BookUnavailableException(BookUnavailableException.UNSETTLED, "journal entry "
                                + open.row() + ", an earlier order of " + key + ", was dead-lettered and may have "
                                + "been placed: replay or drop its dead letter first; nothing was sent");
                    }
                    books.count(open.row(), key, Books.Fill.none(quoteOf(key)));
                }
                // refused, or no order after all: nothing executed
                default -> books.count(open.row(), key, Books.Fill.none(quoteOf(key)));
            }
        }
        if (!placed.isEmpty()) {
            countExecuted(key, placed);
        }
        return books.get(key).orElseThrow().position();
    }

    private void countExecuted(Books.Key key, List<Books.OpenOrder> placed) {
        Map<String, Execution> read;
        try {
            read = query(key, placed.stream().flatMap(o -> o.txids().stream()).toList());
        } catch (KrakenRefusedException e) {
            throw unsettled(key, placed.get(0), "Kraken refused to look its orders up (" + e.getMessage() + ")");
        }
        List<Books.OpenOrder> cancelled = new ArrayList<>();
        for (Books.OpenOrder open : placed) {
            for (String txid : open.txids()) {
                Execution execution = read.get(txid);
                if (execution == null) {
                    throw unsettled(key, open, "Kraken does not know order " + txid + " yet");
                }
                if (!execution.done()) {
                    Map<String, String> cancel = open.clOrdId() != null ? Map.of("cl_ord_id", open.clOrdId())
                            : Map.of("txid", txid);
                    try {
                        kraken.privateCall(Accounts.stored(key.account()), "CancelOrder", cancel);
                        LOG.info("{}: cancelled its open order {} before planning", key, txid);
                    } catch (KrakenRefusedException gone) {
                        // filled or cancelled since it was read (EOrder:Unknown order): read again below
                        LOG.info("{}: its open order {} could not be cancelled ({}); reading it again", key, txid,
                                gone.getMessage());
                    }
                    cancelled.add(open);
                }
            }
        }
        if (!cancelled.isEmpty()) {
            try {
                read.putAll(query(key, cancelled.stream().flatMap(o -> o.txids().stream()).toList()));
            } catch (KrakenRefusedException e) {
                throw unsettled(key, cancelled.get(0), "Kraken refused to look its orders up (" + e.getMessage()
                        + ")");
            }
        }
        String quote = quoteOf(key);
        for (Books.OpenOrder open : placed) {
            Books.Fill filled = Books.Fill.none(quote);
            for (String txid : open.txids()) {
                Execution execution = read.get(txid);
                if (execution == null || !execution.done()) {
                    throw unsettled(key, open, "order " + txid + " is still open after it was cancelled");
                }
                Books.Fill one = execution.fill(quote);
                filled = new Books.Fill(filled.volume().add(one.volume()), filled.cost().add(one.cost()),
                        filled.fee().add(one.fee()), quote);
            }
            books.count(open.row(), key, filled);
        }
    }

    private static BookUnavailableException unsettled(Books.Key key, Books.OpenOrder open, String why) {
        return new BookUnavailableException(BookUnavailableException.UNSETTLED, "journal entry " + open.row()
                + ", an earlier order of " + key + ": " + why + "; nothing was sent");
    }

    /**
     * What Kraken reports of some orders, by txid (QueryOrders takes up to 50 at once, docs/strategies.md#books):
     * side, status, executed volume. An order Kraken does not list is absent from the map.
     */
    private Map<String, Execution> query(Books.Key key, List<String> txids) {
        Map<String, Execution> found = new HashMap<>();
        for (int from = 0; from < txids.size(); from += QUERY_ORDERS_MAX) {
            List<String> page = txids.subList(from, Math.min(txids.size(), from + QUERY_ORDERS_MAX));
            JsonNode result = kraken.privateCall(Accounts.stored(key.account()), "QueryOrders", Map.of("txid", String.join(",", page)))
                    .result();
            for (String txid : page) {
                JsonNode order = result.path(txid);
                if (!order.isMissingNode() && !order.isNull()) {
                    found.put(txid, new Execution(txid, order.path("descr").path("type").asText(),
                            order.path("status").asText(), new BigDecimal(order.path("vol_exec").asText("0")),
                            new BigDecimal(order.path("cost").asText("0")),
                            new BigDecimal(order.path("fee").asText("0"))));
                }
            }
        }
        return found;
    }

    /** An order's state at Kraken; {@code done} once it can execute no more (closed, canceled, expired). */
    private record Execution(String txid, String side, String status, BigDecimal volumeExecuted, BigDecimal cost,
            BigDecimal fee) {

        Books.Fill fill(String quote) {
            return new Books.Fill(signed(), cost, fee, quote);
        }

        boolean done() {
            return !"open".equals(status) && !"pending".equals(status);
        }

        BigDecimal signed() {
            return "sell".equals(side) ? volumeExecuted.negate() : volumeExecuted;
        }

        String describe() {
            return txid + " " + status + ", executed " + plain(volumeExecuted) + " (" + side + ")";
        }
    }

    // ---- helpers ----

    /** The quote currency of a book's pair ({@code USD}), in which its profit and loss is kept. */
    private String quoteOf(Books.Key key) {
        return market.pairFor(key.pair()).map(AssetPair::quoteSymbol).orElse("?");
    }

    /** The book an alert trades on: its strategy's on its pair, of the account its order is placed on. */
    private Books.Key keyOf(AlertCase alertCase) {
        Alert alert = alertCase.alert();
        return new Books.Key(alert.strategy(), pairOf(alert).altname(), alertCase.account());
    }


    private AssetPair pairOf(Alert alert) {
        return desk.pairOf(alert);
    }

    /** The answer's {@code position}; {@code target} is null for an order alert. */
    private static Outcome.Position view(Books.Key key, BigDecimal book, Target target, String message) {
        return new Outcome.Position(key.strategy().isEmpty() ? null : key.strategy(), key.pair(), plain(book),
                target == null ? null : plain(target.position()), message);
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static BookUnavailableException busy(Books.Key key) {
        return new BookUnavailableException(BookUnavailableException.BUSY, key + " was held by another alert for "
                + "too long: nothing was sent");
    }
}
