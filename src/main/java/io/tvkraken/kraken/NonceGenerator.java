package io.tvkraken.kraken;

import java.util.function.LongSupplier;

/**
 * Nonces for Kraken private calls.
 *
 * <p>Kraken's rule (docs/kraken.md#nonces): the nonce is an unsigned 64-bit integer that must be strictly greater than
 * the last one accepted for the API key, else {@code EAPI:Invalid nonce}; an exact repeat is rejected, a key's nonce
 * can never be reset to a lower value, and many invalid nonces lead to a temporary lockout. We use microseconds since
 * the epoch, so that a burst of calls in the same millisecond still gets distinct values, and never less than one
 * more than the previous nonce, so that concurrent callers never get the same value and a clock that goes back
 * changes nothing.
 *
 * <p>Across restarts: a {@link HighWater} mark, persisted in the journal database, is kept above every nonce handed
 * out. It is raised a lease ahead ({@code leaseMicros}, a minute) so that it is written about once a minute rather
 * than once a call, and a restart starts above it — even if the clock went back meanwhile. The mark is read with the
 * first nonce, not when the generator is made: the service makes it while its journal is still being opened
 * (docs/operations.md#start-up-time-and-memory).
 *
 * <p>Shared by several processes (instances on one PostgreSQL, docs/replicas.md#nonces): a mark leased ahead would
 * let the instance that started last sign a minute ahead of the others, which Kraken then refuses. With a
 * {@linkplain HighWater#shared() shared} mark nothing is leased ahead: every nonce is taken from the database by
 * {@link HighWater#take}, inside the key's turn ({@link KeyTurns}), so it is above every nonce any instance sent
 * before.
 *
 * <p>Caveat at the exchange: "strictly increasing when generated" is not "strictly increasing when received"; callers
 * send signed requests for one key one at a time (see {@code KrakenRequests} and {@link KeyTurns}) — unless the key
 * has a nonce window at Kraken (docs/kraken.md#bursts-on-one-key). Then several calls may be in flight, and
 * {@link #inFlight(long)} hands out nonces that Kraken accepts in whatever order they arrive: a nonce is issued only
 * while it is at most {@code window} above the lowest nonce still in flight (not yet {@linkplain #landed answered}),
 * so that every call still on its way is within the window of any call that may overtake it. While calls are in
 * flight the next nonce is the previous one plus one rather than the clock, which keeps them close together; when
 * even that would leave the window, the caller waits for the oldest call to be answered. Every nonce is still strictly
 * greater than the one before, and the high-water mark is kept exactly as for {@link #next()}.
 */
public final class NonceGenerator {

    /** Where the highest nonce that may have been used is kept across restarts. */
    public interface HighWater {
        long read();

        void raise(long to);

        /** Other processes use the key too: every nonce is {@link #take}n from the shared mark. */
        default boolean shared() {
            return false;
        }

        /**
         * A shared mark: the next nonce, at least {@code atLeast} and above every nonce taken before by any process,
         * recorded before it is returned. Called inside the key's turn only.
         */
        default long take(long atLeast) {
            throw new UnsupportedOperationException("not a shared high-water mark");
        }
    }

    private static final long LEASE_MICROS = 60_000_000L;

    private final LongSupplier clockMicros;
    private final HighWater highWater;
    /** False until the high-water mark has been read, on the first {@link #next()}. Guarded by this. */
    private boolean started;
    private long last;
    private long ceiling;
    /** Nonces issued by {@link #inFlight} and not yet {@link #landed}, lowest first. Guarded by this. */
    private final java.util.TreeSet<Long> flying = new java.util.TreeSet<>();

    /** In memory only (tests, tools): nothing survives the process. */
    public NonceGenerator() {
        this(NonceGenerator::nowMicros, inMemory());
    }

    public NonceGenerator(HighWater highWater) {
        this(NonceGenerator::nowMicros, highWater);
    }

    NonceGenerator(LongSupplier clockMicros) {
        this(clockMicros, inMemory());
    }

    /** With a given clock (microseconds), for tests of restarts and clocks that go back. */
    public static NonceGenerator withClock(LongSupplier clockMicros, HighWater highWater) {
        return new NonceGenerator(clockMicros, highWater);
    }

    NonceGenerator(LongSupplier clockMicros, HighWater highWater) {
        this.clockMicros = clockMicros;
        this.highWater = highWater;
    }

    public synchronized long next() {
        if (highWater.shared()) {
            last = highWater.take(Math.max(last + 1, clockMicros.getAsLong()));
            return last;
        }
        if (!started) {
            last = highWater.read();
            ceiling = last;
            started = true;
        }
        return issue(Math.max(last + 1, clockMicros.getAsLong()));
    }

    /** Records {@code nonce} (above {@code last}) as the last one issued, raising the high-water mark first. */
    private long issue(long nonce) {
        if (nonce > ceiling) {
            // Persisted before the nonce is used: a crash right after still restarts above it.
            ceiling = nonce + LEASE_MICROS;
            highWater.raise(ceiling);
        }
        last = nonce;
        return nonce;
    }

    /**
     * A nonce for a call that may be in flight together with others of the same key, the key having a nonce window
     * of {@code window} at Kraken: at most {@code window} above the lowest nonce still in flight. Waits (up to
     * {@code maxWaitMs}) while no such nonce is left. {@link #landed} must follow once the call is answered or failed.
     *
     * @throws IllegalStateException when no nonce fits the window in time: nothing is sent
     */
    public synchronized long inFlight(long window, long maxWaitMs) {
        if (window < 1 || highWater.shared()) {
            long nonce = next();
            flying.add(nonce);
            return nonce;
        }
        if (!started) {
            last = highWater.read();
            ceiling = last;
            started = true;
        }
        long giveUpAt = System.nanoTime() + maxWaitMs * 1_000_000L;
        while (true) {
            long nonce = Math.max(last + 1, clockMicros.getAsLong());
            if (!flying.isEmpty()) {
                long cap = flying.first() + window;
                if (nonce > cap) {
                    nonce = last + 1;
                }
                if (nonce > cap) {
                    long leftMs = (giveUpAt - System.nanoTime()) / 1_000_000L;
                    if (leftMs <= 0) {
                        throw new IllegalStateException("no nonce within the key's nonce window of " + window
                                + " while " + flying.size() + " calls are in flight");
                    }
                    try {
                        wait(leftMs);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while waiting for a nonce", e);
                    }
                    continue;
                }
            }
            flying.add(issue(nonce));
            return nonce;
        }
    }

    /** The call signed with {@code nonce} ({@link #inFlight}) was answered, or failed: it is no longer in flight. */
    public synchronized void landed(long nonce) {
        if (flying.remove(nonce)) {
            notifyAll();
        }
    }

    /** Calls signed by {@link #inFlight} and not yet {@link #landed} (for tests). */
    public synchronized int flying() {
        return flying.size();
    }

    private static long nowMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000L;
    }

    private static HighWater inMemory() {
        return new HighWater() {
            private long mark;

            @Override
            public long read() {
                return mark;
            }

            @Override
            public void raise(long to) {
                mark = to;
            }
        };
    }
}
