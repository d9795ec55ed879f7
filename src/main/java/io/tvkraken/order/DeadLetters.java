package io.tvkraken.order;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.tvkraken.journal.DeadLetter;
import io.tvkraken.journal.DeadLetterStore;
import io.tvkraken.kraken.KrakenUnavailableException;
import io.tvkraken.telemetry.ServiceMetrics;
import java.io.IOException;
import java.net.ConnectException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Map;
import org.apache.camel.util.ObjectHelper;
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
     * Why an alert failed, read from the exception.
     *
     * @param mayHaveBeenPlaced an AddOrder left and got no clear answer: the order may exist at Kraken
     */
    public record Failure(String reason, String message, boolean mayHaveBeenPlaced) {
    }

    private final DeadLetterStore store;
    private final ServiceMetrics metrics;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public DeadLetters(DeadLetterStore store, ServiceMetrics metrics, Clock clock) {
        this.store = store;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * Reads a failure. {@code sent}: an AddOrder had left when it happened. A refused connection or an open breaker
     * never reached Kraken; a timeout, a reset or an outage answer after sending may have placed the order.
     */
    public Failure classify(Throwable failure, boolean sent) {
        CallNotPermittedException open = ObjectHelper.getException(CallNotPermittedException.class, failure);
        KrakenUnavailableException unavailable = ObjectHelper.getException(KrakenUnavailableException.class, failure);
        IOException io = ObjectHelper.getException(IOException.class, failure);
        TooLateException late = ObjectHelper.getException(TooLateException.class, failure);
        if (late != null) {
            return new Failure("too_late", late.getMessage(), false);
        }
        if (open != null) {
            return new Failure("circuit_open",
                    "Kraken failed repeatedly and the circuit breaker is open: nothing was sent", false);
        }
        if (unavailable != null) {
            return new Failure("kraken_unavailable", unavailable.getMessage(), sent && unavailable.outcomeUnknown());
        }
        if (io != null) {
            metrics.krakenError(sent ? "AddOrder" : "unknown", "no answer: " + io.getClass().getSimpleName());
            return new Failure("kraken_unavailable", "Kraken did not answer: " + io.getClass().getSimpleName()
                    + (io.getMessage() == null ? "" : " " + io.getMessage()), sent && !(io instanceof ConnectException));
        }
        return new Failure("internal_error",
                "unexpected failure: " + (failure == null ? "unknown" : failure.getClass().getName()), sent);
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
        if ("internal_error".equals(failure.reason())) {
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
