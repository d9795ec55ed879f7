package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import io.tvkraken.paper.PaperConfig;
import io.tvkraken.paper.PaperExchangeHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Application#main} in a process of its own, configured through environment variables only, exactly as an
 * operator runs it: start-up time and start-up line, one JSON object per log line with {@code LOG_FORMAT=json} (with
 * severity, and each alert's request id, alert id, pair, side and outcome), no
 * secret in the output, and a clear refusal to start in live mode without keys.
 */
class ApplicationProcessTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * The application's own class path: its classes and its runtime dependencies only (written by Maven to
     * target/runtime-classpath.txt), so that a dependency present only for tests cannot hide a missing one.
     */
    static String applicationClassPath() throws IOException {
        String runtime = Files.readString(Path.of("target/runtime-classpath.txt")).trim();
        return Path.of("target/classes").toAbsolutePath() + File.pathSeparator + runtime;
    }

    Process start(Map<String, String> env, Path output) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", applicationClassPath(), Application.class.getName());
        builder.environment().keySet().removeIf(k -> k.startsWith("KRAKEN_") || k.startsWith("WEBHOOK_")
                || k.equals("PORT") || k.startsWith("LOG_") || k.equals("ADMIN_TOKEN") || k.equals("ALLOWED_IPS")
                || k.startsWith("DB_"));
        builder.environment().put("DATA_DIR", data.toString());
        builder.environment().put("CAMEL_MAIN_ROUTESRELOADENABLED", "false");
        // the journal backend under test: DB_URL, DB_USER, DB_PASSWORD for PostgreSQL, nothing for the embedded SQLite
        TestDatabase.fresh("process").forEach((key, value) ->
                builder.environment().put(key.replace('.', '_').toUpperCase(java.util.Locale.ROOT), value));
        builder.environment().putAll(env);
        builder.redirectErrorStream(true).redirectOutput(output.toFile());
        return builder.start();
    }

    static List<String> lines(Path output) throws IOException {
        return Files.readAllLines(output, StandardCharsets.UTF_8);
    }

    @Test
    void startsWithinSecondsLogsJsonLinesWithRequestIdsAndNoSecrets() throws Exception {
        int port = freePort();
        Path output = data.resolve("app.log");
        long started = System.nanoTime();
        Process app = start(Map.of("PORT", Integer.toString(port), "LOG_FORMAT", "json",
                "WEBHOOK_SECRET", TestSecrets.WEBHOOK_SECRET, "WEBHOOK_PASSPHRASE", TestSecrets.PASSPHRASE,
                "ADMIN_TOKEN", TestSecrets.ADMIN_TOKEN), output);
        try {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> health = null;
            long deadline = System.currentTimeMillis() + 30_000;
            // asked every few milliseconds: the port must stay closed until the routes take requests, so the first
            // answer is the route's 200, never the router's 404 (docs/camel.md#http-server)
            while (System.currentTimeMillis() < deadline) {
                try {
                    health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhook/health"))
                            .build(), HttpResponse.BodyHandlers.ofString());
                    break;
                } catch (IOException notYet) {
                    Thread.sleep(5);
                }
            }
            long readyMillis = (System.nanoTime() - started) / 1_000_000;
            System.out.println("time from process start to first /webhook/health 200: " + readyMillis + " ms");
            assertThat(health).isNotNull();
            assertThat(health.statusCode()).isEqualTo(200);

            String body = "{\"id\":\"proc-alert-7\",\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.01\"}";
            HttpResponse<String> placed = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/webhook/tradingview"))
                    .header("X-Signature", TestSecrets.sign(body)).header("X-Request-ID", "proc-7")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(placed.statusCode()).as(placed.body()).isEqualTo(200);
            // a second alert, authenticated by its passphrase, on the same threads: none of the first one's keys
            // may stay on its lines
            String second = "{\"id\":\"proc-alert-8\",\"ticker\":\"ETHUSD\",\"action\":\"sell\",\"volume\":\"0.1\","
                    + "\"passphrase\":\"" + TestSecrets.PASSPHRASE + "\"}";
            HttpResponse<String> sold = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/webhook/tradingview"))
                    .header("X-Request-ID", "proc-8")
                    .POST(HttpRequest.BodyPublishers.ofString(second)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(sold.statusCode()).as(sold.body()).isEqualTo(200);
        } finally {
            app.destroy(); // SIGTERM: graceful shutdown
            assertThat(app.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        List<String> lines = lines(output);
        assertThat(lines).isNotEmpty();
        assertThat(lines).as("one JSON object per line").allMatch(ApplicationProcessTest::isJsonObject);
        for (String secret : TestSecrets.ALL_WITH_POOL) {
            assertThat(lines).noneMatch(line -> line.contains(secret));
        }
        List<JsonNode> all = lines.stream().map(ApplicationProcessTest::read).toList();
        // Cloud Logging's special fields (docs/operations.md#log-fields): severity by its names, time in RFC 3339
        assertThat(all).allSatisfy(line -> {
            assertThat(line.path("severity").asText()).as(line.toString()).isIn("DEBUG", "INFO", "WARNING", "ERROR");
            assertThat(java.time.OffsetDateTime.parse(line.path("time").asText())).isNotNull();
            assertThat(line.path("message").isTextual()).as(line.toString()).isTrue();
            assertThat(line.path("logger").asText()).as(line.toString()).isNotEmpty();
            assertThat(line.path("thread").asText()).as(line.toString()).isNotEmpty();
        });
        JsonNode ready = all.stream().filter(n -> n.path("message").asText().contains(" ready: ")).findFirst()
                .orElseThrow();
        assertThat(ready.path("message").asText()).contains("mode=paper", "port=" , "webhook-authentication=on");
        assertThat(ready.has("request_id")).isFalse();

        assertCarriesItsAlert(journey(all, "proc-7"), "proc-alert-7", "XBTUSD", "buy");
        assertCarriesItsAlert(journey(all, "proc-8"), "proc-alert-8", "ETHUSD", "sell");
        assertThat(all).as("a line of one alert with another's alert id").noneMatch(n ->
                n.path("request_id").asText().equals("proc-8") && n.path("alert_id").asText().equals("proc-alert-7")
                        || n.path("request_id").asText().equals("proc-7")
                                && n.path("alert_id").asText().equals("proc-alert-8"));
        assertThat(all).as("an order's keys on a line of no alert").noneMatch(n -> !n.has("request_id")
                && (n.has("alert_id") || n.has("pair") || n.has("side") || n.has("outcome")));
    }

    static List<JsonNode> journey(List<JsonNode> lines, String requestId) {
        return lines.stream().filter(n -> requestId.equals(n.path("request_id").asText())).toList();
    }

    /**
     * An alert's lines, on every thread they cross (the HTTP server's, the order worker's, the Kraken sender's), carry
     * its alert id; its order's lines carry the pair and side; where its outcome is decided, and after, the outcome.
     */
    static void assertCarriesItsAlert(List<JsonNode> journey, String alertId, String pair, String side) {
        assertThat(journey).as("the journey's lines").hasSizeGreaterThan(3);
        assertThat(journey).as("every line of the alert carries its alert id")
                .allMatch(n -> n.path("alert_id").asText().equals(alertId), journey.toString());
        assertThat(journey.stream().map(n -> n.path("thread").asText()).distinct().count())
                .as("threads the journey crossed: " + journey).isGreaterThanOrEqualTo(3);
        JsonNode addOrder = journey.stream().filter(n -> n.path("message").asText().contains("Kraken AddOrder"))
                .findFirst().orElseThrow();
        JsonNode planned = journey.stream().filter(n -> n.path("message").asText().startsWith("planned "))
                .findFirst().orElseThrow();
        JsonNode decided = journey.stream().filter(n -> n.path("message").asText().startsWith("order executed"))
                .findFirst().orElseThrow();
        JsonNode answered = journey.stream().filter(n -> n.path("message").asText().startsWith("answered 200"))
                .findFirst().orElseThrow();
        for (JsonNode order : List.of(planned, addOrder, decided, answered)) {
            assertThat(order.path("pair").asText()).as(order.toString()).isEqualTo(pair);
            assertThat(order.path("side").asText()).as(order.toString()).isEqualTo(side);
        }
        assertThat(addOrder.path("thread").asText()).as("sent by the key's sender").isNotEqualTo(
                planned.path("thread").asText());
        assertThat(decided.path("outcome").asText()).isEqualTo("executed");
        assertThat(answered.path("outcome").asText()).isEqualTo("executed");
        assertThat(planned.has("outcome")).as("not decided yet when planned").isFalse();
    }

    @Test
    void liveModeWithoutKeysRefusesToStartWithAClearMessage() throws Exception {
        Path output = data.resolve("refused.log");
        Process app = start(Map.of("PORT", Integer.toString(freePort()), "KRAKEN_MODE", "live",
                "WEBHOOK_SECRET", TestSecrets.WEBHOOK_SECRET, "LOG_LEVEL", "WARN"), output);
        assertThat(app.waitFor(30, TimeUnit.SECONDS)).as("the process exits by itself").isTrue();
        assertThat(app.exitValue()).isNotZero();
        String all = String.join("\n", lines(output));
        assertThat(all).contains("KRAKEN_MODE=live needs KRAKEN_API_KEY and KRAKEN_API_SECRET")
                .doesNotContain(TestSecrets.WEBHOOK_SECRET);
        assertThat(lines(output)).as("LOG_LEVEL=WARN silences INFO, Camel's included")
                .noneMatch(line -> line.contains(" INFO "));
    }

    @Test
    void aPortTakenByAnotherProcessRefusesToStartWithAClearMessage() throws Exception {
        Path output = data.resolve("port-taken.log");
        try (ServerSocket taken = new ServerSocket(0)) {
            Process app = start(Map.of("PORT", Integer.toString(taken.getLocalPort()), "LOG_LEVEL", "WARN"), output);
            assertThat(app.waitFor(30, TimeUnit.SECONDS)).as("the process exits by itself").isTrue();
            assertThat(app.exitValue()).isEqualTo(2);
        }
        String all = String.join("\n", lines(output));
        assertThat(all).contains("refusing to start").contains("PORT ").contains("cannot be opened")
                .doesNotContain("\tat ");
    }

    /**
     * Every key whose value in application.properties is a number given one that is not (KRAKEN_PRICES_MAX_AGE_MS=abc
     * and the like), all at once: the one line names each of them, the process ends with status 2, no stack trace.
     */
    @Test
    void settingsThatShouldBeNumbersAndAreNotRefuseToStartInOneLineNamingEach() throws Exception {
        Map<String, String> env = new java.util.HashMap<>();
        List<String> keys = NumericSettingsTest.numericKeys();
        keys.forEach(key -> env.put(ConfigurationTableMatchesPropertiesTest.environmentVariable(key), "abc"));
        env.put("LOG_LEVEL", "WARN");
        Path output = data.resolve("not-numbers.log");
        Process app = start(env, output);
        boolean exited = app.waitFor(30, TimeUnit.SECONDS);
        if (!exited) {
            app.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(exited).as("the process exits by itself:\n%s", String.join("\n", lines(output))).isTrue();
        assertThat(app.exitValue()).isEqualTo(2);
        List<String> lines = lines(output);
        List<String> refusal = lines.stream().filter(l -> l.contains("refusing to start")).toList();
        assertThat(refusal).as("one line").hasSize(1);
        assertThat(refusal.get(0)).contains("refusing to start. Invalid configuration: ");
        keys.forEach(key -> assertThat(refusal.get(0)).contains(key + " must be a whole number, not 'abc'"));
        assertThat(lines).as("no stack trace").noneMatch(l -> l.contains("Exception") || l.contains("at io.")
                || l.startsWith("\tat "));
    }

    /**
     * A start that fails for a reason other than the configuration (here a route whose endpoint no component serves,
     * found after the journal and the paper exchange have started) ends the process too, with a non-zero status: the
     * journal's, Vert.x's and the paper exchange's threads must not keep a process alive that serves nothing.
     */
    @Test
    void aStartThatFailsForAnotherReasonEndsTheProcess() throws Exception {
        Path routes = Files.createDirectories(data.resolve("broken-routes"));
        Files.writeString(routes.resolve("broken.camel.yaml"), String.join("\n", "- route:",
                "    id: unknown-component", "    from:", "      uri: \"nosuchcomponent:thing\"", "      steps:",
                "        - log: \"never\"", ""));
        Path output = data.resolve("broken-routes.log");
        Process app = start(Map.of("PORT", Integer.toString(freePort()), "LOG_LEVEL", "WARN",
                "CAMEL_MAIN_ROUTESINCLUDEPATTERN",
                "file:routes/*.camel.yaml,file:" + routes.toAbsolutePath() + "/*.camel.yaml"), output);
        boolean exited = app.waitFor(30, TimeUnit.SECONDS);
        if (!exited) {
            app.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(exited).as("the process exits by itself:\n%s", String.join("\n", lines(output))).isTrue();
        assertThat(app.exitValue()).isEqualTo(1);
        assertThat(lines(output)).as("logged once").filteredOn(l -> l.contains("failed to start")).hasSize(1);
    }

    @Test
    void keyListsThatDoNotPairUpRefuseToStartWithAClearMessageAndNoSecret() throws Exception {
        Path output = data.resolve("refused-pool.log");
        Process app = start(Map.of("PORT", Integer.toString(freePort()), "KRAKEN_MODE", "live",
                "KRAKEN_API_KEY", TestSecrets.KRAKEN_API_KEY + "," + TestSecrets.POOL_KEYS.get(0),
                "KRAKEN_API_SECRET", TestSecrets.KRAKEN_API_SECRET,
                "WEBHOOK_SECRET", TestSecrets.WEBHOOK_SECRET, "LOG_LEVEL", "WARN"), output);
        assertThat(app.waitFor(30, TimeUnit.SECONDS)).as("the process exits by itself").isTrue();
        assertThat(app.exitValue()).isNotZero();
        String all = String.join("\n", lines(output));
        assertThat(all).contains("refusing to start")
                .contains("KRAKEN_API_KEY lists 2 key(s) but KRAKEN_API_SECRET lists 1 secret(s)");
        assertThat(TestSecrets.ALL_WITH_POOL).noneMatch(all::contains);
    }

    @Test
    void evenAtDebugLevelNoSecretReachesTheLog() throws Exception {
        // a pool of two keys (docs/kraken.md#key-pool): neither key nor secret may reach the log
        try (PaperExchangeHarness kraken = PaperExchangeHarness.start(PaperConfig.defaults().withApiKeys(List.of(
                new PaperConfig.ApiKey(TestSecrets.KRAKEN_API_KEY, TestSecrets.KRAKEN_API_SECRET),
                new PaperConfig.ApiKey(TestSecrets.POOL_KEYS.get(0), TestSecrets.POOL_SECRETS.get(0)))))) {
            int port = freePort();
            Path output = data.resolve("debug.log");
            Process app = start(Map.of("PORT", Integer.toString(port), "LOG_LEVEL", "DEBUG",
                    "KRAKEN_MODE", "live", "KRAKEN_API_URL", kraken.baseUrl().toString(),
                    "KRAKEN_API_KEY", TestSecrets.KRAKEN_API_KEY + "," + TestSecrets.POOL_KEYS.get(0),
                    "KRAKEN_API_SECRET", TestSecrets.KRAKEN_API_SECRET + "," + TestSecrets.POOL_SECRETS.get(0),
                    "WEBHOOK_SECRET", TestSecrets.WEBHOOK_SECRET, "WEBHOOK_PASSPHRASE", TestSecrets.PASSPHRASE,
                    "ADMIN_TOKEN", TestSecrets.ADMIN_TOKEN), output);
            try {
                HttpClient http = HttpClient.newHttpClient();
                URI webhook = URI.create("http://127.0.0.1:" + port + "/webhook/tradingview");
                String body = "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.01\",\"passphrase\":\""
                        + TestSecrets.PASSPHRASE + "\"}";
                HttpResponse<String> placed = null;
                long deadline = System.currentTimeMillis() + 30_000;
                while (placed == null && System.currentTimeMillis() < deadline) {
                    try {
                        placed = http.send(HttpRequest.newBuilder(webhook).POST(HttpRequest.BodyPublishers
                                .ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                        if (placed.statusCode() == 404) {
                            // listening, but the webhook route has not started yet: nothing was processed
                            placed = null;
                            Thread.sleep(50);
                        }
                    } catch (IOException notYet) {
                        Thread.sleep(50);
                    }
                }
                assertThat(placed).isNotNull();
                assertThat(placed.statusCode()).as(placed.body()).isEqualTo(200);
                // a second order: idle keys are taken round robin, so it goes out with the other key
                HttpResponse<String> second = http.send(HttpRequest.newBuilder(webhook).POST(HttpRequest.BodyPublishers
                        .ofString(body.replace("{", "{\"id\":\"debug-2\","))).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
                assertThat(kraken.orders()).hasSize(2);
                assertThat(kraken.privateCalls()).filteredOn(c -> c.method().equals("AddOrder"))
                        .extracting(c -> c.apiKey()).containsExactlyInAnyOrder(TestSecrets.KRAKEN_API_KEY,
                                TestSecrets.POOL_KEYS.get(0));
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/dead-letters"))
                        .header("Authorization", "Bearer " + TestSecrets.ADMIN_TOKEN).build(),
                        HttpResponse.BodyHandlers.ofString());
            } finally {
                app.destroy();
                assertThat(app.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            List<String> lines = lines(output);
            assertThat(lines).as("DEBUG output was written").anyMatch(l -> l.contains("DEBUG"));
            assertThat(lines).as("console lines show the alert id after the request id once it is known")
                    .anyMatch(l -> l.contains(" alert=debug-2] "));
            assertThat(lines).as("log lines containing a secret")
                    .filteredOn(l -> TestSecrets.ALL_WITH_POOL.stream().anyMatch(l::contains)).isEmpty();
        }
    }

    static boolean isJsonObject(String line) {
        try {
            return JSON.readTree(line).isObject();
        } catch (IOException e) {
            return false;
        }
    }

    static JsonNode read(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
