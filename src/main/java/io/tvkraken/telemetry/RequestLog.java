package io.tvkraken.telemetry;

import java.util.List;
import org.slf4j.MDC;

/**
 * The logging context of an alert's journey (logging keys {@code request_id}, {@code alert_id}, {@code pair},
 * {@code side}, {@code outcome}), on whichever thread a line is written: the HTTP server's, an order worker's, the
 * Kraken sender's. Each key is set where it becomes known; {@link Context} carries them to another thread
 * (docs/operations.md#log-fields).
 */
public final class RequestLog {

    public static final String MDC_KEY = "request_id";
    public static final String REQUEST_ID = MDC_KEY;
    public static final String ALERT_ID = "alert_id";
    public static final String PAIR = "pair";
    public static final String SIDE = "side";
    public static final String OUTCOME = "outcome";
    /** Every key this class sets, in the order a JSON line shows them. */
    public static final List<String> KEYS = List.of(REQUEST_ID, ALERT_ID, PAIR, SIDE, OUTCOME);

    private RequestLog() {
    }

    /**
     * What an alert's lines carry; a null field is left out of the line.
     *
     * @param pair    the Kraken pair of the order, once planned
     * @param side    {@code buy} or {@code sell}, once planned
     * @param outcome the outcome's status ({@code executed}, {@code rejected}...), once decided
     */
    public record Context(String requestId, String alertId, String pair, String side, String outcome) {

        public static final Context NONE = new Context(null, null, null, null, null);

        public static Context ofRequest(String requestId) {
            return new Context(requestId, null, null, null, null);
        }

        public static Context ofAlert(String requestId, String alertId) {
            return new Context(requestId, alertId, null, null, null);
        }

        /** An order of this alert: its pair and side. */
        public Context withOrder(String orderPair, String orderSide) {
            return new Context(requestId, alertId, orderPair, orderSide, outcome);
        }
    }

    /**
     * Restores the context that was in place before a {@link #within} ({@code try}-with-resources), so a thread that
     * ran one alert's work does not log the next line under it.
     */
    public static final class Scope implements AutoCloseable {

        private final Context before;

        private Scope(Context before) {
            this.before = before;
        }

        @Override
        public void close() {
            restore(before);
        }
    }

    /** Exactly {@code context} on this thread until the scope is closed; then what was there before. */
    public static Scope within(Context context) {
        Scope scope = new Scope(context());
        restore(context);
        return scope;
    }

    /** A new request on this thread: its request id (or nothing, when null), and no other key. */
    public static void under(String requestId) {
        restore(Context.ofRequest(requestId));
    }

    /** The alert id, from the moment the request is authenticated (the body's hash) or parsed (its {@code id}). */
    public static void alertId(String alertId) {
        put(ALERT_ID, alertId);
    }

    /** The order's Kraken pair and side, once it is planned. */
    public static void order(String pair, String side) {
        put(PAIR, pair);
        put(SIDE, side);
    }

    /** The outcome's status, where it is decided. */
    public static void outcome(String status) {
        put(OUTCOME, status);
    }

    public static String current() {
        return MDC.get(REQUEST_ID);
    }

    /** This thread's context, to be carried to another thread ({@link #within}, {@link #restore}). */
    public static Context context() {
        return new Context(MDC.get(REQUEST_ID), MDC.get(ALERT_ID), MDC.get(PAIR), MDC.get(SIDE), MDC.get(OUTCOME));
    }

    /** Exactly {@code context} on this thread (nothing, when null): every key it does not hold is removed. */
    public static void restore(Context context) {
        Context c = context == null ? Context.NONE : context;
        put(REQUEST_ID, c.requestId());
        put(ALERT_ID, c.alertId());
        put(PAIR, c.pair());
        put(SIDE, c.side());
        put(OUTCOME, c.outcome());
    }

    /** No key of an alert's journey on this thread any more. */
    public static void clear() {
        KEYS.forEach(MDC::remove);
    }

    private static void put(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
