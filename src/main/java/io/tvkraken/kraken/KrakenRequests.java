package io.tvkraken.kraken;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.camel.Exchange;
import io.tvkraken.ingress.IncomingRequest;
import io.tvkraken.ops.ServiceMetrics;
import io.tvkraken.order.Deadlines;
import org.apache.camel.Message;
import org.slf4j.MDC;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two steps around the camel-http call to Kraken (routes/kraken.camel.yaml): {@link #prepare} turns a
 * {@link KrakenCall} into the HTTP request — for private calls a fresh nonce and the {@code API-Sign} over the exact
 * bytes sent — and {@link #reply} reads Kraken's envelope, throwing {@link KrakenUnavailableException} for outages
 * and throttling so that the circuit breaker counts them.
 *
 * <p>Private calls reach {@link #prepare} one at a time (a single-consumer seda queue): Kraken checks that each nonce
 * is greater than the last one it <em>received</em>, so generating increasing nonces is not enough when two requests
 * can overtake each other on the wire (kraken-rest.md §2; Kraken's SDK serialises sign-and-send per key too).
 */
public final class KrakenRequests {

    private static final Logger LOG = LoggerFactory.getLogger(KrakenRequests.class);
    static final String CALL = "krakenCall";
    static final String USER_AGENT = "tradingview-kraken-webhook";

    private final String apiKey;
    private final KrakenSigner signer;
    private final NonceGenerator nonces;
    private final ObjectMapper json;
    private final ServiceMetrics metrics;
    private final Deadlines deadlines;
    private final RateBudget budget;

    public KrakenRequests(String apiKey, KrakenSigner signer, NonceGenerator nonces, ObjectMapper json,
            ServiceMetrics metrics, Deadlines deadlines, RateBudget budget) {
        this.deadlines = deadlines;
        this.budget = budget;
        this.apiKey = apiKey;
        this.signer = signer;
        this.nonces = nonces;
        this.json = json;
        this.metrics = metrics;
    }

    public void prepare(Exchange exchange) {
        Message message = exchange.getMessage();
        KrakenCall call = message.getBody(KrakenCall.class);
        exchange.setProperty(CALL, call);
        carryRequestId(exchange);
        Map<String, String> params = call.params();
        if (call.privateCall() && "AddOrder".equals(call.method()) && !params.containsKey("deadline")) {
            // a validation: a real order got its deadline as it left (OrderLifecycle.leaving)
            params = new LinkedHashMap<>(params);
            params.put("deadline", Deadlines.format(deadlines.next()));
        }
        metrics.krakenCall(call.method());
        // Nothing of the inbound webhook request may travel to Kraken (perf-and-reliability.md §7).
        message.getHeaders().clear();
        message.setHeader(Exchange.HTTP_PATH, call.path());
        message.setHeader("User-Agent", USER_AGENT);
        if (!call.privateCall()) {
            message.setHeader(Exchange.HTTP_METHOD, "GET");
            message.setHeader(Exchange.HTTP_QUERY, form(params));
            message.setBody(null);
            LOG.debug("Kraken {} {}", call.method(), params);
            return;
        }
        String nonce = Long.toString(nonces.next());
        String form = form(params);
        byte[] body = ("nonce=" + nonce + (form.isEmpty() ? "" : "&" + form)).getBytes(StandardCharsets.UTF_8);
        message.setHeader(Exchange.HTTP_METHOD, "POST");
        message.setHeader(Exchange.CONTENT_TYPE, "application/x-www-form-urlencoded; charset=utf-8");
        message.setHeader("API-Key", apiKey);
        message.setHeader("API-Sign", signer.sign(call.path(), nonce, body));
        message.setBody(body);
        LOG.info("Kraken {} {}", call.method(), params);
    }

    public KrakenReply reply(Exchange exchange) {
        KrakenCall call = exchange.getProperty(CALL, KrakenCall.class);
        Message message = exchange.getMessage();
        Integer status = message.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        KrakenReply reply = KrakenReply.parse(status == null ? 0 : status, message.getBody(byte[].class), json);
        message.getHeaders().clear();
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
        message.setBody(reply);
        return reply;
    }

    /** {@code EService: Throttled: 1700000000} → {@code EService:Throttled}: bounded label values for metrics. */
    static String errorKind(String error) {
        String[] parts = error.split(":");
        return parts.length < 2 ? error.trim() : parts[0].trim() + ":" + parts[1].trim();
    }

    /**
     * Private calls run on the seda consumer's thread: the alert's request id travels as an exchange variable and is
     * put back into the logging MDC there, so that the Kraken lines of an alert's journey carry its id too.
     */
    private static void carryRequestId(Exchange exchange) {
        String requestId = exchange.getVariable(IncomingRequest.REQUEST_ID, String.class);
        if (requestId != null && !requestId.equals(MDC.get(IncomingRequest.MDC_KEY))) {
            IncomingRequest.logUnderRequestId(exchange, requestId);
        }
    }

    /**
     * {@code application/x-www-form-urlencoded}: a {@code +} in a relative price must travel as {@code %2B}, or Kraken
     * reads a space (kraken-rest.md §3); {@link URLEncoder} does exactly that. Keys are encoded too
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
        return "KrakenRequests[apiKey=***]";
    }
}
