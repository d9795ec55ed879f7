package io.tvkraken.kraken;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Where {@link RateBudget} keeps Kraken's rate counters: this process's memory (one instance, the embedded journal),
 * or the journal database that every replica shares ({@code io.tvkraken.journal.SharedRateCounters}, on PostgreSQL),
 * so that replicas on one account count together what Kraken counts once (docs/replicas.md#rate-counters).
 *
 * <p>A counter is found by its name: {@link #restCounter} for an API key's REST call counter, {@code trading/<PAIR>}
 * for a pair's trading counter. The rules (decay, room, waiting) are {@link Counter}'s, the same in both places.
 */
public interface RateCounters {

    /** The name of API key {@code key}'s REST call counter: the same on every instance that has the key. */
    String restCounter(int key);

    /**
     * Runs {@code change} on counter {@code name}, decayed to now, while nobody else may change that counter, and
     * keeps what it leaves. A counter never used before starts empty.
     */
    <T> T change(String name, double max, double decayPerSecond, Function<Counter, T> change);

    /** A copy of counter {@code name} decayed to now, for reading only. */
    Counter read(String name, double max, double decayPerSecond);

    /** Counters in this process's memory, timed by {@code clock}. */
    static RateCounters inMemory(Clock clock) {
        return new InMemory(clock);
    }

    /**
     * A counter that decays continuously, like Kraken's: its level as of a time, in milliseconds since the epoch. It
     * stops one call short of Kraken's maximum: a call is counted here when it is admitted and at Kraken when it
     * arrives, a moment later, so Kraken's count of the calls before it has decayed a little less than this one has
     * (docs/kraken.md#rate-limits).
     */
    final class Counter {
        /** Kept free below Kraken's maximum. */
        public static final double HEADROOM = 1;
        private final double max;
        private final double decayPerMs;
        private double level;
        private long at;

        public Counter(double max, double decayPerSecond, double level, long at) {
            this.max = max;
            this.decayPerMs = decayPerSecond / 1000.0;
            this.level = level;
            this.at = at;
        }

        /** Lowers the level by what has decayed since it was last seen; a time before that changes nothing. */
        public void decay(long now) {
            if (now > at) {
                level = Math.max(0, level - (now - at) * decayPerMs);
                at = now;
            }
        }

        public double level() {
            return level;
        }

        /** The time of {@link #level()}. */
        public long at() {
            return at;
        }

        public double room() {
            return max - HEADROOM - level;
        }

        /**
         * Takes {@code cost} now or, if it fits within {@code maxWaitMs}, as of the time it will fit.
         *
         * @return 0 when taken now, the milliseconds to wait before sending, or -1 when it does not fit in time
         */
        public long reserve(int cost, long maxWaitMs) {
            double over = level + cost - (max - HEADROOM);
            if (over <= 0) {
                level += cost;
                return 0;
            }
            long waitMs = (long) Math.ceil(over / decayPerMs);
            if (waitMs > maxWaitMs) {
                return -1;
            }
            // Counted now: callers after this one wait behind it.
            level += cost;
            return waitMs;
        }

        /** Kraken said this limit was exceeded: full, as far as we are concerned. */
        public void fill() {
            level = Math.max(level, max);
        }

        Counter copy() {
            return new Counter(max, decayPerMs * 1000.0, level, at);
        }
    }

    /** One process's counters. */
    final class InMemory implements RateCounters {
        private final Clock clock;
        private final Map<String, Counter> counters = new ConcurrentHashMap<>();

        InMemory(Clock clock) {
            this.clock = clock;
        }

        @Override
        public String restCounter(int key) {
            return "rest/" + key;
        }

        @Override
        public <T> T change(String name, double max, double decayPerSecond, Function<Counter, T> change) {
            Counter counter = counters.computeIfAbsent(name, n -> new Counter(max, decayPerSecond, 0, 0));
            synchronized (counter) {
                counter.decay(clock.millis());
                return change.apply(counter);
            }
        }

        @Override
        public Counter read(String name, double max, double decayPerSecond) {
            return change(name, max, decayPerSecond, Counter::copy);
        }

        @Override
        public String toString() {
            return "RateCounters[in this process]";
        }
    }
}
