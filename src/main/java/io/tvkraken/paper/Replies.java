package io.tvkraken.paper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kraken's JSON shapes (https://docs.kraken.com/api/docs/rest-api/add-order and the pages of the other methods), built
 * as ordered maps so fields come out in Kraken's order.
 */
final class Replies {

    private final ObjectMapper json;

    Replies(ObjectMapper json) {
        this.json = json;
    }

    /** {@code {"error":[],"result":{...}}}: Kraken's success envelope. */
    byte[] result(Object result) {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("error", List.of());
        envelope.put("result", result);
        return write(envelope);
    }

    /** {@code {"error":["E..."]}}: failures carry only {@code error} (Kraken's error guide), still with HTTP 200. */
    byte[] error(String error) {
        return write(Map.of("error", List.of(error)));
    }

    byte[] write(Object value) {
        try {
            return json.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a reply", e);
        }
    }

    /**
     * An order object as OpenOrders, ClosedOrders and QueryOrders show it
     * (https://docs.kraken.com/api/docs/rest-api/get-open-orders); amounts as strings.
     */
    static Map<String, Object> order(PaperOrder order, PaperPair pair) {
        Map<String, Object> descr = new LinkedHashMap<>();
        descr.put("pair", order.altname());
        descr.put("type", order.type());
        descr.put("ordertype", order.ordertype());
        descr.put("price", order.price() == null ? "0" : plain(order.price(), pair.pairDecimals()));
        descr.put("price2", order.price2() == null ? "0" : plain(order.price2(), pair.pairDecimals()));
        descr.put("leverage", order.leverage());
        descr.put("order", order.description());
        descr.put("close", order.closeDescription() == null ? "" : order.closeDescription());

        Map<String, Object> o = new LinkedHashMap<>();
        o.put("refid", null);
        // Kraken shows 0 for an order placed without userref.
        o.put("userref", order.userref() == null ? 0 : order.userref());
        o.put("cl_ord_id", order.clOrdId());
        o.put("status", order.status());
        o.put("opentm", seconds(order.openedAt()));
        if (order.closedAt() != null) {
            o.put("closetm", seconds(order.closedAt()));
        }
        o.put("starttm", 0);
        o.put("expiretm", 0);
        o.put("descr", descr);
        o.put("vol", plain(order.volume(), pair.lotDecimals()));
        o.put("vol_exec", plain(order.volumeExecuted(), pair.lotDecimals()));
        o.put("cost", plain(order.cost(), pair.costDecimals()));
        o.put("fee", plain(order.fee(), pair.costDecimals()));
        o.put("price", order.averagePrice() == null ? plain(BigDecimal.ZERO, pair.pairDecimals())
                : plain(order.averagePrice(), pair.pairDecimals()));
        o.put("misc", "");
        o.put("oflags", order.oflags());
        if (PaperOrder.CANCELED.equals(order.status())) {
            o.put("reason", "User requested");
        }
        return o;
    }

    /**
     * Ticker row (https://docs.kraken.com/api/docs/rest-api/get-ticker-information) derived from the one paper
     * price and, when market orders walk a simulated book, its best ask and bid; without one there is no spread, since
     * market orders fill at the last price on both sides. {@code t} is a pair of integers, as Kraken sends it;
     * everything else is strings.
     */
    static Map<String, Object> ticker(PaperPair pair, BigDecimal price, BigDecimal ask, BigDecimal bid) {
        // Kraken's ticker shows at least 5 price decimals (e.g. "30300.10000" for XBTUSD, pair_decimals 1).
        int decimals = Math.max(pair.pairDecimals(), 5);
        String p = plain(price, decimals);
        String lot = plain(BigDecimal.ONE, pair.lotDecimals());
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("a", List.of(plain(ask, decimals), "1", "1.000"));
        t.put("b", List.of(plain(bid, decimals), "1", "1.000"));
        t.put("c", List.of(p, lot));
        t.put("v", List.of(plain(new BigDecimal("100"), pair.lotDecimals()), plain(new BigDecimal("1000"), pair.lotDecimals())));
        t.put("p", List.of(p, p));
        t.put("t", List.of(100, 1000));
        t.put("l", List.of(p, p));
        t.put("h", List.of(p, p));
        t.put("o", p);
        return t;
    }

