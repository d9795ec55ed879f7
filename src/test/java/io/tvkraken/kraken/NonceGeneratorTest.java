package io.tvkraken.kraken;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class NonceGeneratorTest {

    @Test
    void strictlyIncreasingWithinOneThread() {
        NonceGenerator nonces = new NonceGenerator();
        long previous = nonces.next();
        for (int i = 0; i < 100_000; i++) {
            long next = nonces.next();
            assertThat(next).isGreaterThan(previous);
            previous = next;
        }
    }

    @Test
    void uniqueAndIncreasingPerThreadUnderParallelCalls() throws Exception {
        NonceGenerator nonces = new NonceGenerator();
        int threads = 8;
        int perThread = 20_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<long[]>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Callable<long[]> task = () -> {
                    long[] seen = new long[perThread];
                    for (int i = 0; i < perThread; i++) {
                        seen[i] = nonces.next();
                    }
                    return seen;
                };
                results.add(pool.submit(task));
            }
            Set<Long> all = new HashSet<>();
            for (Future<long[]> result : results) {
                long[] seen = result.get();
                for (int i = 0; i < seen.length; i++) {
                    if (i > 0) {
                        assertThat(seen[i]).isGreaterThan(seen[i - 1]);
                    }
                    all.add(seen[i]);
                }
            }
            assertThat(all).hasSize(threads * perThread);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void keepsIncreasingWhenTheClockGoesBackwards() {
        AtomicLong clock = new AtomicLong(2_000_000);
        NonceGenerator nonces = new NonceGenerator(clock::get);
        long first = nonces.next();
        clock.set(1_000_000);
        assertThat(nonces.next()).isGreaterThan(first);
    }

    @Test
    void hasTheScaleOfMicrosecondsSinceTheEpoch() {
        long nonce = new NonceGenerator().next();
        long nowMicros = Instant.now().toEpochMilli() * 1000;
        // Kraken only needs "increasing", but a nonce far from the clock would break a later switch of scheme.
        assertThat(nonce).isBetween(nowMicros - 5_000_000, nowMicros + 5_000_000);
    }

    /**
     * Two processes on one key with a shared mark (docs/replicas.md#nonces), the second started later with a clock a
     * minute ahead: taking turns, each nonce is above every nonce either took before. With marks leased ahead the
     * first process's next nonce would fall a minute behind the second's.
     */
    @Test
    void sharedMarkKeepsNoncesIncreasingAcrossProcessesWhoseClocksDiffer() {
        AtomicLong mark = new AtomicLong();
        NonceGenerator.HighWater shared = new NonceGenerator.HighWater() {
            @Override
            public long read() {
                return mark.get();
            }

            @Override
            public void raise(long to) {
                mark.accumulateAndGet(to, Math::max);
            }

            @Override
            public boolean shared() {
                return true;
            }

            @Override
            public long take(long atLeast) {
                return mark.updateAndGet(last -> Math.max(last + 1, atLeast));
            }
        };
        AtomicLong clock = new AtomicLong(1_700_000_000_000_000L);
        NonceGenerator first = NonceGenerator.withClock(clock::get, shared);
        NonceGenerator second = NonceGenerator.withClock(() -> clock.get() + 60_000_000L, shared);
        List<Long> onTheWire = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            onTheWire.add((i % 2 == 0 ? first : second).next());
            onTheWire.add(first.next());
            clock.addAndGet(3);
        }
        for (int i = 1; i < onTheWire.size(); i++) {
            assertThat(onTheWire.get(i)).as("nonce %d as sent", i).isGreaterThan(onTheWire.get(i - 1));
        }
        assertThat(mark.get()).as("the mark is the last nonce sent").isEqualTo(onTheWire.get(onTheWire.size() - 1));
    }

    /**
     * With a nonce window (docs/kraken.md#bursts-on-one-key): while calls are in flight, every nonce handed out stays
     * within the window above the lowest one still in flight, so Kraken accepts each in whatever order they arrive;
     * they still strictly increase, and the persisted mark stays above every one of them.
     */
    @Test
    void withAWindowEveryNonceInFlightStaysWithinTheWindowOfTheOldestAndTheMarkAboveThemAll() throws Exception {
        AtomicLong clock = new AtomicLong(1_700_000_000_000_000L);
        AtomicLong mark = new AtomicLong();
        NonceGenerator.HighWater highWater = new NonceGenerator.HighWater() {
            @Override
            public long read() {
                return mark.get();
            }

            @Override
            public void raise(long to) {
                mark.set(to);
            }
        };
        NonceGenerator nonces = NonceGenerator.withClock(clock::get, highWater);
        long window = 8;
        List<Long> flying = new ArrayList<>();
        long previous = 0;
        for (int i = 0; i <= window; i++) {
            clock.addAndGet(1_000); // a millisecond between calls: far more than the window
            long nonce = nonces.inFlight(window, 0);
            assertThat(nonce).isGreaterThan(previous);
            flying.add(nonce);
            previous = nonce;
        }
        assertThat(flying.get(flying.size() - 1) - flying.get(0)).as("within the window of the oldest in flight")
                .isEqualTo(window);
        assertThat(mark.get()).isGreaterThanOrEqualTo(previous);

        // the window is used up: the next call waits for the oldest to land
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Long> waiting = pool.submit(() -> nonces.inFlight(window, 5_000));
            Thread.sleep(200);
            assertThat(waiting).isNotDone();
            nonces.landed(flying.get(0));
            long next = waiting.get();
            assertThat(next).isGreaterThan(previous).isLessThanOrEqualTo(flying.get(1) + window);
            flying.remove(0);
            flying.add(next);
        } finally {
            pool.shutdownNow();
        }
        flying.forEach(nonces::landed);
        assertThat(nonces.flying()).isZero();
        clock.addAndGet(1_000_000);
        assertThat(nonces.inFlight(window, 0)).as("nothing in flight: the clock again").isEqualTo(clock.get());
    }

    @Test
    void withAWindowAndNoRoomLeftInTimeNoNonceIsHandedOut() {
        NonceGenerator nonces = new NonceGenerator(new AtomicLong(1_000_000L)::get); // its mark in memory
        nonces.inFlight(1, 0);
        nonces.inFlight(1, 0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> nonces.inFlight(1, 50))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("nonce window");
    }
}
