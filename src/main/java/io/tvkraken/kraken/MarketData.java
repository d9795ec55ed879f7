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
import java.util.concurrent.atomic.AtomicBoolean;
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

    private final KrakenApi kraken;
    private final Duration pairsTtl;
    private final Clock clock;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile PairCatalog pairs;
    private volatile Instant nextLoad = Instant.MIN;

    public MarketData(KrakenApi kraken, Duration pairsTtl, Clock clock) {
        this.kraken = kraken;
        this.pairsTtl = pairsTtl;
        this.clock = clock;
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

    /** Last traded price ({@code c[0]} of Ticker; the result is keyed by pair id, docs/kraken.md#ticker). */
    public BigDecimal lastPrice(AssetPair pair) {
        var result = kraken.publicCall("Ticker", Map.of("pair", pair.altname())).result();
        var row = result.has(pair.id()) ? result.get(pair.id())
                : result.size() == 1 ? result.elements().next() : null;
        String last = row == null ? "" : row.path("c").path(0).asText("");
        try {
            BigDecimal price = new BigDecimal(last.trim());
            if (price.signum() > 0) {
                return price;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new RefusedException(Refusal.NO_LAST_PRICE, "Kraken's Ticker has no last trade price for "
                + pair.altname() + ": give an absolute price, or size the order by volume", List.of());
    }

    /**
     * What can be spent, per asset: BalanceEx's {@code balance + credit - credit_used - hold_trade}
     * (docs/kraken.md#balances). Balance alone includes funds held by open orders, so 100 % of it could never be spent.
     */
    public Map<String, BigDecimal> balances() {
        Map<String, BigDecimal> available = new HashMap<>();
        kraken.privateCall("BalanceEx", Map.of()).result().fields().forEachRemaining(e -> {
            var row = e.getValue();
            available.put(e.getKey(), amount(row, "balance").add(amount(row, "credit"))
                    .subtract(amount(row, "credit_used")).subtract(amount(row, "hold_trade")));
        });
        return available;
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
