package io.tvkraken.deadletter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.tvkraken.alert.Alert;
import io.tvkraken.alert.AlertParser;
import io.tvkraken.ingress.IncomingRequest;
import io.tvkraken.kraken.KrakenUnavailableException;
import io.tvkraken.ops.Answers;
import io.tvkraken.ops.ServiceMetrics;
import io.tvkraken.order.OrderDesk;
import io.tvkraken.order.OrderRequest;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.util.ObjectHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead-letter channel's endpoint (routes/error-handling.camel.yaml): an alert that failed for any reason other
 * than a rejection is stored durably and answered 202 {@code dead_lettered}. If even that fails, the answer is 503 —
 * the one case where TradingView's resend is wanted, because nothing was kept.
 */
public class DeadLetters {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);

    private final DeadLetterStore store;
    private final Answers answers;
    private final ServiceMetrics metrics;
    private final ObjectMapper json;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public DeadLetters(DeadLetterStore store, Answers answers, ServiceMetrics metrics, ObjectMapper json,
            Clock clock) {
        this.store = store;
        this.metrics = metrics;
        this.json = json;
        this.answers = answers;
        this.clock = clock;
    }

    public void store(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        boolean sent = Boolean.TRUE.equals(exchange.getVariable(OrderDesk.ADD_ORDER_SENT, Boolean.class));
        String reason;
        String message;
        boolean mayHaveBeenPlaced;
        CallNotPermittedException open = ObjectHelper.getException(CallNotPermittedException.class, failure);
        KrakenUnavailableException unavailable = ObjectHelper.getException(KrakenUnavailableException.class, failure);
        IOException io = ObjectHelper.getException(IOException.class, failure);
        if (open != null) {
            reason = "circuit_open";
            message = "Kraken failed repeatedly and the circuit breaker is open: nothing was sent";
            mayHaveBeenPlaced = false;
        } else if (unavailable != null) {
            reason = "kraken_unavailable";
            message = unavailable.getMessage();
            mayHaveBeenPlaced = sent && unavailable.outcomeUnknown();
        } else if (io != null) {
            reason = "kraken_unavailable";
            message = "Kraken did not answer: " + io.getClass().getSimpleName()
                    + (io.getMessage() == null ? "" : " " + io.getMessage());
            // A refused connection never reached Kraken; a timeout or a reset after sending may have placed it.
            mayHaveBeenPlaced = sent && !(io instanceof ConnectException);
            metrics.krakenError(sent ? "AddOrder" : "unknown", "no answer: " + io.getClass().getSimpleName());
        } else {
            reason = "internal_error";
            message = "unexpected failure: " + (failure == null ? "unknown" : failure.getClass().getName());
            mayHaveBeenPlaced = sent;
        }
        if (mayHaveBeenPlaced) {
            message = message + " - the order MAY HAVE BEEN PLACED: check Kraken before replaying";
        }
        byte[] raw = exchange.getVariable(IncomingRequest.RAW_BODY, byte[].class);
        Alert alert = exchange.getVariable(OrderDesk.ALERT, Alert.class);
        OrderRequest order = exchange.getVariable(OrderDesk.ORDER, OrderRequest.class);
        DeadLetter letter = new DeadLetter(newId(), exchange.getVariable(IncomingRequest.REQUEST_ID, String.class),
                raw == null ? null : AlertParser.alertId(alert, raw), clock.instant().toString(), reason, message,
                mayHaveBeenPlaced, exchange.getVariable("intent", String.class),
                order == null ? Map.of() : order.addOrderParams(),
                raw == null ? null : redacted(raw));
        try {
            store.save(letter);
        } catch (RuntimeException e) {
            LOG.error("dead letter could not be stored ({}): answering 503 so that the sender retries",
                    e.getMessage());
            answers.notStored(exchange, "the alert could not be stored; please resend");
            return;
        }
        LOG.warn("dead-lettered as {}: {} ({})", letter.id(), reason, message, failure);
        answers.deadLettered(exchange, letter);
    }

    /**
     * The alert as received, minus its passphrase: dead letters are served by the admin API, and a secret never
     * reaches an answer (SPEC §3). The alert was authenticated already; a replay does not need it.
     */
    private String redacted(byte[] raw) {
        try {
            JsonNode tree = json.readTree(raw);
            if (tree instanceof ObjectNode alert && alert.has("passphrase")) {
                alert.put("passphrase", "[redacted]");
                return json.writeValueAsString(alert);
            }
        } catch (IOException e) {
            // not JSON: only authenticated alerts get here, and they parsed; keep what came
        }
        return new String(raw, StandardCharsets.UTF_8);
    }

    private String newId() {
        byte[] suffix = new byte[4];
        random.nextBytes(suffix);
        return "dl-" + ID_TIME.format(clock.instant()) + "-" + HexFormat.of().formatHex(suffix);
    }
}
