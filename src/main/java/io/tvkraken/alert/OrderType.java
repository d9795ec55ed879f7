package io.tvkraken.alert;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Kraken's {@code ordertype} values that an alert may ask for, with the prices each one needs
 * (docs/kraken.md#prices: {@code price} is the limit price for limit orders and the trigger price for every
 * stop / take-profit / trailing type; {@code price2} is the limit price of the three {@code *-limit} kinds).
 */
public enum OrderType {
    MARKET("market", false, false),
    LIMIT("limit", true, false),
    STOP_LOSS("stop-loss", true, false),
    TAKE_PROFIT("take-profit", true, false),
    STOP_LOSS_LIMIT("stop-loss-limit", true, true),
    TAKE_PROFIT_LIMIT("take-profit-limit", true, true),
    TRAILING_STOP("trailing-stop", true, false),
    TRAILING_STOP_LIMIT("trailing-stop-limit", true, true);

    private final String kraken;
    private final boolean needsPrice;
    private final boolean needsPrice2;

    OrderType(String kraken, boolean needsPrice, boolean needsPrice2) {
        this.kraken = kraken;
        this.needsPrice = needsPrice;
        this.needsPrice2 = needsPrice2;
    }

    public String kraken() {
        return kraken;
    }

    public boolean needsPrice() {
        return needsPrice;
    }

    public boolean needsPrice2() {
        return needsPrice2;
    }

    /** Trailing stops take a relative {@code price}; Kraken requires the {@code +} form (docs/kraken.md#prices). */
    public boolean trailing() {
        return this == TRAILING_STOP || this == TRAILING_STOP_LIMIT;
    }

    /** Accepts Kraken's spelling, any case, with {@code _} or {@code -}. */
    public static Optional<OrderType> parse(String text) {
        String wanted = text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        return Arrays.stream(values()).filter(t -> t.kraken.equals(wanted)).findFirst();
    }

    public static String allowed() {
        return String.join(", ", Arrays.stream(values()).map(OrderType::kraken).toList());
    }
}
