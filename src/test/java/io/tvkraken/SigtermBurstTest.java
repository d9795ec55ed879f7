package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tvkraken.paper.PaperConfig;
import io.tvkraken.paper.PaperExchangeHarness;
import io.tvkraken.paper.PaperOrder;
import java.net.http.HttpResponse;
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
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM in the middle of a burst of 40 alerts (docs/operations.md#start-up-shutdown-jvm): the service runs as its own
 * process in live mode against a paper exchange in this JVM, which outlives it. After a restart on the same journal,
 * every alert that was acknowledged (200/202) is in the journal in a final state, no order was placed twice, and every
 * order the exchange holds is one the journal knows as executed.
 */
class SigtermBurstTest {

    @TempDir
    Path dir;

    @Test
    void sigtermDuringABurstLosesNothingAndPlacesNothingTwice() throws Exception {
        // Each AddOrder takes 150 ms at the exchange, one at a time: the burst is still in flight at SIGTERM.
        try (PaperExchangeHarness kraken = PaperExchangeHarness.start(PaperConfig.defaults()
                .withAddOrderLatency(Duration.ofMillis(150)))) {
            Map<String, String> env = new HashMap<>(AppProcess.liveAgainst(kraken));
            env.putAll(AppProcess.freshDatabase("sigterm"));
            // Orders left in doubt are settled by the reconcile-orders route once their alert is too old to send.
            env.put("MAX_ALERT_AGE_SECONDS", "20");
            Path data = dir.resolve("data");
            Path log = AppProcess.logFile("SigtermBurstTest");
            List<String> acknowledged = new ArrayList<>();
            List<Future<HttpResponse<String>>> sent = new ArrayList<>();
            try (AppProcess app = AppProcess.start(data, env, log).waitUntilReady()) {
                ExecutorService pool = Executors.newFixedThreadPool(40);
                for (int i = 0; i < 40; i++) {
                    String id = "burst-" + i;
                    sent.add(pool.submit(() -> app.post("/webhook/tradingview", AppProcess.alert(id))));
                }
                long until = System.currentTimeMillis() + 10_000;
                while (kraken.requestCount("AddOrder") < 5 && System.currentTimeMillis() < until) {
                    Thread.sleep(10);
                }
                app.stop(); // SIGTERM

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
            }
            assertThat(acknowledged).as("some alerts were acknowledged before SIGTERM").isNotEmpty();

            try (AppProcess restarted = AppProcess.start(data, env, log).waitUntilReady()) {
                // reconciliation settles every entry the stopped process left unfinished
                List<JsonNode> journal = restarted.settledJournal(Duration.ofSeconds(60));
                Map<String, JsonNode> byAlert = CrashSafetyTest.byAlert(journal);
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
}
