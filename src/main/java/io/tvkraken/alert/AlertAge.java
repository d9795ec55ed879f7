package io.tvkraken.alert;

import io.tvkraken.order.OrderDesk;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.camel.Exchange;

/**
 * Refuses stale alerts (SPEC section 3, {@code MAX_ALERT_AGE_SECONDS}): an alert whose {@code time} is older than the
 * limit is answered 422 {@code stale_alert}, journaled, and nothing is sent — an order for a signal minutes old is not
 * what the strategy asked for, and a replayed capture of a signed request is caught here too. {@code time} is
 * {@code {{timenow}}} (ISO-8601), or epoch seconds or milliseconds. Without {@code time} there is nothing to check.
 */
public class AlertAge {

    /** Above this, an epoch number is read as milliseconds: 10^11 seconds is the year 5138. */
    private static final long MILLIS_THRESHOLD = 100_000_000_000L;

    /** How long an order may still leave after its alert when MAX_ALERT_AGE_SECONDS is 0. */
    static final Duration SEND_WINDOW_WITHOUT_AGE_CHECK = Duration.ofSeconds(60);

    private final Clock clock;
    private final Duration maxAge;

    /** @param maxAgeSeconds 0 turns the check off */
    public AlertAge(Clock clock, int maxAgeSeconds) {
        this.clock = clock;
        this.maxAge = Duration.ofSeconds(maxAgeSeconds);
    }

    public void check(Exchange exchange) {
        check(exchange.getVariable(OrderDesk.ALERT, Alert.class));
    }

    public void check(Alert alert) {
        if (maxAge.isZero() || alert == null || alert.time() == null) {
            return;
        }
        Instant fired = firedAt(alert.time());
        Duration age = Duration.between(fired, clock.instant());
        if (age.compareTo(maxAge) > 0) {
            throw new AlertRejectedException(422, "stale_alert", "the alert is " + age.toSeconds()
                    + " s old, more than MAX_ALERT_AGE_SECONDS (" + maxAge.toSeconds() + " s): nothing was sent",
                    List.of("time: " + alert.time() + " (" + fired + ")"));
        }
    }

    /**
     * The latest time an AddOrder for this alert may leave: when it fired (or now, if it says nothing or claims a
     * future time) plus MAX_ALERT_AGE_SECONDS — or plus {@link #SEND_WINDOW_WITHOUT_AGE_CHECK} when the age check is
     * off. Every AddOrder's deadline is capped there, so no order of this alert can be placed later.
     */
    public Instant sendBy(Alert alert) {
        Instant now = clock.instant();
        Instant fired = now;
        if (alert != null && alert.time() != null) {
            try {
                Instant claimed = firedAt(alert.time());
                fired = claimed.isBefore(now) ? claimed : now;
            } catch (RuntimeException unreadable) {
                // refused by check() already; nothing to cap by
            }
        }
        return fired.plus(maxAge.isZero() ? SEND_WINDOW_WITHOUT_AGE_CHECK : maxAge);
    }

    /** {@code 2026-01-02T03:04:05Z}, {@code 1767323045} (seconds) or {@code 1767323045000} (milliseconds). */
    static Instant firedAt(String time) {
        if (time.chars().allMatch(Character::isDigit)) {
            long value = Long.parseLong(time);
            return value >= MILLIS_THRESHOLD ? Instant.ofEpochMilli(value) : Instant.ofEpochSecond(value);
        }
        return Instant.parse(time);
    }
}
