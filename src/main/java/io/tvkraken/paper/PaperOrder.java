package io.tvkraken.paper;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * An order the paper exchange has placed, as OpenOrders, ClosedOrders and QueryOrders describe it.
 *
 * @param txid            Kraken-style id, {@code OXXXXX-XXXXX-XXXXXX}
 * @param pairId          pair id ({@code XXBTZUSD}); responses describe the order with the altname
 * @param type            {@code buy} or {@code sell}
 * @param ordertype       Kraken's order type ({@code market}, {@code limit}, {@code stop-loss} ...)
 * @param volume          volume in base asset
 * @param price           limit or trigger price, relative prices already resolved; null for market orders
 * @param price2          limit price of the {@code *-limit} types, resolved; null otherwise
 * @param userref         the client's numeric tag, null when none was sent
 * @param clOrdId         the client order id, null when none was sent
 * @param status          {@code open}, {@code closed} or {@code canceled}
 * @param volumeExecuted  filled volume: all of it for a market order; for a resting one what trades filled so far
 * @param cost            quote amount of the fill
 * @param averagePrice    fill price, null while nothing is filled
 * @param description     {@code descr.order}, e.g. {@code buy 1.25000000 XBTUSD @ limit 37500.0}
 * @param closeDescription {@code descr.close}, null without a conditional close
 */
public record PaperOrder(
        String txid,
        String pairId,
        String altname,
        String type,
        String ordertype,
        BigDecimal volume,
        BigDecimal price,
        BigDecimal price2,
        String leverage,
        String oflags,
        Integer userref,
        String clOrdId,
        String status,
        Instant openedAt,
        Instant closedAt,
        BigDecimal volumeExecuted,
        BigDecimal cost,
        BigDecimal fee,
        BigDecimal averagePrice,
        String description,
        String closeDescription) {

    public static final String OPEN = "open";
    public static final String CLOSED = "closed";
    public static final String CANCELED = "canceled";

    /** {@code volume} more filled for {@code cost}: closed once all of it is. */
    PaperOrder filled(BigDecimal volume, BigDecimal cost, Instant at) {
        BigDecimal executed = volumeExecuted.add(volume);
        BigDecimal paid = this.cost.add(cost);
        boolean full = executed.compareTo(this.volume) >= 0;
        return new PaperOrder(txid, pairId, altname, type, ordertype, this.volume, price, price2, leverage, oflags,
                userref, clOrdId, full ? CLOSED : OPEN, openedAt, full ? at : null, executed, paid, fee,
                paid.divide(executed, java.math.MathContext.DECIMAL64), description, closeDescription);
    }

    PaperOrder canceled(Instant at) {
        return new PaperOrder(txid, pairId, altname, type, ordertype, volume, price, price2, leverage, oflags, userref,
                clOrdId, CANCELED, openedAt, at, volumeExecuted, cost, fee, averagePrice, description, closeDescription);
    }
}
