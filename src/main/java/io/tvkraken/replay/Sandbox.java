package io.tvkraken.replay;

import io.tvkraken.Application;
import io.tvkraken.Settings;
import io.tvkraken.journal.Journal;
import io.tvkraken.journal.JournalEntry;
import io.tvkraken.paper.PaperExchange;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.main.Main;

/**
 * The whole service once more, in this process, for one replay (docs/replays.md#the-sandbox): its own Camel context
 * from the same routes, in paper mode, on loopback, with a journal of its own in a folder of its own, a fresh paper
 * exchange per account and the strategies file of the replay. Every setting the service reads is set here, blank
 * (its default) unless the replay needs it: nothing of the live configuration - live mode, keys, the shared database,
 * notification channels, Secret Manager - can reach it, so a replay never touches a live account.
 */
final class Sandbox implements AutoCloseable {

    private final Main main;
    private final int port;
    private final Path folder;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private Sandbox(Main main, int port, Path folder) {
        this.main = main;
        this.port = port;
        this.folder = folder;
    }

    /**
     * @param strategies the strategies file to replay under, or null for none
     * @param accounts   the named accounts (besides the default one), each with a paper exchange of its own
     * @param balances   every account's starting balances by Kraken asset code; empty: the paper exchange's own
     */
    static Sandbox start(String name, byte[] strategies, List<String> accounts, Map<String, BigDecimal> balances) {
        Path folder;
        try {
            folder = Files.createTempDirectory("tvk-replay-");
        } catch (IOException e) {
            throw new UncheckedIOException("no folder for the replay's sandbox", e);
        }
        Map<String, String> settings = new LinkedHashMap<>();
        // every key the service reads as application.properties ships it, whatever the environment says (the routes'
        // placeholders read some of them); Camel's own (the server's limits, the shutdown timeout) as the file has them
        java.util.Properties shipped = new java.util.Properties();
        try (var in = Files.newInputStream(Path.of("application.properties"))) {
            shipped.load(in);
        } catch (IOException e) {
            // no file in the working directory: every key at its built-in default
        }
        new TreeSet<>(keysRead()).stream().filter(key -> !key.startsWith("camel."))
                .forEach(key -> settings.put(key, shipped.getProperty(key, "").trim()));
        settings.put("port", "0");
        settings.put("camel.server.host", "127.0.0.1");
        settings.put("camel.main.name", name);
        settings.put("camel.main.routes-reload-enabled", "false");
        settings.put("kraken.mode", "paper");
        settings.put("paper.rate-limit-tier", "off");
        settings.put("data.dir", folder.toString());
        // recorded alerts are old: their age is not held against them; prices are read fresh before each alert
        settings.put("max-alert-age-seconds", "0");
        settings.put("kraken.prices.max-age-ms", "0");
        settings.put("trading.enabled", "true");
        settings.put("kraken.accounts", String.join(",", accounts));
        // the replay's balances replace the paper exchange's built-in ones, which it would otherwise merge them over
        Map<String, BigDecimal> starting = new LinkedHashMap<>();
        if (!balances.isEmpty()) {
            io.tvkraken.paper.PaperConfig.defaults().balances().keySet().forEach(a -> starting.put(a, BigDecimal.ZERO));
        }
        starting.putAll(balances);
        String amounts = starting.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().toPlainString())
                .collect(Collectors.joining(","));
        settings.put("paper.balances", amounts);
        try {
            if (strategies != null) {
                Path file = folder.resolve("strategies.yaml");
                Files.write(file, strategies);
                settings.put("strategies.file", file.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the replay's strategies file could not be written", e);
        }
        Main main = Application.newMain();
        settings.forEach(main::addOverrideProperty);
        // the environment and the JVM's system properties carry the live configuration (KRAKEN_MODE, KRAKEN_API_KEY,
        // DB_URL, DATA_DIR...), and Camel lets both override anything: the sandbox reads neither
        main.configure().setAutoConfigurationEnvironmentVariablesEnabled(false);
        main.configure().setAutoConfigurationSystemPropertiesEnabled(false);
        main.addMainListener(new org.apache.camel.main.MainListenerSupport() {
            @Override
            public void beforeInitialize(org.apache.camel.main.BaseMainSupport starting) {
                isolate(starting);
            }

            @Override
            public void beforeConfigure(org.apache.camel.main.BaseMainSupport starting) {
                isolate(starting);
            }
        });
        try {
            main.start();
        } catch (RuntimeException e) {
            main.stop();
            throw e;
        }
        int port = main.getCamelContext().hasService(VertxPlatformHttpServer.class).getServer().actualPort();
        return new Sandbox(main, port, folder);
    }

    /** Its properties from its own overrides and application.properties only: never the environment's. */
    private static void isolate(org.apache.camel.main.BaseMainSupport main) {
        if (main.getCamelContext() != null) {
            var properties = (org.apache.camel.component.properties.PropertiesComponent) main.getCamelContext()
                    .getPropertiesComponent();
            properties.setEnvironmentVariableMode(
                    org.apache.camel.component.properties.PropertiesComponent.ENVIRONMENT_VARIABLES_MODE_NEVER);
            properties.setSystemPropertiesMode(
                    org.apache.camel.component.properties.PropertiesComponent.SYSTEM_PROPERTIES_MODE_NEVER);
        }
    }

    /** Every key {@link Settings} reads with a default configuration. */
    private static List<String> keysRead() {
        List<String> keys = new java.util.ArrayList<>();
        Settings.from(key -> {
            keys.add(key);
            return null;
        });
        return keys;
    }

    /** The alert, sent to the sandbox's webhook as TradingView sent it: its answer's status and body. */
    HttpResponse<String> send(String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhook/tradingview"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("the replay's sandbox did not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The sandbox's journal row of {@code alertId} once it is finished (a 202 pending goes on running), or empty. */
    Optional<JournalEntry> finished(String alertId, Duration within) {
        Journal journal = main.getCamelContext().getRegistry().lookupByNameAndType("journal", Journal.class);
        long until = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < until) {
            Optional<JournalEntry> row = journal.holderOf(alertId);
            if (row.isPresent() && row.get().finished()) {
                return row;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** The paper exchange of {@code account} ({@code default} or a named one). */
    PaperExchange exchange(String account) {
        String bean = "default".equals(account) ? "paperExchange" : "paperExchange-" + account;
        return main.getCamelContext().getRegistry().lookupByNameAndType(bean, PaperExchange.class);
    }

    @Override
    public void close() {
        main.stop();
        try (var files = Files.walk(folder)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind is the operating system's to clean
        }
    }
}
