package io.tvkraken.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.alert.AlertParser;
import io.tvkraken.alert.Refusal;
import io.tvkraken.alert.RefusedException;
import io.tvkraken.ingress.HttpEdge;
import io.tvkraken.ingress.IncomingRequest;
import io.tvkraken.ingress.RateLimitedException;
import io.tvkraken.order.AlertCase;
import io.tvkraken.order.Outcome;
import io.tvkraken.order.Replays;
import io.tvkraken.telemetry.RequestLog;
import io.tvkraken.telemetry.ServiceMetrics;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.util.ObjectHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes every HTTP answer (docs/answers.md): the status code, decided here and nowhere else ({@link #status}), the
 * JSON body, {@code X-Request-ID} (and {@code Retry-After} on a 429), and nothing else — every other header is dropped,
 * so neither the caller's headers nor Kraken's come back in the response.
 */
public class Answers implements HttpEdge.Replies {

    private static final Logger LOG = LoggerFactory.getLogger(Answers.class);
    /** The seconds a rate-limited caller should wait, answered in {@code Retry-After}. */
    static final String RETRY_AFTER = "retryAfterSeconds";

    private final ObjectMapper json;
    private final String mode;
    private final ServiceMetrics metrics;

    public Answers(ObjectMapper json, String mode, ServiceMetrics metrics) {
        this.json = json;
        this.mode = mode;
        this.metrics = metrics;
    }

    /**
     * The HTTP status of an outcome. 200 when the alert was carried out (or is a duplicate of one that was answered);
     * 202 when it is stored and still running or dead-lettered — never a 5xx for an alert that was stored, since
     * TradingView may send a 5xx'd alert again (docs/tradingview.md); 4xx for a refusal; 503 only when nothing could
     * be stored, which is the one answer a sender should resend.
     */
    public int status(Outcome outcome) {
        return switch (outcome.status()) {
            case Outcome.EXECUTED, Outcome.VALIDATED, Outcome.DUPLICATE, Outcome.IN_POSITION, Outcome.SUPERSEDED -> 200;
            case Outcome.PENDING, Outcome.DEAD_LETTERED -> 202;
            // an alert for several accounts whose orders ended differently: each is in "orders" (docs/answers.md)
            case Outcome.PARTIAL -> 207;
            case Outcome.REJECTED -> status(Refusal.ofCode(outcome.errorCode()));
            default -> 503;
        };
    }

    /** The HTTP status of each refusal. */
    public static int status(Refusal refusal) {
        return switch (refusal) {
            case INVALID_JSON, INVALID_FIELDS, INVALID_REQUEST -> 400;
            case UNAUTHORIZED -> 401;
            case FORBIDDEN -> 403;
            case NOT_FOUND -> 404;
            case METHOD_NOT_ALLOWED -> 405;
            case REQUEST_TIMEOUT -> 408;
            case PAYLOAD_TOO_LARGE -> 413;
            case URI_TOO_LONG -> 414;
            case UNSUPPORTED_MEDIA_TYPE -> 415;
            // RFC 6585: 429 Too Many Requests, with Retry-After
            case RATE_LIMITED -> 429;
            case HEADERS_TOO_LARGE -> 431;
            case STALE_ALERT, UNKNOWN_PAIR, PAIR_UNAVAILABLE, NO_LAST_PRICE, BELOW_MINIMUM, INVALID_PRICE,
                    INSUFFICIENT_BALANCE, KRAKEN_REJECTED, MARGIN_REQUIRED,
                    EXCEEDS_BOOK, RISK_LIMIT -> 422;
            case TRADING_DISABLED -> 423;
        };
    }

    /** The HTTP status of a replay's result ({@link Replays.Result}). */
    public static int status(Replays.Result result) {
        String status = result.status();
        if (Replays.REPLAYING.equals(status)) {
            return 202;
        }
        return Replays.ALREADY_REPLAYED.equals(status) || Replays.BUSY.equals(status) ? 409 : 200;
    }

    /** The refusal ({@link RefusedException}) being handled by a route configuration, as an outcome. */
    public Outcome refusal(Exchange exchange) {
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        RefusedException refusal = ObjectHelper.getException(RefusedException.class, caught);
        LOG.info("rejected {}: {} {}", refusal.code(), refusal.getMessage(), refusal.details());
        if (refusal instanceof RateLimitedException limited) {
            exchange.setVariable(RETRY_AFTER, limited.retryAfterSeconds());
        }
        return Outcome.refused(requestId(exchange), alertId(exchange), mode, refusal);
    }

    /** An answer of the HTTP edge, written before any route ran (docs/answers.md#refused-by-the-http-edge). */
    @Override
    public HttpEdge.Reply refused(String requestId, RefusedException refusal) {
        metrics.refusedAtEdge(refusal.code());
        return reply(status(refusal.refusal()), Outcome.refused(requestId, null, mode, refusal));
    }

    /** The HTTP server failed a request for a reason of its own: 503, as an operations endpoint that failed. */
    @Override
    public HttpEdge.Reply failed(String requestId) {
        return reply(503, Map.of("status", "error", "request_id", requestId,
                "error", Map.of("code", "unavailable", "message", "the request failed in the HTTP server")));
    }

    private HttpEdge.Reply reply(int status, Object body) {
        try {
            return new HttpEdge.Reply(status, json.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("answer could not be written as JSON: " + e.getOriginalMessage());
        }
    }

    /** The journal cannot be written, so nothing was stored and nothing was sent: 503, the sender should resend. */
    public Outcome notStored(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        LOG.error("journal unavailable: answering 503 so that the sender resends ({})",
                failure == null ? "unknown" : failure.getMessage());
        return Outcome.notStored(requestId(exchange), alertId(exchange), mode,
                "the alert could not be journaled; nothing was sent; please resend");
    }

    /** The answer step: the outcome in the body, with its status; counted in the metrics by status and error. */
    public void write(Exchange exchange) {
        Outcome outcome = exchange.getMessage().getBody(Outcome.class);
        int status = status(outcome);
        // the answer's line carries the outcome, and for an order its pair and side, as the answer does
        if (outcome.order() != null) {
            RequestLog.order(outcome.order().pair(), outcome.order().side());
        }
        RequestLog.outcome(outcome.status());
        LOG.info("answered {} {}", status, outcome.status());
        AlertCase alert = exchange.getVariable("case", AlertCase.class);
        Long received = alert != null ? Long.valueOf(alert.receivedNanos())
                : exchange.getVariable(IncomingRequest.RECEIVED_NANOS, Long.class);
        metrics.answered(outcome.status(), outcome.errorCode(), received == null ? 0 : received);
        if (status == status(Refusal.UNAUTHORIZED) && Boolean.TRUE.equals(exchange.getVariable(Console.PAGE_REQUEST,
                Boolean.class))) {
            // a browser asked for the console without the token: the same 401, as the console's log-in page
            Console.login(exchange, status);
            return;
        }
        send(exchange, status, outcome);
    }

    /** An operations answer: a status and a JSON body. */
    public void json(Exchange exchange, int status, Object body) {
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
        Long retryAfter = exchange.getVariable(RETRY_AFTER, Long.class);
        if (retryAfter != null && status == status(Refusal.RATE_LIMITED)) {
            // RFC 6585 section 4 and RFC 9110 section 10.2.3: how many seconds to wait before sending again
            message.setHeader("Retry-After", retryAfter);
        }
        try {
            message.setBody(json.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            // No cause attached: the answer's own failure, not Jackson's text
            throw new IllegalStateException("answer could not be written as JSON: " + e.getOriginalMessage());
        }
    }

    /** A CSV document (a replay's orders, docs/replays.md): 200, {@code text/csv}. */
    public void csv(Exchange exchange, String csv) {
        Message message = exchange.getMessage();
        message.getHeaders().clear();
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        message.setHeader(Exchange.CONTENT_TYPE, "text/csv; charset=utf-8");
        String requestId = requestId(exchange);
        if (requestId != null) {
            message.setHeader("X-Request-ID", requestId);
        }
        message.setBody(csv);
    }

    /** The HTTP status of a replay asked for or read (docs/replays.md): 202 while it runs, 200 once it ended. */
    public static int replayStatus(String state) {
        return "running".equals(state) ? 202 : 200;
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

    /** The case's alert id; before authentication, the hash of the body as received. */
    static String alertId(Exchange exchange) {
        AlertCase alert = exchange.getVariable("case", AlertCase.class);
        if (alert != null) {
            return alert.alertId();
        }
        byte[] raw = exchange.getVariable(IncomingRequest.RAW_BODY, byte[].class);
        return raw == null ? null : AlertParser.alertId(null, raw);
    }
}
