package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * YAML routes are edited while the service runs: a new or changed file takes effect; a file that fails to parse
 * leaves the previous routes serving and says why in the log (docs/camel.md#route-reload). Works on a copy of routes/.
 */
class RouteReloadTest {

    @TempDir
    Path data;
    @TempDir
    Path routes;

    static String probe(String answer) {
        return """
                - route:
                    id: reload-probe
                    from:
                      uri: platform-http:/reload-probe
                      steps:
                        - setBody:
                            expression:
                              constant:
                                expression: %s
                """.formatted(answer);
    }

    static void write(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".part");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static HttpResponse<String> eventually(RunningApp app, String path, Predicate<HttpResponse<String>> wanted)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        HttpResponse<String> last = app.get(path, Map.of());
        while (!wanted.test(last) && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
            last = app.get(path, Map.of());
        }
        return last;
    }

    @Test
    void addedAndEditedRouteFilesTakeEffectAndABrokenOneLeavesThePreviousRoutesServing() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".camel.yaml")).toList()) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("camel.main.routes-include-pattern", "file:" + routes + "/*.camel.yaml");
        p.put("camel.main.routes-reload-enabled", "true");
        p.put("camel.main.routes-reload-directory", routes.toString());
        try (RunningApp app = RunningApp.start(p)) {
            Path probe = routes.resolve("probe.camel.yaml");

            write(probe, probe("first-version"));
            assertThat(eventually(app, "/reload-probe", r -> r.body().equals("first-version")).body())
                    .isEqualTo("first-version");

            write(probe, probe("second-version"));
            assertThat(eventually(app, "/reload-probe", r -> r.body().equals("second-version")).body())
                    .isEqualTo("second-version");

            Path log = Path.of(System.getProperty("tvk.test.log", "target/test-logs/test-run.log"));
            long logBefore = Files.size(log);
            write(probe, "- route:\n    id: reload-probe\n    from: [this is : not, valid\n");
            long deadline = System.currentTimeMillis() + 30_000;
            String newLog = "";
            while (!newLog.contains("probe.camel.yaml") && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
                byte[] all = Files.readAllBytes(log);
                newLog = new String(all, (int) logBefore, all.length - (int) logBefore, StandardCharsets.UTF_8);
            }
            assertThat(newLog).as("the log says which file failed to load").contains("probe.camel.yaml");
            assertThat(app.get("/reload-probe", Map.of()).body()).isEqualTo("second-version");
            HttpResponse<String> alert = app.post("/webhook/tradingview",
                    "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.01\"}");
            assertThat(alert.statusCode()).as(alert.body()).isEqualTo(200);

            write(probe, probe("fixed-version"));
            assertThat(eventually(app, "/reload-probe", r -> r.body().equals("fixed-version")).body())
                    .isEqualTo("fixed-version");
        }
    }

    /**
     * The senders of the API keys are made from the route template in kraken.camel.yaml (docs/kraken.md#key-pool):
     * saving that file again must leave every key's sender serving, and the next order is placed.
     */
    @Test
    void savingTheKrakenRoutesAgainKeepsEveryKeysSender() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".camel.yaml")).toList()) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("camel.main.routes-include-pattern", "file:" + routes + "/*.camel.yaml");
        p.put("camel.main.routes-reload-enabled", "true");
        p.put("camel.main.routes-reload-directory", routes.toString());
        try (RunningApp app = RunningApp.start(p)) {
            Path kraken = routes.resolve("kraken.camel.yaml");
            Path log = Path.of(System.getProperty("tvk.test.log", "target/test-logs/test-run.log"));
            long logBefore = Files.size(log);
            write(kraken, Files.readString(kraken) + "\n# saved again\n");
            long deadline = System.currentTimeMillis() + 30_000;
            String newLog = "";
            while (!newLog.contains("Routes reloaded summary") && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
                byte[] all = Files.readAllBytes(log);
                newLog = new String(all, (int) logBefore, all.length - (int) logBefore, StandardCharsets.UTF_8);
            }
            assertThat(newLog).as("the reload was logged").contains("Stopped kraken-send")
                    .contains("Routes reloaded summary");
            assertThat(app.context().getRoute("kraken-private-serial-0")).as("key 0's sender").isNotNull();
            HttpResponse<String> alert = app.post("/webhook/tradingview",
                    "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.01\",\"id\":\"after-reload\"}");
            assertThat(alert.statusCode()).as(alert.body()).isEqualTo(200);
        }
    }
}
