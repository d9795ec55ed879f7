package io.tvkraken.alert;

import java.util.List;

/**
 * A refusal on its way to the answer: the {@link Refusal reason}, a sentence for the trader, and the details (one per
 * problem, for instance one per field). Nothing is sent to Kraken for it. The message and details are shown to the
 * caller, so they must never contain a secret.
 */
public class RefusedException extends RuntimeException {

    private final Refusal refusal;
    private final List<String> details;

    public RefusedException(Refusal refusal, String message, List<String> details) {
        super(message, null, false, false);
        this.refusal = refusal;
        this.details = List.copyOf(details);
    }

    public RefusedException(Refusal refusal, String message) {
        this(refusal, message, List.of());
    }

    public Refusal refusal() {
        return refusal;
    }

    /** The reason code as answered. */
    public String code() {
        return refusal.code();
    }

    public List<String> details() {
        return details;
    }
}
