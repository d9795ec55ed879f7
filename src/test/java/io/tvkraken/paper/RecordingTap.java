package io.tvkraken.paper;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link PaperExchange.Tap} for tests: it counts every request per method, records every AddOrder's parameters and
 * header names, counts the exchange's rate-limit refusals, and plays the faults a test injects. It keeps everything
 * for its lifetime, which is a test's: never a production exchange's tap.
 *
 * <p>Read and steer it through {@link PaperExchangeHarness}. An application booted by {@code RunningApp} has one
 * bound in its registry, so its paper exchange is tapped from its first request.
 */
public final class RecordingTap implements PaperExchange.Tap {

    /** The methods that need Kraken's matching engine, and so fail while it is down. */
    private static final Set<String> TRADING_ENGINE_METHODS = Set.of("AddOrder", "CancelOrder", "CancelAll");

    // Queues, not CopyOnWriteArrayLists: those copy the whole list on every add. Reads take a snapshot copy.
    private final Queue<Map<String, String>> addOrderRequests = new ConcurrentLinkedQueue<>();
    private final Queue<Set<String>> addOrderHeaderNames = new ConcurrentLinkedQueue<>();
    private final Map<String, AtomicInteger> requestCounts = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> rateLimitRefusals = new ConcurrentHashMap<>();
    /** Faults to play a given number of times, per method, in the order injected. Guarded by itself. */
    private final Map<String, ArrayDeque<FaultRun>> faults = new HashMap<>();
    /** Faults played by every request for a method until cleared. Guarded by {@link #faults}. */
    private final Map<String, Fault> standingFaults = new HashMap<>();

    @Override
    public Fault arrived(PaperExchange.Arrival request) {
        requestCounts.computeIfAbsent(request.method(), m -> new AtomicInteger()).incrementAndGet();
        if (request.isPrivate() && request.method().equals("AddOrder")) {
            addOrderHeaderNames.add(request.headerNames());
            addOrderRequests.add(request.params());
        }
        return nextFault(request.method());
    }

    @Override
    public void rateLimited(String method, String error) {
        rateLimitRefusals.computeIfAbsent(method, m -> new AtomicInteger()).incrementAndGet();
    }

    List<Map<String, String>> addOrderRequests() {
        return List.copyOf(addOrderRequests);
    }

    List<Set<String>> addOrderHeaderNames() {
        return List.copyOf(addOrderHeaderNames);
    }

    int requestCount(String method) {
        AtomicInteger count = requestCounts.get(method);
        return count == null ? 0 : count.get();
    }

    int rateLimitRefusals(String method) {
        AtomicInteger count = rateLimitRefusals.get(method);
        return count == null ? 0 : count.get();
    }

    void injectFault(String method, Fault fault, int times) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(fault, "fault");
        if (times < 1) {
            throw new IllegalArgumentException("times must be at least 1");
        }
        synchronized (faults) {
            faults.computeIfAbsent(method, m -> new ArrayDeque<>()).add(new FaultRun(fault, times));
        }
    }

    void injectFaultUntilCleared(String method, Fault fault) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(fault, "fault");
        synchronized (faults) {
            standingFaults.put(method, fault);
        }
    }

    /** {@link PaperExchangeHarness#tradingEngineDown()}: one step, so no request sees the engine half down. */
    void tradingEngineDown() {
        synchronized (faults) {
            for (String method : TRADING_ENGINE_METHODS) {
                standingFaults.put(method, Fault.SERVICE_UNAVAILABLE);
            }
        }
    }

    void tradingEngineUp() {
        synchronized (faults) {
            for (String method : TRADING_ENGINE_METHODS) {
                clearFaults(method);
            }
        }
    }

    void clearFaults() {
        synchronized (faults) {
            faults.clear();
            standingFaults.clear();
        }
    }

    void clearFaults(String method) {
        Objects.requireNonNull(method, "method");
        synchronized (faults) {
            faults.remove(method);
            standingFaults.remove(method);
        }
    }

    private Fault nextFault(String method) {
        synchronized (faults) {
            ArrayDeque<FaultRun> queue = faults.get(method);
            FaultRun run = queue == null ? null : queue.peek();
            if (run == null) {
                return standingFaults.get(method);
            }
            if (--run.remaining == 0) {
                queue.poll();
            }
            return run.fault;
        }
    }

    /** One {@link #injectFault} call: a fault and how many more requests play it (so a huge count costs no memory). */
    private static final class FaultRun {
        final Fault fault;
        int remaining;

        FaultRun(Fault fault, int remaining) {
            this.fault = fault;
            this.remaining = remaining;
        }
    }
}
