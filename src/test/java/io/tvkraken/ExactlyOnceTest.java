package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.paper.Fault;
import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.PaperExchangeHarness;
import io.tvkraken.paper.PaperOrder;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * At most one order per alert, no alert lost (docs/operations.md#guarantees), through real HTTP against the paper
 * exchange and its fault injection: whatever happens to the AddOrder, the exchange ends up with exactly one order for
 * the alert, the journal says so, and the caller is answered within TradingView's 3 seconds, never with a 5xx.
 */
class ExactlyOnceTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Map<String, String> ADMIN = Map.of("Authorization", "Bearer " + TestSecrets.ADMIN_TOKEN);

    @TempDir
    Path data;

    Map<String, String> config() {
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("admin.token", TestSecrets.ADMIN_TOKEN);
        p.put("kraken.http.response-timeout-ms", "1000");
        p.put("orders.deadline-seconds", "3");
        p.put("orders.reconcile.grace-ms", "500");
        p.put("orders.reconcile.poll-ms", "200");
        return p;
    }

    static String alert(String id) {
        return "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.01\",\"id\":\"" + id + "\"}";
    }

    static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    static List<PaperOrder> ordersFor(PaperExchangeHarness paper, String clOrdId) {
        return paper.orders().stream().filter(o -> clOrdId.equals(o.clOrdId())).toList();
    }

    /** The faults that place the order and then fail the answer: found by the look-up, never sent again. */
    static final Set<Fault> PLACED_FIRST = Set.of(Fault.ACCEPT_THEN_HANG, Fault.ACCEPT_THEN_500,
            Fault.ACCEPT_THEN_RESET, Fault.ACCEPT_THEN_UNAVAILABLE);

    @ParameterizedTest
    @EnumSource(value = Fault.class, names = {"ACCEPT_THEN_HANG", "ACCEPT_THEN_500", "ACCEPT_THEN_RESET",
            "ACCEPT_THEN_UNAVAILABLE", "SERVICE_UNAVAILABLE", "RESET", "HTTP_502_HTML", "HANG"})
    void exactlyOneOrderWhateverHappensToTheAddOrder(Fault fault) throws Exception {
        try (RunningApp app = RunningApp.start(config())) {
            PaperExchangeHarness paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
            app.post("/webhook/tradingview/validate", alert("warm-up")); // pairs and prices cached
            paper.injectFault("AddOrder", fault, 1);
            int addOrdersBefore = paper.requestCount("AddOrder");
            String id = "fault-" + fault.name().toLowerCase();

            long started = System.nanoTime();
            HttpResponse<String> response = app.post("/webhook/tradingview", alert(id));
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertThat(millis).as("answered within TradingView's 3 s").isLessThan(3000);
            assertThat(response.statusCode()).as(response.body()).isIn(200, 202);
            assertThat(json(response).path("status").asText()).isIn("executed", "pending");

            JsonNode entry = JournalProbe.waitForFinal(app, id);
            assertThat(entry.path("state").asText()).as(entry.toString()).isEqualTo("executed");
            String clOrdId = entry.path("cl_ord_id").asText();
            List<PaperOrder> orders = ordersFor(paper, clOrdId);
            assertThat(orders).as("orders at the exchange for this alert").hasSize(1);
            assertThat(entry.path("txids").path(0).asText()).isEqualTo(orders.get(0).txid());
            // Placed, then the answer failed: found by the look-up, not sent again. Not placed (refused, lost, or
            // held past its deadline): sent again only once the look-up proved it absent after the deadline.
            int sends = PLACED_FIRST.contains(fault) ? 1 : 2;
            assertThat(paper.requestCount("AddOrder") - addOrdersBefore).as("AddOrders sent").isEqualTo(sends);
            assertThat(entry.path("attempts").asInt()).isEqualTo(sends);
        }
    }

    @Test
    void tenConcurrentCopiesOfOneAlertPlaceOneOrder() throws Exception {
        try (RunningApp app = RunningApp.start(config())) {
            PaperExchangeHarness paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
            app.post("/webhook/tradingview/validate", alert("warm-up"));
            int addOrdersBefore = paper.requestCount("AddOrder");
            ExecutorService pool = Executors.newFixedThreadPool(10);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> copies = new ArrayList<>();
            try {
                for (int i = 0; i < 10; i++) {
                    copies.add(pool.submit(() -> {
                        go.await();
                        return app.post("/webhook/tradingview", alert("ten-copies"));
                    }));
                }
                go.countDown();
                List<String> statuses = new ArrayList<>();
                for (Future<HttpResponse<String>> copy : copies) {
                    HttpResponse<String> response = copy.get();
                    assertThat(response.statusCode()).as(response.body()).isIn(200, 202);
                    statuses.add(json(response).path("status").asText());
                }
                assertThat(statuses).filteredOn("executed"::equals).hasSize(1);
                assertThat(statuses).filteredOn(s -> !s.equals("executed")).allMatch(s -> Set.of("duplicate",
                        "pending").contains(s));
            } finally {
                pool.shutdownNow();
            }
            assertThat(paper.requestCount("AddOrder") - addOrdersBefore).isEqualTo(1);
            JsonNode entry = JournalProbe.waitForFinal(app, "ten-copies");
            assertThat(ordersFor(paper, entry.path("cl_ord_id").asText())).hasSize(1);
            assertThat(JournalProbe.entries(app)).filteredOn(e -> e.path("alert_id").asText().equals("ten-copies"))
                    .as("every copy is journaled").hasSize(10);
        }
    }

    @Test
    void aRepeatAfterARestartIsStillADuplicate() throws Exception {
        Map<String, String> p = config();
        String txid;
        try (RunningApp app = RunningApp.start(p)) {
            HttpResponse<String> first = app.post("/webhook/tradingview", alert("before-restart"));
            assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
            txid = json(first).path("order").path("txid").path(0).asText();
        }
        try (RunningApp restarted = RunningApp.start(p)) {
            PaperExchangeHarness paper = PaperExchangeHarness.of(restarted.bean("paperExchange", PaperExchange.class));
            HttpResponse<String> again = restarted.post("/webhook/tradingview", alert("before-restart"));
            assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
            assertThat(json(again).path("status").asText()).isEqualTo("duplicate");
            assertThat(json(again).path("first_status").asText()).isEqualTo("executed");
            assertThat(json(again).path("order").path("txid").path(0).asText()).isEqualTo(txid);
            assertThat(paper.requestCount("AddOrder")).as("nothing sent after the restart").isZero();
        }
    }

    @Test
    void aDeadLetterReplayedTwicePlacesOneOrder() throws Exception {
        try (RunningApp app = RunningApp.start(config())) {
            PaperExchangeHarness paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
            app.post("/webhook/tradingview/validate", alert("warm-up"));
            paper.injectFault("AddOrder", Fault.RATE_LIMITED, 2);
            String first = json(app.post("/webhook/tradingview", alert("replay-me"))).path("dead_letter_id").asText();
            String second = json(app.post("/webhook/tradingview", alert("replay-concurrently")))
                    .path("dead_letter_id").asText();
            assertThat(first).startsWith("dl-");
            assertThat(second).startsWith("dl-");

            HttpResponse<String> replayed = app.post("/admin/dead-letters/" + first + "/replay", "", ADMIN);
            assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(200);
            assertThat(json(replayed).path("outcome").path("status").asText()).isEqualTo("executed");
            HttpResponse<String> again = app.post("/admin/dead-letters/" + first + "/replay", "", ADMIN);
            assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
            assertThat(json(again).path("status").asText()).isEqualTo("already_replayed");
            JsonNode entry = JournalProbe.waitForFinal(app, "replay-me");
            assertThat(ordersFor(paper, entry.path("cl_ord_id").asText())).hasSize(1);

            // two replays of one letter at the same moment: the journal lets one through
            ExecutorService pool = Executors.newFixedThreadPool(2);
            CountDownLatch go = new CountDownLatch(1);
            try {
                List<Future<HttpResponse<String>>> replays = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    replays.add(pool.submit(() -> {
                        go.await();
                        return app.post("/admin/dead-letters/" + second + "/replay", "", ADMIN);
                    }));
                }
                go.countDown();
                List<String> statuses = new ArrayList<>();
                for (Future<HttpResponse<String>> replay : replays) {
                    statuses.add(json(replay.get()).path("status").asText());
                }
                // one runs it; the other finds it running (busy, 409) or already done (duplicate / already_replayed)
                assertThat(statuses).filteredOn("replayed"::equals).hasSize(1);
                assertThat(statuses).filteredOn(s -> !s.equals("replayed"))
                        .allMatch(s -> Set.of("busy", "duplicate", "already_replayed").contains(s));
            } finally {
                pool.shutdownNow();
            }
            JsonNode other = JournalProbe.waitForFinal(app, "replay-concurrently");
            assertThat(ordersFor(paper, other.path("cl_ord_id").asText())).hasSize(1);
            HttpResponse<String> letters = app.get("/admin/dead-letters", ADMIN);
            assertThat(json(letters).path("count").asInt()).as("nothing left pending").isZero();
        }
    }

    @Test
    void aLetterThatMayHaveBeenPlacedIsLookedUpOnReplayAndNotSentAgain() throws Exception {
        Map<String, String> p = config();
        p.put("orders.reconcile.give-up-seconds", "1");
        p.put("kraken.breaker.wait-in-open-seconds", "1");
        try (RunningApp app = RunningApp.start(p)) {
            PaperExchangeHarness paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
            var breaker = app.bean("krakenTradingBreaker",
                    io.github.resilience4j.circuitbreaker.CircuitBreaker.class);
            app.post("/webhook/tradingview/validate", alert("warm-up"));
            paper.injectFault("AddOrder", Fault.ACCEPT_THEN_500, 1);
            paper.injectFault("OpenOrders", Fault.HTTP_502_HTML, 100); // the look-up cannot be made
            JsonNode answer = json(app.post("/webhook/tradingview", alert("in-doubt")));
            JsonNode entry = JournalProbe.waitForFinal(app, "in-doubt");
            assertThat(entry.path("state").asText()).isEqualTo("dead_lettered");
            String letter = json(app.get("/admin/dead-letters", ADMIN)).path("dead_letters").path(0).path("id")
                    .asText();
            assertThat(json(app.get("/admin/dead-letters", ADMIN)).path("dead_letters").path(0)
                    .path("may_have_been_placed").asBoolean()).as(answer.toString()).isTrue();
            int addOrders = paper.requestCount("AddOrder");

            paper.clearFaults();
            // the failed look-ups opened the breaker; Kraken is back once it lets calls through again
            long until = System.currentTimeMillis() + 5000;
            while (breaker.getState() == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.OPEN
                    && System.currentTimeMillis() < until) {
                Thread.sleep(50);
            }
            HttpResponse<String> replayed = app.post("/admin/dead-letters/" + letter + "/replay", "", ADMIN);
            assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(200);
            assertThat(json(replayed).path("status").asText()).isEqualTo("found");
            assertThat(paper.requestCount("AddOrder")).as("not sent again").isEqualTo(addOrders);
            assertThat(ordersFor(paper, entry.path("cl_ord_id").asText())).hasSize(1);
            assertThat(JournalProbe.waitForFinal(app, "in-doubt").path("state").asText()).isEqualTo("executed");
        }
    }

    @Test
    void staleAlertsAreRefusedJournaledAndNothingIsSent() throws Exception {
        try (RunningApp app = RunningApp.start(config())) {
            PaperExchangeHarness paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
            Instant now = Instant.now();
            String stale = "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.01\",\"id\":\"old\",\"time\":\""
                    + now.minusSeconds(120) + "\"}";
            HttpResponse<String> refused = app.post("/webhook/tradingview", stale);
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
            assertThat(json(refused).path("error").path("code").asText()).isEqualTo("stale_alert");
            assertThat(paper.requestCount("AddOrder")).isZero();
            JsonNode entry = JournalProbe.waitForFinal(app, "old");
            assertThat(entry.path("state").asText()).isEqualTo("rejected");
            assertThat(entry.path("http_status").asInt()).isEqualTo(422);

            // fresh, in each accepted form: ISO-8601 ({{timenow}}), epoch seconds, epoch milliseconds
            for (String time : List.of("\"" + now.minusSeconds(5) + "\"", Long.toString(now.getEpochSecond()),
                    "\"" + now.toEpochMilli() + "\"")) {
                String fresh = "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.01\",\"time\":" + time + "}";
                HttpResponse<String> ok = app.post("/webhook/tradingview", fresh);
                assertThat(ok.statusCode()).as(time + " " + ok.body()).isEqualTo(200);
            }
            String oldMillis = "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.01\",\"time\":"
                    + now.minusSeconds(3600).toEpochMilli() + "}";
            assertThat(app.post("/webhook/tradingview", oldMillis).statusCode()).isEqualTo(422);
        }
    }
}
