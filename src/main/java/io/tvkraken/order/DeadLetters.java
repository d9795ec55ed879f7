package io.tvkraken.order;

import io.tvkraken.journal.DeadLetter;
import io.tvkraken.journal.DeadLetterStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alerts that could not be carried out: stored in the dead-letter table for replay, journaled as
 * {@code dead_lettered}, answered 202 — never a 5xx, which TradingView would resend.
 */
public class DeadLetters {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);

    /**
     * Why an alert failed ({@link OrderVerdict#failure()} for an AddOrder's failure, the {@link Reconciler} for what a
     * look-up proved).
     *
     * @param mayHaveBeenPlaced an AddOrder left and got no clear answer: the order may exist at Kraken
     */
    public record Failure(String reason, String message, boolean mayHaveBeenPlaced) {
    }

    private final DeadLetterStore store;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public DeadLetters(DeadLetterStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Stores the letter (the journal entry is finished by the order lifecycle). */
    public DeadLetter store(AlertCase alert, Failure failure, Map<String, String> order, Throwable cause) {
        String message = failure.mayHaveBeenPlaced()
                ? failure.message() + " - the order MAY HAVE BEEN PLACED: a replay looks it up first"
                : failure.message();
        DeadLetter letter = new DeadLetter(newId(), alert.journalEntry(), alert.requestId(), alert.alertId(),
                clock.instant(), failure.reason(), message, failure.mayHaveBeenPlaced(), alert.intent(),
                order == null ? Map.of() : order, alert.body(), DeadLetter.PENDING, null, null);
        store.save(letter);
        if (OrderVerdict.INTERNAL_ERROR.equals(failure.reason())) {
            LOG.warn("dead-lettered as {}: {} ({})", letter.id(), failure.reason(), message, cause);
        } else {
            // an outage, an open breaker, an order too late: expected, and the reason says it all
            LOG.warn("dead-lettered as {}: {} ({})", letter.id(), failure.reason(), message);
        }
        return letter;
    }

    private String newId() {
        byte[] suffix = new byte[4];
        random.nextBytes(suffix);
        return "dl-" + ID_TIME.format(clock.instant()) + "-" + HexFormat.of().formatHex(suffix);
    }
}
