package io.tvkraken.paper;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kraken's two rate counters as the paper exchange keeps them, for the tier in {@link PaperConfig#rateLimitTier()}: the
 * REST call counter of each API key ("each API key's counter is separate",
 * https://docs.kraken.com/api/docs/guides/spot-rest-ratelimits) and a trading counter per pair for the account,
 * whichever key trades (https://docs.kraken.com/api/docs/guides/spot-ratelimits; docs/kraken.md#rate-limits). The
 * caller passes the instant of each charge, read once per request from the exchange's clock; memory is one counter per
 * key and one per pair traded, at most one per pair of the fixture.
 */
final class RateLimits {

    private final RateLimitTier tier;
    private final Instant start;
    /** Made on the key's first charged call. */
    private final Map<String, RateCounter> rest = new ConcurrentHashMap<>();
    /** Made on the pair's first AddOrder or CancelOrder. */
    private final Map<String, RateCounter> trading = new ConcurrentHashMap<>();

    RateLimits(RateLimitTier tier, Instant start) {
        this.tier = tier;
        this.start = start;
    }

    /** @return true if the call fits under the key's REST counter, which is charged {@code cost} either way */
    boolean chargeRest(String apiKey, BigDecimal cost, Instant now) {
        return rest.computeIfAbsent(apiKey, k -> new RateCounter(tier.restMaximum(), tier.restDecayPerSecond(), start))
                .charge(cost, now);
    }

    /**
     * Charges each pair's trading counter its cost, all of them whatever the outcome.
     *
     * @return true if every counter stays at or below the tier's threshold
     */
    boolean chargeTrading(Map<String, BigDecimal> costByPairId, Instant now) {
        boolean allowed = true;
        for (Map.Entry<String, BigDecimal> cost : costByPairId.entrySet()) {
            RateCounter counter = trading.computeIfAbsent(cost.getKey(),
                    id -> new RateCounter(tier.tradingThreshold(), tier.tradingDecayPerSecond(), now));
            allowed &= counter.charge(cost.getValue(), now);
        }
        return allowed;
    }

    /**
     * A key's REST counter level at {@code now}, after its decay; above the maximum after refused calls, zero for a key
     * that has not called yet.
     */
    BigDecimal restLevel(String apiKey, Instant now) {
        RateCounter counter = rest.get(apiKey);
        return counter == null ? BigDecimal.ZERO : counter.level(now);
    }

    /** A pair's trading counter at {@code now}, after its decay; zero for a pair not traded yet. */
    BigDecimal tradingLevel(String pairId, Instant now) {
        RateCounter counter = trading.get(pairId);
        return counter == null ? BigDecimal.ZERO : counter.level(now);
    }
}
