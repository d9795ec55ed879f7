package io.tvkraken.alert;

import java.math.BigDecimal;

/**
 * The position a strategy wants on a pair after its signal (docs/alerts.md#target-positions): TradingView's
 * {@code {{strategy.position_size}}} as sent in {@code position}, or {@code {{strategy.market_position}}} with
 * {@code {{strategy.market_position_size}}} as {@code market_position} and {@code volume}. The service orders the
 * difference between it and the strategy's book.
 *
 * @param position signed, in the base currency: above 0 long, 0 flat, below 0 short
 * @param source   how the alert said it, for messages: {@code position -0.5} or {@code market_position short 0.5}
 */
public record Target(BigDecimal position, String source) {

    public boolean flat() {
        return position.signum() == 0;
    }

    public boolean isShort() {
        return position.signum() < 0;
    }
}
