package io.tvkraken.bench;

import io.tvkraken.AppProcess;
import io.tvkraken.RunningApp;
import io.tvkraken.TestSecrets;
import io.tvkraken.paper.PaperExchange;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Open-loop latency and memory of signed market alerts through the whole pipeline in paper mode: HTTP, HMAC, parsing,
 * planning (Ticker), the serialised signed AddOrder to the paper exchange over loopback, and the answer. Requests
 * leave at a fixed rate whatever the answers do, and latency is measured from each request's intended send time, so
 * a stall shows in the tail instead of slowing the generator (coordinated omission).
 *
 * <p>Usage, from the repository root (the first command compiles and writes the class paths, the service's included):
 * <pre>
 *   mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.includeScope=test \
 *       -Dmdep.outputFile=target/test-classpath.txt
 *   java -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) \
 *       io.tvkraken.bench.WebhookBenchmark 200 120
 * </pre>
 * Arguments: {@code [rate-per-second, default 100] [seconds, default 20] [in-process] [breaker-open]}.
 *
 * <p>By default the service runs as a process of its own, started exactly as an operator starts it (its runtime class
 * path, configuration through environment variables, {@code KRAKEN_MODE=paper}), so that its resident memory
 * ({@code VmRSS} of its pid) is the service's alone. After a warm-up it is measured minute by minute: sent and
 * answered alerts per second, AddOrders the service sent per second (from its {@code /metrics}), latency percentiles,
 * and the service's RSS at 0 s and at the end of every minute. The heap in use after a full GC ({@code jcmd GC.run},
 * then {@code GC.heap_info}) is read before the first alert and once the last one is answered and worked off, both
 * with the service idle: forced under load, on 2 cores, that GC and {@code jcmd} itself showed in the next minute's
 * tail latency and 202 answers. Flat figures from one minute to the next are what a long paper-trading
 * run needs. Before the measurement, a warm-up at the same rate, then a wait until the service has worked off what it
 * took in.
 *
 * <p>{@code in-process} boots the service inside the benchmark's JVM instead; memory figures are then those of that
 * JVM, load generator included, and say so. {@code breaker-open} (in-process only: it reaches the breaker bean) adds a
 * run with Kraken's trading breaker forced open: every alert is journaled and dead-lettered at once, nothing is sent.
 *
 * <p>The paper exchange's rate limits are off here: 200 AddOrders a second on one pair is past every Kraken tier
 * (Pro: 180, decaying 3.75 a second, https://docs.kraken.com/api/docs/guides/spot-ratelimits), and the benchmark
 * measures this service. The generator shares the machine (and, on 2 cores, the cores) with the service: compare runs
 * on one machine only.
 */
public final class WebhookBenchmark {

    private static final int WINDOW_SECONDS = 60;
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    /** The service under load, and where its memory is read. */
    private interface Service extends AutoCloseable {
        URI uri(String path);

        /** Whose memory {@link #rssKiB()} and {@link #heapAfterGc()} read. */
        String memoryOf();

        OptionalLong rssKiB();

        /** Forces a full GC and reads the heap in use after it, e.g. {@code 59.0 MiB (GC 80 ms)}. */
        String heapAfterGc();
    }

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        List<String> flags = args.length > 2 ? List.of(args).subList(2, args.length) : List.of();
        boolean inProcess = flags.contains("in-process");
        boolean breakerOpen = flags.contains("breaker-open");
        if (breakerOpen && !inProcess) {
            System.err.println("breaker-open needs in-process: the breaker is a bean of the service");
            System.exit(2);
        }
        Path data = Files.createTempDirectory("tvk-bench");
        long bootStart = System.nanoTime();
        try (Service service = inProcess ? InProcess.start(data) : OwnProcess.start(data)) {
            System.out.printf("start (%s): %d ms; memory figures are those of %s%n",
                    inProcess ? "in-process" : "own process", (System.nanoTime() - bootStart) / 1_000_000,
                    service.memoryOf());
            System.out.printf("RSS once ready: %s%n", mib(service.rssKiB()));
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            int warmUp = Math.max(5, Math.min(30, seconds / 4));
            print("warm-up", rate, run(service, http, rate, warmUp, warmUp, "warm-up", false));
            System.out.printf("warm-up backlog drained after %d ms%n", drain(service, http));

            List<Window> measured = run(service, http, rate, seconds, Math.min(WINDOW_SECONDS, seconds), "measured",
                    true);
            print("measured", rate, measured);
            System.out.printf("journal files in %s after every alert of the run: %s%n", data.resolve("journal"),
                    mib(OptionalLong.of(journalKiB(data.resolve("journal")))));
            System.out.printf("JVM of the benchmark: uptime %d s%n",
                    ManagementFactory.getRuntimeMXBean().getUptime() / 1000);
            if (breakerOpen) {
                ((InProcess) service).app.bean("krakenTradingBreaker",
                        io.github.resilience4j.circuitbreaker.CircuitBreaker.class).transitionToForcedOpenState();
                print("breaker-open", rate, run(service, http, rate, seconds, seconds, "breaker-open", false));
            }
            if (measured.stream().mapToLong(w -> w.latency.getTotalCount()).sum() == 0) {
                System.exit(1);
            }
        }
    }

    /** The size of the journal's files (the embedded journal: its database, write-ahead log and lock), in KiB. */
    private static long journalKiB(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            long bytes = 0;
            for (Path file : (Iterable<Path>) files::iterator) {
                bytes += Files.isRegularFile(file) ? Files.size(file) : 0;
            }
            return bytes / 1024;
        }
    }

    /** One window of a run: the requests meant to leave in it, and the answers that came back during it. */
    private static final class Window {
        final int index;
        final long seconds;
        final Histogram latency = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(60), 3);
        final AtomicInteger sent = new AtomicInteger();
        final AtomicInteger answered = new AtomicInteger();
        final AtomicInteger pending = new AtomicInteger();
        final Map<Integer, AtomicInteger> other = new ConcurrentHashMap<>();
        final AtomicInteger failed = new AtomicInteger();
        volatile double sendSeconds;
        volatile String rssAtEnd = "n/a";
        volatile CompletableFuture<OptionalLong> addOrdersAtEnd =
                CompletableFuture.completedFuture(OptionalLong.empty());
        String rssAtStart = "n/a";
        String heapAtStart = "n/a";
        String heapAtEnd = "n/a";
        CompletableFuture<OptionalLong> addOrdersAtStart = CompletableFuture.completedFuture(OptionalLong.empty());

        Window(int index, long seconds) {
            this.index = index;
            this.seconds = seconds;
        }
    }

    /**
     * Sends {@code rate} alerts a second for {@code seconds}, in windows of {@code windowSeconds}. A request's latency
     * and status count in the window it was meant to leave in; its answer, 200 {@code executed} or 202
     * {@code pending} (the order still runs, and is journaled), counts towards {@code answered/s} in the window it
     * arrived in (the last one for answers after the end). The service's RSS is read as the generator crosses each
     * window's start and end.
     */
    static List<Window> run(Service service, HttpClient http, int rate, int seconds, int windowSeconds, String label,
            boolean heapAfterGc) throws Exception {
        int total = rate * seconds;
        int perWindow = rate * windowSeconds;
        List<Window> windows = new ArrayList<>();
        for (int w = 0; w * perWindow < total; w++) {
            windows.add(new Window(w, Math.min(windowSeconds, seconds - (long) w * windowSeconds)));
        }
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) / rate;
        long windowNanos = TimeUnit.SECONDS.toNanos(windowSeconds);
        CompletableFuture<?>[] inFlight = new CompletableFuture<?>[total];
        long start = System.nanoTime();
        long windowStarted = start;
        if (heapAfterGc) {
            windows.get(0).heapAtStart = service.heapAfterGc();
        }
        windows.get(0).rssAtStart = mib(service.rssKiB());
        windows.get(0).addOrdersAtStart = addOrdersSent(service, http);
        for (int i = 0; i < total; i++) {
            long intended = start + i * intervalNanos;
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            Window window = windows.get(i / perWindow);
            if (i > 0 && i % perWindow == 0) {
                Window previous = windows.get(window.index - 1);
                long now = System.nanoTime();
                previous.sendSeconds = (now - windowStarted) / 1e9;
                previous.rssAtEnd = mib(service.rssKiB());
                previous.addOrdersAtEnd = addOrdersSent(service, http);
                windowStarted = now;
            }
            String body = "{\"ticker\":\"BTCUSD\",\"action\":\"" + (i % 2 == 0 ? "buy" : "sell")
                    + "\",\"volume\":\"0.001\",\"id\":\"bench-" + label + "-" + i + "\"}";
            HttpRequest request = HttpRequest.newBuilder(service.uri("/webhook/tradingview"))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .header("X-Signature", TestSecrets.sign(body))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            window.sent.incrementAndGet();
            inFlight[i] = http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).handle((response, error) -> {
                long done = System.nanoTime();
                window.latency.recordValue(Math.max(1, (done - intended) / 1000));
                Window arrived = windows.get((int) Math.min(windows.size() - 1, (done - start) / windowNanos));
                if (error != null) {
                    window.failed.incrementAndGet();
                    return null;
                }
                int status = response.statusCode();
                if (status == 200 || status == 202) {
                    arrived.answered.incrementAndGet();
                }
                if (status == 202) {
                    window.pending.incrementAndGet();
                } else if (status != 200) {
                    window.other.computeIfAbsent(status, k -> new AtomicInteger()).incrementAndGet();
                }
                return null;
            });
        }
        Window last = windows.get(windows.size() - 1);
        last.sendSeconds = (System.nanoTime() - windowStarted) / 1e9;
        last.rssAtEnd = mib(service.rssKiB());
        last.addOrdersAtEnd = addOrdersSent(service, http);
        CompletableFuture.allOf(inFlight).get(120, TimeUnit.SECONDS);
        if (heapAfterGc) {
            drain(service, http);
            last.heapAtEnd = service.heapAfterGc();
        }
        return windows;
    }

    static void print(String label, int rate, List<Window> windows) {
        System.out.printf("%s, requested %d/s:%n", label, rate);
        System.out.printf("  %-11s %8s %11s %11s %7s %7s %6s %8s %8s %8s %8s  %s%n", "window", "sent/s",
                "answered/s", "AddOrder/s", "202", "other", "errors", "p50 ms", "p90 ms", "p99 ms", "max ms",
                "RSS at end");
        long offset = 0;
        OptionalLong addOrdersBefore = windows.get(0).addOrdersAtStart.join();
        for (Window w : windows) {
            OptionalLong addOrders = w.addOrdersAtEnd.join();
            String addOrdersPerSecond = addOrders.isPresent() && addOrdersBefore.isPresent()
                    ? String.format("%.1f", (addOrders.getAsLong() - addOrdersBefore.getAsLong()) / w.sendSeconds)
                    : "n/a";
            addOrdersBefore = addOrders;
            System.out.printf("  %-11s %8.1f %11.1f %11s %7d %7s %6d %8.2f %8.2f %8.2f %8.2f  %s%n",
                    offset + "-" + (offset + w.seconds) + " s", w.sent.get() / w.sendSeconds,
                    w.answered.get() / (double) w.seconds, addOrdersPerSecond, w.pending.get(),
                    w.other.isEmpty() ? "0" : w.other.toString(), w.failed.get(), ms(w.latency, 50),
                    ms(w.latency, 90), ms(w.latency, 99), w.latency.getMaxValue() / 1000.0, w.rssAtEnd);
            offset += w.seconds;
        }
        Window last = windows.get(windows.size() - 1);
        System.out.printf("  RSS at 0 s: %s%n", windows.get(0).rssAtStart);
        if (!last.heapAtEnd.equals("n/a") || !windows.get(0).heapAtStart.equals("n/a")) {
            System.out.printf("  heap in use after a full GC: before the first alert %s, after the last %s%n",
                    windows.get(0).heapAtStart, last.heapAtEnd);
        }
    }

    private static double ms(Histogram latency, double percentile) {
        return latency.getValueAtPercentile(percentile) / 1000.0;
    }

    private static String mib(OptionalLong kib) {
        return kib.isPresent() ? String.format("%.1f MiB", kib.getAsLong() / 1024.0) : "n/a";
    }

    /**
     * AddOrders the service has sent to the paper exchange so far, from its {@code /metrics}
     * ({@code kraken_api_calls} for AddOrder): the orders it keeps up with, while 202 answers say only that alerts
     * were taken in. Asynchronous, so that the generator does not wait for it.
     */
    static CompletableFuture<OptionalLong> addOrdersSent(Service service, HttpClient http) {
        HttpRequest request = HttpRequest.newBuilder(service.uri("/metrics")).timeout(Duration.ofSeconds(10)).GET()
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            double sum = 0;
            boolean found = false;
            for (String line : response.body().split("\n")) {
                if (line.startsWith("kraken_api_calls_total{") && line.contains("endpoint=\"AddOrder\"")) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    found = true;
                }
            }
            return found ? OptionalLong.of((long) sum) : OptionalLong.of(0);
        }).exceptionally(e -> OptionalLong.empty());
    }

    /**
     * Waits until the service has sent no AddOrder for a second: alerts it took in (202 pending) and still had queued
     * are placed, or given up as too late, before the measurement starts. At most two minutes.
     *
     * @return how long it took, in milliseconds
     */
    static long drain(Service service, HttpClient http) throws InterruptedException {
        long started = System.nanoTime();
        long until = started + TimeUnit.MINUTES.toNanos(2);
        OptionalLong last = addOrdersSent(service, http).join();
        while (System.nanoTime() < until) {
            Thread.sleep(1000);
            OptionalLong now = addOrdersSent(service, http).join();
            if (now.isEmpty() || now.equals(last)) {
                break;
            }
            last = now;
        }
        return (System.nanoTime() - started) / 1_000_000;
    }

    /** {@code VmRSS} of a process, in KiB, from {@code /proc/<pid>/status}. */
    static OptionalLong rssKiB(String pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")));
                }
            }
        } catch (Exception e) {
            // not Linux, or the process is gone
        }
        return OptionalLong.empty();
    }

    /** The service started as an operator starts it; its memory is its own. */
    private static final class OwnProcess implements Service {
        private final AppProcess process;

        private OwnProcess(AppProcess process) {
            this.process = process;
        }

        static OwnProcess start(Path data) throws Exception {
            Map<String, String> env = new HashMap<>();
            env.put("KRAKEN_MODE", "paper");
            env.put("WEBHOOK_SECRET", TestSecrets.WEBHOOK_SECRET);
            env.put("PAPER_BALANCES", "ZUSD=1000000000,XXBT=1000000");
            env.put("PAPER_RATE_LIMIT_TIER", "off");
            // one load generator on one address: the per-address webhook limit off (docs/operations.md#rate-limits)
            env.put("WEBHOOK_RATE_LIMIT", "0");
            // The service's JVM options, as an operator would give them: a bounded heap (the JVM's default is a quarter
            // of the machine's memory, which a long run fills lazily, and RSS with it); -Dbench.service-jvm to change
            String jvm = System.getProperty("bench.service-jvm", "-XX:+UseSerialGC -Xmx256m");
            if (!jvm.isBlank()) {
                env.put("JAVA_TOOL_OPTIONS", jvm);
                System.out.printf("service JVM options: %s%n", jvm);
            }
            Path log = AppProcess.logFile("webhook-benchmark");
            System.out.printf("service output: %s%n", log);
            AppProcess process = AppProcess.start(data, env, log);
            try {
                return new OwnProcess(process.waitUntilReady());
            } catch (AssertionError | RuntimeException e) {
                process.close();
                throw e;
            }
        }

        @Override
        public URI uri(String path) {
            return process.uri(path);
        }

        @Override
        public String memoryOf() {
            return "the service's own process (pid " + process.pid() + ")";
        }

        @Override
        public OptionalLong rssKiB() {
            return WebhookBenchmark.rssKiB(Long.toString(process.pid()));
        }

        /** {@code jcmd GC.run}, then the {@code used} figures of {@code GC.heap_info}'s heap lines, added up. */
        @Override
        public String heapAfterGc() {
            return mib(heapAfterGcKiB());
        }

        private OptionalLong heapAfterGcKiB() {
            try {
                String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
                String pid = Long.toString(process.pid());
                if (!new ProcessBuilder(jcmd, pid, "GC.run").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(60, TimeUnit.SECONDS)) {
                    return OptionalLong.empty();
                }
                Process info = new ProcessBuilder(jcmd, pid, "GC.heap_info").redirectErrorStream(true).start();
                String text = new String(info.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                info.waitFor(60, TimeUnit.SECONDS);
                long used = 0;
                boolean found = false;
                for (String line : text.split("\n")) {
                    if (line.contains("Metaspace") || line.contains("class space")) {
                        break; // not heap
                    }
                    Matcher m = HEAP_USED.matcher(line);
                    if (m.find()) {
                        used += Long.parseLong(m.group(1));
                        found = true;
                    }
                }
                return found ? OptionalLong.of(used) : OptionalLong.empty();
            } catch (Exception e) {
                return OptionalLong.empty();
            }
        }

        @Override
        public void close() throws Exception {
            process.close();
        }
    }

    /** The service inside this JVM, next to the load generator: memory figures include the generator. */
    private static final class InProcess implements Service {
        private final RunningApp app;

        private InProcess(RunningApp app) {
            this.app = app;
        }

        static InProcess start(Path data) {
            Map<String, String> p = RunningApp.paperDefaults(data);
            p.put("webhook.secret", TestSecrets.WEBHOOK_SECRET);
            p.put("paper.balances", "ZUSD=1000000000,XXBT=1000000");
            p.put("paper.rate-limit-tier", "off");
            // Untapped, as in production: a test's tap would keep every request for the run.
            return new InProcess(RunningApp.start(p, PaperExchange.Wrapper.NONE));
        }

        @Override
        public URI uri(String path) {
            return app.uri(path);
        }

        @Override
        public String memoryOf() {
            return "the benchmark's JVM, service and load generator together";
        }

        @Override
        public OptionalLong rssKiB() {
            return WebhookBenchmark.rssKiB("self");
        }

        @Override
        public String heapAfterGc() {
            System.gc();
            return mib(OptionalLong.of(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1024));
        }

        @Override
        public void close() {
            app.close();
        }
    }
}
