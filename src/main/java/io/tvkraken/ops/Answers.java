package io.tvkraken.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.alert.Alert;
import io.tvkraken.alert.AlertParser;
import io.tvkraken.alert.AlertRejectedException;
import io.tvkraken.ingress.IncomingRequest;
import io.tvkraken.order.OrderDesk;
import io.tvkraken.deadletter.DeadLetter;
import io.tvkraken.journal.AlertJournal;
import io.tvkraken.journal.JournalEntry;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.util.ObjectHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the HTTP answer of a webhook (SPEC §4): status code, JSON body, {@code X-Request-ID}, and nothing else —
 * every other header is dropped, so neither the caller's headers nor Kraken's come back in the response.
 */
public class Answers {

    private static final Logger LOG = LoggerFactory.getLogger(Answers.class);

    private final ObjectMapper json;
    private final String mode;
    private final ServiceMetrics metrics;

    public Answers(ObjectMapper json, String mode, ServiceMetrics metrics) {
        this.json = json;
        this.mode = mode;
        this.metrics = metrics;
    }

    /**
     * 200 {@code executed} or {@code validated}: the order as sent to Kraken (volume and price after rounding to the
     * pair's decimals), Kraken's description and, for a placed order, its txids.
     */
    public Answer executed(String requestId, String alertId, Map<String, String> sent, String description,
            List<String> txids, boolean validate) {
        Answer.Order view = new Answer.Order(sent.get("pair"), sent.get("type"), sent.get("ordertype"),
                sent.get("volume"), sent.get("price"), description, validate ? null : txids);
        return new Answer(validate ? "validated" : "executed", requestId, alertId, mode, view, null, null);
    }

    public Answer rejection(String requestId, String alertId, AlertRejectedException rejection) {
        return new Answer("rejected", requestId, alertId, mode, null,
                new Answer.Error(rejection.code(), rejection.getMessage(), rejection.details()), null);
    }

    /** 202: stored for replay, never a 5xx (TradingView resends on 5xx, tradingview-webhooks.md §1). */
    public Answer deadLettered(String requestId, String alertId, DeadLetter letter) {
        return new Answer("dead_lettered", requestId, alertId, mode, null,
                new Answer.Error(letter.reason(), letter.message(), List.of()), letter.id());
    }

    /** The outcome decided by the order worker; its metrics were recorded where it was decided. */
    public void write(Exchange exchange, Outcome outcome) {
        LOG.info("answered {} {}", outcome.status(), outcome.answer().status());
        send(exchange, outcome.status(), outcome.answer());
    }

    /** 202 {@code pending}: the order may have been placed and is being looked up; its outcome lands in the journal. */
    public Answer pending(String requestId, String alertId) {
        return new Answer("pending", requestId, alertId, mode, null, null, null);
    }

    /** 202 {@code pending}: journaled and still running when the answer was due; it finishes in the background. */
    public void pending(Exchange exchange, String firstRequestId) {
        json(exchange, 202, new Answer("pending", requestId(exchange), alertId(exchange), mode, null, null, null,
                null, firstRequestId));
    }

