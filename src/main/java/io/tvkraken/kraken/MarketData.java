package io.tvkraken.kraken;

import io.tvkraken.alert.Refusal;
import io.tvkraken.alert.RefusedException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What order planning needs to know about the market: the pair catalog (AssetPairs, cached — Kraken advises loading
 * it at start-up, docs/kraken.md#asset-pairs), the last traded price (Ticker) and the account's balances (Balance).
 */
public class MarketData {

    private static final Logger LOG = LoggerFactory.getLogger(MarketData.class);

    /** After a failed refresh, the cached catalog serves this long before the next try. */
    static final Duration RETRY_REFRESH_AFTER = Duration.ofMinutes(1);
    /** With no catalog at all, alerts do not all queue up behind a Kraken that just failed to answer. */
    static final Duration RETRY_FIRST_LOAD_AFTER = Duration.ofSeconds(5);

    /** A pair not asked about for this long is no longer refreshed. */
    static final Duration FORGET_PAIR_AFTER = Duration.ofHours(1);
    /** Balances are refreshed in the background only while percent sizing was used this recently. */
    static final Duration BALANCES_WANTED_FOR = Duration.ofMinutes(10);

    /** A price, and when Kraken gave it. */
    private record Quote(BigDecimal price, Instant at) {
    }

    /** The balances, when they were read, and whether an order placed since may have changed them. */
    /** What the account holds per asset (BalanceEx's {@code balance}: open orders' holds included), and when read. */
    public record Holdings(Map<String, BigDecimal> byAsset, Instant at) {
    }

    /**
     * The account's open margin positions as OpenPositions listed them (docs/kraken.md#margin): per pair id, the volume
     * still open, short below 0 and long above, netted.
     */
    public record MarginPositions(Map<String, BigDecimal> byPairId, Instant at) {
    }

    private record Balances(Map<String, BigDecimal> available, Instant at) {
    }

    private final KrakenApi kraken;
    private final Duration pairsTtl;
    private final Clock clock;
    private final Duration priceMaxAge;
    private final Duration balancesMaxAge;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile PairCatalog pairs;
    private volatile Instant nextLoad = Instant.MIN;
    /** The pairs in use (by id), with when each was last asked about. */
    private final Map<String, InUse> inUse = new ConcurrentHashMap<>();
    private final Map<String, Quote> quotes = new ConcurrentHashMap<>();
    private volatile Balances balances;
    private volatile Instant balancesWantedAt = Instant.MIN;
    /** When the balances were last read, whichever reading (an order's, a refresh's); null before the first. */
    private volatile Instant balancesReadAt;
    /** What the account holds per asset, on hold by open orders included (BalanceEx's balance), as last read. */
    private volatile Holdings holdings;
    private volatile MarginPositions marginPositions;
    private final BiConsumer<Map<String, BigDecimal>, Instant> balancesRead;

    private record InUse(AssetPair pair, Instant lastAsked) {
    }

    public MarketData(KrakenApi kraken, Duration pairsTtl, Clock clock) {
        this(kraken, pairsTtl, clock, Duration.ZERO, Duration.ZERO);
    }

    /**
     * @param priceMaxAge    how old a cached last price may be when an order is sized with it; older, or
     *                       {@link Duration#ZERO}, and it is asked for (docs/kraken.md#ticker)
     * @param balancesMaxAge likewise for the balances of percent sizing; an order placed meanwhile makes them stale too
     */
    public MarketData(KrakenApi kraken, Duration pairsTtl, Clock clock, Duration priceMaxAge,
            Duration balancesMaxAge) {
        this(kraken, pairsTtl, clock, priceMaxAge, balancesMaxAge, (available, at) -> {
        });
    }

    /** @param balancesRead told of every balance reading, with its time (the exchange_balance metrics) */
    public MarketData(KrakenApi kraken, Duration pairsTtl, Clock clock, Duration priceMaxAge,
            Duration balancesMaxAge, BiConsumer<Map<String, BigDecimal>, Instant> balancesRead) {
        this.balancesRead = balancesRead;
        this.kraken = kraken;
        this.pairsTtl = pairsTtl;
        this.clock = clock;
        this.priceMaxAge = priceMaxAge;
        this.balancesMaxAge = balancesMaxAge;
    }

    /**
     * The cached catalog. When it is due for a refresh, one caller refreshes it while the others go on with the
     * cached one; a failed refresh keeps the cached catalog (pair rules change rarely) and is retried after
     * {@link #RETRY_REFRESH_AFTER}, not by every alert.
     */
    public PairCatalog pairs() {
        PairCatalog current = pairs;
        if (current != null) {
            if (clock.instant().isBefore(nextLoad) || !refreshing.compareAndSet(false, true)) {
                return current;
            }
            try {
                load();
            } catch (RuntimeException e) {
                nextLoad = clock.instant().plus(RETRY_REFRESH_AFTER);
                LOG.warn("could not refresh Kraken asset pairs, keeping the cached ones until {}: {}", nextLoad,
                        e.getMessage());
            } finally {
                refreshing.set(false);
            }
            return pairs;
        }
        synchronized (this) {
            if (pairs == null) {
                if (clock.instant().isBefore(nextLoad)) {
                    throw new KrakenUnavailableException("AssetPairs",
                            "asset pairs could not be loaded a moment ago; next try at " + nextLoad, false, null);
                }
                try {
                    load();
                } catch (RuntimeException e) {
                    nextLoad = clock.instant().plus(RETRY_FIRST_LOAD_AFTER);
                    throw e;
                }
            }
            return pairs;
        }
    }

    private void load() {
        PairCatalog loaded = PairCatalog.fromAssetPairsResult(kraken.publicCall("AssetPairs", Map.of()).result());
        pairs = loaded;
        nextLoad = clock.instant().plus(pairsTtl);
        LOG.info("loaded {} Kraken asset pairs", loaded.size());
    }

    public boolean pairsLoaded() {
        return pairs != null;
    }

    public Optional<AssetPair> pairFor(String ticker) {
        return pairs().resolve(ticker);
    }

    /** A pair's last price as the service held it, and when it was read (docs/journal.md#market-prices). */
    public record SeenPrice(BigDecimal price, Instant at) {
    }

    /**
     * The last price held for a ticker's pair, without asking Kraken (nor loading the pairs): empty for a pair not known
     * yet or without a price yet. The pair is in use from now on, so the refresh-market-data route keeps its price
     * fresh for the next alert.
     */
    public Optional<SeenPrice> seenPrice(String ticker) {
        PairCatalog current = pairs;
        if (current == null || ticker == null) {
            return Optional.empty();
        }
        Optional<AssetPair> pair = current.resolve(ticker);
        if (pair.isEmpty()) {
            return Optional.empty();
        }
        inUse.put(pair.get().id(), new InUse(pair.get(), clock.instant()));
        Quote quote = quotes.get(pair.get().id());
        return quote == null ? Optional.empty() : Optional.of(new SeenPrice(quote.price(), quote.at()));
    }

    /**
     * Last traded price: the cached one while it is younger than the price max age (the refresh-market-data route
     * keeps the prices of the pairs in use fresh), else asked for now. Either way the pair is in use from now on.
     */
    public BigDecimal lastPrice(AssetPair pair) {
        Instant now = clock.instant();
        inUse.put(pair.id(), new InUse(pair, now));
        Quote quote = quotes.get(pair.id());
        if (quote != null && !quote.at().plus(priceMaxAge).isBefore(now) && !priceMaxAge.isZero()) {
            return quote.price();
        }
        var result = kraken.publicCall("Ticker", Map.of("pair", pair.altname())).result();
        var row = result.has(pair.id()) ? result.get(pair.id())
                : result.size() == 1 ? result.elements().next() : null;
        BigDecimal price = lastTrade(row);
        if (price == null) {
            throw new RefusedException(Refusal.NO_LAST_PRICE, "Kraken's Ticker has no last trade price for "
                    + pair.altname() + ": give an absolute price, or size the order by volume", List.of());
        }
        quotes.put(pair.id(), new Quote(price, clock.instant()));
        return price;
    }

    /** {@code c[0]} of a Ticker row (keyed by pair id, docs/kraken.md#ticker); null if there is none. */
    private static BigDecimal lastTrade(com.fasterxml.jackson.databind.JsonNode row) {
        String last = row == null ? "" : row.path("c").path(0).asText("");
        try {
            BigDecimal price = new BigDecimal(last.trim());
            return price.signum() > 0 ? price : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * What can be spent, per asset: BalanceEx's {@code balance + credit - credit_used - hold_trade}
     * (docs/kraken.md#balances). Balance alone includes funds held by open orders, so 100 % of it could never be
     * spent. Cached like the prices, and never used once this instance placed an order since they were read.
     */
    public Map<String, BigDecimal> balances() {
        Instant now = clock.instant();
        balancesWantedAt = now;
        Balances cached = balances;
        if (cached != null && !balancesMaxAge.isZero() && !cached.at().plus(balancesMaxAge).isBefore(now)) {
            return cached.available();
        }
        return readBalances();
    }

    /**
     * What can be spent on account {@code account} ({@link #balances()} for the default account): a named account's
     * are read when asked for (one BalanceEx on its own keys, docs/accounts.md#sizing-and-limits), not cached.
     */
    public Map<String, BigDecimal> balances(String account) {
        if (Accounts.stored(account) == null) {
            return balances();
        }
        Map<String, BigDecimal> available = new HashMap<>();
        kraken.privateCall(account, "BalanceEx", Map.of()).result().fields().forEachRemaining(e ->
                available.put(e.getKey(), spendable(e.getValue())));
        return Map.copyOf(available);
    }

    /** BalanceEx's {@code balance + credit - credit_used - hold_trade} of one asset (docs/kraken.md#balances). */
    private static BigDecimal spendable(com.fasterxml.jackson.databind.JsonNode row) {
        return amount(row, "balance").add(amount(row, "credit")).subtract(amount(row, "credit_used"))
                .subtract(amount(row, "hold_trade"));
    }

    /** An order was placed: the balances read before it may be wrong now. */
    public void balancesChanged() {
        balances = null;
    }

    /** What the account held per asset at the last reading, by anyone; empty before the first reading. */
    public Optional<Holdings> holdings() {
        return Optional.ofNullable(holdings);
    }

    /** The open margin positions as last read; empty before the first reading. */
    public Optional<MarginPositions> marginPositions() {
        return Optional.ofNullable(marginPositions);
    }

    /**
     * Reads the open margin positions now (one OpenPositions, docs/kraken.md#margin): what is still open of each
     * ({@code vol - vol_closed}), summed per pair, short below 0.
     */
    public MarginPositions readMarginPositions() {
        Instant asked = clock.instant();
        Map<String, BigDecimal> byPair = new HashMap<>();
        kraken.privateCall("OpenPositions", Map.of()).result().fields().forEachRemaining(e -> {
            var row = e.getValue();
            BigDecimal open = amount(row, "vol").subtract(amount(row, "vol_closed"));
            byPair.merge(row.path("pair").asText(), "sell".equals(row.path("type").asText()) ? open.negate() : open,
                    BigDecimal::add);
        });
        MarginPositions read = new MarginPositions(Map.copyOf(byPair), asked);
        marginPositions = read;
        return read;
    }

    /** When the balances were last read from Kraken, by anyone; empty before the first reading. */
    public Optional<Instant> balancesReadAt() {
        return Optional.ofNullable(balancesReadAt);
    }

    /** Reads the balances now (one BalanceEx), for the refresh-exchange-balances route ({@link BalanceRefresh}). */
    public Map<String, BigDecimal> readBalances() {
        Instant asked = clock.instant();
        Map<String, BigDecimal> available = new HashMap<>();
        Map<String, BigDecimal> held = new HashMap<>();
        kraken.privateCall("BalanceEx", Map.of()).result().fields().forEachRemaining(e -> {
            var row = e.getValue();
            available.put(e.getKey(), spendable(row));
            held.put(e.getKey(), amount(row, "balance"));
        });
        holdings = new Holdings(Map.copyOf(held), asked);
        Map<String, BigDecimal> read = Map.copyOf(available);
        balances = new Balances(read, asked);
        balancesReadAt = asked;
        balancesRead.accept(read, asked);
        return read;
    }

    /**
     * The refresh-market-data route: one Ticker call for every pair in use (Kraken's Ticker takes a list of pairs),
     * and the balances while percent sizing is in use. A failure keeps what is cached; an order that finds its price
     * too old asks for it itself.
     */
    public void refresh() {
        Instant now = clock.instant();
        inUse.values().removeIf(used -> used.lastAsked().plus(FORGET_PAIR_AFTER).isBefore(now));
        quotes.keySet().retainAll(inUse.keySet());
        if (!inUse.isEmpty() && !priceMaxAge.isZero()) {
            try {
                String list = inUse.values().stream().map(used -> used.pair().altname()).sorted()
                        .collect(Collectors.joining(","));
                var result = kraken.publicCall("Ticker", Map.of("pair", list)).result();
                Instant at = clock.instant();
                for (InUse used : inUse.values()) {
                    BigDecimal price = lastTrade(result.get(used.pair().id()));
                    if (price != null) {
                        quotes.put(used.pair().id(), new Quote(price, at));
                    }
                }
            } catch (RuntimeException e) {
                LOG.debug("prices not refreshed: {}", e.getMessage());
            }
        }
        if (!balancesMaxAge.isZero() && balancesWantedAt.plus(BALANCES_WANTED_FOR).isAfter(now)) {
            Balances cached = balances;
            // half the max age: a balance read now serves orders for the other half
            if (cached == null || cached.at().plus(balancesMaxAge.dividedBy(2)).isBefore(now)) {
                try {
                    readBalances();
                } catch (RuntimeException e) {
                    LOG.debug("balances not refreshed: {}", e.getMessage());
                }
            }
        }
    }

    private static BigDecimal amount(com.fasterxml.jackson.databind.JsonNode row, String field) {
        String text = row.path(field).asText("");
        return text.isBlank() ? BigDecimal.ZERO : new BigDecimal(text.trim());
    }

    /** Loads the pair catalog now; used at start-up so the first alert does not pay for it. */
    public void warmUp() {
        try {
            pairs();
        } catch (RuntimeException e) {
            LOG.warn("Kraken asset pairs not loaded at start-up (will retry on the first alert): {}", e.getMessage());
        }
    }
}
