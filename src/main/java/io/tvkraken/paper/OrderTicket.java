package io.tvkraken.paper;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * An AddOrder that passed {@link AddOrderRules}: what {@link PaperAccount#place} needs, prices resolved.
 * {@code deadline} is the request's {@code deadline} (https://docs.kraken.com/api/docs/rest-api/add-order), null when
 * it has none.
 */
record OrderTicket(
        PaperPair pair,
        String type,
        String ordertype,
        BigDecimal volume,
        BigDecimal price,
        BigDecimal price2,
        String leverage,
        boolean reduceOnly,
        String oflags,
        Integer userref,
        String clOrdId,
        String description,
        String closeDescription,
        boolean validateOnly,
        Instant deadline) {

    /** Trades on margin: opens or reduces a margin position (docs/kraken.md#margin). */
    boolean onMargin() {
        return !"none".equals(leverage);
    }

    boolean isMarket() {
        return "market".equals(ordertype);
    }
}
