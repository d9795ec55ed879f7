package io.tvkraken.telemetry;

import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * Something an operator should hear about, raised where the outcome is decided (docs/notifications.md#events): what
 * happened, how serious it is, a one-line title and a short text. The text is built from what the service knows of
 * the order (alert id, pair, Kraken's error strings), never from secrets.
 */
public record Notice(Event event, Severity severity, String title, String text, Instant at) {

    /** The events a channel can choose from, by the name an operator writes in its {@code events} list. */
    public enum Event {
        ORDER_REJECTED,
        ALERT_DEAD_LETTERED,
        ORDER_OUTCOME_UNKNOWN,
        BREAKER_OPENED,
        BREAKER_CLOSED,
        KILL_SWITCH_CHANGED,
        STARTED_LIVE,
        DAILY_SUMMARY,
        POSITION_DRIFT,
        ORDER_EXECUTED;

        /** {@code order_rejected}, as configured and as the metrics' {@code event} label says. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Event of(String label) {
            return Arrays.stream(values()).filter(e -> e.label().equals(label.trim().toLowerCase(Locale.ROOT)))
                    .findFirst().orElseThrow(() -> new IllegalArgumentException("unknown event '" + label.trim()
                            + "' (one of " + String.join(", ", Arrays.stream(values()).map(Event::label).toList())
                            + ")"));
        }
    }

    /** In increasing order: a channel with a minimum severity gets that one and the ones after it. */
    public enum Severity {
        INFO, WARNING, CRITICAL;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Severity of(String label) {
            try {
                return valueOf(label.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown severity '" + label.trim() + "' (info, warning or critical)");
            }
        }
    }

    public Notice {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(title, "title");
        text = text == null ? "" : text;
        Objects.requireNonNull(at, "at");
    }

    public static Notice of(Event event, Severity severity, String title, String text) {
        return new Notice(event, severity, title, text, Instant.now());
    }
}
