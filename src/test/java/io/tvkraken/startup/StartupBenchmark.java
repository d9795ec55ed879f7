package io.tvkraken.startup;

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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Time to ready and resident memory of the packaged application, started the way the Docker image starts it
 * ({@code java [JVM options] -jar target/tradingview-kraken-webhook.jar}, paper mode, a fresh {@code DATA_DIR} each
 * run), optionally on one core ({@code taskset}). Ready is what {@code AppProcess.waitUntilReady} waits for:
 * {@code GET /health} 200 with {@code checks.exchange.status} "up". It is a measuring tool, not a test: it asserts
 * nothing (docs/operations.md#start-up-time-and-memory).
 *
 * <pre>
 *   mvn -B -q -o -DskipTests package
 *   java src/test/java/io/tvkraken/startup/StartupBenchmark.java [--runs 7] [--cpus 0] [--idle-seconds 10] \
 *       [--load 300 30 [--warm-up 60]] [--burst 1000] [--jar target/tradingview-kraken-webhook.jar] \
 *       [--max-load 0.7] [-- JVM options...]
 * </pre>
 *
 * JDK classes only, so that it runs from its source file without a class path. A JVM option {@code @file} is a java
 * argument file (e.g. {@code @jvm.options}, the image's options). Before each run it waits while the 1-minute load
 * average is above {@code --max-load} (other processes on the machine skew start-up times), and it prints the load
 * with every figure. With {@code --load RATE SECONDS}, the last run then receives RATE alerts a second for SECONDS
 * seconds (the paper exchange's rate limits off, as in the webhook benchmark) and the highest RSS is printed; with
 * {@code --warm-up W}, after W seconds at the same rate first, for figures of a warmed-up JVM. With {@code --burst N},
 * the last run then receives N alerts at once, each on a connection of its own, after the load if there is one.
 */
public final class StartupBenchmark {

    private static final Pattern VM_RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");
    /** {@code checks.exchange.status} "up" in the body of {@code /health} (a check is a flat object). */
    private static final Pattern EXCHANGE_UP =
            Pattern.compile("\"exchange\"\\s*:\\s*\\{[^}]*\"status\"\\s*:\\s*\"up\"");
    private static final Pattern VM_HWM = Pattern.compile("VmHWM:\\s+(\\d+) kB");
    /** Variables that would configure the application behind the benchmark's back. */
    private static final List<String> FOREIGN = List.of("KRAKEN_", "WEBHOOK_", "LOG_", "DB_", "ORDERS_", "PAPER_",
            "CAMEL_", "GCP_", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS", "PORT", "ADMIN_TOKEN",
            "ALLOWED_IPS", "DATA_DIR", "TRADING_ENABLED", "MAX_ALERT_AGE_SECONDS");

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private int runs = 7;
    private String cpus;
    private int idleSeconds = 10;
    private int loadRate;
    private int loadSeconds;
    private int warmUpSeconds;
    private int burst;
    private String jar = "target/tradingview-kraken-webhook.jar";
    private double maxLoad = 0.7;
    private final List<String> jvmOptions = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        StartupBenchmark bench = new StartupBenchmark();
        bench.parse(args);
        bench.run();
    }

    private void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--cpus" -> cpus = args[++i];
                case "--idle-seconds" -> idleSeconds = Integer.parseInt(args[++i]);
                case "--load" -> {
                    loadRate = Integer.parseInt(args[++i]);
                    loadSeconds = Integer.parseInt(args[++i]);
                }
                case "--warm-up" -> warmUpSeconds = Integer.parseInt(args[++i]);
                case "--burst" -> burst = Integer.parseInt(args[++i]);
                case "--jar" -> jar = args[++i];
                case "--max-load" -> maxLoad = Double.parseDouble(args[++i]);
                case "--" -> {
                    jvmOptions.addAll(Arrays.asList(args).subList(i + 1, args.length));
                    i = args.length;
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (JVM options go after --)");
            }
        }
    }

    private void run() throws Exception {
        System.out.printf("java %s -jar %s%s, %d run(s)%n", String.join(" ", jvmOptions), jar,
                cpus == null ? "" : " under taskset -c " + cpus, runs);
        List<Long> readyMillis = new ArrayList<>();
        List<Long> idleRssKib = new ArrayList<>();
        List<Long> cpuMillis = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            String load = waitForQuiet();
            Path data = Files.createTempDirectory("tvk-start");
            Path log = data.resolve("app.log");
            int port = freePort();
            boolean loadRun = (loadRate > 0 || burst > 0) && run == runs;
            long started = System.nanoTime();
            Process app = start(port, data, log, loadRun);
            try {
                long ready = waitUntilReady(app, port, log);
                long readyMs = TimeUnit.NANOSECONDS.toMillis(ready - started);
                long cpuMs = cpuMillis(app.pid());
                Thread.sleep(TimeUnit.SECONDS.toMillis(idleSeconds));
                long rss = status(app.pid(), VM_RSS);
                readyMillis.add(readyMs);
                idleRssKib.add(rss);
                cpuMillis.add(cpuMs);
                System.out.printf("run %d: ready after %d ms (%d ms of CPU), RSS %d MiB after %d s idle (load before"
                        + " the run: %s)%n", run, readyMs, cpuMs, rss / 1024, idleSeconds, load);
                if (loadRun && loadRate > 0) {
                    long interval = TimeUnit.SECONDS.toNanos(1) / loadRate;
                    if (warmUpSeconds > 0) {
                        underLoad(app, port, "warm-up", loadRate * warmUpSeconds, interval);
                    }
                    underLoad(app, port, "under load", loadRate * loadSeconds, interval);
                }
                if (loadRun && burst > 0) {
                    underLoad(app, port, "burst", burst, 0);
                }
            } finally {
                stop(app);
                deleteRecursively(data);
            }
        }
        System.out.printf(Locale.ROOT, "median of %d: ready after %d ms (min %d, max %d), %d ms of CPU, idle RSS %d"
                        + " MiB; load now %s%n", runs, median(readyMillis), min(readyMillis), max(readyMillis),
                median(cpuMillis), median(idleRssKib) / 1024, loadAverage());
    }

    /** Waits (30 s at a time) while the 1-minute load average is above the limit; returns the load averages. */
    private String waitForQuiet() throws IOException, InterruptedException {
        String load = loadAverage();
        while (Double.parseDouble(load.split(" ")[0]) > maxLoad) {
            System.out.printf("load average %s is above %.2f: waiting 30 s%n", load, maxLoad);
            Thread.sleep(30_000);
            load = loadAverage();
        }
        return load;
    }

    private static String loadAverage() throws IOException {
        String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
        return fields[0] + " " + fields[1] + " " + fields[2];
    }

    private Process start(int port, Path data, Path log, boolean loadRun) throws IOException {
        List<String> command = new ArrayList<>();
        if (cpus != null) {
            // taskset replaces itself with java: the process started is the application's
            command.addAll(List.of("taskset", "-c", cpus));
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(k -> FOREIGN.stream().anyMatch(k::startsWith));
        builder.environment().put("KRAKEN_MODE", "paper");
        builder.environment().put("PORT", Integer.toString(port));
        builder.environment().put("DATA_DIR", data.toString());
        if (loadRun) {
            // RATE orders a second on one pair is beyond every Kraken tier: measure this service, not the limits
            builder.environment().put("PAPER_RATE_LIMIT_TIER", "off");
            // one load generator on one address: the per-address webhook limit off (docs/operations.md#rate-limits)
            builder.environment().put("WEBHOOK_RATE_LIMIT", "0");
            builder.environment().put("PAPER_BALANCES", "ZUSD=1000000000,XXBT=1000000");
        }
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        return builder.start();
    }

    /** Polls {@code /health} every 20 ms; returns System.nanoTime() of the first ready answer. */
    private long waitUntilReady(Process app, int port, Path log) throws Exception {
        URI health = URI.create("http://127.0.0.1:" + port + "/health");
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < until && app.isAlive()) {
            try {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(health)
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 200 && EXCHANGE_UP.matcher(answer.body()).find()) {
                    return System.nanoTime();
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("not ready within 60 s:\n" + Files.readString(log));
    }

    /**
     * {@code total} alerts, one every {@code interval} ns (0: all at once), open loop; prints the answers, the CPU used
     * and the highest RSS.
     */
    private void underLoad(Process app, int port, String label, int total, long interval) throws Exception {
        URI webhook = URI.create("http://127.0.0.1:" + port + "/webhook/tradingview");
        Map<Integer, AtomicLong> answers = new TreeMap<>();
        AtomicLong failed = new AtomicLong();
        AtomicLong maxRss = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    maxRss.accumulateAndGet(status(app.pid(), VM_RSS), Math::max);
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                } catch (IOException e) {
                    return;
                }
            }
        });
        sampler.start();
        String load = loadAverage();
        List<CompletableFuture<?>> inFlight = new ArrayList<>(total);
        long[] latencyMicros = new long[total];
        long cpuBefore = cpuMillis(app.pid());
        long start = System.nanoTime();
        for (int i = 0; i < total; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            int n = i;
            String body = "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.001\",\"id\":\"start-bench-"
                    + start + "-" + i + "\"}";
            inFlight.add(http.sendAsync(HttpRequest.newBuilder(webhook).timeout(Duration.ofSeconds(30))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                    HttpResponse.BodyHandlers.discarding()).handle((answer, error) -> {
                        // from the intended send time: a stall shows in the tail instead of slowing the sender
                        latencyMicros[n] = (System.nanoTime() - due) / 1000;
                        if (error != null) {
                            failed.incrementAndGet();
                        } else {
                            synchronized (answers) {
                                answers.computeIfAbsent(answer.statusCode(), k -> new AtomicLong())
                                        .incrementAndGet();
                            }
                        }
                        return null;
                    }));
        }
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        double took = (System.nanoTime() - start) / 1e9;
        long cpu = cpuMillis(app.pid()) - cpuBefore;
        Arrays.sort(latencyMicros);
        // what settles after the last answer (order workers, journal) still counts
        Thread.sleep(5_000);
        sampler.interrupt();
        sampler.join();
        if (!app.isAlive()) {
            // e.g. -XX:+ExitOnOutOfMemoryError: the heap was too small for this load
            throw new IllegalStateException(label + ": the application ended with exit status " + app.exitValue());
        }
        System.out.printf(Locale.ROOT, "%s: %d alerts in %.1f s, answers %s, %d failed; latency p50 %d ms,"
                        + " p99 %d ms, max %d ms; %.1f ms of CPU per alert; highest RSS %d MiB, VmHWM %d MiB, RSS 5 s"
                        + " after %d MiB (load before: %s, after: %s)%n", label, total, took, answers, failed.get(),
                latencyMicros[total / 2] / 1000, latencyMicros[total * 99 / 100] / 1000,
                latencyMicros[total - 1] / 1000, (double) cpu / total, maxRss.get() / 1024,
                status(app.pid(), VM_HWM) / 1024, status(app.pid(), VM_RSS) / 1024, load, loadAverage());
    }

    /**
     * CPU time the process used so far, user and system, all threads (/proc/PID/stat fields 14 and 15, in clock ticks
     * of 10 ms): what start-up costs on one core, less sensitive than wall time to what else runs on the machine.
     */
    private static long cpuMillis(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10;
    }

    private static long status(long pid, Pattern field) throws IOException {
        Matcher m = field.matcher(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
        if (!m.find()) {
            throw new IllegalStateException("no " + field + " in /proc/" + pid + "/status");
        }
        return Long.parseLong(m.group(1));
    }

    /** SIGTERM, as an orchestrator stops it; SIGKILL if it does not end within 30 s. */
    private static void stop(Process app) throws InterruptedException {
        app.destroy();
        if (!app.waitFor(30, TimeUnit.SECONDS)) {
            app.destroyForcibly().waitFor();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static long min(List<Long> values) {
        return values.stream().min(Long::compare).orElseThrow();
    }

    private static long max(List<Long> values) {
        return values.stream().max(Long::compare).orElseThrow();
    }
}
