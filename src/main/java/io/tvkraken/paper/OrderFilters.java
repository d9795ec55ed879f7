package io.tvkraken.paper;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/** The order filters and parameters OpenOrders, ClosedOrders, QueryOrders and CancelOrder share. */
final class OrderFilters {

    private OrderFilters() {
    }

    /**
     * OpenOrders and ClosedOrders filter by {@code userref} and by {@code cl_ord_id}
     * (https://docs.kraken.com/api/docs/rest-api/get-open-orders); the account looks the values up in its indexes
     * first, and this filter checks every candidate all the same.
     */
    static Predicate<PaperOrder> clientFilter(Map<String, String> params) {
        Predicate<PaperOrder> filter = userrefFilter(params.get("userref"));
        String clOrdId = clOrdIdParam(params);
        if (clOrdId != null) {
            filter = filter.and(o -> clOrdId.equals(o.clOrdId()));
        }
        return filter;
    }

    /** The {@code cl_ord_id} parameter, null when absent or blank. */
    static String clOrdIdParam(Map<String, String> params) {
        String clOrdId = params.get("cl_ord_id");
        return clOrdId == null || clOrdId.isBlank() ? null : clOrdId;
    }

    /** The {@code userref} parameter, null when absent or blank. */
    static Integer userrefParam(Map<String, String> params) {
        String text = params.get("userref");
        return text == null || text.isBlank() ? null : parseInt(text, "userref");
    }

    /**
     * ClosedOrders {@code start} (https://docs.kraken.com/api/docs/rest-api/get-closed-orders): unix seconds,
     * decimals allowed. Exclusive, as Kraken's ClosedOrders docs describe it: only orders after it, compared with the
     * 4-decimal {@code opentm}/{@code closetm} the replies show.
     * {@code closetime} says which time counts: {@code open}, {@code close} or {@code both} (Kraken's default: either
     * after {@code start}). Kraken also takes a txid as {@code start}, meaning that order's opentm; not simulated, it is
     * refused as {@code EGeneral:Invalid arguments:start}, like any other text that is not a number.
     */
    static Predicate<PaperOrder> startFilter(String startText, String closetimeText) {
        String closetime = closetimeText == null || closetimeText.isBlank() ? "both" : closetimeText.trim();
        if (!Set.of("open", "close", "both").contains(closetime)) {
            throw KrakenReject.invalidArguments("closetime");
        }
        if (startText == null || startText.isBlank()) {
            return o -> true;
        }
        BigDecimal start;
        try {
            start = new BigDecimal(startText.trim());
        } catch (NumberFormatException e) {
            throw KrakenReject.invalidArguments("start");
        }
        Predicate<Instant> after = at -> at != null && Replies.seconds(at).compareTo(start) > 0;
        return switch (closetime) {
            case "open" -> o -> after.test(o.openedAt());
            case "close" -> o -> after.test(o.closedAt());
            default -> o -> after.test(o.openedAt()) || after.test(o.closedAt());
        };
    }

    static Predicate<PaperOrder> userrefFilter(String text) {
        if (text == null || text.isBlank()) {
            return o -> true;
        }
        int userref = parseInt(text, "userref");
        // Kraken reports a missing userref as 0, so filtering on 0 finds those orders.
        return o -> (o.userref() == null ? 0 : o.userref()) == userref;
    }

    static int parseInt(String text, String field) {
        if (text == null || text.isBlank()) {
            return 0;
        }
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw KrakenReject.invalidArguments(field);
        }
    }
}
