package io.tvkraken.alert;

import java.util.List;

/**
 * An alert that is refused with a 4xx answer and never reaches Kraken. The message and details are shown to the
 * caller, so they must never contain a secret.
 *
 * @see io.tvkraken.ops.Answers
 */
public class AlertRejectedException extends RuntimeException {

    private final int status;
    private final String code;
    private final List<String> details;

    public AlertRejectedException(int status, String code, String message, List<String> details) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.details = List.copyOf(details);
    }

    public AlertRejectedException(int status, String code, String message) {
        this(status, code, message, List.of());
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public List<String> details() {
        return details;
    }
}
