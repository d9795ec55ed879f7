package io.tvkraken.paper;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;

/** What each call adds to Kraken's rate counters ({@link RateCounter}), as Kraken publishes it. */
final class RateCosts {

    /**
     * REST call counter: "Ledger/trade history calls increase the counter by 2. All other API calls increase this
     * counter by 1 (except AddOrder, CancelOrder which operate on a different limiter)"
     * (https://docs.kraken.com/api/docs/guides/spot-rest-ratelimits). The paper exchange does not serve the ledger and
     * trade history methods; they are listed so that the rule stays whole if it ever does.
     */
    private static final Map<String, BigDecimal> REST = Map.of(
            "AddOrder", BigDecimal.ZERO,
            "AddOrderBatch", BigDecimal.ZERO,
            "CancelOrder", BigDecimal.ZERO,
            "Ledgers", BigDecimal.valueOf(2),
            "QueryLedgers", BigDecimal.valueOf(2),
            "TradesHistory", BigDecimal.valueOf(2));

    /**
     * Trading counter, "Add Order" row: a fixed +1 on receipt, nothing by age
     * (https://docs.kraken.com/api/docs/guides/spot-ratelimits).
     */
    static final BigDecimal ADD_ORDER = BigDecimal.ONE;

    private RateCosts() {
    }

    static BigDecimal rest(String method) {
        return REST.getOrDefault(method, BigDecimal.ONE);
    }

    /**
     * Trading counter, "Cancel Order" row: no fixed count, and a count that falls with the age of the order cancelled,
     * +8/+6/+5/+4/+2/+1 under 5/10/15/45/90/300 s, nothing from 300 s on
     * (https://docs.kraken.com/api/docs/guides/spot-ratelimits). Age is measured from the order's {@code opentm}.
     */
    static BigDecimal cancel(Duration age) {
        if (age.compareTo(Duration.ofSeconds(5)) < 0) {
            return BigDecimal.valueOf(8);
        } else if (age.compareTo(Duration.ofSeconds(10)) < 0) {
            return BigDecimal.valueOf(6);
        } else if (age.compareTo(Duration.ofSeconds(15)) < 0) {
            return BigDecimal.valueOf(5);
        } else if (age.compareTo(Duration.ofSeconds(45)) < 0) {
            return BigDecimal.valueOf(4);
        } else if (age.compareTo(Duration.ofSeconds(90)) < 0) {
            return BigDecimal.valueOf(2);
        } else if (age.compareTo(Duration.ofSeconds(300)) < 0) {
            return BigDecimal.ONE;
        }
        return BigDecimal.ZERO;
    }
}
