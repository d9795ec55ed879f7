package io.tvkraken.paper;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * Kraken's verification tiers as far as rate limits go, or {@link #OFF}. Each tier sets two leaky counters, both
 * published by Kraken:
 * <ul>
 *   <li>the REST call counter, one per API key: maximum and decay per second from
 *       https://docs.kraken.com/api/docs/guides/spot-rest-ratelimits;</li>
 *   <li>the trading engine's counter, one per pair: threshold and decay per second from
 *       https://docs.kraken.com/api/docs/guides/spot-ratelimits and
 *       https://support.kraken.com/hc/en-us/articles/360045239571-Trading-rate-limits.</li>
 * </ul>
 * The values are kept as decimals, as published, so that a counter's level can be compared with them exactly.
 */
public enum RateLimitTier {

    /** No rate limits at all: for load tests that measure this service, not Kraken's limits. Counters stay at zero. */
    OFF(BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO),
    /** What a new Kraken account has, and so the paper exchange's default. */
    STARTER(new BigDecimal("15"), new BigDecimal("0.33"), new BigDecimal("60"), new BigDecimal("1")),
    INTERMEDIATE(new BigDecimal("20"), new BigDecimal("0.5"), new BigDecimal("125"), new BigDecimal("2.34")),
    PRO(new BigDecimal("20"), new BigDecimal("1"), new BigDecimal("180"), new BigDecimal("3.75"));

    private final BigDecimal restMaximum;
    private final BigDecimal restDecayPerSecond;
    private final BigDecimal tradingThreshold;
    private final BigDecimal tradingDecayPerSecond;

    RateLimitTier(BigDecimal restMaximum, BigDecimal restDecayPerSecond, BigDecimal tradingThreshold,
            BigDecimal tradingDecayPerSecond) {
        this.restMaximum = restMaximum;
        this.restDecayPerSecond = restDecayPerSecond;
        this.tradingThreshold = tradingThreshold;
        this.tradingDecayPerSecond = tradingDecayPerSecond;
    }

    /** False for {@link #OFF} only. */
    public boolean limited() {
        return this != OFF;
    }

    /** Highest level the REST call counter may reach; a call that takes it higher is refused. */
    public BigDecimal restMaximum() {
        return restMaximum;
    }

    public BigDecimal restDecayPerSecond() {
        return restDecayPerSecond;
    }

    /** Highest level a pair's trading counter may reach; a transaction that takes it higher is refused. */
    public BigDecimal tradingThreshold() {
        return tradingThreshold;
    }

    public BigDecimal tradingDecayPerSecond() {
        return tradingDecayPerSecond;
    }

    /** {@code starter}, {@code intermediate}, {@code pro} or {@code off}, in any case, as an operator writes it. */
    public static RateLimitTier parse(String text) {
        String name = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
        for (RateLimitTier tier : values()) {
            if (tier.name().equals(name)) {
                return tier;
            }
        }
        throw new IllegalArgumentException("rate limit tier must be starter, intermediate, pro or off, not '"
                + text + "'");
    }
}
