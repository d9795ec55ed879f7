package io.tvkraken.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.deadletter.DeadLetterStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /admin/*} behind {@code Authorization: Bearer ADMIN_TOKEN} (SPEC §4). Without a token configured the admin
 * API does not exist: 404, so that an unconfigured instance does not even reveal it.
 */
public class AdminApi {

    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);

    private final byte[] token;
    private final DeadLetterStore deadLetters;
    private final TradingSwitch trading;
    private final Answers answers;
    private final ObjectMapper json;

    public AdminApi(String adminToken, DeadLetterStore deadLetters, TradingSwitch trading, Answers answers,
            ObjectMapper json) {
        this.token = adminToken == null ? null : adminToken.getBytes(StandardCharsets.UTF_8);
        this.deadLetters = deadLetters;
        this.trading = trading;
        this.answers = answers;
        this.json = json;
    }

    /** True when the request may go on; otherwise the 404/401 answer is already written. */
    public boolean authorized(Exchange exchange) {
        String header = exchange.getMessage().getHeader("Authorization", String.class);
        if (token == null) {
            answers.json(exchange, 404, error("not_found", "not found"));
            return false;
        }
        String given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? header.substring(7).trim() : "";
        if (!MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8))) {
            LOG.warn("admin request refused: missing or wrong bearer token");
            answers.json(exchange, 401, error("unauthorized", "a valid bearer token is required"));
            return false;
        }
        return true;
    }

    public void listDeadLetters(Exchange exchange) {
        var pending = deadLetters.pending();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("count", pending.size());
        body.put("dead_letters", pending);
        answers.json(exchange, 200, body);
    }

    public void setTrading(Exchange exchange) {
        JsonNode enabled;
        try {
            enabled = json.readTree(exchange.getMessage().getBody(byte[].class)).path("enabled");
        } catch (Exception e) {
            enabled = null;
        }
        if (enabled == null || !enabled.isBoolean()) {
            answers.json(exchange, 400, error("invalid_fields", "body must be {\"enabled\": true} or {\"enabled\": false}"));
            return;
        }
        trading.set(enabled.booleanValue());
        answers.json(exchange, 200, Map.of("trading_enabled", trading.enabled()));
    }

    private static Map<String, Object> error(String code, String message) {
        return Map.of("status", "rejected", "error", Map.of("code", code, "message", message));
    }
}
