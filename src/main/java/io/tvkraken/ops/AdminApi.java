package io.tvkraken.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.alert.Refusal;
import io.tvkraken.alert.RefusedException;
import io.tvkraken.journal.DeadLetterStore;
import io.tvkraken.ingress.IncomingRequest;
import io.tvkraken.ingress.SourceRateLimit;
import io.tvkraken.journal.Journal;
import io.tvkraken.order.TradingSwitch;
import io.tvkraken.journal.JournalEntry;
import io.tvkraken.order.Replays;
import io.tvkraken.strategy.Positions;
import java.util.List;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /admin/*} and {@code /console} behind {@code Authorization: Bearer ADMIN_TOKEN}, or the console's session
 * cookie that holds it (docs/operations.md#http-endpoints, docs/operations.md#console). Without a token configured the
 * admin API does not exist: 404, so that an unconfigured instance does not even reveal it.
 */
public class AdminApi {

    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);

    /** The variable holding the {id} of an admin path, once authorized. */
    public static final String ID = "adminId";
    private static final String LIMIT = "adminLimit";
    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 1000;

    private final byte[] token;
    private final DeadLetterStore deadLetters;
    private final Journal journal;
    private final Replays replays;
    private final TradingSwitch trading;
    private final Positions positions;
    private final Answers answers;
    private final ObjectMapper json;

    private final SourceRateLimit wrongTokens;

    public AdminApi(String adminToken, DeadLetterStore deadLetters, Journal journal, Replays replays,
            TradingSwitch trading, Positions positions, Answers answers, ObjectMapper json,
            SourceRateLimit wrongTokens) {
        this.positions = positions;
        this.wrongTokens = wrongTokens;
        this.token = adminToken == null ? null : adminToken.getBytes(StandardCharsets.UTF_8);
        this.deadLetters = deadLetters;
        this.journal = journal;
        this.replays = replays;
        this.trading = trading;
        this.answers = answers;
        this.json = json;
    }

    /**
     * 404 without a configured token, 401 without the right one. The inbound headers are dropped either way, so
     * that nothing the caller sent (its Authorization header above all) is echoed in the answer. A wrong or missing
     * token counts against its source address: past {@code ADMIN_AUTH_FAILURE_LIMIT} in the period the address is
     * answered 429 before its token is looked at (the step before this one in the admin guard, the interceptFrom
     * {@code admin-guard} of routes/error-handling.camel.yaml), so that a token cannot be guessed at speed
     * (docs/operations.md#rate-limits).
     */
    public void authorize(Exchange exchange) {
        String header = exchange.getMessage().getHeader("Authorization", String.class);
        String cookie = Console.sessionToken(exchange.getMessage().getHeader("Cookie", String.class));
        // The parameters the admin API reads: {id} in the replay path, ?limit= on /admin/orders, {name} of a
        // console asset; and whether a browser asked for a console page (its 401 is the console's log-in page)
        exchange.setVariable(ID, exchange.getMessage().getHeader("id", String.class));
        exchange.setVariable(LIMIT, exchange.getMessage().getHeader("limit", String.class));
        exchange.setVariable(Console.ASSET, exchange.getMessage().getHeader("name", String.class));
        exchange.setVariable(Console.PAGE_REQUEST, Console.isPageRequest(
                exchange.getMessage().getHeader(Exchange.HTTP_METHOD, String.class),
                exchange.getMessage().getHeader(Exchange.HTTP_URI, String.class),
                exchange.getMessage().getHeader("Accept", String.class)));
        exchange.getMessage().getHeaders().clear();
        if (token == null) {
            throw new RefusedException(Refusal.NOT_FOUND, "not found");
        }
        // the bearer token, or the console's session cookie holding it (docs/operations.md#console)
        String given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? header.substring(7).trim() : cookie != null ? cookie : "";
        if (!MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8))) {
            LOG.warn("admin request refused: missing or wrong bearer token");
            wrongTokens.countFailure(exchange.getVariable(IncomingRequest.REMOTE_ADDRESS, String.class));
            throw new RefusedException(Refusal.UNAUTHORIZED, "a valid bearer token is required");
        }
    }

    /** {@code POST /admin/dead-letters/replay}: every pending letter; see {@link Replays#replayAll}. */
    public void replayAll(Exchange exchange) {
        Replays.Result result = replays.replayAll(exchange.getVariable(IncomingRequest.REQUEST_ID, String.class));
        answers.json(exchange, Answers.status(result), result.body());
    }

    /** {@code POST /admin/dead-letters/{id}/replay}: see {@link Replays}. */
    public void replay(Exchange exchange) {
        String id = exchange.getVariable(ID, String.class);
        Replays.Result result = replays.replay(id, exchange.getVariable(IncomingRequest.REQUEST_ID, String.class));
        answers.json(exchange, Answers.status(result), result.body());
    }

    /** {@code GET /admin/orders?limit=N}: the journal, newest first, with each entry's state changes. */
    public void orders(Exchange exchange) {
        String text = exchange.getVariable(LIMIT, String.class);
        int limit;
        try {
            limit = text == null ? DEFAULT_LIMIT : Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new RefusedException(Refusal.INVALID_FIELDS, "limit must be a whole number from 1 to "
                    + MAX_LIMIT);
        }
        List<JournalEntry> entries = journal.recent(limit);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("count", entries.size());
        body.put("orders", entries);
        answers.json(exchange, 200, body);
    }

    /**
     * {@code GET /admin/positions}: every strategy's book beside what the account holds (read now, one BalanceEx), with
     * the assets whose books the account cannot cover (docs/strategies.md#drift).
     */
    public void positions(Exchange exchange) {
        answers.json(exchange, 200, positions.report(true));
    }

    public void listDeadLetters(Exchange exchange) {
        var pending = deadLetters.pending();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("count", pending.size());
        body.put("dead_letters", pending);
        answers.json(exchange, 200, body);
    }

    /** {@code GET /admin/trading/changes}: the kill switch now and its latest changes, newest first, who and when. */
    public void tradingChanges(Exchange exchange) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("trading_enabled", trading.enabled());
        body.put("changes", trading.changes(DEFAULT_LIMIT));
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
            throw new RefusedException(Refusal.INVALID_FIELDS, "body must be {\"enabled\": true} or {\"enabled\": false}");
        }
        // kept in the journal database for every instance, with who asked and from where (docs/replicas.md#kill-switch)
        trading.set(enabled.booleanValue(), exchange.getVariable(IncomingRequest.REQUEST_ID, String.class),
                exchange.getVariable(IncomingRequest.REMOTE_ADDRESS, String.class));
        answers.json(exchange, 200, Map.of("trading_enabled", enabled.booleanValue()));
    }
}
