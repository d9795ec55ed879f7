package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.tvkraken.paper.Fault;
import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.PaperExchangeHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kraken unavailable: the circuit breaker opens at webhook volumes, counts Kraken's HTTP-200 outage replies as
 * failures, fails fast while open; every such alert is answered 202 dead_lettered (never 5xx) and stored durably.
 */
class KrakenOutageTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String ALERT = "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.01\"}";
    private static final java.util.concurrent.atomic.AtomicInteger IDS = new java.util.concurrent.atomic.AtomicInteger();

    /** A new alert each time: the same body twice is one alert, answered as a duplicate the second time. */
    static String alertId() {
        return "outage-" + IDS.incrementAndGet();
    }

    static String alert() {
        return alert(alertId());
    }

    static String alert(String id) {
        return "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.01\",\"id\":\"" + id + "\"}";
    }

    @TempDir
    Path data;

    static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    Map<String, String> config() {
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("admin.token", TestSecrets.ADMIN_TOKEN);
        p.put("kraken.breaker.wait-in-open-seconds", "60");
        return p;
    }

    /**
     * Rate limits refuse an AddOrder before Kraken's engine sees it, so the alert is dead-lettered at once (an
     * {@code EService:Unavailable} reply instead may have placed the order: see {@link ExactlyOnceTest}).
     */
    @Test
    void rateLimitedRepliesOpenTheBreakerWhichThenFailsFast() throws Exception {
        try (RunningApp app = RunningApp.start(config())) {
            PaperExchangeHarness paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
            CircuitBreaker breaker = app.bean("krakenTradingBreaker", CircuitBreaker.class);
            app.post("/webhook/tradingview/validate", ALERT); // pairs and prices loaded while Kraken is fine
            paper.injectFault("AddOrder", Fault.RATE_LIMITED, 100);

            for (int i = 0; i < 5; i++) {
                HttpResponse<String> response = app.post("/webhook/tradingview", alert());
                assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
                assertThat(json(response).path("status").asText()).isEqualTo("dead_lettered");
                assertThat(json(response).path("error").path("code").asText()).isEqualTo("kraken_unavailable");
                assertThat(json(response).path("dead_letter_id").asText()).startsWith("dl-");
            }
            assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);

            int addOrdersBefore = paper.requestCount("AddOrder");
            long started = System.nanoTime();
            HttpResponse<String> fast = app.post("/webhook/tradingview", alert());
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertThat(fast.statusCode()).isEqualTo(202);
            assertThat(json(fast).path("error").path("code").asText()).isEqualTo("circuit_open");
            // Failing fast means not calling Kraken at all while open.
            assertThat(paper.requestCount("AddOrder")).isEqualTo(addOrdersBefore);
            assertThat(millis).as("answered without waiting on Kraken").isLessThan(2000);

            HttpResponse<String> letters = app.get("/admin/dead-letters",
                    Map.of("Authorization", "Bearer " + TestSecrets.ADMIN_TOKEN));
            assertThat(json(letters).path("count").asInt()).isEqualTo(6);
        }
    }

    @Test
    void theBreakerClosesAgainWhenKrakenRecovers() throws Exception {
        Map<String, String> p = config();
        p.put("kraken.breaker.wait-in-open-seconds", "1");
        try (RunningApp app = RunningApp.start(p)) {
            PaperExchangeHarness paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
            CircuitBreaker breaker = app.bean("krakenTradingBreaker", CircuitBreaker.class);
            app.post("/webhook/tradingview/validate", ALERT);
            paper.injectFault("AddOrder", Fault.RATE_LIMITED, 5);
            for (int i = 0; i < 5; i++) {
                assertThat(app.post("/webhook/tradingview", alert()).statusCode()).isEqualTo(202);
            }
            assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
            long deadline = System.currentTimeMillis() + 5000;
            while (breaker.getState() == CircuitBreaker.State.OPEN && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> response = app.post("/webhook/tradingview", alert());
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            }
            assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        }
    }

    @Test
    void anAddOrderThatTimesOutAfterBeingPlacedIsFoundAtKrakenNotSentAgain() throws Exception {
        Map<String, String> p = config();
        p.put("kraken.http.response-timeout-ms", "500");
        try (RunningApp app = RunningApp.start(p)) {
            PaperExchangeHarness paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
            app.post("/webhook/tradingview/validate", ALERT);
            paper.injectFault("AddOrder", Fault.ACCEPT_THEN_HANG, 1);
            int ordersBefore = paper.orders().size();
            int addOrdersBefore = paper.requestCount("AddOrder");
            String id = alertId();
            HttpResponse<String> response = app.post("/webhook/tradingview", alert(id));
            // No answer within 500 ms: the order is in doubt (202 pending) and the reconcile-orders route looks it up
            // by cl_ord_id: executed, with its txid, never sent again.
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            assertThat(json(response).path("status").asText()).isEqualTo("pending");
            JsonNode entry = JournalProbe.waitForFinal(app, id);
            assertThat(entry.path("state").asText()).isEqualTo("executed");
            assertThat(paper.orders()).hasSize(ordersBefore + 1);
            String txid = paper.orders().get(paper.orders().size() - 1).txid();
            assertThat(entry.path("txids").path(0).asText()).isEqualTo(txid);
            assertThat(entry.path("answer").path("order").path("txid").path(0).asText()).isEqualTo(txid);
            assertThat(paper.requestCount("AddOrder")).as("nothing sent a second time").isEqualTo(addOrdersBefore + 1);
        }
    }

    @Test
    void anHtmlBadGatewayOnTheOrderLookUpIsDeadLetteredNotA5xx() throws Exception {
        Map<String, String> p = config();
        p.put("orders.reconcile.give-up-seconds", "1");
        try (RunningApp app = RunningApp.start(p)) {
            PaperExchangeHarness paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
            app.post("/webhook/tradingview/validate", ALERT);
            paper.injectFault("AddOrder", Fault.HTTP_502_HTML, 1);
            paper.injectFault("OpenOrders", Fault.HTTP_502_HTML, 100);
            String id = alertId();
            HttpResponse<String> response = app.post("/webhook/tradingview", alert(id));
            // the AddOrder may have been placed: pending while it is looked up; the look-ups fail until the route
            // gives up and dead-letters it as "may have been placed"
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            assertThat(json(response).path("status").asText()).isEqualTo("pending");
            JsonNode entry = JournalProbe.waitForFinal(app, id);
            assertThat(entry.path("state").asText()).isEqualTo("dead_lettered");
            assertThat(entry.path("answer").path("error").path("message").asText()).contains("HTTP 502")
                    .contains("MAY HAVE BEEN PLACED");
            HttpResponse<String> letters = app.get("/admin/dead-letters",
                    Map.of("Authorization", "Bearer " + TestSecrets.ADMIN_TOKEN));
            JsonNode letter = json(letters).path("dead_letters").path(0);
            assertThat(letter.path("may_have_been_placed").asBoolean()).isTrue();
            assertThat(letter.path("order").path("pair").asText()).isEqualTo("XBTUSD");
            assertThat(letter.path("order").path("cl_ord_id").asText()).isNotEmpty();
        }
    }

    @Test
    void deadLettersSurviveARestart() throws Exception {
        String id;
        Map<String, String> p = config(); // the same journal after the restart
        try (RunningApp app = RunningApp.start(p)) {
            PaperExchangeHarness paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
            app.post("/webhook/tradingview/validate", ALERT);
            paper.injectFault("AddOrder", Fault.RATE_LIMITED, 1);
            HttpResponse<String> response = app.post("/webhook/tradingview",
                    "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.01\",\"id\":\"survivor-1\"}");
            assertThat(response.statusCode()).isEqualTo(202);
            id = json(response).path("dead_letter_id").asText();
        }
        try (RunningApp restarted = RunningApp.start(p)) {
            HttpResponse<String> letters = restarted.get("/admin/dead-letters",
                    Map.of("Authorization", "Bearer " + TestSecrets.ADMIN_TOKEN));
            JsonNode letter = json(letters).path("dead_letters").path(0);
            assertThat(letter.path("id").asText()).isEqualTo(id);
            assertThat(letter.path("alert_id").asText()).isEqualTo("survivor-1");
            assertThat(letter.path("body").asText()).contains("survivor-1");
            assertThat(letter.path("reason").asText()).isEqualTo("kraken_unavailable");
            // and the alert id is still taken: the same alert again is a duplicate, nothing is sent
            HttpResponse<String> again = restarted.post("/webhook/tradingview",
                    "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.01\",\"id\":\"survivor-1\"}");
            assertThat(json(again).path("status").asText()).isEqualTo("duplicate");
            assertThat(json(again).path("first_status").asText()).isEqualTo("dead_lettered");
        }
    }

    @Test
    void anAddOrderQueuedWhenTheKillSwitchGoesOffIsNeverSent() throws Exception {
        Map<String, String> p = config();
        p.put("kraken.http.response-timeout-ms", "3000");
        try (RunningApp app = RunningApp.start(p)) {
            PaperExchangeHarness paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
            app.post("/webhook/tradingview/validate", ALERT);
            paper.injectFault("AddOrder", Fault.HANG, 1); // holds the serial sender until our client gives up
            paper.injectFault("AddOrder", Fault.RATE_LIMITED, 1); // then a re-send would be refused anyway
            int addOrdersBefore = paper.requestCount("AddOrder");
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                var first = pool.submit(() -> app.post("/webhook/tradingview", alert()));
                long deadline = System.currentTimeMillis() + 10_000;
                while (paper.requestCount("AddOrder") == addOrdersBefore && System.currentTimeMillis() < deadline) {
                    Thread.sleep(20); // until the first AddOrder is at the exchange, holding the serial sender
                }
                assertThat(paper.requestCount("AddOrder")).isEqualTo(addOrdersBefore + 1);
                var queued = pool.submit(() -> app.post("/webhook/tradingview",
                        "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.01\",\"id\":\"queued\"}"));
                Thread.sleep(300); // the second alert is planned and waits behind the first on the sender
                HttpResponse<String> off = app.post("/admin/trading", "{\"enabled\":false}",
                        Map.of("Authorization", "Bearer " + TestSecrets.ADMIN_TOKEN));
                assertThat(off.statusCode()).isEqualTo(200);

                assertThat(first.get().statusCode()).as(first.get().body()).isEqualTo(202);
                // The second was still waiting when its answer was due (202 pending); the journal has the end.
                HttpResponse<String> second = queued.get();
                assertThat(second.statusCode()).as(second.body()).isIn(202, 423);
                JsonNode entry = JournalProbe.waitForFinal(app, "queued");
                assertThat(entry.path("state").asText()).isEqualTo("rejected");
                assertThat(entry.path("http_status").asInt()).isEqualTo(423);
                assertThat(entry.path("answer").path("error").path("code").asText()).isEqualTo("trading_disabled");
                JournalProbe.waitForFinal(app, "outage-" + IDS.get());
                assertThat(paper.requestCount("AddOrder")).as("only the first AddOrder left")
                        .isEqualTo(addOrdersBefore + 1);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aFailedPairRefreshKeepsTheCachedPairsAndIsNotRetriedByEveryAlert() throws Exception {
        Map<String, String> p = config();
        p.put("kraken.pairs.refresh-seconds", "1");
        try (RunningApp app = RunningApp.start(p)) {
            PaperExchangeHarness paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
            assertThat(app.post("/webhook/tradingview", alert()).statusCode()).isEqualTo(200);
            Thread.sleep(1200); // the catalog is now due for a refresh
            paper.injectFault("AssetPairs", Fault.SERVICE_UNAVAILABLE, 100);
            int assetPairsBefore = paper.requestCount("AssetPairs");
            for (int i = 0; i < 4; i++) {
                HttpResponse<String> response = app.post("/webhook/tradingview", alert());
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            }
            assertThat(paper.requestCount("AssetPairs")).as("one refresh attempt, then the cached pairs")
                    .isEqualTo(assetPairsBefore + 1);
        }
    }
}
