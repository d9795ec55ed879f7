package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.paper.PaperConfig;
import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.PaperOrder;
import java.io.File;
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
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM in the middle of a burst of 40 alerts (issue 3): the service runs as its own process in live mode against a
 * paper exchange in this JVM, which outlives it. After a restart on the same journal, every alert that was
 * acknowledged (200/202) is in the journal in a final state, no order was placed twice, and every order the exchange
 * holds is one the journal knows as executed.
 */
class SigtermBurstTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Set<String> UNFINISHED = Set.of("received", "sending", "reconciling");

    @TempDir
    Path data;

    @Test
    void sigtermDuringABurstLosesNothingAndPlacesNothingTwice() throws Exception {
        Map<String, String> database = TestDatabase.fresh("sigterm");
        // Each AddOrder takes 150 ms at the exchange, one at a time: the burst is still in flight at SIGTERM.
        try (PaperExchange kraken = PaperExchange.start(PaperConfig.defaults()
                .withAddOrderLatency(Duration.ofMillis(150)))) {
            int port = ApplicationProcessTest.freePort();
            Map<String, String> env = new HashMap<>();
            env.put("PORT", Integer.toString(port));
            env.put("KRAKEN_MODE", "live");
            env.put("KRAKEN_API_URL", kraken.baseUrl().toString());
            env.put("KRAKEN_API_KEY", kraken.config().apiKey());
            env.put("KRAKEN_API_SECRET", kraken.config().apiSecret());
            env.put("WEBHOOK_PASSPHRASE", TestSecrets.PASSPHRASE);
            env.put("ADMIN_TOKEN", TestSecrets.ADMIN_TOKEN);
            env.put("MAX_ALERT_AGE_SECONDS", "20");
            database.forEach((key, value) -> env.put(key.replace('.', '_').toUpperCase(java.util.Locale.ROOT), value));
            Path output = data.resolve("app.log");
            Process app = start(env, output);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            waitUntilReady(http, port, app, output);

            ExecutorService pool = Executors.newFixedThreadPool(40);
            List<Future<HttpResponse<String>>> sent = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String body = "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.001\",\"id\":\"burst-" + i
                        + "\",\"passphrase\":\"" + TestSecrets.PASSPHRASE + "\"}";
                sent.add(pool.submit(() -> http.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + port + "/webhook/tradingview"))
                        .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString())));
            }
            long until = System.currentTimeMillis() + 10_000;
            while (kraken.requestCount("AddOrder") < 5 && System.currentTimeMillis() < until) {
                Thread.sleep(10);
            }
            app.destroy(); // SIGTERM
            assertThat(app.waitFor(60, TimeUnit.SECONDS)).as("the service stopped").isTrue();

            List<String> acknowledged = new ArrayList<>();
            for (int i = 0; i < sent.size(); i++) {
                try {
                    HttpResponse<String> response = sent.get(i).get();
                    assertThat(response.statusCode()).as(response.body()).isNotIn(500, 502, 503, 504);
                    if (response.statusCode() == 200 || response.statusCode() == 202) {
                        acknowledged.add("burst-" + i);
                    }
                } catch (java.util.concurrent.ExecutionException refusedOrCut) {
                    // not acknowledged: TradingView would count it as failed, nothing is promised for it
                }
            }
            pool.shutdownNow();
            assertThat(acknowledged).as("some alerts were acknowledged before SIGTERM").isNotEmpty();

            Map<String, String> restart = RunningApp.paperDefaults(data);
            restart.putAll(database);
            restart.put("kraken.mode", "live");
            restart.put("kraken.api.url", kraken.baseUrl().toString());
            restart.put("kraken.api.key", kraken.config().apiKey());
            restart.put("kraken.api.secret", kraken.config().apiSecret());
            restart.put("webhook.passphrase", TestSecrets.PASSPHRASE);
            restart.put("admin.token", TestSecrets.ADMIN_TOKEN);
            restart.put("max-alert-age-seconds", "20");
            try (RunningApp restarted = RunningApp.start(restart)) {
                List<JsonNode> journal = settledJournal(restarted);
                Map<String, JsonNode> byAlert = journal.stream()
                        .filter(e -> !e.path("state").asText().equals("duplicate"))
                        .collect(Collectors.toMap(e -> e.path("alert_id").asText(), e -> e, (a, b) -> a));
                for (String id : acknowledged) {
                    assertThat(byAlert).as("acknowledged alert %s is journaled", id).containsKey(id);
                }
                List<PaperOrder> orders = kraken.orders();
                Map<String, Long> perClientId = orders.stream()
                        .collect(Collectors.groupingBy(PaperOrder::clOrdId, Collectors.counting()));
                assertThat(perClientId.values()).as("no order placed twice").allMatch(n -> n == 1);
                Set<String> executed = byAlert.values().stream()
                        .filter(e -> e.path("state").asText().equals("executed"))
                        .map(e -> e.path("cl_ord_id").asText()).collect(Collectors.toSet());
                assertThat(perClientId.keySet()).as("every order at the exchange is journaled as executed")
                        .isEqualTo(executed);
                System.out.printf("SIGTERM burst: %d sent, %d acknowledged, %d orders placed, journal states %s%n",
                        sent.size(), acknowledged.size(), orders.size(), byAlert.values().stream()
                                .collect(Collectors.groupingBy(e -> e.path("state").asText(), Collectors.counting())));
            }
        }
    }

    /** The journal once the reconcile-orders route has settled what the stopped process left unfinished. */
    static List<JsonNode> settledJournal(RunningApp app) throws InterruptedException {
        long until = System.currentTimeMillis() + 60_000;
        List<JsonNode> journal = JournalProbe.entries(app);
        while (journal.stream().anyMatch(e -> UNFINISHED.contains(e.path("state").asText()))
                && System.currentTimeMillis() < until) {
            Thread.sleep(200);
            journal = JournalProbe.entries(app);
        }
        assertThat(journal).as("reconciliation settled every entry")
                .noneMatch(e -> UNFINISHED.contains(e.path("state").asText()));
        return journal;
    }

    Process start(Map<String, String> env, Path output) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", ApplicationProcessTest.applicationClassPath(), Application.class.getName());
        builder.environment().keySet().removeIf(k -> k.startsWith("KRAKEN_") || k.startsWith("WEBHOOK_")
                || k.equals("PORT") || k.startsWith("LOG_") || k.equals("ADMIN_TOKEN") || k.startsWith("DB_"));
        builder.environment().put("DATA_DIR", data.toString());
        builder.environment().put("CAMEL_MAIN_ROUTESRELOADENABLED", "false");
        builder.environment().putAll(env);
        builder.redirectErrorStream(true).redirectOutput(output.toFile());
        return builder.start();
    }

    static void waitUntilReady(HttpClient http, int port, Process app, Path output) throws Exception {
        long until = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < until && app.isAlive()) {
            try {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/health")).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200 && JSON.readTree(health.body()).path("checks").path("exchange")
                        .path("status").asText().equals("up")) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the service did not become ready: "
                + String.join(File.separator.equals("/") ? "\n" : "\r\n",
                Files.readAllLines(output, StandardCharsets.UTF_8)));
    }
}
