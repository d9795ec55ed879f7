package io.tvkraken.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.alert.Alert;
import io.tvkraken.alert.AlertParser;
import io.tvkraken.alert.AlertRejectedException;
import io.tvkraken.ingress.IncomingRequest;
import io.tvkraken.order.OrderDesk;
import io.tvkraken.order.OrderRequest;
import io.tvkraken.order.OrderResult;
import io.tvkraken.deadletter.DeadLetter;
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

    /** 200 {@code executed} or {@code validated}. */
    public void done(Exchange exchange) {
        OrderResult result = exchange.getVariable(OrderDesk.RESULT, OrderResult.class);
        OrderRequest order = result.order();
        // Volume and price exactly as sent to Kraken, after rounding to the pair's decimals.
        Map<String, String> sent = order.addOrderParams();
        Answer.Order view = new Answer.Order(order.pair().altname(), order.side().kraken(), order.orderType().kraken(),
                sent.get("volume"), sent.get("price"),
                result.description(), order.validate() ? null : result.txids());
        String status = order.validate() ? "validated" : "executed";
        json(exchange, 200, new Answer(status, requestId(exchange), alertId(exchange), mode, view, null, null));
    }

    /** The 4xx of an {@link AlertRejectedException} caught by the route configuration. */
    public void rejected(Exchange exchange) {
        // Camel may wrap it (a bean called from an expression, a producer template call).
        AlertRejectedException rejection = ObjectHelper.getException(AlertRejectedException.class,
                exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
        LOG.info("rejected {}: {} {}", rejection.status(), rejection.getMessage(), rejection.details());
        json(exchange, rejection.status(), new Answer("rejected", requestId(exchange), alertId(exchange), mode, null,
                new Answer.Error(rejection.code(), rejection.getMessage(), rejection.details()), null));
    }

    /** The 400 for a body that camel-jackson could not read as JSON. */
    public void notJson(Exchange exchange) {
        JsonProcessingException cause = ObjectHelper.getException(JsonProcessingException.class,
                exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class));
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, AlertParser.notJson(cause));
        rejected(exchange);
    }

    /** 202: stored for replay, never a 5xx (TradingView resends on 5xx, tradingview-webhooks.md §1). */
    public void deadLettered(Exchange exchange, DeadLetter letter) {
        json(exchange, 202, new Answer("dead_lettered", requestId(exchange), alertId(exchange), mode, null,
                new Answer.Error(letter.reason(), letter.message(), java.util.List.of()), letter.id()));
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
