package io.tvkraken.ingress;

import io.tvkraken.alert.Refusal;
import io.tvkraken.alert.RefusedException;
import io.tvkraken.telemetry.RequestLog;
import io.tvkraken.telemetry.ServiceMetrics;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConstants;
import org.apache.camel.support.SynchronizationAdapter;


/**
 * First steps of every webhook request: give it a request id (the caller's {@code X-Request-ID} if it is a sane
 * token), put the id in the logging MDC for every line of the alert's journey, keep the exact raw body bytes (the
 * HMAC is computed over them, docs/configuration.md#authentication), and drop every inbound header so that nothing a
 * caller sends can steer a Camel component or leak into the request sent to Kraken (CVE-2025-27636,
 * docs/reliability.md#inbound-headers).
 */
public final class IncomingRequest {

    public static final String REQUEST_ID = "requestId";
    /** The body's bytes exactly as received, until authentication replaces them by the body without secrets. */
    public static final String RAW_BODY = "rawBody";
    public static final String REMOTE_ADDRESS = "remoteAddress";
    public static final String SIGNATURE = "signature";
    public static final String CONTENT_TYPE = "contentType";
    public static final String RECEIVED_NANOS = "receivedNanos";
    /**
     * The request header in which {@link HttpEdge} gives each request the {@code System.nanoTime()} at which the
     * event loop read it, whatever a caller sent in it: the answer's deadline counts from there, so the time a
     * request waits for a free worker thread during a burst counts too.
     */
    static final String ARRIVED_NANOS_HEADER = "X-Arrived-Nanos";

    private static final Pattern SANE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private final long maxBodyBytes;
    private final ServiceMetrics metrics;
    private final ClientAddress clientAddress;

    public IncomingRequest(long maxBodyBytes, ServiceMetrics metrics, ClientAddress clientAddress) {
        this.maxBodyBytes = maxBodyBytes;
        this.metrics = metrics;
        this.clientAddress = clientAddress;
    }

    /**
     * Request id (answered in {@code X-Request-ID}) and logging MDC, and the caller's address (variable
     * {@code remoteAddress}, judged by {@code ALLOWED_IPS} and the rate limits); for every endpoint.
     */
    public void identify(Exchange exchange) {
        Message in = exchange.getMessage();
        String callerId = in.getHeader("X-Request-ID", String.class);
        String requestId = saneRequestId(callerId) ? callerId : UUID.randomUUID().toString();
        exchange.setVariable(REQUEST_ID, requestId);
        logUnderRequestId(exchange, requestId);
        // where it came from: judged by the allow-list and the rate limits, journaled with a kill switch change
        exchange.setVariable(REMOTE_ADDRESS, clientAddress.of(
                remoteAddress(in.getHeader(VertxPlatformHttpConstants.REMOTE_ADDRESS)),
                forwardedFor(in.getHeader("X-Forwarded-For"))));
    }

    /** A caller's {@code X-Request-ID} is kept when it is a short token; anything else gets a new id. */
    public static boolean saneRequestId(String callerId) {
        return callerId != null && SANE_ID.matcher(callerId).matches();
    }

    /**
     * Webhooks: {@link #identify}, keep the raw body and the headers that matter, then drop every inbound header.
     * Nothing is judged yet: the source address is checked first ({@link WebhookAuthenticator#checkSource}).
     */
    public void begin(Exchange exchange) {
        Message in = exchange.getMessage();
        exchange.setVariable(RECEIVED_NANOS, arrivedNanos(in.getHeader(ARRIVED_NANOS_HEADER, String.class)));
        identify(exchange);
        metrics.signalReceived();
        exchange.setVariable(SIGNATURE, in.getHeader("X-Signature", String.class));
        exchange.setVariable(CONTENT_TYPE, in.getHeader(Exchange.CONTENT_TYPE, String.class));
        in.getHeaders().clear();
    }

    /** When the edge read the request; now if it gave no time (a request that did not come through it). */
    static long arrivedNanos(String header) {
        if (header != null) {
            try {
                return Long.parseLong(header);
            } catch (NumberFormatException notOurs) {
                // only HttpEdge writes it, over whatever a caller sent
            }
        }
        return System.nanoTime();
    }

    /** 415 for form and multipart bodies, 413 above the size limit; keeps the exact raw bytes for the HMAC. */
    public void checkBody(Exchange exchange) {
        Message in = exchange.getMessage();
        String contentType = exchange.getVariable(CONTENT_TYPE, String.class);
        // TradingView sends application/json or text/plain (docs/tradingview.md#content-types); a form or multipart
        // body is decoded by the HTTP server into fields, so its raw bytes - which the signature covers - are gone.
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/")) {
            throw new RefusedException(Refusal.UNSUPPORTED_MEDIA_TYPE, "form and multipart bodies are not accepted: send the alert as JSON "
                            + "(Content-Type application/json or text/plain)");
        }
        byte[] raw = in.getBody(byte[].class);
        if (raw == null) {
            raw = new byte[0];
        }
        if (raw.length > maxBodyBytes) {
            throw new RefusedException(Refusal.PAYLOAD_TOO_LARGE, "the body is " + raw.length + " bytes; the limit is " + maxBodyBytes + " bytes");
        }
        exchange.setVariable(RAW_BODY, raw);
        in.setBody(raw);
    }


    /**
     * Puts the request id in this thread's logging MDC until the exchange is done. Also used on the threads an
     * exchange moves to (the seda consumer of private Kraken calls), where the id travels as a variable.
     */
    public static void logUnderRequestId(Exchange exchange, String requestId) {
        RequestLog.under(requestId);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                RequestLog.clear();
            }
        });
    }

    /** Every {@code X-Forwarded-For} line, joined with commas as RFC 9110 section 5.3 allows. */
    private static String forwardedFor(Object header) {
        if (header instanceof Iterable<?> lines) {
            StringBuilder joined = new StringBuilder();
            for (Object line : lines) {
                joined.append(joined.length() == 0 ? "" : ",").append(line);
            }
            return joined.toString();
        }
        return header == null ? null : header.toString();
    }

    private static String remoteAddress(Object header) {
        if (header instanceof io.vertx.core.net.SocketAddress address) {
            return address.hostAddress();
        }
        return header == null ? null : header.toString();
    }
}
