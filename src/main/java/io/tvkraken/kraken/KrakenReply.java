package io.tvkraken.kraken;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Kraken's answer envelope {@code {"error":[...],"result":{...}}} (docs/kraken.md#error-model). Kraken reports business
 * errors with HTTP 200 and a non-empty {@code error} array; a non-200 status means the request did not reach Kraken
 * properly (typically Cloudflare with an HTML body).
 */
public record KrakenReply(int httpStatus, List<String> errors, List<String> warnings, JsonNode result) {

    public static KrakenReply parse(int httpStatus, byte[] body, ObjectMapper json) {
        JsonNode root;
        try {
            root = body == null || body.length == 0 ? MissingNode.getInstance() : json.readTree(body);
        } catch (Exception e) {
            root = MissingNode.getInstance();
        }
        // Kraken's format is <E|W>Category:Description (docs/kraken.md#error-model): a W-entry is a warning that comes
        // with a successful result, and must not turn a placed order into a refusal.
        List<String> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        root.path("error").forEach(e -> (e.asText().startsWith("W") ? warnings : errors).add(e.asText()));
        return new KrakenReply(httpStatus, List.copyOf(errors), List.copyOf(warnings), root.path("result"));
    }

    public boolean ok() {
        return httpStatus == 200 && errors.isEmpty() && !result.isMissingNode();
    }

    /**
     * An outage, throttling or an unreadable answer: the breaker counts it as a failure even though Kraken sends most
     * of these with HTTP 200 (docs/kraken.md#error-model: {@code EService:*}, rate limits, internal errors).
     */
    public boolean unavailable() {
        if (httpStatus != 200 || (errors.isEmpty() && result.isMissingNode())) {
            return true;
        }
        return errors.stream().anyMatch(KrakenReply::outageOrThrottle);
    }

    static boolean outageOrThrottle(String error) {
        return error.startsWith("EService:")
                || error.startsWith("EGeneral:Internal error")
                || error.startsWith("EDatabase:")
                || error.contains("Rate limit exceeded")
                || error.startsWith("EGeneral:Too many requests");
    }

    /**
     * After one of these on an AddOrder, Kraken may or may not have placed the order (docs/kraken.md#idempotency: a
     * timeout or a 5xx on AddOrder does not mean "not placed"). Rate limits and throttling are refused before the
     * engine.
     */
    public boolean outcomeUnknown() {
        if (httpStatus != 200 || (errors.isEmpty() && result.isMissingNode())) {
            return true;
        }
        return errors.stream().anyMatch(e -> e.startsWith("EService:Unavailable") || e.startsWith("EService:Busy")
                || e.startsWith("EGeneral:Internal error") || e.startsWith("EDatabase:"));
    }

    public String describe() {
        return errors.isEmpty() ? "HTTP " + httpStatus : String.join(", ", errors);
    }
}
