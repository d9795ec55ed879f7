package io.tvkraken.paper;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Wraps a paper exchange's handler for tests ({@link PaperExchange.Wrapper}): it counts every request per method,
 * records every AddOrder's parameters and header names, every private call's API key and nonce in arrival order, the
 * most requests of a method in flight at once (all keys, and per key), counts the exchange's refusals as its replies
 * show them, and plays the faults a test injects ({@link Fault}). It keeps everything for its lifetime, which is a
 * test's: never a production exchange's wrapper. The exchange itself knows nothing of any of this.
 *
 * <p>Read and steer it through {@link PaperExchangeHarness}. An application booted by {@code RunningApp} has one
 * bound in its registry, so its paper exchange is tapped from its first request.
 */
public final class RecordingTap implements PaperExchange.Wrapper {

    /** The methods that need Kraken's matching engine, and so fail while it is down. */
    private static final Set<String> TRADING_ENGINE_METHODS = Set.of("AddOrder", "CancelOrder", "CancelAll");
    /** What the exchange's rate limiters answer; a {@link Fault#RATE_LIMITED} is played here, not by them. */
    private static final Set<String> RATE_LIMIT_ERRORS = Set.of("EAPI:Rate limit exceeded", "EOrder:Rate limit exceeded");
    /** How every Kraken refusal begins: {@code {"error":["E...}; a result has an empty list. */
    private static final byte[] ERROR_PREFIX = "{\"error\":[\"".getBytes(StandardCharsets.US_ASCII);
    private static final ObjectMapper JSON = new ObjectMapper();

    // Queues, not CopyOnWriteArrayLists: those copy the whole list on every add. Reads take a snapshot copy.
    private final Queue<Map<String, String>> addOrderRequests = new ConcurrentLinkedQueue<>();
    private final Queue<Set<String>> addOrderHeaderNames = new ConcurrentLinkedQueue<>();
    private final Map<String, AtomicInteger> requestCounts = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> rateLimitRefusals = new ConcurrentHashMap<>();
    /** Refusals by error string ({@code EAPI:Invalid nonce} ...), every method. */
    private final Map<String, AtomicInteger> refusals = new ConcurrentHashMap<>();
    /** Every private call as it arrived: its method, API key and nonce. */
    private final Queue<PrivateCall> privateCalls = new ConcurrentLinkedQueue<>();
    /** In flight now and the most at once, per method and per method and key. Guarded by {@link #inFlight}. */
    private final Map<String, int[]> inFlight = new HashMap<>();
    /** Faults to play a given number of times, per method, in the order injected. Guarded by itself. */
    private final Map<String, ArrayDeque<FaultRun>> faults = new HashMap<>();
    /** Faults played by every request for a method until cleared. Guarded by {@link #faults}. */
    private final Map<String, Fault> standingFaults = new HashMap<>();
    private volatile Duration hangFor = Duration.ofSeconds(10);

    /** A private call as the exchange received it. */
    public record PrivateCall(String method, String apiKey, String nonce) {
    }

    @Override
    public PaperHandler wrap(PaperHandler exchange) {
        return request -> answer(exchange, request);
    }

    /** How long {@link Fault#HANG} and {@link Fault#ACCEPT_THEN_HANG} stall from now on; 10 s unless set. */
    void hangFor(Duration value) {
        hangFor = Objects.requireNonNull(value, "hangFor");
    }

    private PaperReply answer(PaperHandler exchange, PaperRequest request) {
        Fault fault = arrived(request);
        try {
            Duration hang = hangFor;
            if (fault != null) {
                PaperReply instead = fault.before(hang);
                if (instead != Fault.HANDLE) {
                    return instead;
                }
            }
            PaperReply reply = exchange.answer(request);
            String error = error(reply);
            if (error != null) {
                refusals.computeIfAbsent(error, e -> new AtomicInteger()).incrementAndGet();
                if (RATE_LIMIT_ERRORS.contains(error)) {
                    rateLimitRefusals.computeIfAbsent(request.method(), m -> new AtomicInteger()).incrementAndGet();
                }
            }
            return fault == null ? reply : fault.after(reply, hang);
        } finally {
            finished(request);
        }
    }

    /** Records a request before anything about it is checked. @return the fault to play on it, or null */
    private Fault arrived(PaperRequest request) {
        requestCounts.computeIfAbsent(request.method(), m -> new AtomicInteger()).incrementAndGet();
        if (request.isPrivate()) {
            Map<String, String> params = params(request);
            privateCalls.add(new PrivateCall(request.method(), apiKey(request), params.get("nonce")));
            if (request.method().equals("AddOrder")) {
                addOrderHeaderNames.add(request.headers().keySet().stream()
                        .map(name -> name.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet()));
                addOrderRequests.add(params);
            }
        }
        synchronized (inFlight) {
            for (String key : inFlightKeys(request)) {
                int[] counts = inFlight.computeIfAbsent(key, k -> new int[2]);
                counts[0]++;
                counts[1] = Math.max(counts[1], counts[0]);
            }
        }
        return nextFault(request.method());
    }

    /** The exchange is done with a request: answered, or dropped by a fault. */
    private void finished(PaperRequest request) {
        synchronized (inFlight) {
            for (String key : inFlightKeys(request)) {
                inFlight.get(key)[0]--;
            }
        }
    }

    /** The decoded body of a private call, the query of a public one; empty if it cannot be decoded. */
    private static Map<String, String> params(PaperRequest request) {
        try {
            return Collections.unmodifiableMap(request.isPrivate()
                    ? FormParams.decodeBody(JSON, request.header("Content-Type"), request.body())
                    : FormParams.decodeForm(request.uri().getRawQuery()));
        } catch (KrakenReject e) {
            return Map.of(); // undecodable: still received
        }
    }

    /** The {@code API-Key} header of a private call as sent, null when absent or for a public call. */
    private static String apiKey(PaperRequest request) {
        return request.isPrivate() ? request.header("API-Key") : null;
    }

    /** The error of a Kraken refusal, null for a result or anything that is not Kraken's envelope. */
    private static String error(PaperReply reply) {
        byte[] body = reply.body();
        if (reply.status() != 200 || body.length < ERROR_PREFIX.length
                || !Arrays.equals(body, 0, ERROR_PREFIX.length, ERROR_PREFIX, 0, ERROR_PREFIX.length)) {
            return null;
        }
        try {
            JsonNode errors = JSON.readTree(body).path("error");
            return errors.isArray() && !errors.isEmpty() ? errors.get(0).asText() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static List<String> inFlightKeys(PaperRequest request) {
        String apiKey = apiKey(request);
        return apiKey == null ? List.of(request.method()) : List.of(request.method(), request.method() + " " + apiKey);
    }

    int refusals(String error) {
        AtomicInteger count = refusals.get(error);
        return count == null ? 0 : count.get();
    }

    List<PrivateCall> privateCalls() {
        return List.copyOf(privateCalls);
    }

    int maxInFlight(String method) {
        synchronized (inFlight) {
            int[] counts = inFlight.get(method);
            return counts == null ? 0 : counts[1];
        }
    }

    int maxInFlight(String method, String apiKey) {
        return maxInFlight(method + " " + apiKey);
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
