package io.tvkraken.kraken;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The refresh-exchange-balances route: reads the account's balances (one BalanceEx) every
 * {@code kraken.balances.refresh-ms}, so that {@code exchange_balance{asset}} is never older than that, whatever
 * sizing the alerts use (docs/monitoring.md#exchange-balances).
 *
 * <p>It stays inside Kraken's REST call counter (docs/kraken.md#rate-limits): one call a minute by default is 5 % of
 * the Starter tier's decay, and a pass is skipped
 * <ul>
 *   <li>when the balances were read less than half a period ago anyway (percent sizing reads them for its orders);</li>
 *   <li>when no key's counter is at least half free: the counter's room belongs to the look-ups of orders in doubt,
 *       and a skipped pass only leaves the figures a little older.</li>
 * </ul>
 * A failed reading is logged and keeps the last figures; their time, {@code exchange_balances_read_timestamp_seconds},
 * shows how old they are.
 */
public class BalanceRefresh {

    private static final Logger LOG = LoggerFactory.getLogger(BalanceRefresh.class);

    /** The shortest period accepted: one BalanceEx every 15 s is a fifth of the Starter tier's decay (0.33/s). */
    public static final Duration SHORTEST_PERIOD = Duration.ofSeconds(15);

    private final MarketData market;
    private final RateBudget budget;
    private final Clock clock;
    private final Duration period;

    public BalanceRefresh(MarketData market, RateBudget budget, Clock clock, Duration period) {
        if (period.compareTo(SHORTEST_PERIOD) < 0) {
            throw new IllegalArgumentException("kraken.balances.refresh-ms must be at least "
                    + SHORTEST_PERIOD.toMillis() + " (one BalanceEx call each time, on Kraken's REST call counter)");
        }
        this.market = market;
        this.budget = budget;
        this.clock = clock;
        this.period = period;
    }

    /** One pass of the route. @return whether the balances were read */
    public boolean refresh() {
        if (!due()) {
            return false;
        }
        try {
            market.readBalances();
            return true;
        } catch (RuntimeException e) {
            LOG.info("balances not refreshed for the exchange_balance metrics: {}", e.getMessage());
            return false;
        }
    }

    /** Whether a reading is due now and fits in Kraken's REST call counter. */
    boolean due() {
        Instant now = clock.instant();
        boolean recent = market.balancesReadAt().map(at -> at.plus(period.dividedBy(2)).isAfter(now)).orElse(false);
        return !recent && budget.restRoomFor((int) Math.ceil(budget.restMax() / 2));
    }
}
