package io.tvkraken.telemetry;

import org.slf4j.MDC;

/**
 * Every log line of an alert's journey carries its request id (logging key {@code request_id}), on whichever thread
 * the line is written: the HTTP server's, an order worker's, the Kraken sender's.
 */
public final class RequestLog {

    public static final String MDC_KEY = "request_id";

    private RequestLog() {
    }

    /** Puts {@code requestId} (or nothing, when null) in this thread's logging context. */
    public static void under(String requestId) {
        if (requestId == null) {
            MDC.remove(MDC_KEY);
        } else {
            MDC.put(MDC_KEY, requestId);
        }
    }

    public static String current() {
        return MDC.get(MDC_KEY);
    }

    public static void clear() {
        MDC.remove(MDC_KEY);
    }
}