    /**
     * 200 {@code duplicate}: the alert was seen before; the first outcome is repeated (its order and txids, or its
     * error) and nothing is sent again. While the first is still running: 202 {@code pending}.
     */
    public void duplicate(Exchange exchange) {
        JournalEntry first = exchange.getVariable(AlertJournal.FIRST, JournalEntry.class);
        if (!first.finished() || first.answer() == null) {
            LOG.info("duplicate of journal entry {} (request {}), which is still running", first.id(),
                    first.requestId());
            pending(exchange, first.requestId());
            return;
        }
        Answer earlier;
        try {
            earlier = json.readValue(first.answer(), Answer.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("journal entry " + first.id() + " holds an unreadable answer");
        }
        LOG.info("duplicate of journal entry {} (request {}, {}): nothing sent", first.id(), first.requestId(),
                earlier.status());
        json(exchange, 200, new Answer("duplicate", requestId(exchange), alertId(exchange), mode, earlier.order(),
                earlier.error(), earlier.deadLetterId(), earlier.status(), first.requestId()));
    }

    public String toJson(Answer answer) {
        try {
            return json.writeValueAsString(answer);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("answer could not be written as JSON: " + e.getOriginalMessage());
        }
    }

    /** The 4xx of an {@link AlertRejectedException} caught by the route configuration. */
    public void rejected(Exchange exchange) {
        AlertRejectedException rejection = rejectionOf(exchange);
        LOG.info("rejected {}: {} {}", rejection.status(), rejection.getMessage(), rejection.details());
        json(exchange, rejection.status(), rejection(requestId(exchange), alertId(exchange), rejection));
    }

    /** The rejection being handled; Camel may wrap it (a bean called from an expression, a producer template). */
    public static AlertRejectedException rejectionOf(Exchange exchange) {
        return ObjectHelper.getException(AlertRejectedException.class,
                exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
    }

    /** The 400 for a body that camel-jackson could not read: not JSON, or a field given twice. */
    public void notJson(Exchange exchange) {
        JsonProcessingException cause = ObjectHelper.getException(JsonProcessingException.class,
                exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, AlertParser.unreadable(cause));
        rejected(exchange);
    }

    /** 503: the journal cannot be written, so nothing was stored and nothing was sent; TradingView's resend is wanted. */
    public void journalUnavailable(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        LOG.error("journal unavailable: answering 503 so that the sender resends ({})",
                failure == null ? "unknown" : failure.getMessage());
        notStored(exchange, "the alert could not be journaled; nothing was sent; please resend");
    }

    /** 503: nothing could be stored — the only answer for which a resend is wanted. */
    public void notStored(Exchange exchange, String message) {
        json(exchange, 503, new Answer("error", requestId(exchange), alertId(exchange), mode, null,
                new Answer.Error("not_stored", message, java.util.List.of()), null));
    }

    public void json(Exchange exchange, int status, Object body) {
        if (body instanceof Answer answer) {
            LOG.info("answered {} {}", status, answer.status());
            Long started = exchange.getVariable(IncomingRequest.RECEIVED_NANOS, Long.class);
            metrics.answered(answer.status(), answer.error() == null ? null : answer.error().code(),
                    started == null ? 0 : started);
        }
        send(exchange, status, body);
    }

    private void send(Exchange exchange, int status, Object body) {
        Message message = exchange.getMessage();
        message.getHeaders().clear();
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        String requestId = requestId(exchange);
        if (requestId != null) {
            message.setHeader("X-Request-ID", requestId);
        }
        try {
            message.setBody(json.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            // No cause attached: a JsonProcessingException in the chain would be taken for an unreadable alert
            // by the alert-not-json handler.
            throw new IllegalStateException("answer could not be written as JSON: " + e.getOriginalMessage());
        }
    }

    /** An operations endpoint failed: 503 with what failed, never the caller's headers or a stack trace. */
    public void operationFailed(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        LOG.warn("operations endpoint failed", failure);
        json(exchange, 503, Map.of("status", "error", "error", Map.of("code", "unavailable",
                "message", failure == null ? "failed" : failure.getClass().getSimpleName())));
    }

    public void health(Exchange exchange) {
        json(exchange, 200, Map.of("status", "ok", "service", "tradingview-kraken-webhook"));
    }

    static String requestId(Exchange exchange) {
        return exchange.getVariable(IncomingRequest.REQUEST_ID, String.class);
    }

    static String alertId(Exchange exchange) {
        byte[] raw = exchange.getVariable(IncomingRequest.RAW_BODY, byte[].class);
        Alert alert = exchange.getVariable(OrderDesk.ALERT, Alert.class);
        if (alert == null && raw == null) {
            return null;
        }
        return AlertParser.alertId(alert, raw == null ? new byte[0] : raw);
    }
}
