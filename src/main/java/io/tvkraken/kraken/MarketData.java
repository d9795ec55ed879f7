package io.tvkraken.kraken;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What order planning needs to know about the market: the pair catalog (AssetPairs, cached — Kraken advises loading
 * it at start-up, kraken-rest.md §8), the last traded price (Ticker) and the account's balances (Balance).
 */
public class MarketData {

    private static final Logger LOG = LoggerFactory.getLogger(MarketData.class);

    private final KrakenApi kraken;
    private final Duration pairsTtl;
    private final Clock clock;
    private volatile PairCatalog pairs;
    private volatile Instant pairsLoadedAt = Instant.MIN;

    public MarketData(KrakenApi kraken, Duration pairsTtl, Clock clock) {
        this.kraken = kraken;
        this.pairsTtl = pairsTtl;
        this.clock = clock;
    }

    public PairCatalog pairs() {
        PairCatalog current = pairs;
        if (current == null || pairsLoadedAt.plus(pairsTtl).isBefore(clock.instant())) {
            synchronized (this) {
                if (pairs == null || pairsLoadedAt.plus(pairsTtl).isBefore(clock.instant())) {
                    try {
                        pairs = PairCatalog.fromAssetPairsResult(kraken.publicCall("AssetPairs", Map.of()).result());
                        pairsLoadedAt = clock.instant();
                        LOG.info("loaded {} Kraken asset pairs", pairs.size());
                    } catch (RuntimeException e) {
                        if (pairs == null) {
                            throw e;
                        }
                        // A stale catalog is better than none: pair rules change rarely.
                        LOG.warn("could not refresh Kraken asset pairs, keeping the cached ones: {}", e.getMessage());
                    }
                }
                current = pairs;
            }
        }
        return current;
    }

    public boolean pairsLoaded() {
        return pairs != null;
    }

    public Optional<AssetPair> pairFor(String ticker) {
        return pairs().resolve(ticker);
    }

    /** Last traded price ({@code c[0]} of Ticker; the result is keyed by pair id, kraken-rest.md §5). */
    public BigDecimal lastPrice(AssetPair pair) {
        var result = kraken.publicCall("Ticker", Map.of("pair", pair.altname())).result();
        var row = result.has(pair.id()) ? result.get(pair.id()) : result.elements().next();
        return new BigDecimal(row.path("c").path(0).asText());
    }

    public Map<String, BigDecimal> balances() {
        Map<String, BigDecimal> balances = new HashMap<>();
        kraken.privateCall("Balance", Map.of()).result().fields()
                .forEachRemaining(e -> balances.put(e.getKey(), new BigDecimal(e.getValue().asText())));
        return balances;
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
