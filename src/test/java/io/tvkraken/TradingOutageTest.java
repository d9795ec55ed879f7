package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.tvkraken.paper.Fault;
import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.PaperOrder;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kraken's trading engine down while its query endpoints work — AddOrder answers {@code EService:Unavailable},
 * OpenOrders and ClosedOrders answer normally, a pattern seen on the real exchange. Through real HTTP against the
 * paper exchange: the trading breaker opens although look-ups succeed, new orders are then dead-lettered at once with
 * nothing sent, nothing is re-sent in a storm, look-ups are batched, and once Kraken is back every dead letter can be
 * replayed into exactly one order.
 */
class TradingOutageTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Map<String, String> ADMIN = Map.of("Authorization", "Bearer " + TestSecrets.ADMIN_TOKEN);

    @TempDir
    Path data;

    Map<String, String> config() {
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("admin.token", TestSecrets.ADMIN_TOKEN);
        p.put("orders.deadline-seconds", "3");
        p.put("orders.reconcile.grace-ms", "500");
        p.put("orders.reconcile.poll-ms", "200");
        p.put("kraken.breaker.wait-in-open-seconds", "60");
        return p;
    }

    static String alert(String id) {
        // two pairs: Kraken's trading counter is per pair
        String ticker = id.hashCode() % 2 == 0 ? "BTCUSD" : "ETHUSD";
        return "{\"ticker\":\"" + ticker + "\",\"action\":\"buy\",\"volume\":\"0.01\",\"id\":\"" + id + "\"}";
    }

    static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    @Test
    void alertsOneAfterAnotherOpenTheTradingBreakerAndNothingIsSentInAStorm() throws Exception {
        try (RunningApp app = RunningApp.start(config())) {
            PaperExchange paper = app.bean("paperExchange", PaperExchange.class);
            CircuitBreaker trading = app.bean("krakenTradingBreaker", CircuitBreaker.class);
            CircuitBreaker queries = app.bean("krakenQueryBreaker", CircuitBreaker.class);
            app.post("/webhook/tradingview/validate", alert("warm-up")); // pairs and prices cached
            paper.injectFault("AddOrder", Fault.SERVICE_UNAVAILABLE, 10_000);
            int addOrdersBefore = paper.requestCount("AddOrder");

            List<Long> fastMillis = new ArrayList<>();
            List<String> statuses = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                boolean open = trading.getState() == CircuitBreaker.State.OPEN;
                long started = System.nanoTime();
                HttpResponse<String> response = app.post("/webhook/tradingview", alert("down-" + i));
                long millis = (System.nanoTime() - started) / 1_000_000;
                assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
                statuses.add(json(response).path("status").asText());
                if (open) {
                    assertThat(json(response).path("status").asText()).isEqualTo("dead_lettered");
                    assertThat(json(response).path("error").path("code").asText()).isEqualTo("circuit_open");
                    fastMillis.add(millis);
                }
            }
            assertThat(trading.getState()).as("AddOrder failures open the trading breaker").isEqualTo(
                    CircuitBreaker.State.OPEN);
            assertThat(fastMillis).as("alerts answered while the breaker was open").isNotEmpty();

            // every alert ends in the journal; the ones in doubt are looked up and, proven absent, dead-lettered
            // because the breaker will not let a re-send through
            for (int i = 0; i < 12; i++) {
                assertThat(JournalProbe.waitForFinal(app, "down-" + i).path("state").asText())
                        .isEqualTo("dead_lettered");
            }
            assertThat(queries.getState()).as("look-ups kept working").isEqualTo(CircuitBreaker.State.CLOSED);
            int addOrders = paper.requestCount("AddOrder") - addOrdersBefore;
            assertThat(addOrders).as("AddOrders: at most one per alert, no re-send storm").isLessThanOrEqualTo(12);
            int inDoubt = (int) statuses.stream().filter("pending"::equals).count();
            int lookUps = paper.requestCount("OpenOrders");
            assertThat(lookUps).as("one OpenOrders serves every pending look-up").isLessThanOrEqualTo(2 * inDoubt);
            Collections.sort(fastMillis);
            System.out.printf("trading outage: 12 alerts, %d pending then settled, %d dead-lettered at once "
                    + "(median %d ms, max %d ms), %d AddOrder calls, %d OpenOrders, %d ClosedOrders%n", inDoubt,
                    fastMillis.size(), fastMillis.get(fastMillis.size() / 2), fastMillis.get(fastMillis.size() - 1),
                    addOrders, lookUps, paper.requestCount("ClosedOrders"));
            // The time itself is measured by the benchmark on a quiet machine; here: no waiting on Kraken.
            assertThat(fastMillis.get(fastMillis.size() - 1)).as("answer while the breaker is open (ms)")
                    .isLessThan(1000);
        }
    }

    @Test
    void aBurstDuringAnOutageIsAnsweredOnTimeJournaledAndReplayedIntoOneOrderEach() throws Exception {
        Map<String, String> p = config();
        p.put("kraken.breaker.wait-in-open-seconds", "2");
        try (RunningApp app = RunningApp.start(p)) {
            PaperExchange paper = app.bean("paperExchange", PaperExchange.class);
            CircuitBreaker trading = app.bean("krakenTradingBreaker", CircuitBreaker.class);
            app.post("/webhook/tradingview/validate", alert("warm-up"));
            paper.injectFault("AddOrder", Fault.SERVICE_UNAVAILABLE, 10_000);

            int burst = 60;
            ExecutorService pool = Executors.newFixedThreadPool(burst);
            List<Future<long[]>> answers = new ArrayList<>();
            try {
                for (int i = 0; i < burst; i++) {
                    String id = "burst-" + i;
                    answers.add(pool.submit(() -> {
                        long started = System.nanoTime();
                        HttpResponse<String> response = app.post("/webhook/tradingview", alert(id));
                        return new long[] {response.statusCode(), (System.nanoTime() - started) / 1_000_000};
                    }));
                }
                long slowest = 0;
                for (Future<long[]> answer : answers) {
                    long[] got = answer.get();
                    assertThat(got[0]).as("never a 5xx").isIn(200L, 202L);
                    slowest = Math.max(slowest, got[1]);
                }
                assertThat(slowest).as("every answer within TradingView's 3 s (ms)").isLessThan(3000);
                System.out.printf("burst of %d during an AddOrder outage: slowest answer %d ms%n", burst, slowest);
            } finally {
                pool.shutdownNow();
            }
            for (int i = 0; i < burst; i++) {
                assertThat(JournalProbe.waitForFinal(app, "burst-" + i).path("state").asText())
                        .as("burst-" + i).isEqualTo("dead_lettered");
            }
            int addOrdersDuringOutage = paper.requestCount("AddOrder");
            // no re-send storm: one AddOrder per alert at most, plus the breaker's half-open trial calls
            assertThat(addOrdersDuringOutage).isLessThanOrEqualTo(burst + 2);

            // Kraken is back
            paper.clearFaults();
            long until = System.currentTimeMillis() + 10_000;
            while (trading.getState() == CircuitBreaker.State.OPEN && System.currentTimeMillis() < until) {
                Thread.sleep(50);
            }
            JsonNode letters = json(app.get("/admin/dead-letters", ADMIN));
            assertThat(letters.path("count").asInt()).isEqualTo(burst);
            // The operator replays them all at once: one pass of the reconcile-orders route looks them all up with
            // one OpenOrders and one ClosedOrders call (one at a time, Kraken's REST counter would allow a look-up
            // every 6 s at the Starter tier).
            HttpResponse<String> replayed = app.post("/admin/dead-letters/replay", "", ADMIN);
            assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(200);
            assertThat(json(replayed).path("count").asInt()).isEqualTo(burst);
            for (int i = 0; i < burst; i++) {
                assertThat(JournalProbe.waitForFinal(app, "burst-" + i).path("state").asText())
                        .as("burst-" + i + " after the replay").isEqualTo("executed");
            }
            Map<String, Long> perClientId = paper.orders().stream()
                    .collect(Collectors.groupingBy(PaperOrder::clOrdId, Collectors.counting()));
            assertThat(perClientId).as("one order per alert").hasSize(burst);
            assertThat(perClientId.values()).as("never a second order").allMatch(n -> n == 1);
            System.out.printf("after the outage: %d dead letters replayed, %d orders, %d AddOrder calls during the "
                    + "outage%n", burst, paper.orders().size(), addOrdersDuringOutage);
        }
    }
}
