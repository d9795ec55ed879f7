package io.tvkraken;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads settings through a property lookup ({@code key -> value or null}): a blank value is unset, a value is
 * trimmed, and a value that cannot be read is noted as a problem (by key, never repeating a secret) and replaced by
 * its default, so that reading goes on and one refusal names every problem at once
 * (docs/configuration.md#when-the-configuration-is-wrong). {@link Settings} and the notification settings read
 * through the same one.
 */
public final class SettingsReader {

    private final Function<String, String> property;
    private final List<String> problems = new ArrayList<>();

    public SettingsReader(Function<String, String> property) {
        this.property = property;
    }

    /** The value of {@code key}, trimmed; null when unset or blank. */
    public String text(String key) {
        String v = property.apply(key);
        return v == null || v.isBlank() ? null : v.trim();
    }

    public String text(String key, String fallback) {
        String v = text(key);
        return v == null ? fallback : v;
    }

    /** A whole number that fits an int; {@code fallback} when unset or not one (noted). */
    public int intOf(String key, int fallback) {
        return whole(key, fallback, Integer::parseInt);
    }

    /** A whole number that fits a long; {@code fallback} when unset or not one (noted). */
    public long longOf(String key, long fallback) {
        return whole(key, fallback, Long::parseLong);
    }

    private <T> T whole(String key, T fallback, Function<String, T> parse) {
        String v = text(key);
        if (v == null) {
            return fallback;
        }
        try {
            return parse.apply(v);
        } catch (NumberFormatException e) {
            problem(key + " must be a whole number, not '" + v + "'");
            return fallback;
        }
    }

    /** {@code XXBTZUSD=60000.0,XETHZUSD=3000}: amounts by name (a pair id or an asset code), in the order given. */
    public Map<String, BigDecimal> amounts(String key) {
        Map<String, BigDecimal> amounts = new LinkedHashMap<>();
        for (String entry : text(key, "").split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            String[] kv = entry.split("=", 2);
            try {
                amounts.put(kv[0].trim(), new BigDecimal(kv[1].trim()));
            } catch (RuntimeException e) {
                problem(key + " entry '" + entry.trim() + "' must look like NAME=123.45");
            }
        }
        return Collections.unmodifiableMap(amounts);
    }

    /** Notes a problem found while reading; {@link #refuseIfAny()} reports it with the others. */
    public void problem(String problem) {
        problems.add(problem);
    }

    /** Notes {@code problem} unless {@code ok}. */
    public void check(boolean ok, String problem) {
        if (!ok) {
            problem(problem);
        }
    }

    /**
     * Notes the message of the IllegalArgumentException with which {@code check} refuses a value: the rule stays with
     * the class that uses the value, asked by building one, and its refusal joins the others.
     */
    public void valid(Runnable check) {
        try {
            check.run();
        } catch (IllegalArgumentException e) {
            problem(e.getMessage());
        }
    }

    /** The problems noted so far, in the order found. */
    public List<String> problems() {
        return List.copyOf(problems);
    }

    /** The one refusal naming every problem noted, joined with {@code "; "}, if there is any. */
    public void refuseIfAny() {
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException(String.join("; ", problems));
        }
    }
}
