package io.tvkraken.kraken;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * AddOrder's {@code deadline} (docs/kraken.md#deadline): an RFC 3339 time after which Kraken's engine rejects the order
 * rather than accept it late — Kraken allows 2 to 60 seconds ahead. It bounds how long an order can stay in doubt: once
 * it has passed, an order that Kraken does not list was never placed and never will be, so it may be sent again.
 */
public final class Deadlines {

    private final Clock clock;
    private final Duration ahead;

    public Deadlines(Clock clock, Duration ahead) {
        this.clock = clock;
        this.ahead = ahead;
    }

    /** At least {@code ahead} from now, rounded up to a whole second (Kraken's examples use whole seconds). */
    public Instant next() {
        Instant at = clock.instant().plus(ahead);
        Instant whole = at.truncatedTo(ChronoUnit.SECONDS);
        return whole.equals(at) ? whole : whole.plusSeconds(1);
    }

    /** {@code 2026-11-21T10:15:30Z}: whole seconds, as Kraken's example. */
    public static String format(Instant deadline) {
        return DateTimeFormatter.ISO_INSTANT.format(deadline.truncatedTo(ChronoUnit.SECONDS));
    }
}
