package io.tvkraken.ingress;

import io.tvkraken.alert.Refusal;
import io.tvkraken.alert.RefusedException;

/** A request over its source's rate limit: 429 {@code rate_limited}, {@code Retry-After} the seconds to wait. */
public final class RateLimitedException extends RefusedException {

    private final long retryAfterSeconds;

    public RateLimitedException(String message, long retryAfterSeconds) {
        super(Refusal.RATE_LIMITED, message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
