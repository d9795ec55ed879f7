package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.paper.PaperExchangeHarness;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The application as a process of its own ({@link Application#main} on its runtime class path), configured through
 * environment variables only, exactly as an operator runs it, so that a test can stop it the hard way (SIGKILL) and
 * start it again on the same data. Tests talk to it over HTTP only; so does {@code WebhookBenchmark}, which measures
 * the service's own memory this way.
 */
public final class AppProcess implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    /** Journal states of an alert whose outcome is not settled yet (nothing stays there for good: README "Guarantees"). */
    static final Set<String> UNFINISHED = Set.of("received", "sending", "reconciling");

    /** Inherited variables that would configure the application behind the test's back. */
    private static final List<String> FOREIGN = List.of("KRAKEN_", "WEBHOOK_", "LOG_", "DB_", "ORDERS_", "PAPER_",
            "CAMEL_", "GCP_");
    private static final Set<String> FOREIGN_NAMES = Set.of("PORT", "ADMIN_TOKEN", "ALLOWED_IPS", "DATA_DIR",
            "TRADING_ENABLED", "MAX_ALERT_AGE_SECONDS");

    private final Process process;
    private final int port;
    private final Path output;
    /** HTTP/1.1 as TradingView speaks it: one connection per request in flight, no h2c stream limit. */
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private AppProcess(Process process, int port, Path output) {
        this.process = process;
        this.port = port;
        this.output = output;
    }

    /** Live mode against {@code kraken}, with the test passphrase and admin token. */
    static Map<String, String> liveAgainst(PaperExchangeHarness kraken) {
        Map<String, String> env = new HashMap<>();
        env.put("KRAKEN_MODE", "live");
        env.put("KRAKEN_API_URL", kraken.baseUrl().toString());
        env.put("KRAKEN_API_KEY", kraken.config().apiKey());
        env.put("KRAKEN_API_SECRET", kraken.config().apiSecret());
        env.put("WEBHOOK_PASSPHRASE", TestSecrets.PASSPHRASE);
        env.put("ADMIN_TOKEN", TestSecrets.ADMIN_TOKEN);
        return env;
    }

    /**
     * A brand-new journal database of the backend under test ({@link TestDatabase}) as environment variables
     * ({@code DB_URL}...; none for the embedded SQLite, which lives under {@code DATA_DIR}). Starting again with the same
     * map finds the same journal.
     */
    static Map<String, String> freshDatabase(String name) {
        Map<String, String> env = new HashMap<>();
        TestDatabase.fresh(name).forEach((key, value) -> env.put(
                key.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT), value));
        return env;
    }

    /**
     * A fresh file for a test's process output under {@code target/process-logs}, one per journal backend, kept after
     * the test for whoever reads a failure; each start of the application appends to it.
     */
    public static Path logFile(String name) throws IOException {
        Path file = Path.of("target", "process-logs", name + "." + TestDatabase.backend() + ".log").toAbsolutePath();
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        return file;
    }

    /** Starts the application on a free port with {@code DATA_DIR=dataDir}; its output goes to {@code output}. */
    public static AppProcess start(Path dataDir, Map<String, String> env, Path output) throws IOException {
        return start(List.of(), dataDir, env, output);
    }

    /**
     * As {@link #start(Path, Map, Path)}, the java command prefixed by {@code launcher} (e.g. {@code nsenter ...}, which
     * replaces itself with java: the process started is the application's).
     */
    static AppProcess start(List<String> launcher, Path dataDir, Map<String, String> env, Path output)
            throws IOException {
        int port = ApplicationProcessTest.freePort();
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", ApplicationProcessTest.applicationClassPath(), Application.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(k -> FOREIGN_NAMES.contains(k)
                || FOREIGN.stream().anyMatch(k::startsWith));
        builder.environment().put("DATA_DIR", dataDir.toString());
        builder.environment().put("CAMEL_MAIN_ROUTESRELOADENABLED", "false");
        builder.environment().putAll(env);
        builder.environment().put("PORT", Integer.toString(port));
        // Appended, not truncated: a restart on the same log keeps the previous run's lines for a failure message.
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
        return new AppProcess(builder.start(), port, output);
    }

    int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits up to {@code seconds} for the process to end by itself (a refusal to start); whether it did. */
    boolean waitFor(int seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS);
    }

    int exitValue() {
        return process.exitValue();
    }

    /** Ready for alerts: /health 200 with the exchange's asset pairs loaded. */
    public AppProcess waitUntilReady() throws InterruptedException {
        return waitUntilReady(Duration.ofSeconds(30));
    }

    /** As {@link #waitUntilReady()}, with more patience: several processes starting at once on a busy machine. */
    AppProcess waitUntilReady(Duration patience) throws InterruptedException {
        long until = System.currentTimeMillis() + patience.toMillis();
        while (System.currentTimeMillis() < until && process.isAlive()) {
            try {
                HttpResponse<String> health = get("/health");
                if (health.statusCode() == 200 && JSON.readTree(health.body()).path("checks").path("exchange")
                        .path("status").asText().equals("up")) {
                    return this;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the service did not become ready:\n" + output());
    }

    /** Answering HTTP at all, whatever its health says. */
    AppProcess waitUntilListening() throws InterruptedException {
        long until = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < until && process.isAlive()) {
            try {
                get("/webhook/health");
                return this;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the service did not start listening:\n" + output());
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** A webhook POST; IOException when the connection is refused or cut (the process died). */
    HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20))
                        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** An admin POST; a replay may take a while (it waits for the order's outcome), hence the long timeout. */
    HttpResponse<String> adminPost(String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(90))
                        .header("Authorization", "Bearer " + TestSecrets.ADMIN_TOKEN)
                        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    HttpResponse<String> admin(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20))
                        .header("Authorization", "Bearer " + TestSecrets.ADMIN_TOKEN).GET().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** A market buy of 0.001 BTC with the passphrase: the alert TradingView sends. */
    static String alert(String id) {
        return "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.001\",\"id\":\"" + id
                + "\",\"passphrase\":\"" + TestSecrets.PASSPHRASE + "\"}";
    }

    /** Every journal entry, newest first, through {@code GET /admin/orders}. */
    List<JsonNode> journal() throws IOException, InterruptedException {
        HttpResponse<String> response = admin("/admin/orders?limit=1000");
        assertThat(response.statusCode()).as("GET /admin/orders: %s", response.body()).isEqualTo(200);
        List<JsonNode> entries = new ArrayList<>();
        JSON.readTree(response.body()).path("orders").forEach(entries::add);
        assertThat(entries).as("the journal fits in one page").hasSizeLessThan(1000);
        return entries;
    }

    /** The journal once nothing in it is unfinished any more, waiting up to {@code patience} for that. */
    List<JsonNode> settledJournal(Duration patience) throws IOException, InterruptedException {
        long until = System.currentTimeMillis() + patience.toMillis();
        List<JsonNode> journal = journal();
        while (journal.stream().anyMatch(AppProcess::unfinished) && System.currentTimeMillis() < until) {
            Thread.sleep(250);
            journal = journal();
        }
        assertThat(journal).as("every journal entry settled within %s", patience)
                .filteredOn(AppProcess::unfinished).isEmpty();
        return journal;
    }

    static boolean unfinished(JsonNode entry) {
        return UNFINISHED.contains(entry.path("state").asText());
    }

    /** {@code GET /admin/dead-letters}: the pending letters, oldest first. */
    List<JsonNode> pendingDeadLetters() throws IOException, InterruptedException {
        HttpResponse<String> response = admin("/admin/dead-letters");
        assertThat(response.statusCode()).as("GET /admin/dead-letters: %s", response.body()).isEqualTo(200);
        List<JsonNode> letters = new ArrayList<>();
        JSON.readTree(response.body()).path("dead_letters").forEach(letters::add);
        return letters;
    }

    /** SIGKILL: no shutdown hook, no graceful stop, exactly like a crash or the OOM killer. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the killed process ended").isTrue();
    }

    /** SIGTERM: the graceful stop an orchestrator asks for. */
    void stop() throws InterruptedException {
        process.destroy();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the service stopped after SIGTERM").isTrue();
    }

    /** The end of what the process printed so far, for failure messages. */
    public String output() {
        try {
            String all = Files.readString(output, StandardCharsets.UTF_8);
            return all.length() <= 20_000 ? all : "..." + all.substring(all.length() - 20_000);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
