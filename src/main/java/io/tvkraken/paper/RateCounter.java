package io.tvkraken.paper;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;

/**
 * One of Kraken's rate counters: it starts at 0, every call adds its cost, and it leaks a fixed amount per second down
 * to 0. A call that takes it above its limit is refused, and it still adds its cost: Kraken counts failed calls too
 * (https://docs.kraken.com/api/docs/guides/spot-ratelimits: the fixed count "is always applied on receipt of the
 * transaction (even if the transaction fails validation)"), and says that calls made while limited keep the limit in
 * force longer (https://docs.kraken.com/api/docs/guides/spot-rest-ratelimits: restricted "for a few seconds (or
 * possibly longer if calls continue to be made while the rate limits are active)"). So a client that keeps calling
 * faster than the decay stays refused; one that backs off gets through again.
 *
 * <p>A leaky bucket, not a token bucket: the level may pass the limit, and refusals are charged. Kraken describes the
 * REST counter as "reduced every couple of seconds"; the paper exchange leaks continuously, to the nanosecond, which
 * makes the arithmetic a test can rely on exact. Levels are {@link BigDecimal}: decays such as 0.33/s and 2.34/s would
 * drift in binary floating point, and "one more call after 1/0.33 s" is a comparison at the limit.
 *
 * <p>Time is whatever instant the caller passes, so that one request reads its exchange's clock once (a test clock
 * that jumps on its next read must not be read by the limiter behind the request's back). An instant earlier than
 * the last one seen leaks nothing.
 */
final class RateCounter {

    private final BigDecimal limit;
    private final BigDecimal decayPerSecond;
    private BigDecimal level = BigDecimal.ZERO;
    private Instant updatedAt;

    RateCounter(BigDecimal limit, BigDecimal decayPerSecond, Instant start) {
        if (limit.signum() < 0 || decayPerSecond.signum() < 0) {
            throw new IllegalArgumentException("limit and decay must not be negative");
        }
        this.limit = limit;
        this.decayPerSecond = decayPerSecond;
        this.updatedAt = start;
    }

    /**
     * Adds {@code cost} at {@code now}, whatever the outcome.
     *
     * @return true if the call is allowed: the level, with the cost added, does not exceed the limit
     */
    synchronized boolean charge(BigDecimal cost, Instant now) {
        leak(now);
        level = level.add(cost);
        return level.compareTo(limit) <= 0;
    }

    /** The level at {@code now}, after the leak since the last call. */
    synchronized BigDecimal level(Instant now) {
        leak(now);
        return level;
    }

    private void leak(Instant now) {
        if (!now.isAfter(updatedAt)) {
            return;
        }
        Duration elapsed = Duration.between(updatedAt, now);
        BigDecimal seconds = BigDecimal.valueOf(elapsed.getSeconds()).add(BigDecimal.valueOf(elapsed.getNano(), 9));
        level = level.subtract(decayPerSecond.multiply(seconds)).max(BigDecimal.ZERO);
        updatedAt = now;
    }
}
