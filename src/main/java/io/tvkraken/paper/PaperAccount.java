package io.tvkraken.paper;

import java.math.BigDecimal;
import java.math.MathContext;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The exchange's state: balances, prices, orders and the last nonce per key. Every method holds the one lock
 * ({@code this}) for its whole read-check-write, so concurrent requests see each state change whole; no I/O is done
 * under it.
 *
 * <p>Resting orders reserve nothing, and fill only when a trade crosses them ({@link #trade}, which a test drives: the
 * paper exchange has no other traders), in full or in part, at their limit price. Market orders fill in full, at the
 * last price or, with {@link PaperConfig#bookLevelQuote()} set, walking the {@link SimulatedBook} so that they slip.
 * Every fill is kept as a trade and its ledger entries (docs/paper-exchange.md#methods). Nothing pays fees.
 *
 * <p>Memory stays bounded however many orders a paper-trading run places. Open orders are at most
 * {@link PaperConfig#openOrdersLimit()}, indexed by txid and by {@code cl_ord_id}, so that placing an order checks
 * {@code cl_ord_id} uniqueness without looking at any other order. Closed orders (filled or cancelled) are kept for
 * the {@link PaperConfig#closedOrdersKept()} most recently closed only, indexed by txid, {@code cl_ord_id} and
 * {@code userref}; an older one is forgotten: QueryOrders calls it unknown and ClosedOrders no longer lists or counts
 * it. Kraken itself hands ClosedOrders out 50 a page (https://docs.kraken.com/api/docs/rest-api/get-closed-orders),
 * and the service only ever looks back a few minutes, for orders in doubt (docs/kraken.md, "Finding an order"), so
 * forgetting ten thousand closes ago changes nothing a paper-trading client relies on.
 */
final class PaperAccount {

    private static final char[] TXID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();
    /** Kraken documents no error for a {@code cl_ord_id} an open order holds; this one names the cause. */
    private static final String DUPLICATE_CL_ORD_ID = "EOrder:Duplicate cl_ord_id";
    /**
     * Kraken's error list has a family of {@code EOrder:Reduce only:} errors without saying which one a reduce-only order
     * with no position to reduce gets; this one names the cause in that form.
     */
    static final String REDUCE_ONLY_NOTHING_TO_REDUCE = "EOrder:Reduce only:No position to reduce";

    private final Map<String, BigDecimal> balances;
    private final Map<String, BigDecimal> prices;
    /** What each level of the simulated book holds, in quote; zero: market orders fill at the last price. */
    private final BigDecimal bookLevelQuote;
    /** The trades kept, oldest first, at most as many as closed orders are kept. */
    private final Deque<PaperTrade> trades = new ArrayDeque<>();
    /** The ledger entries kept, oldest first, at most twice as many as trades. */
    private final Deque<PaperLedgerEntry> ledger = new ArrayDeque<>();
    /** Per pair id, the prices it traded or was set at, oldest first, for OHLC: at most {@link #HISTORY_KEPT}. */
    private final Map<String, Deque<PricePoint>> history = new HashMap<>();
    private long tradeNumber;
    /** When every open order is cancelled (CancelAllOrdersAfter), or null. */
    private Instant cancelAllAt;

    /** A price the pair traded at ({@code volume} above 0) or was set to, at a time. */
    record PricePoint(Instant at, BigDecimal price, BigDecimal volume) {
    }

    static final int HISTORY_KEPT = 20_000;

    /** Open margin positions by their id, oldest first: they are closed first-in first-out. */
    private final Map<String, PaperPosition> positions = new LinkedHashMap<>();
    private final Map<String, Long> lastNonce = new HashMap<>();
    private final int closedOrdersKept;
    private final int openOrdersLimit;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    /** Placement number of the next order: replies list orders in placement order, or its reverse. */
    private long nextSequence;
    /** Open orders by txid, in placement order. */
    private final Map<String, Held> open = new LinkedHashMap<>();
    /** The open order holding each {@code cl_ord_id}: Kraken makes it unique among open orders. */
    private final Map<String, Held> openByClOrdId = new HashMap<>();
    /** Closed orders kept, by txid, in the order they closed: the eldest is the first forgotten. */
    private final Map<String, Held> closed = new LinkedHashMap<>();
    /** The same closed orders by placement number, for ClosedOrders' newest-first pages. */
    private final TreeMap<Long, PaperOrder> closedBySequence = new TreeMap<>();
    /** Placement numbers of the closed orders kept, per {@code cl_ord_id}: a closed one may be reused. */
    private final Map<String, NavigableSet<Long>> closedByClOrdId = new HashMap<>();
    /** Placement numbers of the closed orders kept, per {@code userref}, 0 standing for none as in Kraken's filter. */
    private final Map<Integer, NavigableSet<Long>> closedByUserref = new HashMap<>();

    PaperAccount(PaperConfig config, Clock clock) {
        this.balances = new LinkedHashMap<>(config.balances());
        this.prices = new HashMap<>(config.prices());
        this.closedOrdersKept = config.closedOrdersKept();
        this.openOrdersLimit = config.openOrdersLimit();
        this.bookLevelQuote = config.bookLevelQuote();
        Instant start = clock.instant();
        this.prices.forEach((pairId, price) -> remember(pairId, start, price, BigDecimal.ZERO));
        this.clock = clock;
    }

    /** An order with its placement number. */
    private record Held(long sequence, PaperOrder order) {
    }

    /**
     * The nonce must be strictly greater than the last one accepted for the key (an unsigned 64-bit integer), else
     * {@code EAPI:Invalid nonce} (https://docs.kraken.com/api/docs/guides/spot-rest-auth). Check and update are one
     * step, and a refused nonce leaves the counter where it was, so a late duplicate cannot push the next honest
     * request out.
     */
    synchronized boolean acceptNonce(String apiKey, long nonce) {
        Long last = lastNonce.get(apiKey);
        if (last != null && Long.compareUnsigned(nonce, last) <= 0) {
            return false;
        }
        lastNonce.put(apiKey, nonce);
        return true;
    }

    synchronized BigDecimal price(String pairId) {
        BigDecimal price = prices.get(pairId);
        if (price == null) {
            // A pair with no configured price cannot fill or resolve a relative price; say so in Kraken's words.
            throw new KrakenReject("EGeneral:Internal error:no paper price for " + pairId);
        }
        return price;
    }

    synchronized BigDecimal priceOrNull(String pairId) {
        return prices.get(pairId);
    }

    synchronized void setPrice(String pairId, BigDecimal price) {
        prices.put(pairId, price);
        remember(pairId, clock.instant(), price, BigDecimal.ZERO);
    }

    /**
     * Somebody traded {@code volume} of the pair at {@code price}: it becomes the last price, and the resting limit
     * orders it crosses (buys at or above it, sells at or below it) fill at their own limit price, in placement order,
     * until the volume is used up: the last one it reaches may fill in part and stay open, its {@code vol_exec} below
     * its volume, as at Kraken. An order the account cannot pay for is passed over.
     *
     * @return how much of the volume filled resting orders
     */
    synchronized BigDecimal trade(PaperPair pair, BigDecimal price, BigDecimal volume) {
        prices.put(pair.id(), price);
        Instant now = clock.instant();
        remember(pair.id(), now, price, volume);
        BigDecimal left = volume;
        for (Held held : new ArrayList<>(open.values())) {
            PaperOrder order = held.order();
            boolean buy = order.type().equals("buy");
            // a limit order on margin rests unfilled: trades fill spot orders only (docs/kraken.md#margin)
            if (left.signum() <= 0 || !order.pairId().equals(pair.id()) || !order.ordertype().equals("limit")
                    || !"none".equals(order.leverage())
                    || (buy ? price.compareTo(order.price()) > 0 : price.compareTo(order.price()) < 0)) {
                continue;
            }
            BigDecimal fill = order.volume().subtract(order.volumeExecuted()).min(left);
            BigDecimal cost = fill.multiply(order.price());
            String payAsset = buy ? pair.quote() : pair.base();
            BigDecimal payAmount = buy ? cost : fill;
            if (balance(payAsset).compareTo(payAmount) < 0) {
                continue;
            }
            String getAsset = buy ? pair.base() : pair.quote();
            balances.put(payAsset, balance(payAsset).subtract(payAmount));
            balances.put(getAsset, balance(getAsset).add(buy ? fill : cost));
            left = left.subtract(fill);
            PaperOrder filled = order.filled(fill, cost, now);
            recordTrade(pair, filled, fill, cost, order.price(), true, now);
            if (filled.status().equals(PaperOrder.CLOSED)) {
                open.remove(order.txid());
                if (order.clOrdId() != null) {
                    openByClOrdId.remove(order.clOrdId());
                }
                keepClosed(new Held(held.sequence(), filled));
            } else {
                Held partly = new Held(held.sequence(), filled);
                open.put(order.txid(), partly);
                if (order.clOrdId() != null) {
                    openByClOrdId.put(order.clOrdId(), partly);
                }
            }
        }
        return volume.subtract(left);
    }

    /** A deposit or a withdrawal: the asset's balance becomes {@code amount}. */
    synchronized void setBalance(String asset, BigDecimal amount) {
        balances.put(asset, amount);
    }

    synchronized Map<String, BigDecimal> balances() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(balances));
    }

    /** Every order the exchange still knows, open or closed, in placement order. */
    synchronized List<PaperOrder> orders() {
        TreeMap<Long, PaperOrder> all = new TreeMap<>(closedBySequence);
        open.values().forEach(held -> all.put(held.sequence(), held.order()));
        return List.copyOf(all.values());
    }

    synchronized int openCount() {
        return open.size();
    }

    synchronized int closedCount() {
        return closed.size();
    }

    /** Entries of the closed orders' indexes, all together: they shrink with the closed orders they point at. */
    synchronized int closedIndexEntries() {
        int entries = closedBySequence.size();
        for (NavigableSet<Long> sequences : closedByClOrdId.values()) {
            entries += sequences.size();
        }
        for (NavigableSet<Long> sequences : closedByUserref.values()) {
            entries += sequences.size();
        }
        return entries;
    }

    /**
     * Places a checked order. A request whose {@code deadline} has passed is refused first
     * ({@code EService:Deadline elapsed}, https://docs.kraken.com/api/docs/rest-api/add-order), judged by the same
     * instant that would become the order's {@code opentm}. A market order fills at once at the current price or, if
     * the account cannot pay ({@code EOrder:Insufficient funds}), changes nothing. Anything else rests as open, if
     * there is room for one more open order ({@link PaperConfig#openOrdersLimit()}).
     */
    synchronized PaperOrder place(OrderTicket ticket) {
        Instant now = clock.instant();
        AddOrderRules.requireNotElapsed(ticket.deadline(), now);
        if (ticket.clOrdId() != null && openByClOrdId.containsKey(ticket.clOrdId())) {
            // cl_ord_id is unique among OPEN orders only (docs/kraken.md).
            throw new KrakenReject(DUPLICATE_CL_ORD_ID);
        }
        String txid = newTxid();
        PaperPair pair = ticket.pair();
        PaperOrder order;
        if (ticket.isMarket() && ticket.onMargin()) {
            BigDecimal fillPrice = SimulatedBook.fill(pair, ticket.type().equals("buy"), ticket.volume(),
                    price(pair.id()), bookLevelQuote).averagePrice();
            BigDecimal filled = fillOnMargin(pair, ticket.type(), ticket.ordertype(), ticket.volume(), fillPrice,
                    ticket.leverage(), ticket.reduceOnly(), txid, now);
            order = new PaperOrder(txid, pair.id(), pair.altname(), ticket.type(), ticket.ordertype(), ticket.volume(),
                    null, null, ticket.leverage(), ticket.oflags(), ticket.userref(), ticket.clOrdId(), PaperOrder.CLOSED,
                    now, now, filled, filled.multiply(fillPrice), BigDecimal.ZERO, fillPrice, ticket.description(),
                    ticket.closeDescription());
            keepClosed(new Held(nextSequence++, order));
            recordTrade(pair, order, filled, filled.multiply(fillPrice), fillPrice, false, now);
        } else if (ticket.isMarket()) {
            boolean buy = ticket.type().equals("buy");
            SimulatedBook.Fill walked = SimulatedBook.fill(pair, buy, ticket.volume(), price(pair.id()),
                    bookLevelQuote);
            BigDecimal fillPrice = walked.averagePrice();
            BigDecimal cost = walked.cost();
            String payAsset = buy ? pair.quote() : pair.base();
            BigDecimal payAmount = buy ? cost : ticket.volume();
            if (balance(payAsset).compareTo(payAmount) < 0) {
                throw new KrakenReject("EOrder:Insufficient funds");
            }
            String getAsset = buy ? pair.base() : pair.quote();
            BigDecimal getAmount = buy ? ticket.volume() : cost;
            balances.put(payAsset, balance(payAsset).subtract(payAmount));
            balances.put(getAsset, balance(getAsset).add(getAmount));
            order = new PaperOrder(txid, pair.id(), pair.altname(), ticket.type(), ticket.ordertype(), ticket.volume(),
                    null, null, ticket.leverage(), ticket.oflags(), ticket.userref(), ticket.clOrdId(), PaperOrder.CLOSED,
                    now, now, ticket.volume(), cost, BigDecimal.ZERO, fillPrice, ticket.description(),
                    ticket.closeDescription());
            keepClosed(new Held(nextSequence++, order));
            recordTrade(pair, order, ticket.volume(), cost, fillPrice, false, now);
        } else {
            if (open.size() >= openOrdersLimit) {
                throw new KrakenReject("EOrder:Orders limit exceeded");
            }
            order = new PaperOrder(txid, pair.id(), pair.altname(), ticket.type(), ticket.ordertype(), ticket.volume(),
                    ticket.price(), ticket.price2(), ticket.leverage(), ticket.oflags(), ticket.userref(),
                    ticket.clOrdId(), PaperOrder.OPEN, now, null, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, null,
                    ticket.description(), ticket.closeDescription());
            Held held = new Held(nextSequence++, order);
            open.put(txid, held);
            if (order.clOrdId() != null) {
                openByClOrdId.put(order.clOrdId(), held);
            }
        }
        return order;
    }

    /**
     * An order on margin fills {@code volume} at {@code price} (docs/kraken.md#margin): it first closes the pair's
     * positions the other way, oldest first, their profit or loss settled in the quote currency; what is left opens a
     * new position, whose margin ({@code cost ÷ leverage}) the quote balance not yet set aside must cover
     * ({@code EOrder:Insufficient margin}). A {@code reduce_only} order only closes: what is left of it is not
     * executed, and with nothing to close it is refused. Nothing changes when it is refused. Spot balances do not
     * move: a position borrows what it sells or buys.
     *
     * @return the volume executed
     */
    private BigDecimal fillOnMargin(PaperPair pair, String type, String ordertype, BigDecimal volume, BigDecimal price,
            String leverage, boolean reduceOnly, String txid, Instant now) {
        BigDecimal closable = positions.values().stream()
                .filter(p -> p.pairId().equals(pair.id()) && !p.type().equals(type))
                .map(PaperPosition::open).reduce(BigDecimal.ZERO, BigDecimal::add);
        BigDecimal closing = closable.min(volume);
        BigDecimal opening = reduceOnly ? BigDecimal.ZERO : volume.subtract(closing);
        if (reduceOnly && closing.signum() == 0) {
            throw new KrakenReject(REDUCE_ONLY_NOTHING_TO_REDUCE);
        }
        BigDecimal margin = opening.multiply(price).divide(new BigDecimal(leverage), MathContext.DECIMAL64);
        if (opening.signum() > 0 && freeMargin(pair.quote()).compareTo(margin) < 0) {
            throw new KrakenReject("EOrder:Insufficient margin");
        }
        BigDecimal left = closing;
        for (PaperPosition position : new ArrayList<>(positions.values())) {
            if (left.signum() == 0) {
                break;
            }
            if (!position.pairId().equals(pair.id()) || position.type().equals(type)) {
                continue;
            }
            BigDecimal amount = position.open().min(left);
            BigDecimal profit = position.profitOn(amount, price);
            balances.put(pair.quote(), balance(pair.quote()).add(profit));
            ledger(txid, now, "margin", pair.quote(), profit);
            PaperPosition after = position.closing(amount);
            if (after.open().signum() == 0) {
                positions.remove(position.posTxid());
            } else {
                positions.put(position.posTxid(), after);
            }
            left = left.subtract(amount);
        }
        if (opening.signum() > 0) {
            String posTxid = "T" + chunk(5) + "-" + chunk(5) + "-" + chunk(6);
            positions.put(posTxid, new PaperPosition(posTxid, txid, pair.id(), pair.quote(), type, ordertype,
                    opening, BigDecimal.ZERO, opening.multiply(price), margin, leverage, now));
        }
        return closing.add(opening);
    }

    /** The quote balance not set aside as the margin of open positions in that currency. */
    private BigDecimal freeMargin(String quote) {
        BigDecimal used = positions.values().stream().filter(p -> p.quote().equals(quote))
                .map(PaperPosition::marginOpen).reduce(BigDecimal.ZERO, BigDecimal::add);
        return balance(quote).subtract(used);
    }

    /**
     * Closes every margin position of a pair at its last price, settling their profit or loss, as a close by hand or a
     * liquidation would: outside any order of the service.
     */
    synchronized void closePositions(String pairId, String quote) {
        BigDecimal price = price(pairId);
        for (PaperPosition position : new ArrayList<>(positions.values())) {
            if (position.pairId().equals(pairId)) {
                balances.put(quote, balance(quote).add(position.profitOn(position.open(), price)));
                positions.remove(position.posTxid());
            }
        }
    }

    /** The open margin positions, oldest first (OpenPositions). */
    synchronized List<PaperPosition> positions() {
        return List.copyOf(positions.values());
    }

    /**
     * The open orders that pass {@code filter}, in placement order; with a {@code clOrdId}, only the one open order
     * holding it can.
     */
    synchronized List<PaperOrder> open(String clOrdId, Predicate<PaperOrder> filter) {
        if (clOrdId != null) {
            Held held = openByClOrdId.get(clOrdId);
            return held == null || !filter.test(held.order()) ? List.of() : List.of(held.order());
        }
        return open.values().stream().map(Held::order).filter(filter).toList();
    }

    /**
     * The closed orders kept that pass {@code filter}, newest placed first. A {@code clOrdId} or a {@code userref}
     * narrows the search through its index before the filter, which must test them too.
     */
    synchronized List<PaperOrder> closed(String clOrdId, Integer userref, Predicate<PaperOrder> filter) {
        Iterator<PaperOrder> candidates;
        if (clOrdId != null || userref != null) {
            NavigableSet<Long> sequences = clOrdId != null ? closedByClOrdId.get(clOrdId)
                    : closedByUserref.get(userref);
            if (sequences == null) {
                return List.of();
            }
            candidates = sequences.descendingSet().stream().map(closedBySequence::get).iterator();
        } else {
            candidates = closedBySequence.descendingMap().values().iterator();
        }
        List<PaperOrder> found = new ArrayList<>();
        candidates.forEachRemaining(order -> {
            if (filter.test(order)) {
                found.add(order);
            }
        });
        return found;
    }

    /** @return the orders asked for, in the order asked; {@code EOrder:Invalid order} if one is unknown or forgotten */
    synchronized List<PaperOrder> query(List<String> txids) {
        List<PaperOrder> found = new ArrayList<>();
        for (String txid : txids) {
            Held held = open.containsKey(txid) ? open.get(txid) : closed.get(txid);
            if (held == null) {
                throw new KrakenReject("EOrder:Invalid order");
            }
            found.add(held.order());
        }
        return found;
    }

    /**
     * The open orders CancelOrder names, in placement order: by {@code cl_ord_id}, else by {@code txid}, which is a
     * txid or, all digits, a userref (https://docs.kraken.com/api/docs/rest-api/cancel-order).
     */
    synchronized List<PaperOrder> openToCancel(String txid, String clOrdId) {
        if (clOrdId != null) {
            return open(clOrdId, o -> true);
        }
        if (txid.matches("-?\\d+")) {
            return open(null, o -> o.userref() != null && o.userref().toString().equals(txid));
        }
        Held held = open.get(txid);
        return held == null ? List.of() : List.of(held.order());
    }

    /**
     * Cancels the open orders {@link #openToCancel} names; {@code EOrder:Unknown order} when there is none
     * (https://docs.kraken.com/api/docs/rest-api/cancel-order).
     */
    synchronized int cancel(String txid, String clOrdId) {
        List<PaperOrder> orders = openToCancel(txid, clOrdId);
        if (orders.isEmpty()) {
            throw new KrakenReject("EOrder:Unknown order");
        }
        Instant now = clock.instant();
        orders.forEach(order -> cancel(order.txid(), now));
        return orders.size();
    }

    synchronized int cancelAll() {
        Instant now = clock.instant();
        List<String> txids = new ArrayList<>(open.keySet());
        txids.forEach(txid -> cancel(txid, now));
        return txids.size();
    }

    /** Moves an open order to the closed ones, cancelled at {@code now}. */
    private void cancel(String txid, Instant now) {
        Held held = open.remove(txid);
        if (held.order().clOrdId() != null) {
            openByClOrdId.remove(held.order().clOrdId());
        }
        keepClosed(new Held(held.sequence(), held.order().canceled(now)));
    }

    /** Adds a just-closed order to the closed ones and their indexes, and forgets the eldest past the limit. */
    private void keepClosed(Held held) {
        PaperOrder order = held.order();
        closed.put(order.txid(), held);
        closedBySequence.put(held.sequence(), order);
        if (order.clOrdId() != null) {
            closedByClOrdId.computeIfAbsent(order.clOrdId(), k -> new TreeSet<>()).add(held.sequence());
        }
        closedByUserref.computeIfAbsent(userrefKey(order), k -> new TreeSet<>()).add(held.sequence());
        while (closed.size() > closedOrdersKept) {
            Iterator<Held> eldest = closed.values().iterator();
            Held forgotten = eldest.next();
            eldest.remove();
            forget(forgotten);
        }
    }

    private void forget(Held held) {
        PaperOrder order = held.order();
        closedBySequence.remove(held.sequence());
        if (order.clOrdId() != null) {
            unindex(closedByClOrdId, order.clOrdId(), held.sequence());
        }
        unindex(closedByUserref, userrefKey(order), held.sequence());
    }

    private static <K> void unindex(Map<K, NavigableSet<Long>> index, K key, long sequence) {
        NavigableSet<Long> sequences = index.get(key);
        sequences.remove(sequence);
        if (sequences.isEmpty()) {
            index.remove(key); // else a run of distinct cl_ord_ids would leave an empty set behind each
        }
    }

    /** Kraken reports a missing userref as 0, and a filter on 0 finds those orders. */
    static int userrefKey(PaperOrder order) {
        return order.userref() == null ? 0 : order.userref();
    }

    /**
     * A fill, kept as a trade and its ledger entries: the base and the quote of a spot fill, with the balances after
     * it; a fill on margin moves no spot balance and gets its ledger entry when it settles a profit.
     */
    private void recordTrade(PaperPair pair, PaperOrder order, BigDecimal volume, BigDecimal cost, BigDecimal price,
            boolean maker, Instant at) {
        if (volume.signum() == 0) {
            return;
        }
        String id = "T" + chunk(5) + "-" + chunk(5) + "-" + chunk(6);
        trades.addLast(new PaperTrade(id, ++tradeNumber, order.txid(), pair.id(), at, order.type(), order.ordertype(),
                price, cost, BigDecimal.ZERO, volume, order.leverage(), maker));
        while (trades.size() > closedOrdersKept) {
            trades.removeFirst();
        }
        remember(pair.id(), at, price, volume);
        if ("none".equals(order.leverage())) {
            boolean buy = order.type().equals("buy");
            ledger(id, at, "trade", pair.base(), buy ? volume : volume.negate());
            ledger(id, at, "trade", pair.quote(), buy ? cost.negate() : cost);
        }
    }

    private void ledger(String refid, Instant at, String type, String asset, BigDecimal amount) {
        if (amount.signum() == 0) {
            return;
        }
        ledger.addLast(new PaperLedgerEntry("L" + chunk(5) + "-" + chunk(5) + "-" + chunk(6), refid, at, type, asset,
                amount, BigDecimal.ZERO, balance(asset)));
        while (ledger.size() > 2L * closedOrdersKept) {
            ledger.removeFirst();
        }
    }

    private void remember(String pairId, Instant at, BigDecimal price, BigDecimal volume) {
        Deque<PricePoint> points = history.computeIfAbsent(pairId, k -> new ArrayDeque<>());
        points.addLast(new PricePoint(at, price, volume));
        while (points.size() > HISTORY_KEPT) {
            points.removeFirst();
        }
    }

    /** The trades kept, newest first. */
    synchronized List<PaperTrade> trades() {
        List<PaperTrade> newest = new ArrayList<>(trades);
        Collections.reverse(newest);
        return newest;
    }

    /** The ledger entries kept, newest first. */
    synchronized List<PaperLedgerEntry> ledger() {
        List<PaperLedgerEntry> newest = new ArrayList<>(ledger);
        Collections.reverse(newest);
        return newest;
    }

    /** A pair's price history, oldest first. */
    synchronized List<PricePoint> history(String pairId) {
        return List.copyOf(history.getOrDefault(pairId, new ArrayDeque<>()));
    }

    BigDecimal bookLevelQuote() {
        return bookLevelQuote;
    }

    /**
     * CancelAllOrdersAfter's switch (https://docs.kraken.com/api/docs/rest-api/cancel-all-orders-after): every open
     * order is cancelled {@code timeout} seconds from now unless the call comes again first; 0 turns it off.
     *
     * @return when it fires, or null when turned off
     */
    synchronized Instant cancelAllAfter(Instant now, int timeoutSeconds) {
        cancelAllAt = timeoutSeconds == 0 ? null : now.plusSeconds(timeoutSeconds);
        return cancelAllAt;
    }

    /**
     * Fires CancelAllOrdersAfter's switch once its time has come; every request looks first. The clock is read only
     * while the switch is armed.
     */
    synchronized void checkCancelAllAfter() {
        if (cancelAllAt != null && !clock.instant().isBefore(cancelAllAt)) {
            cancelAllAt = null;
            cancelAll();
        }
    }

    /**
     * AmendOrder (https://docs.kraken.com/api/docs/rest-api/amend-order): an open order keeps its txid, its place and
     * what it executed; its volume, limit price or trigger price change. The new volume may not be below what it has
     * executed.
     */
    synchronized PaperOrder amend(PaperOrder open, BigDecimal volume, BigDecimal limitPrice, BigDecimal triggerPrice,
            String description) {
        Held held = this.open.get(open.txid());
        if (held == null) {
            throw new KrakenReject("EOrder:Unknown order");
        }
        PaperOrder was = held.order();
        if (volume != null && volume.compareTo(was.volumeExecuted()) <= 0) {
            throw KrakenReject.invalidArguments("order_qty");
        }
        boolean stop = !was.ordertype().equals("limit") && !was.ordertype().equals("market");
        BigDecimal price = stop ? (triggerPrice != null ? triggerPrice : was.price())
                : (limitPrice != null ? limitPrice : was.price());
        BigDecimal price2 = stop && limitPrice != null ? limitPrice : was.price2();
        PaperOrder amended = new PaperOrder(was.txid(), was.pairId(), was.altname(), was.type(), was.ordertype(),
                volume != null ? volume : was.volume(), price, price2, was.leverage(), was.oflags(), was.userref(),
                was.clOrdId(), was.status(), was.openedAt(), null, was.volumeExecuted(), was.cost(), was.fee(),
                was.averagePrice(), description, was.closeDescription());
        Held now = new Held(held.sequence(), amended);
        this.open.put(was.txid(), now);
        if (was.clOrdId() != null) {
            openByClOrdId.put(was.clOrdId(), now);
        }
        return amended;
    }

    /**
     * EditOrder (https://docs.kraken.com/api/docs/rest-api/edit-order): the open order is cancelled and a new one placed
     * with its changes, under a new txid; refused whole, the old one stays.
     */
    synchronized PaperOrder replace(String txid, OrderTicket replacement) {
        Held held = open.get(txid);
        if (held == null) {
            throw new KrakenReject("EOrder:Unknown order");
        }
        Instant now = clock.instant();
        cancel(txid, now);
        try {
            return place(replacement);
        } catch (KrakenReject refused) {
            closed.remove(txid);
            closedBySequence.remove(held.sequence());
            forget(held);
            open.put(txid, held);
            if (held.order().clOrdId() != null) {
                openByClOrdId.put(held.order().clOrdId(), held);
            }
            throw refused;
        }
    }

    private BigDecimal balance(String asset) {
        return balances.getOrDefault(asset, BigDecimal.ZERO);
    }

    /** Kraken's shape, e.g. {@code OU22CG-KLAF2-FWUDD7}: an O, then 5, 5 and 6 capitals or digits. */
    private String newTxid() {
        String txid;
        do {
            txid = "O" + chunk(5) + "-" + chunk(5) + "-" + chunk(6);
        } while (open.containsKey(txid) || closed.containsKey(txid));
        return txid;
    }

    private String chunk(int length) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = TXID_ALPHABET[random.nextInt(TXID_ALPHABET.length)];
        }
        return new String(chars);
    }

    static final Set<String> CLOSED_STATES = Set.of(PaperOrder.CLOSED, PaperOrder.CANCELED, "expired");
}
