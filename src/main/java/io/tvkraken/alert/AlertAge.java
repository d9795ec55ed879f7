package io.tvkraken.alert;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.camel.Body;

/**
 * Checks when the alert fired, from its {@code time} ({@code {{timenow}}} as ISO-8601, or epoch seconds or
 * milliseconds); without {@code time} there is nothing to check.
 *
 * <p>Stale alerts ({@code MAX_ALERT_AGE_SECONDS}): an alert whose {@code time} is older than the limit is answered 422
 * {@code stale_alert}, journaled, and nothing is sent — an order for a signal minutes old is not what the strategy
 * asked for, and a replayed capture of a signed request is caught here too.
 *
 * <p>Alerts from the future: a {@code time} more than a small clock difference ahead of this server's clock is answered
 * 400 naming the field. No alert can have fired later than it arrived; such a time is a typo or a forged body, and
 * left alone it would pass the stale check for as long as it stays in the future.
 */
public class AlertAge {

    /** An epoch time: a whole number of at most 13 digits ({@link #MAX_EPOCH} ms is in the year 2286). */
    static final Pattern EPOCH = Pattern.compile("\\d{1,13}");
    static final long MAX_EPOCH = 9_999_999_999_999L;
    /** Above this, an epoch number is read as milliseconds: 10^11 seconds is the year 5138. */
    private static final long MILLIS_THRESHOLD = 100_000_000_000L;
    /** Clocks that are kept in time (NTP) differ by far less; TradingView's {@code {{timenow}}} is in whole seconds. */
    public static final int DEFAULT_CLOCK_SKEW_SECONDS = 5;

    /** How long an order may still leave after its alert when MAX_ALERT_AGE_SECONDS is 0. */
    static final Duration SEND_WINDOW_WITHOUT_AGE_CHECK = Duration.ofSeconds(60);

    private final Clock clock;
    private final Duration maxAge;
    private final Duration clockSkew;

    /** @param maxAgeSeconds 0 turns the stale check off */
    public AlertAge(Clock clock, int maxAgeSeconds) {
        this(clock, maxAgeSeconds, DEFAULT_CLOCK_SKEW_SECONDS);
    }

    /**
     * @param maxAgeSeconds    0 turns the stale check off
     * @param clockSkewSeconds how far ahead of this server's clock a {@code time} may be
     */
    public AlertAge(Clock clock, int maxAgeSeconds, int clockSkewSeconds) {
        if (maxAgeSeconds < 0 || clockSkewSeconds < 0) {
            throw new IllegalArgumentException("alert age and clock skew must be 0 or more seconds");
        }
        this.clock = clock;
        this.maxAge = Duration.ofSeconds(maxAgeSeconds);
        this.clockSkew = Duration.ofSeconds(clockSkewSeconds);
    }

    /** The webhook step {@code check-alert-age}, right after the alert is parsed. */
    public void check(@Body Alert alert) {
        if (alert == null || alert.time() == null) {
            return;
        }
        Instant fired;
        try {
            fired = firedAt(alert.time());
        } catch (DateTimeException e) {
            // The parser lets no such time through; should one come anyway, it is a refusal, not a failure.
            throw new RefusedException(Refusal.INVALID_FIELDS, "1 field problem",
                    List.of("time: not a time, got " + shorten(alert.time())));
        }
        Instant now = clock.instant();
        if (fired.isAfter(now.plus(clockSkew))) {
            throw new RefusedException(Refusal.INVALID_FIELDS, "the alert's time is in the future: nothing was sent",
                    List.of("time: " + shorten(alert.time()) + " (" + fired + ") is "
                            + Duration.between(now, fired).toSeconds() + " s ahead of this server's clock; at most "
                            + clockSkew.toSeconds() + " s is allowed"));
        }
        Duration age = Duration.between(fired, now);
        if (!maxAge.isZero() && age.compareTo(maxAge) > 0) {
            throw new RefusedException(Refusal.STALE_ALERT, "the alert is " + age.toSeconds()
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

    /**
     * {@code 2026-01-02T03:04:05Z}, {@code 1767323045} (seconds) or {@code 1767323045000} (milliseconds).
     *
     * @throws DateTimeException for anything else, including a negative or over-long number
     */
    public static Instant firedAt(String time) {
        if (EPOCH.matcher(time).matches()) {
            long value = Long.parseLong(time);
            return value >= MILLIS_THRESHOLD ? Instant.ofEpochMilli(value) : Instant.ofEpochSecond(value);
        }
        return Instant.parse(time);
    }

    private static String shorten(String value) {
        return value.length() <= 40 ? value : value.substring(0, 37) + "...";
    }
}
