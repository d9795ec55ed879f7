package io.tvkraken.kraken;

import io.tvkraken.telemetry.RequestLog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The refresh-exchange-balances route, which ticks every few seconds: reads the account's balances (one BalanceEx)
 * once the last reading is {@code kraken.balances.refresh-ms} old, so that {@code exchange_balance{asset}} stays that
 * fresh whatever sizing the alerts use (docs/monitoring.md#exchange-balances).
 *
 * <p>It stays inside Kraken's REST call counter (docs/kraken.md#rate-limits): one call a minute by default is 5 % of
 * the Starter tier's decay, and nothing is read
 * <ul>
 *   <li>while the last reading, whoever made it, is younger than the period (percent sizing reads the balances for
 *       its orders);</li>
 *   <li>while no key's counter is at least half free: the counter's room belongs to the look-ups of orders in doubt,
 *       and the reading only comes a few ticks later;</li>
 *   <li>while every key has a call queued or in flight: each key sends one call at a time, and a reading for the
 *       metrics never makes an order wait behind it.</li>
 * </ul>
 * A failed reading is logged and keeps the last figures; their time, {@code exchange_balances_read_timestamp_seconds},
 * shows how old they are. The reading's log lines, on the Kraken sender's thread too, carry the route's id where an
 * alert's carry its request id.
 */
public class BalanceRefresh {

    private static final Logger LOG = LoggerFactory.getLogger(BalanceRefresh.class);

    /** The shortest period accepted: one BalanceEx every 15 s is a fifth of the Starter tier's decay (0.33/s). */
    public static final Duration SHORTEST_PERIOD = Duration.ofSeconds(15);

    /** Refuses a period shorter than {@link #SHORTEST_PERIOD}: the settings ask before anything is built. */
    public static void checkPeriod(Duration period) {
        if (period.compareTo(SHORTEST_PERIOD) < 0) {
            throw new IllegalArgumentException("kraken.balances.refresh-ms must be at least "
                    + SHORTEST_PERIOD.toMillis() + " (one BalanceEx call each time, on Kraken's REST call counter)");
        }
    }

    /** The route's id, in the logging context of the reading. */
    public static final String ROUTE_ID = "refresh-exchange-balances";

    private final MarketData market;
    private final RateBudget budget;
    private final KeyPool keys;
    private final Clock clock;
    private final Duration period;

    public BalanceRefresh(MarketData market, RateBudget budget, KeyPool keys, Clock clock, Duration period) {
        checkPeriod(period);
        this.market = market;
        this.budget = budget;
        this.keys = keys;
        this.clock = clock;
        this.period = period;
    }

    /** One tick of the route. @return whether the balances were read */
    public boolean refresh() {
        if (!due()) {
            return false;
        }
        RequestLog.under(ROUTE_ID);
        try {
            market.readBalances();
            return true;
        } catch (RuntimeException e) {
            LOG.info("balances not refreshed for the exchange_balance metrics: {}", e.getMessage());
            return false;
        } finally {
            RequestLog.clear();
        }
    }

    /** Whether a reading is due now, fits in Kraken's REST call counter and finds a key with nothing to send. */
    boolean due() {
        Instant now = clock.instant();
        boolean recent = market.balancesReadAt().map(at -> at.plus(period).isAfter(now)).orElse(false);
        return !recent && budget.restRoomFor((int) Math.ceil(budget.restMax() / 2))
                && keys.anyIdle(keys.accounts().defaultAccount());
    }
}
