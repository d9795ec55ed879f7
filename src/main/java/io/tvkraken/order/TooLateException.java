package io.tvkraken.order;

/**
 * An AddOrder could not leave before its alert's send-by time (the alert's time plus MAX_ALERT_AGE_SECONDS): nothing
 * was sent. The alert is dead-lettered as {@code too_late}, for the trader to replay or drop — a market order placed
 * minutes after its signal is not the order the strategy asked for.
 */
public class TooLateException extends RuntimeException {

    public TooLateException(String message) {
        super(message, null, false, false);
    }
}
