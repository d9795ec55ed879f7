package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.bench.KrakenStub;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bursts on one API key with a nonce window and AddOrderBatch (docs/kraken.md#bursts-on-one-key), in live mode against
 * a stand-in Kraken that answers every call after 200 ms and checks what Kraken checks: signatures, nonces with the
 * key's window, the per-pair trading counter of the Pro tier, AddOrderBatch's rules. The application runs with its
 * routes, journal and HTTP server, driven through real HTTP.
 *
 * <ul>
 *   <li>300 alerts at once over 6 pairs are all placed within 15 s, each exactly once, every alert answered within
 *       2.5 s, no counter exceeded and no nonce refused;</li>
 *   <li>a batch in which Kraken refuses one order: that order is rejected with its own error, the others placed, each
 *       journaled on its own;</li>
 *   <li>a batch whose answer never comes: every order goes to reconciling and is found by its own client order id,
 *       nothing sent twice.</li>
 * </ul>
 */
class BatchedBurstTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final int PAIRS = 6;
    static final int PER_PAIR = 50;
    static final int BURST = PAIRS * PER_PAIR;
    /** The nonce window set on the key "at Kraken", in nonce units. */
    static final long WINDOW = 5_000;

    @TempDir
    Path data;

    Map<String, String> liveAgainst(KrakenStub kraken, int batchOrders, long nonceWindow) {
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("kraken.mode", "live");
        p.put("kraken.api.url", kraken.baseUrl().toString());
        p.put("kraken.api.key", TestSecrets.KRAKEN_API_KEY);
        p.put("kraken.api.secret", TestSecrets.KRAKEN_API_SECRET);
        p.put("kraken.tier", "pro");
        p.put("kraken.batch-orders", Integer.toString(batchOrders));
        p.put("kraken.nonce-window", Long.toString(nonceWindow));
        p.put("webhook.passphrase", TestSecrets.PASSPHRASE);
        p.put("admin.token", TestSecrets.ADMIN_TOKEN);
        return p;
    }

    static KrakenStub proTierKraken(long nonceWindow) {
        KrakenStub kraken = KrakenStub.start(TestSecrets.KRAKEN_API_KEY, TestSecrets.KRAKEN_API_SECRET, 0, PAIRS);
        // Kraken's Pro tier: 180 per pair, decaying by 3.75 a second (docs/kraken.md#rate-limits)
        kraken.tradingCounter(180, 3.75);
        kraken.nonceWindow(nonceWindow);
        return kraken;
    }

    static String alert(String ticker, String volume, String id) {
        return "{\"ticker\":\"" + ticker + "\",\"action\":\"buy\",\"order_type\":\"limit\",\"volume\":\"" + volume
                + "\",\"price\":\"100\",\"id\":\"" + id + "\",\"passphrase\":\"" + TestSecrets.PASSPHRASE + "\"}";
    }

    /**
     * The service as its own process (as {@link BarCloseBurstTest} runs it), so that the burst's client and the
     * stand-in Kraken in this JVM do not share its threads.
     */
    @Test
    void threeHundredAlertsOverSixPairsArePlacedOnceEachWithinFifteenSecondsWithOneKey() throws Exception {
        try (KrakenStub kraken = proTierKraken(WINDOW)) {
            Map<String, String> env = new java.util.HashMap<>();
            env.put("KRAKEN_MODE", "live");
            env.put("KRAKEN_API_URL", kraken.baseUrl().toString());
            env.put("KRAKEN_API_KEY", TestSecrets.KRAKEN_API_KEY);
            env.put("KRAKEN_API_SECRET", TestSecrets.KRAKEN_API_SECRET);
            env.put("WEBHOOK_PASSPHRASE", TestSecrets.PASSPHRASE);
            env.put("ADMIN_TOKEN", TestSecrets.ADMIN_TOKEN);
            env.put("KRAKEN_TIER", "pro");
            env.put("KRAKEN_BATCH_ORDERS", "15");
            env.put("KRAKEN_NONCE_WINDOW", Long.toString(WINDOW));
            // more orders waiting for the key at once: fuller batches (docs/kraken.md#bursts-on-one-key)
            env.put("ORDERS_WORKERS", "48");
            env.putAll(AppProcess.freshDatabase("batched_burst"));
            try (AppProcess app = AppProcess.start(data, env, AppProcess.logFile("batched-burst"))
                    .waitUntilReady()) {
                List<String> tickers = kraken.syntheticTickers().subList(0, PAIRS);
                // a service that has served alerts before: pairs cached, code paths warm
                for (int i = 0; i < 20; i++) {
                    app.post("/webhook/tradingview/validate", alert(tickers.get(i % PAIRS), "0.01", "warm-" + i));
                }
                kraken.delayMillis(200);
                kraken.recordAddOrders();
                ExecutorService pool = Executors.newFixedThreadPool(100);
                long[] millis = new long[BURST];
                try {
                    List<Future<long[]>> answers = new ArrayList<>();
                    for (int i = 0; i < BURST; i++) {
                        String body = alert(tickers.get(i % PAIRS), "0.01", "batch-" + i);
                        answers.add(pool.submit(() -> {
                            long started = System.nanoTime();
                            HttpResponse<String> response = app.post("/webhook/tradingview", body);
                            return new long[] {response.statusCode(), (System.nanoTime() - started) / 1_000_000};
                        }));
                    }
                    for (int i = 0; i < BURST; i++) {
                        long[] got = answers.get(i).get();
                        assertThat(got[0]).as("acknowledged, never a 5xx").isIn(200L, 202L);
                        millis[i] = got[1];
                    }
                    Arrays.sort(millis);
                } finally {
                    pool.shutdownNow();
                }

                List<JsonNode> journal = app.settledJournal(java.time.Duration.ofSeconds(60)).stream()
                        .filter(e -> e.path("alert_id").asText().startsWith("batch-")).toList();
                long[] arrivals = kraken.addOrderArrivals();
                Arrays.sort(arrivals);
                double firstToLast = arrivals.length == 0 ? 0 : (arrivals[arrivals.length - 1] - arrivals[0]) / 1e9;
                System.out.printf("batched burst of %d over %d pairs, one key, AddOrder at 200 ms: first to last "
                        + "AddOrder %.1f s, %d AddOrderBatch calls, answers median %d ms, p99 %d ms, max %d ms%n",
                        BURST, PAIRS, firstToLast, kraken.batches(), millis[BURST / 2], millis[BURST * 99 / 100],
                        millis[BURST - 1]);

                assertThat(journal).as("every alert journaled").hasSize(BURST);
                assertThat(journal).as("every alert placed")
                        .allSatisfy(e -> assertThat(e.path("state").asText()).as(e.toString()).isEqualTo("executed"));
                Map<String, Integer> placed = kraken.placedByClOrdId();
                assertThat(placed).as("one order per alert").hasSize(BURST);
                assertThat(placed.values()).as("no order placed twice").allMatch(n -> n == 1);
                assertThat(arrivals).as("an order at Kraken for every alert").hasSize(BURST);
                assertThat(kraken.rateLimited()).as("orders over the trading counter").isZero();
                assertThat(kraken.invalidNonces()).as("nonces refused").isZero();
                assertThat(kraken.otherErrors()).as("calls refused").isZero();
                assertThat(kraken.batches()).as("orders left in AddOrderBatch calls").isPositive();
                assertThat(firstToLast).as("first to last AddOrder (s)").isLessThan(15.0);
                assertThat(millis[BURST - 1]).as("slowest answer (ms)").isLessThan(2500);
            }
        }
    }

    @Test
    void inABatchWhereKrakenRefusesOneOrderThatOneIsRejectedAndTheOthersPlacedEachOnItsOwn() throws Exception {
        try (KrakenStub kraken = proTierKraken(0);
                RunningApp app = RunningApp.start(liveAgainst(kraken, 15, 0))) {
            List<String> tickers = kraken.syntheticTickers();
            app.post("/webhook/tradingview/validate", alert(tickers.get(0), "0.01", "warm"));
            kraken.delayMillis(300);
            kraken.refuseVolume("0.02");
            List<String> bodies = batchBehindABlocker(tickers, "partial", "0.02");
            fire(app, bodies);

            Map<String, JsonNode> journal = settled(app, "partial-");
            assertThat(kraken.batches()).as("the orders behind the blocker left together").isEqualTo(1);
            assertThat(journal.get("partial-refused").path("state").asText()).isEqualTo("rejected");
            assertThat(journal.get("partial-refused").path("answer").toString()).contains("EOrder:Insufficient funds");
            for (int i = 0; i < 4; i++) {
                JsonNode entry = journal.get("partial-" + i);
                assertThat(entry.path("state").asText()).as(entry.toString()).isEqualTo("executed");
                assertThat(entry.path("answer").toString()).as("its own txid").contains("txid");
            }
            assertThat(kraken.placedByClOrdId()).as("the blocker and the four placed, once each").hasSize(5)
                    .allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
        }
    }

    @Test
    void aBatchWithoutAnAnswerSendsEveryOrderToReconcilingAndEachIsFoundByItsClientOrderId() throws Exception {
        try (KrakenStub kraken = proTierKraken(0);
                RunningApp app = RunningApp.start(liveAgainst(kraken, 15, 0))) {
            List<String> tickers = kraken.syntheticTickers();
            app.post("/webhook/tradingview/validate", alert(tickers.get(0), "0.01", "warm"));
            kraken.delayMillis(300);
            // placed, and answered after the service's response timeout (2 s)
            kraken.answerNextBatchAfter(4_000);
            fire(app, batchBehindABlocker(tickers, "lost", null));

            Map<String, JsonNode> journal = settled(app, "lost-");
            assertThat(kraken.batches()).isEqualTo(1);
            for (int i = 0; i < 4; i++) {
                JsonNode entry = journal.get("lost-" + i);
                assertThat(entry.path("state").asText()).as(entry.toString()).isEqualTo("executed");
                assertThat(entry.hasNonNull("in_doubt_since")).as("looked up after the lost answer: " + entry)
                        .isTrue();
                assertThat(entry.path("events").toString()).as(entry.toString()).contains("reconciling");
            }
            assertThat(journal.get("lost-blocker").hasNonNull("in_doubt_since")).as("the blocker was answered")
                    .isFalse();
            assertThat(kraken.placedByClOrdId()).as("nothing sent twice").hasSize(5)
                    .allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
        }
    }

    /**
     * The paper exchange takes AddOrderBatch as Kraken does, so paper trading batches too: the orders behind a blocker
     * leave together and are placed once each, the one the paper account cannot fund refused in its own entry.
     */
    @Test
    void thePaperExchangeTakesABatchAndRefusesOneOrderOfItOnItsOwn() throws Exception {
        try (io.tvkraken.paper.PaperExchangeHarness kraken = io.tvkraken.paper.PaperExchangeHarness.start(
                io.tvkraken.paper.PaperConfig.defaults().withAddOrderLatency(java.time.Duration.ofMillis(300))
                        .withRateLimitTier(io.tvkraken.paper.RateLimitTier.PRO));
                RunningApp app = RunningApp.start(paperExchangeAsKraken(kraken))) {
            List<String> bodies = new ArrayList<>();
            bodies.add(alert("ETHUSD", "0.01", "paper-blocker").replace("\"price\":\"100\"", "\"price\":\"1000\""));
            // market buys, sized alike; one of far more than the paper account can pay: refused by the "engine"
            for (int i = 0; i < 4; i++) {
                bodies.add(marketBuy("BTCUSD", "0.01", "paper-" + i));
                if (i == 1) {
                    bodies.add(marketBuy("BTCUSD", "100000", "paper-refused"));
                }
            }
            app.post("/webhook/tradingview/validate", marketBuy("BTCUSD", "0.01", "warm")); // the price cached
            fire(app, bodies);

            Map<String, JsonNode> journal = settled(app, "paper-");
            assertThat(kraken.privateCalls().stream().filter(c -> c.method().equals("AddOrderBatch")).count())
                    .as("the orders behind the blocker left together").isEqualTo(1);
            assertThat(kraken.addOrderRequests().stream().filter(r -> !"true".equals(r.get("validate"))))
                    .as("only the blocker left alone").hasSize(1);
            for (int i = 0; i < 4; i++) {
                assertThat(journal.get("paper-" + i).path("state").asText()).isEqualTo("executed");
            }
            assertThat(journal.get("paper-refused").path("state").asText()).isEqualTo("rejected");
            assertThat(journal.get("paper-refused").path("answer").toString()).contains("EOrder:Insufficient funds");
            assertThat(kraken.orders().stream().map(io.tvkraken.paper.PaperOrder::clOrdId).toList())
                    .as("the blocker and the four, each placed once").hasSize(5).doesNotHaveDuplicates();
        }
    }

    static String marketBuy(String ticker, String volume, String id) {
        return "{\"ticker\":\"" + ticker + "\",\"action\":\"buy\",\"volume\":\"" + volume + "\",\"id\":\"" + id
                + "\",\"passphrase\":\"" + TestSecrets.PASSPHRASE + "\"}";
    }

    Map<String, String> paperExchangeAsKraken(io.tvkraken.paper.PaperExchangeHarness kraken) {
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("kraken.mode", "live");
        p.put("kraken.api.url", kraken.baseUrl().toString());
        p.put("kraken.api.key", kraken.config().apiKey());
        p.put("kraken.api.secret", kraken.config().apiSecret());
        p.put("kraken.tier", "pro");
        p.put("kraken.batch-orders", "15");
        p.put("webhook.passphrase", TestSecrets.PASSPHRASE);
        p.put("admin.token", TestSecrets.ADMIN_TOKEN);
        return p;
    }

    /**
     * A blocker on one pair, then four orders on another (and one of volume {@code refusedVolume}, if given) while
     * the blocker is at Kraken: they wait for the key together and leave in one batch.
     */
    static List<String> batchBehindABlocker(List<String> tickers, String prefix, String refusedVolume) {
        List<String> bodies = new ArrayList<>();
        bodies.add(alert(tickers.get(0), "0.01", prefix + "-blocker"));
        for (int i = 0; i < 4; i++) {
            bodies.add(alert(tickers.get(1), "0.01", prefix + "-" + i));
            if (i == 1 && refusedVolume != null) {
                bodies.add(alert(tickers.get(1), refusedVolume, prefix + "-refused"));
            }
        }
        return bodies;
    }

    /**
     * Posts the first body, then the others at once 100 ms later; returns how long each answer took, in ms, sorted.
     */
    static long[] fire(RunningApp app, List<String> bodies) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(100, bodies.size()));
        try {
            List<Future<long[]>> answers = new ArrayList<>();
            for (int i = 0; i < bodies.size(); i++) {
                String body = bodies.get(i);
                answers.add(pool.submit(() -> {
                    long started = System.nanoTime();
                    HttpResponse<String> response = app.post("/webhook/tradingview", body);
                    return new long[] {response.statusCode(), (System.nanoTime() - started) / 1_000_000};
                }));
                if (i == 0) {
                    Thread.sleep(100);
                }
            }
            long[] millis = new long[bodies.size()];
            for (int i = 0; i < millis.length; i++) {
                long[] got = answers.get(i).get();
                assertThat(got[0]).as("acknowledged, never a 5xx").isIn(200L, 202L, 422L);
                millis[i] = got[1];
            }
            Arrays.sort(millis);
            return millis;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Alert id → journal entry of the alerts whose id starts with {@code prefix}, once none is unfinished. */
    static Map<String, JsonNode> settled(RunningApp app, String prefix) throws Exception {
        long until = System.currentTimeMillis() + 45_000;
        Map<String, JsonNode> entries;
        do {
            HttpResponse<String> response;
            try {
                response = app.get("/admin/orders?limit=1000",
                        Map.of("Authorization", "Bearer " + TestSecrets.ADMIN_TOKEN));
            } catch (java.io.UncheckedIOException idleConnectionClosed) {
                // a pooled connection the server closed as idle meanwhile: asked again on a new one
                entries = Map.of();
                Thread.sleep(200);
                continue;
            }
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            entries = new LinkedHashMap<>();
            for (JsonNode entry : JSON.readTree(response.body()).path("orders")) {
                if (entry.path("alert_id").asText().startsWith(prefix)) {
                    entries.put(entry.path("alert_id").asText(), entry);
                }
            }
            if (entries.values().stream().noneMatch(e -> AppProcess.UNFINISHED.contains(e.path("state").asText()))) {
                return entries;
            }
            Thread.sleep(200);
        } while (System.currentTimeMillis() < until);
        throw new AssertionError("still unfinished after 45 s: " + entries.keySet());
    }
}