    /**
     * An open margin position as OpenPositions lists it (https://docs.kraken.com/api/docs/rest-api/get-open-positions):
     * volumes with 8 decimals, amounts with 5, as Kraken shows them; {@code value} and {@code net} only when asked
     * for ({@code docalcs}, a non-null {@code price}). Nothing pays fees or rollover here.
     */
    static Map<String, Object> position(PaperPosition position, BigDecimal price) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("ordertxid", position.orderTxid());
        p.put("posstatus", "open");
        p.put("pair", position.pairId());
        p.put("time", seconds(position.openedAt()));
        p.put("type", position.type());
        p.put("ordertype", position.ordertype());
        p.put("cost", plain(position.cost(), 5));
        p.put("fee", plain(BigDecimal.ZERO, 5));
        p.put("vol", plain(position.volume(), 8));
        p.put("vol_closed", plain(position.closed(), 8));
        p.put("margin", plain(position.margin(), 5));
        if (price != null) {
            p.put("value", plain(position.open().multiply(price), 5));
            p.put("net", plain(position.profitOn(position.open(), price), 5));
        }
        p.put("terms", "0.0000% per 4 hours");
        p.put("rollovertm", seconds(position.openedAt().plusSeconds(4 * 3600)).setScale(0, RoundingMode.DOWN));
        p.put("misc", "");
        p.put("oflags", "");
        return p;
    }

    /** The start of an entry of OpenPositions with {@code consolidation=market}: one per pair and side. */
    static Map<String, Object> consolidated(PaperPosition first) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("pair", first.pairId());
        line.put("positions", 0);
        line.put("type", first.type());
        line.put("leverage", first.leverage());
        line.put("cost", BigDecimal.ZERO);
        line.put("fee", BigDecimal.ZERO);
        line.put("vol", BigDecimal.ZERO);
        line.put("vol_closed", BigDecimal.ZERO);
        line.put("margin", BigDecimal.ZERO);
        line.put("value", BigDecimal.ZERO);
        line.put("net", BigDecimal.ZERO);
        return line;
    }

    /** Adds a position to its consolidated entry, amounts written as Kraken's strings. */
    static void addTo(Map<String, Object> line, PaperPosition position, BigDecimal price) {
        line.put("positions", (Integer) line.get("positions") + 1);
        add(line, "cost", position.cost(), 5);
        add(line, "fee", BigDecimal.ZERO, 5);
        add(line, "vol", position.volume(), 8);
        add(line, "vol_closed", position.closed(), 8);
        add(line, "margin", position.margin(), 5);
        BigDecimal at = price == null ? position.openPrice() : price;
        add(line, "value", position.open().multiply(at), 5);
        add(line, "net", position.profitOn(position.open(), at), 5);
    }

    private static void add(Map<String, Object> line, String field, BigDecimal amount, int scale) {
        Object was = line.get(field);
        BigDecimal sum = (was instanceof BigDecimal b ? b : new BigDecimal((String) was)).add(amount);
        line.put(field, plain(sum, scale));
    }

    static String plain(BigDecimal value, int scale) {
        return value.setScale(Math.max(scale, 0), RoundingMode.HALF_EVEN).toPlainString();
    }

    /** Unix seconds with 4 decimals, a JSON number, like Kraken's {@code opentm}. */
    static BigDecimal seconds(Instant at) {
        return BigDecimal.valueOf(at.getEpochSecond()).add(BigDecimal.valueOf(at.getNano(), 9)).setScale(4, RoundingMode.DOWN);
    }
}
