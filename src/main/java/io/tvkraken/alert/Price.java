package io.tvkraken.alert;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A price as Kraken reads it: absolute ({@code 37500.5}) or relative to the last traded price, with a prefix
 * {@code +} (add), {@code -} (subtract) or {@code #} (add or subtract by side and order type), and an optional
 * {@code %} suffix that makes the offset a percentage (docs/kraken.md#prices).
 *
 * @param prefix  {@code ""} for an absolute price, else one of {@code + - #}
 * @param amount  the number, never negative
 * @param percent whether the offset is a percentage
 */
public record Price(String prefix, BigDecimal amount, boolean percent) {

    private static final Pattern FORM = Pattern.compile("([+\\-#]?)(\\d+(?:\\.\\d+)?|\\.\\d+)(%?)");

    public static Optional<Price> parse(String text) {
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new Price(m.group(1), new BigDecimal(m.group(2)), !m.group(3).isEmpty()));
    }

    public static Price absolute(BigDecimal amount) {
        return new Price("", amount, false);
    }

    public boolean absolute() {
        return prefix.isEmpty() && !percent;
    }

    public Price withAmount(BigDecimal newAmount) {
        return new Price(prefix, newAmount, percent);
    }

    /** The string sent to Kraken, e.g. {@code 37500.1}, {@code +100}, {@code -1.5%}. */
    public String kraken() {
        return prefix + amount.toPlainString() + (percent ? "%" : "");
    }

    @Override
    public String toString() {
        return kraken();
    }
}
