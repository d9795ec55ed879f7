package io.tvkraken.paper;

import java.math.BigDecimal;

/** An AddOrder that passed {@link AddOrderRules}: what {@link PaperAccount#place} needs, prices resolved. */
record OrderTicket(
        PaperPair pair,
        String type,
        String ordertype,
        BigDecimal volume,
        BigDecimal price,
        BigDecimal price2,
        String leverage,
        String oflags,
        Integer userref,
        String clOrdId,
        String description,
        String closeDescription,
        boolean validateOnly) {

    boolean isMarket() {
        return "market".equals(ordertype);
    }
}
