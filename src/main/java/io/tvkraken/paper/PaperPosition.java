package io.tvkraken.paper;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;

/**
 * An open margin position, as OpenPositions lists it (https://docs.kraken.com/api/docs/rest-api/get-open-positions,
 * docs/kraken.md#margin): opened by an order with {@code leverage}, reduced first-in first-out by orders the
 * other way.
 *
 * @param posTxid   the position's id
 * @param orderTxid the order that opened it
 * @param quote     the pair's quote currency, in which its margin is set aside and its profit settled
 * @param type      {@code buy} (long) or {@code sell} (short)
 * @param volume    the volume opened, in base
 * @param closed    how much of it later orders closed
 * @param cost      the quote value it was opened at ({@code volume × price})
 * @param margin    the quote set aside for it ({@code cost ÷ leverage})
 */
record PaperPosition(String posTxid, String orderTxid, String pairId, String quote, String type, String ordertype,
        BigDecimal volume, BigDecimal closed, BigDecimal cost, BigDecimal margin, String leverage, Instant openedAt) {

    BigDecimal open() {
        return volume.subtract(closed);
    }

    BigDecimal openPrice() {
        return cost.divide(volume, MathContext.DECIMAL64);
    }

    /** The margin still set aside for what is open. */
    BigDecimal marginOpen() {
        return margin.multiply(open()).divide(volume, MathContext.DECIMAL64);
    }

    /** What closing {@code amount} of it at {@code price} gains (negative: loses), in quote. */
    BigDecimal profitOn(BigDecimal amount, BigDecimal price) {
        BigDecimal move = price.subtract(openPrice());
        return ("buy".equals(type) ? move : move.negate()).multiply(amount);
    }

    PaperPosition closing(BigDecimal amount) {
        return new PaperPosition(posTxid, orderTxid, pairId, quote, type, ordertype, volume, closed.add(amount), cost,
                margin,
                leverage, openedAt);
    }
}
