package io.tvkraken.kraken;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Nonces for Kraken private calls.
 *
 * <p>Kraken's rule (kraken-rest.md §2): the nonce is an unsigned 64-bit integer that must be strictly greater than
 * the last one accepted for the API key, else {@code EAPI:Invalid nonce}; an exact repeat is rejected, and many
 * invalid nonces lead to a temporary lockout. We use microseconds since the epoch, so that a burst of calls in the
 * same millisecond still gets distinct values, and a compare-and-set loop so that concurrent callers never get the
 * same value or a smaller one than a caller before them.
 *
 * <p>Limit of the design: the guarantee holds within one process. Two processes sharing a key can still collide
 * (use one key per instance); and since the clock seeds the value, a restart is safe only while the wall clock does
 * not go backwards across it. Persisting the last nonce across restarts is a later issue.
 *
 * <p>Caveat at the exchange: "strictly increasing when generated" is not "strictly increasing when received" —
 * two concurrent calls can overtake each other on the wire. Callers that must never see {@code EAPI:Invalid nonce}
 * send signed requests for one key one at a time (see {@code KrakenRequests}).
 */
public final class NonceGenerator {

    private final AtomicLong last = new AtomicLong();
    private final LongSupplier clockMicros;

    public NonceGenerator() {
        this(() -> {
            java.time.Instant now = java.time.Instant.now();
            return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000L;
        });
    }

    NonceGenerator(LongSupplier clockMicros) {
        this.clockMicros = clockMicros;
    }

    public long next() {
        return last.updateAndGet(previous -> Math.max(previous + 1, clockMicros.getAsLong()));
    }
}
