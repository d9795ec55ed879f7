package io.tvkraken.kraken;

/**
 * Kraken could not be reached or answered with an outage or throttling error. Thrown inside the circuit breaker so
 * that it counts as a failure, then handled by the dead-letter channel: the alert is stored for replay and the
 * caller gets 202 {@code dead_lettered}, never a 5xx (TradingView would resend it).
 */
public class KrakenUnavailableException extends RuntimeException {

    private final String method;
    private final boolean outcomeUnknown;

    public KrakenUnavailableException(String method, String reason, boolean outcomeUnknown, Throwable cause) {
        super("Kraken " + method + " failed: " + reason, cause, false, false);
        this.method = method;
        this.outcomeUnknown = outcomeUnknown;
    }

    public String method() {
        return method;
    }

    /** True when an order may have been placed even though we have no answer (an AddOrder that timed out, a 502...). */
    public boolean outcomeUnknown() {
        return outcomeUnknown;
    }
}
