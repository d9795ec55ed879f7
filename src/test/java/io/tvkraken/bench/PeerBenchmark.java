package io.tvkraken.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.ingress.SignatureVerifier;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Webhook receivers side by side on one machine, each as a process of its own, measured the same way, and one
 * table of medians and ratios (docs/development.md "Benchmark"; {@code bench/run} builds and starts it):
 * <ul>
 *   <li><b>A</b>: this service in paper mode (the default), its Kraken-compatible exchange inside its process, started
 *       as the Docker image starts it ({@code jvm.options}, the AppCDS archive);</li>
 *   <li><b>R</b>: the same, started as the README starts it: {@code java @jvm.options -jar}, without the archive;</li>
 *   <li><b>B</b>: this service in live mode against {@link KrakenStub}, a fast Kraken stand-in that checks keys,
 *       signatures and nonces as Kraken does and runs inside this JVM;</li>
 *   <li><b>C</b>: {@code bench/fastapi-requests/app.py}, a Python FastAPI + {@code requests} receiver on uvicorn (one
 *       worker): HMAC check, JSON parse, one signed AddOrder per alert against the same stub.</li>
 * </ul>
 *
 * <p>Per peer and run, first a fresh process sent {@code --rate} alerts/s from the moment it is ready for 20 s: the
 * share of answers 200 {@code executed} (not 202 {@code pending}) among the alerts sent in the first 10 s and in the
 * next 10 s. Then, in one session of another process: time from process start to ready; idle RSS; an open loop at
 * {@code --rate} alerts/s, {@code --warmup} seconds, then measured (latency from each request's intended send time,
 * HdrHistogram, and the peer's CPU time per alert from {@code /proc/<pid>/stat}); an open loop at {@code --peak-rate}
 * with the peak RSS ({@code VmHWM}, reset before it through {@code /proc/<pid>/clear_refs}), followed at once by
 * 20 s at {@code --rate} with the shares executed as above; a closed loop with {@code --connections}
 * connections (2xx answers per second); a burst of {@code --burst} alerts at once over {@code --burst-connections}
 * connections against a stub that answers every call after {@code --burst-delay-ms}: the share answered 2xx within
 * TradingView's 3 s, and when the AddOrders reached the stub. With {@code --service-cpu N} the peer is started under
 * {@code taskset -c N}; the script pins this JVM (load generator and stub) to the other core.
 *
 * <p>Before each session it waits, 30 s at a time and up to {@code --max-wait-seconds}, while the 1-minute load
 * average is above {@code --max-load}: the machine is shared. The load at the start of each phase is printed next to
 * its figures. It is a main, not a test: nothing here asserts a time.
 */
public final class PeerBenchmark {

    static final String API_KEY = "bench-api-key";
    /** base64 of 64 bytes, like a Kraken secret; a benchmark value, never a real one. */
    static final String API_SECRET = java.util.Base64.getEncoder()
            .encodeToString("benchmark-only-secret-0123456789-benchmark-only-secret-012345678".getBytes(
                    StandardCharsets.US_ASCII));
    static final String WEBHOOK_SECRET = "bench-webhook-secret";
    /** The key pool's size in the key-pool bursts; the stub knows this many keys of one account. */
    static final int POOL_KEYS = 4;
    static final Path SERVICE_JAR = Path.of("target", "tradingview-kraken-webhook.jar");
    static final Path APPCDS_ARCHIVE = Path.of("target", "app.jsa");
    /** Issue 17: at the rate, at least 99 % of answers final ({@code executed}) within this many seconds of being ready
     * and of an overload's end. */
    static final int SETTLE_SECONDS = 10;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> FOREIGN = List.of("KRAKEN_", "WEBHOOK_", "LOG_", "DB_", "ORDERS_", "PAPER_",
            "CAMEL_", "GCP_");
    private static final Set<String> FOREIGN_NAMES = Set.of("PORT", "ADMIN_TOKEN", "ALLOWED_IPS", "DATA_DIR",
            "TRADING_ENABLED", "MAX_ALERT_AGE_SECONDS");

    enum Peer {
        A("A: service, paper"), R("R: paper, README's start"), B("B: service, live+stub"), C("C: FastAPI+requests");

        /** This service in paper mode: A as the Docker image starts it, R as the README does. */
        boolean paper() {
            return this == A || this == R;
        }

        final String title;

        Peer(String title) {
            this.title = title;
        }
    }

    /** Figures, in table order. */
    enum Fig {
        CLOSED("closed-loop alerts/s (2xx answers)", ">= 3x C", "%.0f"),
        CLOSED_202("  of which 202 pending, /s", "", "%.0f"),
        CLOSED_FAILED("  non-2xx answers or errors, /s", "", "%.1f"),
        CLOSED_ADDORDERS("  AddOrders/s reaching the stub", "", "%.0f"),
        P50("p50 ms at rate (open loop)", "<= 3", "%.2f"),
        P99("p99 ms at rate (open loop)", "<= C", "%.2f"),
        CPU("CPU ms per alert at rate", "<= 2, < C", "%.2f"),
        COLD_FIRST("executed at rate from ready: 0-10 s, %", "", "%.1f"),
        COLD_AFTER("executed at rate from ready: 10-20 s, %", ">= 99", "%.1f"),
        RECOVER_FIRST("executed at rate after overload: 0-10 s, %", "", "%.1f"),
        RECOVER_AFTER("executed at rate after overload: 10-20 s, %", ">= 99", "%.1f"),
        READY("ready after start, ms", "", "%.0f"),
        IDLE_RSS("idle RSS, MiB", "", "%.1f"),
        PEAK_RSS("peak RSS (VmHWM) at peak rate, MiB", "", "%.1f"),
        PEAK_P99("p99 ms at peak rate", "", "%.1f"),
        BURST_3S("burst: answered 2xx within 3 s, %", "", "%.1f"),
        BURST_PLACED("burst: AddOrders at the stub", "", "%.0f"),
        BURST_P99("burst: p99 alert-to-AddOrder, ms", "", "%.0f"),
        BURST_LAST("burst: last AddOrder after the burst, ms", "", "%.0f"),
        POOL1_P99("key-pool burst, 1 key: p99 alert-to-AddOrder, ms", "", "%.0f"),
        POOL_P99("key-pool burst, 4 keys: p99 alert-to-AddOrder, ms", "B <= 6000", "%.0f");

        final String label;
        final String target;
        final String format;

        Fig(String label, String target, String format) {
            this.label = label;
            this.target = target;
            this.format = format;
        }
    }

    /** What one peer's runs measured: per figure, one value per run, and the 1-minute load at each figure's phase. */
    static final class Results {
        final Map<Fig, List<Double>> values = new EnumMap<>(Fig.class);
        final Map<Fig, List<Double>> loads = new EnumMap<>(Fig.class);
        String skipped;

        void put(Fig fig, double value, double load) {
            values.computeIfAbsent(fig, f -> new ArrayList<>()).add(value);
            loads.computeIfAbsent(fig, f -> new ArrayList<>()).add(load);
        }

        Double median(Fig fig) {
            List<Double> v = values.get(fig);
            if (v == null || v.isEmpty()) {
                return null;
            }
            double[] sorted = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            int n = sorted.length;
            return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        }

        Double maxLoad(Fig fig) {
            List<Double> l = loads.get(fig);
            return l == null || l.isEmpty() ? null : l.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        }
    }

    private final Options o;
    private final KrakenStub stub;
    private final Map<Peer, Results> results = new EnumMap<>(Peer.class);
    private final AtomicLong alertIds = new AtomicLong();
    private final long clockTicks;
    private long waitedSeconds;

    private PeerBenchmark(Options o, KrakenStub stub) {
        this.o = o;
        this.stub = stub;
        this.clockTicks = clockTicks();
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        long started = System.nanoTime();
        System.out.printf("peer benchmark, %s; %d CPUs on the machine, %d for this JVM; %s%n",
                ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), machineCpus(),
                Runtime.getRuntime().availableProcessors(), o);
        Map<String, String> stubKeys = new LinkedHashMap<>();
        for (int i = 0; i < POOL_KEYS; i++) {
            stubKeys.put(apiKey(i), apiSecret(i));
        }
        try (KrakenStub stub = KrakenStub.start(stubKeys, 0, o.pairs)) {
            PeerBenchmark bench = new PeerBenchmark(o, stub);
            for (Peer peer : o.peers) {
                bench.results.put(peer, new Results());
            }
            if (o.peers.contains(Peer.C) && o.python == null) {
                bench.results.get(Peer.C).skipped = "skipped: no Python with fastapi, uvicorn and requests ("
                        + o.pythonProblem + ")";
                System.out.println("C " + bench.results.get(Peer.C).skipped);
            }
            for (int run = 1; run <= o.repeats; run++) {
                for (Peer peer : o.peers) {
                    if (bench.results.get(peer).skipped == null) {
                        bench.session(peer, run);
                    }
                }
                if (o.peers.contains(Peer.B) && o.poolBurst > 0) {
                    bench.keyPoolBursts(run);
                }
            }
            System.out.printf("%nall runs took %d s (of which %d s waiting for a quiet machine)%n",
                    (System.nanoTime() - started) / 1_000_000_000, bench.waitedSeconds);
            bench.printTable();
        }
    }

    // ---------------------------------------------------------------- one session of one peer

    private void session(Peer peer, int run) throws Exception {
        Results r = results.get(peer);
        String tag = "[run " + run + " " + peer.name() + "]";
        double load = waitForQuietMachine(tag);
        stub.delayMillis(0);
        coldStart(peer, run, r, tag, load);
        load = waitForQuietMachine(tag);
        try (Running svc = start(peer, run, 1)) {
            System.out.printf("%s ready after %d ms (pid %d)  load %.2f%n", tag, svc.readyMillis, svc.pid, load);
            r.put(Fig.READY, svc.readyMillis, load);
            Thread.sleep(2000);
            load = load1();
            double idle = kib(svc.pid, "VmRSS:") / 1024.0;
            r.put(Fig.IDLE_RSS, idle, load);
            System.out.printf("%s idle RSS %.1f MiB  load %.2f%n", tag, idle, load);

            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            // open loop at the rate: warm-up, then measured with the CPU time of the peer's process
            openLoop(svc, http, peer, o.rate, o.warmup);
            drain(svc, http, peer);
            load = load1();
            long cpuBefore = cpuTicks(svc.pid);
            OpenLoop open = openLoop(svc, http, peer, o.rate, o.seconds);
            long cpuAfter = cpuTicks(svc.pid);
            double cpuPerAlert = (cpuAfter - cpuBefore) * 1000.0 / clockTicks / open.sent;
            r.put(Fig.P50, open.ms(50), load);
            r.put(Fig.P99, open.ms(99), load);
            r.put(Fig.CPU, cpuPerAlert, load);
            System.out.printf("%s open loop %d/s for %d s: %s; CPU %.2f ms/alert  load %.2f%n", tag, o.rate,
                    o.seconds, open, cpuPerAlert, load);
            drain(svc, http, peer);

            // open loop at the peak rate, its peak RSS
            load = load1();
            boolean hwmReset = resetPeakRss(svc.pid);
            OpenLoop peak = openLoop(svc, http, peer, o.peakRate, o.seconds);
            double hwm = kib(svc.pid, "VmHWM:") / 1024.0;
            r.put(Fig.PEAK_RSS, hwm, load);
            r.put(Fig.PEAK_P99, peak.ms(99), load);
            System.out.printf("%s open loop %d/s for %d s: %s; VmHWM %.1f MiB%s  load %.2f%n", tag, o.peakRate,
                    o.seconds, peak, hwm, hwmReset ? "" : " (since start: clear_refs refused)", load);

            // back to the rate at once, with whatever the peak left queued: are answers final again?
            OpenLoop after = openLoop(svc, http, peer, o.rate, 2 * SETTLE_SECONDS);
            System.out.printf("%s open loop %d/s right after the peak: %s; %s%n", tag, o.rate,
                    settling(after, r, Fig.RECOVER_FIRST, Fig.RECOVER_AFTER, load), after);
            drain(svc, http, peer);

            // closed loop
            load = load1();
            closedLoop(svc, http, peer, r, tag, load);
            drain(svc, http, peer);

            // burst, against a slow stub
            load = load1();
            burst(svc, peer, r, tag, load);
            stub.delayMillis(0);
        }
    }

    /**
     * A fresh process, sent alerts at the rate from the moment it is ready: the share answered 200 executed (not 202
     * pending) in the first {@link #SETTLE_SECONDS} and in the next.
     */
    private void coldStart(Peer peer, int run, Results r, String tag, double load) throws Exception {
        try (Running svc = start(peer, run, 1)) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            OpenLoop cold = openLoop(svc, http, peer, o.rate, 2 * SETTLE_SECONDS);
            System.out.printf("%s open loop %d/s from ready (ready after %d ms): %s; %s  load %.2f%n", tag, o.rate,
                    svc.readyMillis, settling(cold, r, Fig.COLD_FIRST, Fig.COLD_AFTER, load), cold, load);
            drain(svc, http, peer);
        }
    }

    /**
     * Puts a run of 2 × {@link #SETTLE_SECONDS} at the rate as its two figures (the share executed in the first
     * {@code SETTLE_SECONDS}, then in the next) and says them in words.
     */
    private static String settling(OpenLoop loop, Results r, Fig first, Fig after, double load) {
        double firstShare = loop.executedShare(0, SETTLE_SECONDS);
        double afterShare = loop.executedShare(SETTLE_SECONDS, 2 * SETTLE_SECONDS);
        r.put(first, firstShare, load);
        r.put(after, afterShare, load);
        return String.format("executed %.1f %% in the first %d s, %.1f %% in the next %d s", firstShare,
                SETTLE_SECONDS, afterShare, SETTLE_SECONDS);
    }

    private void closedLoop(Running svc, HttpClient http, Peer peer, Results r, String tag, double load)
            throws Exception {
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger pending = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        long measureFrom = start + TimeUnit.SECONDS.toNanos(o.warmup);
        long measureTo = measureFrom + TimeUnit.SECONDS.toNanos(o.seconds);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < o.connections; c++) {
            Thread t = new Thread(() -> {
                while (System.nanoTime() < measureTo) {
                    int status;
                    try {
                        status = http.send(alert(svc, peer), HttpResponse.BodyHandlers.discarding()).statusCode();
                    } catch (Exception e) {
                        status = -1;
                    }
                    long done = System.nanoTime();
                    if (done >= measureFrom && done < measureTo) {
                        statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                        if (status >= 200 && status < 300) {
                            ok.incrementAndGet();
                            if (status == 202) {
                                pending.incrementAndGet();
                            }
                        } else {
                            failed.incrementAndGet();
                        }
                    }
                }
            }, "closed-loop-" + c);
            t.start();
            threads.add(t);
        }
        sleepUntil(measureFrom);
        long addOrdersBefore = stub.addOrders();
        long noncesBefore = stub.invalidNonces();
        sleepUntil(measureTo);
        long addOrders = stub.addOrders() - addOrdersBefore;
        long nonces = stub.invalidNonces() - noncesBefore;
        for (Thread t : threads) {
            t.join(60_000);
        }
        r.put(Fig.CLOSED, ok.get() / (double) o.seconds, load);
        r.put(Fig.CLOSED_202, pending.get() / (double) o.seconds, load);
        r.put(Fig.CLOSED_FAILED, failed.get() / (double) o.seconds, load);
        if (!peer.paper()) {
            r.put(Fig.CLOSED_ADDORDERS, addOrders / (double) o.seconds, load);
        }
        System.out.printf("%s closed loop, %d connections, %d s: %.0f 2xx/s (%.0f/s 202), answers by status %s%s"
                        + "  load %.2f%n", tag, o.connections, o.seconds, ok.get() / (double) o.seconds,
                pending.get() / (double) o.seconds, statuses,
                peer.paper() ? "" : String.format("; AddOrders at the stub %.0f/s, refused invalid nonce %d",
                        addOrders / (double) o.seconds, nonces), load);
    }

    private void burst(Running svc, Peer peer, Results r, String tag, double load) throws Exception {
        boolean viaStub = !peer.paper();
        Burst burst = fire(svc, peer, o.burst, o.burstConnections, viaStub);
        r.put(Fig.BURST_3S, burst.shareWithin3s(), load);
        String placed = "";
        if (viaStub) {
            r.put(Fig.BURST_PLACED, burst.arrivals.length, load);
            r.put(Fig.BURST_P99, burst.p99Millis(), load);
            if (burst.arrivals.length > 0) {
                r.put(Fig.BURST_LAST, burst.lastMillis(), load);
            }
            placed = burst.placed();
        }
        System.out.printf("%s burst of %d over %d connections%s: %.1f %% answered 2xx within 3 s, answers by status"
                        + " %s%s  load %.2f%n", tag, o.burst, o.burstConnections,
                viaStub ? " (stub answers after " + o.burstDelayMs + " ms)" : " (paper exchange in process, no delay)",
                burst.shareWithin3s(), burst.statuses, placed, load);
    }

    /**
     * Peer B with one API key, then with a pool of {@link #POOL_KEYS}, each in a fresh process: {@code --pool-burst}
     * alerts at once, each on a connection of its own, while the stub answers every call after
     * {@code --burst-delay-ms}; when each AddOrder reached the stub, counted from the burst's start.
     */
    private void keyPoolBursts(int run) throws Exception {
        Results r = results.get(Peer.B);
        for (int keys : new int[] {1, POOL_KEYS}) {
            String tag = "[run " + run + " B, " + keys + (keys == 1 ? " key]" : " keys]");
            double load = waitForQuietMachine(tag);
            stub.delayMillis(0);
            try (Running svc = start(Peer.B, run, keys)) {
                Thread.sleep(2000);
                load = load1();
                Burst burst = fire(svc, Peer.B, o.poolBurst, o.poolBurst, true);
                r.put(keys == 1 ? Fig.POOL1_P99 : Fig.POOL_P99, burst.p99Millis(), load);
                System.out.printf("%s burst of %d over %d connections (stub answers after %d ms): %.1f %% answered"
                                + " 2xx within 3 s, answers by status %s%s; p99 alert-to-AddOrder %s ms  load %.2f%n",
                        tag, o.poolBurst, o.poolBurst, o.burstDelayMs, burst.shareWithin3s(), burst.statuses,
                        burst.placed(), burst.p99Millis().isInfinite() ? "-" : String.format("%.0f",
                                burst.p99Millis()), load);
            }
        }
    }

    /** What a burst gave: answers, and when the AddOrders reached the stub, in ms since the burst's start. */
    private final class Burst {
        final int count;
        int within3s;
        final Map<Integer, Integer> statuses = new java.util.TreeMap<>();
        long[] arrivals = new long[0];
        long invalidNonces;

        Burst(int count) {
            this.count = count;
        }

        double shareWithin3s() {
            return 100.0 * within3s / count;
        }

        /** The 99th percentile of alert-to-AddOrder; infinite when fewer than 99 % reached the stub. */
        Double p99Millis() {
            int need = (int) Math.ceil(0.99 * count);
            return arrivals.length >= need ? arrivals[need - 1] / 1e6 : Double.POSITIVE_INFINITY;
        }

        double lastMillis() {
            return arrivals[arrivals.length - 1] / 1e6;
        }

        String placed() {
            return String.format("; %d AddOrders reached the stub (%d refused invalid nonce), the last %s ms after"
                            + " the burst", arrivals.length, invalidNonces,
                    arrivals.length == 0 ? "-" : String.format("%.0f", lastMillis()));
        }
    }

    /**
     * Sends {@code count} alerts at once over {@code connections} connections (against the stub's delay when
     * {@code viaStub}) and, via the stub, waits for their AddOrders: until all are in, or none came for 5 s, or
     * {@code --burst-wait-seconds}.
     */
    private Burst fire(Running svc, Peer peer, int count, int connections, boolean viaStub) throws Exception {
        if (viaStub) {
            stub.delayMillis(o.burstDelayMs);
        }
        // a client of its own: its connections all opened for the burst
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        List<HttpRequest> requests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            requests.add(alert(svc, peer));
        }
        long[] latency = new long[count];
        int[] status = new int[count];
        AtomicInteger next = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        long noncesBefore = stub.invalidNonces();
        List<Thread> threads = new ArrayList<>();
        long[] t0 = new long[1];
        for (int c = 0; c < connections; c++) {
            Thread t = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    try {
                        status[i] = http.send(requests.get(i), HttpResponse.BodyHandlers.discarding()).statusCode();
                    } catch (Exception e) {
                        status[i] = -1;
                    }
                    latency[i] = System.nanoTime() - t0[0];
                }
            }, "burst-" + c);
            t.start();
            threads.add(t);
        }
        if (viaStub) {
            stub.recordAddOrders();
        }
        t0[0] = System.nanoTime();
        go.countDown();
        for (Thread t : threads) {
            t.join(120_000);
        }
        Burst burst = new Burst(count);
        for (int i = 0; i < count; i++) {
            burst.statuses.merge(status[i], 1, Integer::sum);
            if (status[i] >= 200 && status[i] < 300 && latency[i] <= TimeUnit.SECONDS.toNanos(3)) {
                burst.within3s++;
            }
        }
        if (viaStub) {
            long until = t0[0] + TimeUnit.SECONDS.toNanos(o.burstWaitSeconds);
            int seen = -1;
            long lastChange = System.nanoTime();
            while (System.nanoTime() < until) {
                int n = stub.addOrderArrivals().length;
                if (n >= count) {
                    break;
                }
                if (n != seen) {
                    seen = n;
                    lastChange = System.nanoTime();
                } else if (System.nanoTime() - lastChange > TimeUnit.SECONDS.toNanos(5)) {
                    break;
                }
                Thread.sleep(200);
            }
            burst.arrivals = Arrays.stream(stub.addOrderArrivals()).map(a -> a - t0[0]).sorted().toArray();
            burst.invalidNonces = stub.invalidNonces() - noncesBefore;
            stub.delayMillis(0);
        }
        return burst;
    }

    // ---------------------------------------------------------------- open loop

    static final class OpenLoop {
        final Histogram latency = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(120), 3);
        final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        /** Per second of the run (by intended send time): alerts sent, and of them answered 200 (executed). */
        final AtomicIntegerArray sentIn;
        final AtomicIntegerArray executedIn;
        int sent;

        OpenLoop(int seconds) {
            sentIn = new AtomicIntegerArray(seconds);
            executedIn = new AtomicIntegerArray(seconds);
        }

        /** The share, in %, of the alerts sent in seconds [from, to) of the run that were answered 200 executed. */
        double executedShare(int from, int to) {
            int sentThen = 0;
            int executedThen = 0;
            for (int s = from; s < Math.min(to, sentIn.length()); s++) {
                sentThen += sentIn.get(s);
                executedThen += executedIn.get(s);
            }
            return sentThen == 0 ? Double.NaN : 100.0 * executedThen / sentThen;
        }

        double ms(double percentile) {
            return latency.getValueAtPercentile(percentile) / 1000.0;
        }

        @Override
        public String toString() {
            return String.format("p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms, answers by status %s", ms(50),
                    ms(90), ms(99), latency.getMaxValue() / 1000.0, statuses);
        }
    }

    /** Requests leave at the rate whatever the answers do; latency counts from each one's intended send time. */
    private OpenLoop openLoop(Running svc, HttpClient http, Peer peer, int rate, int seconds) throws Exception {
        OpenLoop result = new OpenLoop(seconds);
        int total = rate * seconds;
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        List<CompletableFuture<?>> inFlight = new ArrayList<>(total);
        long start = System.nanoTime();
        for (int i = 0; i < total; i++) {
            long intended = start + i * interval;
            int second = i / rate;
            sleepUntil(intended);
            result.sentIn.incrementAndGet(second);
            inFlight.add(http.sendAsync(alert(svc, peer), HttpResponse.BodyHandlers.discarding())
                    .handle((response, error) -> {
                        result.latency.recordValue(Math.max(1, (System.nanoTime() - intended) / 1000));
                        int status = error != null ? -1 : response.statusCode();
                        result.statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                        if (status == 200) {
                            result.executedIn.incrementAndGet(second);
                        }
                        return null;
                    }));
        }
        result.sent = total;
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(150, TimeUnit.SECONDS);
        return result;
    }

    /**
     * Waits until the peer has placed what it took in: no new AddOrder for a second (at the stub for B and C, from
     * the service's {@code /metrics} for A), at most a minute.
     */
    private void drain(Running svc, HttpClient http, Peer peer) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        long last = addOrdersSoFar(svc, http, peer);
        while (System.nanoTime() < until) {
            Thread.sleep(1000);
            long now = addOrdersSoFar(svc, http, peer);
            if (now == last) {
                return;
            }
            last = now;
        }
    }

    private long addOrdersSoFar(Running svc, HttpClient http, Peer peer) {
        if (!peer.paper()) {
            return stub.addOrders();
        }
        try {
            String metrics = http.send(HttpRequest.newBuilder(svc.uri("/metrics")).timeout(Duration.ofSeconds(10))
                    .GET().build(), HttpResponse.BodyHandlers.ofString()).body();
            double sum = 0;
            for (String line : metrics.split("\n")) {
                if (line.startsWith("kraken_api_calls_total{") && line.contains("endpoint=\"AddOrder\"")) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return (long) sum;
        } catch (Exception e) {
            return -1;
        }
    }

    /** A signed market alert with a fresh id: BTC/USD on the paper exchange (A), one of the stub's pairs (B, C). */
    private HttpRequest alert(Running svc, Peer peer) {
        long n = alertIds.incrementAndGet();
        String side = n % 2 == 0 ? "buy" : "sell";
        String ticker;
        String volume;
        if (peer.paper()) {
            ticker = "BTCUSD";
            volume = "0.001";
        } else {
            List<String> tickers = stub.syntheticTickers();
            ticker = tickers.get((int) (n % tickers.size()));
            volume = "1";
        }
        String body = "{\"ticker\":\"" + ticker + "\",\"action\":\"" + side + "\",\"order_type\":\"market\","
                + "\"volume\":\"" + volume + "\",\"id\":\"bench-" + ProcessHandle.current().pid() + "-" + n + "\"}";
        return HttpRequest.newBuilder(svc.uri(svc.webhookPath)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("X-Signature", new SignatureVerifier(WEBHOOK_SECRET).sign(body.getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    // ---------------------------------------------------------------- the peers' processes

    /** A peer's process, started by this benchmark. */
    static final class Running implements AutoCloseable {
        final Process process;
        final long pid;
        final int port;
        final String webhookPath;
        long readyMillis;

        Running(Process process, int port, String webhookPath) {
            this.process = process;
            this.pid = process.pid();
            this.port = port;
            this.webhookPath = webhookPath;
        }

        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + port + path);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** API key {@code i} of the benchmark's account (key 0 is the one peers B and C sign with). */
    static String apiKey(int i) {
        return i == 0 ? API_KEY : API_KEY + "-" + (i + 1);
    }

    /** Its secret: base64 of 64 bytes, a benchmark value, never a real one. */
    static String apiSecret(int i) {
        if (i == 0) {
            return API_SECRET;
        }
        String text = ("benchmark-only-secret-of-key-" + (i + 1) + "-").repeat(4).substring(0, 64);
        return java.util.Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Starts a peer. This service (A, B) starts as the Docker image starts it: the packaged jar, the JVM options of
     * {@code jvm.options}, and the AppCDS archive {@code target/app.jsa} when {@code bench/run} could write it.
     *
     * @param keys how many API keys of the stub's account B signs with (its key pool)
     */
    private Running start(Peer peer, int run, int keys) throws Exception {
        Path work = Path.of("target", "bench").toAbsolutePath();
        Path data = work.resolve("data-" + peer.name() + "-" + run);
        deleteTree(data);
        Files.createDirectories(data);
        Path log = work.resolve(peer.name() + (keys > 1 ? "-" + keys + "keys" : "") + "-run" + run + ".log");
        List<String> command = new ArrayList<>();
        if (o.serviceCpu != null) {
            command.addAll(List.of("taskset", "-c", o.serviceCpu));
        }
        Map<String, String> env = new LinkedHashMap<>();
        File dir;
        int port = freePort();
        if (peer == Peer.C) {
            command.addAll(List.of(o.python, "-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port",
                    Integer.toString(port), "--workers", "1"));
            dir = Path.of("bench", "fastapi-requests").toFile();
            env.put("KRAKEN_API_URL", stub.baseUrl().toString());
            env.put("KRAKEN_API_KEY", API_KEY);
            env.put("KRAKEN_API_SECRET", API_SECRET);
            env.put("WEBHOOK_SECRET", WEBHOOK_SECRET);
            env.put("PYTHONDONTWRITEBYTECODE", "1"); // no __pycache__ in the repository
        } else {
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            // an archive is valid only for the class path that wrote it: the jar by the same relative path. R starts
            // as the README starts it, without one.
            if (peer != Peer.R && Files.isRegularFile(APPCDS_ARCHIVE)) {
                command.add("-XX:SharedArchiveFile=" + APPCDS_ARCHIVE);
            }
            command.add("@jvm.options");
            command.addAll(o.serviceJvm);
            command.addAll(List.of("-jar", SERVICE_JAR.toString()));
            dir = new File(".");
            env.put("DATA_DIR", data.toString());
            env.put("CAMEL_MAIN_ROUTESRELOADENABLED", "false");
            env.put("WEBHOOK_SECRET", WEBHOOK_SECRET);
            env.put("PORT", Integer.toString(port));
            // one load generator on one address: the per-address limit for webhooks (1,000 per 10 s) is off, as
            // for TradingView's four addresses it is out of reach (docs/operations.md#rate-limits)
            env.put("WEBHOOK_RATE_LIMIT", "0");
            if (peer.paper()) {
                env.put("KRAKEN_MODE", "paper");
                env.put("PAPER_BALANCES", "ZUSD=1000000000,XXBT=1000000");
                env.put("PAPER_RATE_LIMIT_TIER", "off");
            } else {
                env.put("KRAKEN_MODE", "live");
                env.put("KRAKEN_API_URL", stub.baseUrl().toString());
                List<String> poolKeys = new ArrayList<>();
                List<String> poolSecrets = new ArrayList<>();
                for (int i = 0; i < keys; i++) {
                    poolKeys.add(apiKey(i));
                    poolSecrets.add(apiSecret(i));
                }
                env.put("KRAKEN_API_KEY", String.join(",", poolKeys));
                env.put("KRAKEN_API_SECRET", String.join(",", poolSecrets));
                env.put("KRAKEN_TIER", "pro");
            }
        }
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir);
        builder.environment().keySet().removeIf(k -> FOREIGN_NAMES.contains(k)
                || FOREIGN.stream().anyMatch(k::startsWith));
        builder.environment().putAll(env);
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        long t0 = System.nanoTime();
        Running svc = new Running(builder.start(), port, peer == Peer.C ? "/webhook" : "/webhook/tradingview");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(1)).build();
        long until = t0 + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < until && svc.process.isAlive()) {
            try {
                if (peer == Peer.C) {
                    http.send(HttpRequest.newBuilder(svc.uri("/")).timeout(Duration.ofSeconds(1)).GET().build(),
                            HttpResponse.BodyHandlers.discarding());
                    svc.readyMillis = (System.nanoTime() - t0) / 1_000_000;
                    return svc; // the port answers
                }
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(svc.uri("/health"))
                        .timeout(Duration.ofSeconds(1)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200) {
                    JsonNode checks = JSON.readTree(health.body()).path("checks");
                    if (checks.path("exchange").path("status").asText("up").equals("up")) {
                        svc.readyMillis = (System.nanoTime() - t0) / 1_000_000;
                        return svc;
                    }
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(10);
        }
        svc.close();
        throw new IllegalStateException(peer.title + " did not become ready; its output is in " + log);
    }

    // ---------------------------------------------------------------- the machine

    /**
     * Waits while the 1-minute load average is above {@code --max-load}, 30 s at a time, up to
     * {@code --max-wait-seconds} (and {@code --max-total-wait-seconds} over the whole benchmark).
     *
     * @return the 1-minute load average when it stopped waiting
     */
    private double waitForQuietMachine(String tag) throws InterruptedException {
        long waited = 0;
        double load = load1();
        while (load > o.maxLoad && waited < o.maxWaitSeconds && waitedSeconds < o.maxTotalWaitSeconds) {
            System.out.printf("%s 1-minute load %.2f > %.2f: waiting 30 s (%d s so far)%n", tag, load, o.maxLoad,
                    waited);
            Thread.sleep(30_000);
            waited += 30;
            waitedSeconds += 30;
            load = load1();
        }
        if (load > o.maxLoad) {
            System.out.printf("%s 1-minute load still %.2f after waiting %d s: measuring anyway%n", tag, load, waited);
        }
        return load;
    }

    static double load1() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    /** utime + stime of a process, all its threads, in clock ticks ({@code /proc/<pid>/stat} fields 14 and 15). */
    static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** A {@code /proc/<pid>/status} line in KiB ({@code VmRSS:}, {@code VmHWM:}); -1 if unreadable. */
    static long kib(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            // gone
        }
        return -1;
    }

    /** Resets {@code VmHWM} to the current RSS ({@code echo 5 > /proc/<pid>/clear_refs}). */
    static boolean resetPeakRss(long pid) {
        try {
            Files.writeString(Path.of("/proc", Long.toString(pid), "clear_refs"), "5");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static long machineCpus() {
        try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("processor")).count();
        } catch (IOException e) {
            return -1;
        }
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return Long.parseLong(out);
        } catch (Exception e) {
            return 100;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    // ---------------------------------------------------------------- the table

    private void printTable() {
        System.out.printf("%nmedians of %d runs; open loop at %d/s, peak rate %d/s, closed loop %d connections, %d s "
                        + "each; burst %d alerts over %d connections, key-pool bursts %d alerts at once, stub delay %d ms%n",
                o.repeats, o.rate, o.peakRate, o.connections, o.seconds, o.burst, o.burstConnections, o.poolBurst,
                o.burstDelayMs);
        String[] header = {"figure", "target", Peer.A.title, Peer.R.title, Peer.B.title, Peer.C.title, "A/C", "R/C",
                "B/C", "A meets", "R meets", "B meets", "max 1-min load A/R/B/C"};
        List<String[]> rows = new ArrayList<>();
        for (Fig fig : Fig.values()) {
            Double a = median(Peer.A, fig);
            Double rd = median(Peer.R, fig);
            Double b = median(Peer.B, fig);
            Double c = median(Peer.C, fig);
            rows.add(new String[] {fig.label, fig.target, cell(fig, a, Peer.A), cell(fig, rd, Peer.R),
                    cell(fig, b, Peer.B), cell(fig, c, Peer.C), ratio(a, c), ratio(rd, c), ratio(b, c),
                    meets(fig, a, c), meets(fig, rd, c), meets(fig, b, c),
                    load(Peer.A, fig) + "/" + load(Peer.R, fig) + "/" + load(Peer.B, fig) + "/" + load(Peer.C, fig)});
        }
        int[] width = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            width[i] = header[i].length();
            for (String[] row : rows) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        printRow(header, width);
        String[] rule = new String[header.length];
        for (int i = 0; i < header.length; i++) {
            rule[i] = "-".repeat(width[i]);
        }
        printRow(rule, width);
        rows.forEach(row -> printRow(row, width));
        for (Peer peer : Peer.values()) {
            Results r = results.get(peer);
            if (r != null && r.skipped != null) {
                System.out.println(peer.name() + " " + r.skipped);
            }
        }
    }

    private static void printRow(String[] row, int[] width) {
        StringBuilder line = new StringBuilder("|");
        for (int i = 0; i < row.length; i++) {
            String pad = " ".repeat(width[i] - row[i].length());
            line.append(' ').append(i == 0 || i == 1 ? row[i] + pad : pad + row[i]).append(" |");
        }
        System.out.println(line);
    }

    private Double median(Peer peer, Fig fig) {
        Results r = results.get(peer);
        return r == null || r.skipped != null ? null : r.median(fig);
    }

    private String cell(Fig fig, Double value, Peer peer) {
        Results r = results.get(peer);
        if (r == null) {
            return "not run";
        }
        if (r.skipped != null) {
            return "skipped";
        }
        if (value == null) {
            return "n/a";
        }
        if (value.isInfinite()) {
            return "< 99 % placed";
        }
        return String.format(Locale.ROOT, fig.format, value);
    }

    private static String ratio(Double x, Double y) {
        if (x == null || y == null || x.isInfinite() || y.isInfinite() || y == 0) {
            return "";
        }
        return String.format(Locale.ROOT, "%.2f", x / y);
    }

    /** Whether {@code x}, a figure of this service, meets the target of issue 17 (C: the Python peer's figure). */
    private static String meets(Fig fig, Double x, Double c) {
        if (x == null || x.isInfinite()) {
            return "";
        }
        Boolean met = switch (fig) {
            case CLOSED -> c == null ? null : x >= 3 * c;
            case P50 -> x <= 3;
            case P99 -> c == null ? null : x <= c;
            case CPU -> x <= 2 && (c == null || x < c);
            case COLD_AFTER, RECOVER_AFTER -> x >= 99;
            case POOL_P99 -> x <= 6000;
            default -> null;
        };
        return met == null ? "" : met ? "met" : "MISSED";
    }

    private String load(Peer peer, Fig fig) {
        Results r = results.get(peer);
        Double l = r == null || r.skipped != null ? null : r.maxLoad(fig);
        return l == null ? "-" : String.format(Locale.ROOT, "%.2f", l);
    }

    // ---------------------------------------------------------------- options

    static final class Options {
        List<Peer> peers = List.of(Peer.A, Peer.R, Peer.B, Peer.C);
        int repeats = 3;
        int seconds = 10;
        int warmup = 30;
        int rate = 100;
        int peakRate = 300;
        int connections = 16;
        int burst = 1000;
        int burstConnections = 100;
        long burstDelayMs = 200;
        int poolBurst = 100;
        int burstWaitSeconds = 60;
        int pairs = 256;
        double maxLoad = 1.0;
        long maxWaitSeconds = 600;
        long maxTotalWaitSeconds = 600;
        String serviceCpu;
        /** JVM options for peers A and B, e.g. a flight recording: {@code --service-jvm "-XX:StartFlightRecording=..."}. */
        List<String> serviceJvm = List.of();
        String python;
        String pythonProblem = "--python not given";

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String name = args[i];
                if (i + 1 >= args.length) {
                    usage("missing value for " + name);
                }
                String v = args[++i];
                switch (name) {
                    case "--peers" -> o.peers = Arrays.stream(v.split(",")).map(String::trim)
                            .map(s -> Peer.valueOf(s.toUpperCase(Locale.ROOT))).toList();
                    case "--repeats" -> o.repeats = Integer.parseInt(v);
                    case "--seconds" -> o.seconds = Integer.parseInt(v);
                    case "--warmup" -> o.warmup = Integer.parseInt(v);
                    case "--rate" -> o.rate = Integer.parseInt(v);
                    case "--peak-rate" -> o.peakRate = Integer.parseInt(v);
                    case "--connections" -> o.connections = Integer.parseInt(v);
                    case "--burst" -> o.burst = Integer.parseInt(v);
                    case "--burst-connections" -> o.burstConnections = Integer.parseInt(v);
                    case "--burst-delay-ms" -> o.burstDelayMs = Long.parseLong(v);
                    case "--pool-burst" -> o.poolBurst = Integer.parseInt(v);
                    case "--burst-wait-seconds" -> o.burstWaitSeconds = Integer.parseInt(v);
                    case "--pairs" -> o.pairs = Integer.parseInt(v);
                    case "--max-load" -> o.maxLoad = Double.parseDouble(v);
                    case "--max-wait-seconds" -> o.maxWaitSeconds = Long.parseLong(v);
                    case "--max-total-wait-seconds" -> o.maxTotalWaitSeconds = Long.parseLong(v);
                    case "--service-cpu" -> o.serviceCpu = v.equals("none") ? null : v;
                    case "--service-jvm" -> o.serviceJvm = Arrays.stream(v.trim().split("\\s+"))
                            .filter(a -> !a.isEmpty()).toList();
                    case "--python" -> o.python = v.equals("none") ? null : v;
                    case "--python-problem" -> o.pythonProblem = v;
                    default -> usage("unknown option " + name);
                }
            }
            return o;
        }

        private static void usage(String problem) {
            System.err.println(problem + "\noptions: --peers A,B,C --repeats 3 --seconds 10 --warmup 30 --rate 100"
                    + " --peak-rate 300 --connections 16 --burst 1000 --burst-connections 100 --burst-delay-ms 200"
                    + " --pool-burst 100 --burst-wait-seconds 60 --pairs 256 --max-load 1.0 --max-wait-seconds 600"
                    + " --max-total-wait-seconds 600 --service-cpu N|none --service-jvm \"JVM OPTIONS\""
                    + " --python PATH|none");
            System.exit(2);
        }

        @Override
        public String toString() {
            return "peers " + peers + ", " + repeats + " runs, service "
                    + (serviceCpu == null ? "not pinned" : "pinned to CPU " + serviceCpu + " (taskset)");
        }
    }
}
