package io.tvkraken.bench;

import io.tvkraken.RunningApp;
import io.tvkraken.TestSecrets;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Open-loop latency of signed market alerts through the whole pipeline in paper mode: HTTP, HMAC, parsing, planning
 * (Ticker), the serialised signed AddOrder to the paper exchange over loopback, and the answer. Requests leave at a
 * fixed rate whatever the answers do, and latency is measured from each request's intended send time, so a stall
 * shows in the tail instead of slowing the generator (coordinated omission; docs/reliability.md#load-testing).
 *
 * <pre>
 *   mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.includeScope=test \
 *       -Dmdep.outputFile=target/test-classpath.txt
 *   java -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) \
 *       io.tvkraken.bench.WebhookBenchmark [rate-per-second] [seconds] [breaker-open]
 * </pre>
 * With {@code breaker-open}, a third run measures the answers while Kraken's trading breaker is open: every alert is
 * journaled and dead-lettered at once, nothing is sent.
 * The generator shares the machine (and, on 2 cores, the cores) with the service: compare runs on one machine only.
 */
public final class WebhookBenchmark {

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Path data = Files.createTempDirectory("tvk-bench");
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("webhook.secret", TestSecrets.WEBHOOK_SECRET);
        p.put("paper.balances", "ZUSD=1000000000,XXBT=1000000");
        // 100 AddOrders a second on one pair is past every Kraken tier (Pro: 180, decaying 3.75 a second,
        // https://docs.kraken.com/api/docs/guides/spot-ratelimits): the benchmark measures this service, so the paper
        // exchange's rate limits are off here. Everywhere else paper mode keeps the Starter limits.
        p.put("paper.rate-limit-tier", "off");
        long bootStart = System.nanoTime();
        try (RunningApp app = RunningApp.start(p)) {
            System.out.printf("in-process start (Camel + paper exchange): %d ms%n",
                    (System.nanoTime() - bootStart) / 1_000_000);
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            run(app, http, rate, Math.max(5, seconds / 4), "warm-up");
            Histogram result = run(app, http, rate, seconds, "measured");
            if (args.length > 2 && args[2].equals("breaker-open")) {
                app.bean("krakenTradingBreaker", io.github.resilience4j.circuitbreaker.CircuitBreaker.class)
                        .transitionToForcedOpenState();
                run(app, http, rate, seconds, "breaker-open");
            }
            Runtime rt = Runtime.getRuntime();
            long heapMb = (rt.totalMemory() - rt.freeMemory()) / (1024 * 1024);
            System.out.printf("heap in use after the run: %d MiB (max %d MiB); JVM uptime %d s%n", heapMb,
                    rt.maxMemory() / (1024 * 1024), ManagementFactory.getRuntimeMXBean().getUptime() / 1000);
            System.out.printf("RSS (VmRSS): %s%n", rss());
            if (result.getTotalCount() == 0) {
                System.exit(1);
            }
        }
    }

    static Histogram run(RunningApp app, HttpClient http, int rate, int seconds, String label) throws Exception {
        Histogram latency = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(60), 3);
        AtomicInteger ok = new AtomicInteger();
        Map<Integer, AtomicInteger> other = new ConcurrentHashMap<>();
        AtomicInteger failed = new AtomicInteger();
        int total = rate * seconds;
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) / rate;
        CompletableFuture<?>[] inFlight = new CompletableFuture<?>[total];
        long start = System.nanoTime();
        for (int i = 0; i < total; i++) {
            long intended = start + i * intervalNanos;
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            String body = "{\"ticker\":\"BTCUSD\",\"action\":\"" + (i % 2 == 0 ? "buy" : "sell")
                    + "\",\"volume\":\"0.001\",\"id\":\"bench-" + label + "-" + i + "\"}";
            HttpRequest request = HttpRequest.newBuilder(app.uri("/webhook/tradingview"))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .header("X-Signature", TestSecrets.sign(body))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            inFlight[i] = http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).handle((response, error) -> {
                latency.recordValue(Math.max(1, (System.nanoTime() - intended) / 1000));
                if (error != null) {
                    failed.incrementAndGet();
                } else if (response.statusCode() == 200) {
                    ok.incrementAndGet();
                } else {
                    other.computeIfAbsent(response.statusCode(), k -> new AtomicInteger()).incrementAndGet();
                }
                return null;
            });
        }
        CompletableFuture.allOf(inFlight).get(120, TimeUnit.SECONDS);
        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.printf("%s: requested %d/s for %d s; achieved %.1f/s; 200: %d, other: %s, errors: %d%n", label,
                rate, seconds, total / elapsed, ok.get(), other, failed.get());
        System.out.printf("%s latency from intended send (ms): p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n",
                label, latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(90) / 1000.0,
                latency.getValueAtPercentile(99) / 1000.0, latency.getValueAtPercentile(99.9) / 1000.0,
                latency.getMaxValue() / 1000.0);
        return latency;
    }

    static String rss() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS"))
                    .findFirst().map(l -> l.replaceAll("\\s+", " ").substring(7)).orElse("n/a");
        } catch (Exception e) {
            return "n/a";
        }
    }
}
