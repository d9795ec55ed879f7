package io.tvkraken.alert;

import java.util.Locale;

/** Order side. TradingView's {@code {{strategy.order.action}}} renders as {@code buy} / {@code sell}; any case is accepted. */
public enum Side {
    BUY, SELL;

    /** The value of Kraken's {@code type} parameter. */
    public String kraken() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Side parse(String text) {
        return valueOf(text.trim().toUpperCase(Locale.ROOT));
    }
}
