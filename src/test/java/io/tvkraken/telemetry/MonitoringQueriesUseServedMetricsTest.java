package io.tvkraken.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.RunningApp;
import io.tvkraken.TestSecrets;
import io.tvkraken.paper.Fault;
import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.PaperExchangeHarness;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * What {@code monitoring/} ships reads only what the service serves: every metric name in every alert rule and every
 * dashboard query is found on {@code GET /metrics} of a running instance that has worked a few alerts (one placed, one
 * refused, one dead-lettered), so that a renamed metric cannot leave an alert that never fires or an empty panel
 * (docs/monitoring.md). The one exception is {@code up}, which Prometheus itself writes for every target it scrapes.
 */
class MonitoringQueriesUseServedMetricsTest {

    private static final Path RULES = Path.of("monitoring/prometheus/rules");
    private static final Path RULE_TESTS = Path.of("monitoring/prometheus/tests");
    private static final Path DASHBOARDS = Path.of("monitoring/grafana/dashboards");
    /** Written by Prometheus for every scrape, never by a target (https://prometheus.io/docs/concepts/jobs_instances/). */
    private static final Set<String> WRITTEN_BY_PROMETHEUS = Set.of("up");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path data;

    private static Set<String> served;

    @BeforeAll
    static void scrapeAnInstanceThatHasWorkedAFewAlerts() throws Exception {
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("admin.token", TestSecrets.ADMIN_TOKEN);
        p.put("monitoring.low-balance", "ZUSD=100");
        try (RunningApp app = RunningApp.start(p)) {
            PaperExchangeHarness paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
            // first the balances: the rate-limit refusal below fills Kraken's REST counter as far as the service
            // knows, and the balances wait until it has half decayed
            ExchangeMetricsTest.scrapeUntil(app, s -> s.value("exchange_balance", Map.of("asset", "ZUSD")).isPresent());
            assertThat(app.post("/webhook/tradingview",
                    "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":0.01,\"id\":\"mon-1\"}").statusCode())
                    .isEqualTo(200);
            assertThat(app.post("/webhook/tradingview", "{\"ticker\":\"BTCUSD\"}").statusCode()).isEqualTo(400);
            paper.injectFault("AddOrder", Fault.RATE_LIMITED, 1);
            assertThat(app.post("/webhook/tradingview",
                    "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":0.01,\"id\":\"mon-2\"}").statusCode())
                    .isEqualTo(202);
            // the JVM's GC pause timer appears with the first collection, which an instance that has run a while
            // has seen; this one may be too young
            System.gc();
            ExchangeMetricsTest.scrapeUntil(app, s -> s.names().contains("jvm_gc_pause_seconds_count"));
            Scrape scrape = Scrape.parse(app.get("/metrics", Map.of()).body());
            served = scrape.names();
            // the dashboard reads the share answered within the 2.5 s deadline from this bucket
            assertThat(scrape.value("order_processing_seconds_bucket", Map.of("le", "2.5"))).isPresent();
            Files.createDirectories(Path.of("target"));
            Files.write(Path.of("target/monitoring-served-metrics.txt"), served);
        }
    }

    @Test
    void everyAlertRuleReadsOnlyServedMetrics() {
        Map<String, Set<String>> missing = new TreeMap<>();
        for (Map<String, Object> rule : rules()) {
            Set<String> unknown = unknown(String.valueOf(rule.get("expr")));
            if (!unknown.isEmpty()) {
                missing.put(String.valueOf(rule.get("alert")), unknown);
            }
        }
        assertThat(rules()).as("alert rules in %s", RULES).isNotEmpty();
        assertThat(missing).as("metric names in alert rules that /metrics does not serve").isEmpty();
    }

    @Test
    void everyDashboardQueryReadsOnlyServedMetrics() {
        Map<String, Set<String>> missing = new TreeMap<>();
        int queries = 0;
        for (Path dashboard : files(DASHBOARDS, ".json")) {
            for (Map.Entry<String, String> query : queries(read(dashboard)).entrySet()) {
                queries++;
                Set<String> unknown = unknown(query.getValue());
                if (!unknown.isEmpty()) {
                    missing.put(dashboard.getFileName() + ": " + query.getKey(), unknown);
                }
            }
        }
        assertThat(queries).as("queries in %s", DASHBOARDS).isGreaterThan(20);
        assertThat(missing).as("metric names in dashboard queries that /metrics does not serve").isEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void theAlertsAnOperatorNeedsAreThereEachWithASeverityASummaryAndAUnitTest() throws IOException {
        Set<String> alerts = new TreeSet<>();
        for (Map<String, Object> rule : rules()) {
            alerts.add(String.valueOf(rule.get("alert")));
            assertThat(rule).as("%s", rule.get("alert")).containsKeys("expr", "labels", "annotations");
            assertThat((Map<String, Object>) rule.get("labels")).as("%s", rule.get("alert")).containsKey("severity");
            assertThat((Map<String, Object>) rule.get("annotations")).as("%s", rule.get("alert"))
                    .containsKeys("summary", "description");
        }
        assertThat(alerts).contains("OrderFailureRateHigh", "OrdersStalledWhileSignalsArrive",
                "SignalProcessingErrors", "NoSignalsReceived", "KrakenApiFailing", "ExchangeBalanceLow",
                "JournalDatabaseErrors", "CircuitBreakerOpen", "DeadLettersPending", "TradingSwitchedOff");
        StringBuilder unitTests = new StringBuilder();
        for (Path test : files(RULE_TESTS, ".yml")) {
            unitTests.append(Files.readString(test));
        }
        for (String alert : alerts) {
            assertThat(unitTests.toString()).as("a promtool unit test of %s in %s", alert, RULE_TESTS)
                    .contains("alertname: " + alert);
        }
    }

    @Test
    void theDashboardHasItsFiveSections() {
        List<String> rows = new ArrayList<>();
        for (Path dashboard : files(DASHBOARDS, ".json")) {
            for (JsonNode panel : read(dashboard).path("panels")) {
                if ("row".equals(panel.path("type").asText())) {
                    rows.add(panel.path("title").asText());
                }
            }
        }
        assertThat(rows).contains("Trading overview", "Signals", "Exchange health", "Database", "JVM");
    }

    private static Set<String> unknown(String expression) {
        Set<String> unknown = new TreeSet<>(PromQl.metricNames(expression));
        unknown.removeAll(served);
        unknown.removeAll(WRITTEN_BY_PROMETHEUS);
        return unknown;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rules() {
        List<Map<String, Object>> rules = new ArrayList<>();
        Load yaml = new Load(LoadSettings.builder().build());
        for (Path file : files(RULES, ".yml")) {
            Map<String, Object> document;
            try {
                document = (Map<String, Object>) yaml.loadFromString(Files.readString(file));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (Map<String, Object> group : (List<Map<String, Object>>) document.get("groups")) {
                for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                    if (rule.containsKey("alert")) {
                        rules.add(rule);
                    }
                }
            }
        }
        return rules;
    }

    /** Every PromQL query of a dashboard: its panels' targets and its template variables, by where they are. */
    private static Map<String, String> queries(JsonNode dashboard) {
        Map<String, String> queries = new LinkedHashMap<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                queries.put(panel.path("title").asText() + " " + target.path("refId").asText(),
                        target.path("expr").asText());
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if ("query".equals(variable.path("type").asText())) {
                JsonNode query = variable.path("query");
                queries.put("$" + variable.path("name").asText(),
                        query.isObject() ? query.path("query").asText() : query.asText());
            }
        }
        return queries;
    }

    private static JsonNode read(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> files(Path dir, String suffix) {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(f -> f.getFileName().toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
