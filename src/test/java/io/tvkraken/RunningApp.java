package io.tvkraken;

import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.RecordingTap;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.main.Main;

/**
 * The real application, booted in-process the way {@link Application} boots it — same {@code application.properties},
 * same {@code routes/*.camel.yaml}, same beans — on a random port, with a few properties overridden the way an
 * operator's environment variables would. Tests talk to it over real HTTP only.
 */
public final class RunningApp implements AutoCloseable {

    private final Main main;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final int port;

    private RunningApp(Main main) {
        this.main = main;
        this.port = main.getCamelContext().hasService(VertxPlatformHttpServer.class).getServer().actualPort();
    }

    /**
     * Paper mode defaults for tests: random port, no reload watcher, data under {@code dataDir}, and a fresh journal
     * database of the backend under test ({@link TestDatabase}). A restart with the same map finds the same journal.
     */
    public static Map<String, String> paperDefaults(Path dataDir) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("port", "0");
        p.put("camel.main.routes-reload-enabled", "false");
        p.put("data.dir", dataDir.toString());
        p.put("kraken.mode", "paper");
        p.putAll(TestDatabase.fresh(dataDir.getFileName().toString()));
        return p;
    }

    /**
     * Boots the application; in paper mode its exchange is tapped by a {@link RecordingTap} from its first request,
     * which {@code PaperExchangeHarness.of} reads.
     */
    public static RunningApp start(Map<String, String> overrides) {
        return start(overrides, new RecordingTap());
    }

    /**
     * As {@link #start(Map)}, the paper exchange's handler wrapped by {@code wrapper}; with
     * {@link PaperExchange.Wrapper#NONE} it records nothing, as in production.
     */
    public static RunningApp start(Map<String, String> overrides, PaperExchange.Wrapper wrapper) {
        Main main = Application.newMain();
        overrides.forEach(main::addOverrideProperty);
        main.bind("paperExchangeWrapper", wrapper);
        // each named account's paper exchange (KRAKEN_ACCOUNTS) tapped too, read by PaperExchangeHarness.of
        String accounts = overrides.get("kraken.accounts");
        if (accounts != null && wrapper instanceof io.tvkraken.paper.RecordingTap) {
            for (String name : accounts.split(",")) {
                main.bind("paperExchangeWrapper-" + name.trim(), new io.tvkraken.paper.RecordingTap());
            }
        }
        try {
            main.start();
        } catch (RuntimeException e) {
            main.stop();
            throw e;
        }
        return new RunningApp(main);
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public <T> T bean(String name, Class<T> type) {
        return context().getRegistry().lookupByNameAndType(name, type);
    }

    public int port() {
        return port;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    public HttpResponse<String> post(String path, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (!headers.containsKey("Content-Type")) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        return send(request.build());
    }

    public HttpResponse<String> post(String path, String body) {
        return post(path, body, Map.of());
    }

    public HttpResponse<String> get(String path, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20)).GET();
        headers.forEach(request::header);
        return send(request.build());
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        main.stop();
    }
}
