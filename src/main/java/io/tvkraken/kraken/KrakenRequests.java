package io.tvkraken.kraken;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import io.tvkraken.telemetry.RequestLog;
import io.tvkraken.telemetry.ServiceMetrics;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.Headers;
import org.apache.camel.Variable;
import org.apache.camel.component.http.HttpMethods;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two steps around the camel-http call to Kraken (routes/kraken.camel.yaml): {@link #prepare} turns a
 * {@link KrakenCall} into the HTTP request — for private calls a fresh nonce and the {@code API-Sign} over the exact
 * bytes sent — and {@link #reply} reads Kraken's envelope, throwing {@link KrakenUnavailableException} for outages
 * and throttling so that the circuit breaker counts them.
 *
 * <p>Each private call is signed with the key of the pool it was assigned ({@link KeyPool}), and the calls of one key
 * reach {@link #prepare} one at a time (that key's single-consumer seda queue): Kraken checks that each nonce is
 * greater than the last one it <em>received</em> for the key, so generating increasing nonces is not enough when two
 * requests can overtake each other on the wire (docs/kraken.md#nonces; Kraken's SDK serialises sign-and-send per key
 * too). Calls of different keys leave in parallel (docs/kraken.md#key-pool).
 */
public final class KrakenRequests {

    private static final Logger LOG = LoggerFactory.getLogger(KrakenRequests.class);
    // The headers camel-http reads and writes (org.apache.camel.Exchange's constants, by value)
    static final String HTTP_PATH = "CamelHttpPath";
    static final String HTTP_METHOD = "CamelHttpMethod";
    static final String HTTP_QUERY = "CamelHttpQuery";
    static final String HTTP_RESPONSE_CODE = "CamelHttpResponseCode";
    static final String USER_AGENT = "tradingview-kraken-webhook";

    private final KeyPool keys;
    private final ObjectMapper json;
    private final ServiceMetrics metrics;
    private final Deadlines deadlines;
    private final RateBudget budget;
    /** The nonce window of the keys at Kraken; 0: a key's calls leave one at a time (docs/kraken.md#nonces). */
    private final long nonceWindow;

    /** How long a call may wait for a nonce within its key's window: about one answer of the oldest call. */
    static final long NONCE_WAIT_MS = 10_000;

    public KrakenRequests(KeyPool keys, ObjectMapper json, ServiceMetrics metrics, Deadlines deadlines,
            RateBudget budget) {
        this(keys, json, metrics, deadlines, budget, 0);
    }

    /** @param nonceWindow the nonce window set on the keys at Kraken, 0 for none (docs/kraken.md#bursts-on-one-key) */
    public KrakenRequests(KeyPool keys, ObjectMapper json, ServiceMetrics metrics, Deadlines deadlines,
            RateBudget budget, long nonceWindow) {
        this.nonceWindow = nonceWindow;
        this.deadlines = deadlines;
        this.budget = budget;
        this.keys = keys;
        this.json = json;
        this.metrics = metrics;
    }

    /**
     * First step of a key's sender (routes/kraken.camel.yaml, before its turn is taken): the call's lines on this
     * thread are logged under the context of the request it is made for (request id, alert id, an order's pair and
     * side), or none.
     */
    public void logUnder(@Body KrakenCall call) {
        RequestLog.restore(call.log());
    }

    /** Last step of a key's sender: the thread's next lines are no request's until the next call. */
    public void logDone() {
        RequestLog.clear();
    }

    /**
     * The HTTP request for a call: its headers (only Kraken's: every other header is dropped, so nothing of the inbound
     * webhook request can travel to Kraken) and its body, which is returned.
     */
    public byte[] prepare(@Body KrakenCall call, @Headers Map<String, Object> headers, Exchange exchange) {
        // on the sender's thread, Kraken's log lines carry the alert's logging context too
        RequestLog.restore(call.log());
        Map<String, String> params = call.params();
        if (call.privateCall() && "AddOrder".equals(call.method()) && !params.containsKey("deadline")) {
            // a validation: a real order got its deadline as it left (OrderLifecycle.leaving)
            params = new LinkedHashMap<>(params);
            params.put("deadline", Deadlines.format(deadlines.next()));
        }
        metrics.krakenCall(call.method());
        headers.clear();
        headers.put(HTTP_PATH, call.path());
        if (call.account() != null) {
            // a named account's calls go to its own base URL: in paper mode, its own exchange (docs/accounts.md)
            headers.put(Exchange.HTTP_URI, keys.accounts().get(call.account()).baseUrl());
        }
        // CamelHttpMethod as camel-http reads it, its HttpMethods enum: given as a name, every call converted it anew
        // through Camel's type converter lookup, a tenth of all the memory an alert allocated
        headers.put("User-Agent", USER_AGENT);
        if (!call.privateCall()) {
            headers.put(HTTP_METHOD, HttpMethods.GET);
            headers.put(HTTP_QUERY, form(params));
            LOG.debug("Kraken {} {}", call.method(), params);
            return null;
        }
        if (call.keyIndex() == null) {
            // every private call is assigned a key in route kraken before it is queued for that key's sender
            throw new IllegalStateException("Kraken " + call.method() + " reached the sender without an API key");
        }
        KrakenKey key = keys.key(call.keyIndex());
        String nonce;
        if (nonceWindow > 0) {
            // the key may have several calls in flight: a nonce within the window of every call still on its way
            long issued = key.nonces().inFlight(nonceWindow, NONCE_WAIT_MS);
            exchange.setVariable(NONCE_VARIABLE, issued);
            nonce = Long.toString(issued);
        } else {
            nonce = Long.toString(key.nonces().next());
        }
        byte[] body;
        if (call.batch()) {
            // AddOrderBatch takes a JSON body, the nonce inside it (docs/kraken.md#addorderbatch)
            body = batchBody(nonce, params, call);
            headers.put("Content-Type", "application/json");
            LOG.info("Kraken {} (key {}) {} orders of {} {}", call.method(), key.index(), call.orders().size(),
                    params.get("pair"), call.orders().stream().map(o -> o.params().get("cl_ord_id")).toList());
        } else {
            String form = form(params);
            body = ("nonce=" + nonce + (form.isEmpty() ? "" : "&" + form)).getBytes(StandardCharsets.UTF_8);
            headers.put("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
            LOG.info("Kraken {} (key {}) {}", call.method(), key.index(), params);
        }
        headers.put(HTTP_METHOD, HttpMethods.POST);
        headers.put("API-Key", key.apiKey());
        headers.put("API-Sign", key.signer().sign(call.path(), nonce, body));
        return body;
    }

    /** The exchange variable that holds the nonce of a call signed within a nonce window, until it has landed. */
    static final String NONCE_VARIABLE = "krakenNonce";

    /**
     * Last step of a key's sender, whatever happened: a call signed within the key's nonce window is no longer in
     * flight (its nonce no longer holds the window's lower edge).
     */
    public void landed(@Variable("krakenCall") KrakenCall call, @Variable(NONCE_VARIABLE) Long nonce,
            Exchange exchange) {
        if (nonce != null && call != null && call.keyIndex() != null) {
            keys.key(call.keyIndex()).nonces().landed(nonce);
            exchange.removeVariable(NONCE_VARIABLE);
        }
    }

    /**
     * {@code {"nonce":…,"pair":…,"deadline":…,"orders":[{…},…]}}: each order's AddOrder parameters but the pair
     * and the deadline, which are the batch's; {@code reduce_only} as a boolean, every other value as the string it
     * is in an AddOrder (docs/kraken.md#addorderbatch).
     */
    private byte[] batchBody(String nonce, Map<String, String> params, KrakenCall batch) {
        com.fasterxml.jackson.databind.node.ObjectNode root = json.createObjectNode();
        root.put("nonce", Long.parseLong(nonce));
        params.forEach(root::put);
        com.fasterxml.jackson.databind.node.ArrayNode orders = root.putArray("orders");
        for (KrakenCall order : batch.orders()) {
            com.fasterxml.jackson.databind.node.ObjectNode one = orders.addObject();
            order.params().forEach((name, value) -> {
                if (name.equals("pair") || name.equals("deadline")) {
                    return;
                }
                if (name.equals("reduce_only")) {
                    one.put(name, Boolean.parseBoolean(value));
                } else {
                    one.put(name, value);
                }
            });
        }
        try {
            return json.writeValueAsBytes(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("AddOrderBatch body: " + e.getOriginalMessage());
        }
    }

    /**
     * Kraken's envelope. Outages and throttling answered with HTTP 200 are thrown as
     * {@link KrakenUnavailableException}, inside the circuit breaker, so that they count as failures.
     */
    public KrakenReply reply(@Variable("krakenCall") KrakenCall call, @Header(HTTP_RESPONSE_CODE) Integer status,
            @Body byte[] body, @Headers Map<String, Object> headers) {
        KrakenReply reply = KrakenReply.parse(status == null ? 0 : status, body, json);
        headers.clear();
        reply.errors().forEach(error -> metrics.krakenError(call.method(), errorKind(error)));
        if (reply.errors().isEmpty() && reply.unavailable()) {
            metrics.krakenError(call.method(), "HTTP " + reply.httpStatus());
        }
        reply.errors().stream().filter(e -> e.contains("Rate limit exceeded")).findFirst()
                .ifPresent(error -> budget.exceeded(call, error));
        if (reply.unavailable()) {
            LOG.warn("Kraken {} unavailable: {}", call.method(), reply.describe());
            throw new KrakenUnavailableException(call.method(), reply.describe(),
                    call.placesOrder() && reply.outcomeUnknown(), null);
        }
        if (!reply.errors().isEmpty()) {
            LOG.info("Kraken {} refused: {}", call.method(), reply.describe());
        }
        if (!reply.warnings().isEmpty()) {
            LOG.warn("Kraken {} warned: {}", call.method(), String.join(", ", reply.warnings()));
        }
        return reply;
    }

    /** {@code EService: Throttled: 1700000000} → {@code EService:Throttled}: bounded label values for metrics. */
    static String errorKind(String error) {
        String[] parts = error.split(":");
        return parts.length < 2 ? error.trim() : parts[0].trim() + ":" + parts[1].trim();
    }

    /**
     * {@code application/x-www-form-urlencoded}: a {@code +} in a relative price must travel as {@code %2B}, or Kraken
     * reads a space (docs/kraken.md#encoding); {@link URLEncoder} does exactly that. Keys are encoded too
     * ({@code close%5Bordertype%5D}), which Kraken decodes like {@code close[ordertype]}.
     */
    static String form(Map<String, String> params) {
        return params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    @Override
    public String toString() {
        return "KrakenRequests[keys=" + keys.size() + "]";
    }
}
