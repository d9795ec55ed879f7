package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tvkraken.paper.PaperConfig;
import io.tvkraken.paper.PaperExchangeHarness;
import io.tvkraken.paper.PaperOrder;
import io.tvkraken.paper.RecordingTap;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several replicas, one Kraken API key, one PostgreSQL (docs/replicas.md): three application processes, each with its
 * own data folder and port, on one journal database, trading in live mode against one paper exchange that checks every
 * nonce as Kraken does. TradingView's resends land on another replica; a replica dies with SIGKILL mid-burst; the kill
 * switch is thrown on one replica. The embedded journal serves one instance: a second is refused.
 */
class ReplicasTest {

    static final int REPLICAS = 3;
    static final int BURST = 40;
    /** Short, so that a killed replica's rows are taken over soon; renewed every second while a replica lives. */
    static final int LEASE_SECONDS = 5;
    /** Three JVMs starting at once on two shared cores. */
    static final Duration STARTUP = Duration.ofSeconds(150);
    static final String POSTGRES_ONLY = "replicas share a PostgreSQL journal; the embedded journal serves one "
            + "instance (embeddedSecondInstanceOnTheSameFilesIsRefused), backend " + TestDatabase.backend();

    @TempDir
    Path dir;

    @Test
    void burstSentToTwoReplicasEachPlacesEveryAlertOnceWithNoInvalidNonce() throws Exception {
        assumeTrue(TestDatabase.backend().equals("postgres"), POSTGRES_ONLY);
        try (PaperExchangeHarness kraken = PaperExchangeHarness.start(PaperConfig.defaults()
                .withAddOrderLatency(Duration.ofMillis(20)));
                Replicas replicas = Replicas.start(dir, env(kraken, "burst"), "burst")) {
            long started = System.nanoTime();
            Map<Integer, Integer> statuses = new TreeMap<>();
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                List<Future<HttpResponse<String>>> answers = new ArrayList<>();
                for (int i = 0; i < BURST; i++) {
                    String alert = AppProcess.alert("burst-" + i);
                    // the alert and TradingView's resend of it, each to a different replica, at the same time
                    AppProcess first = replicas.get(i % REPLICAS);
                    AppProcess second = replicas.get((i + 1) % REPLICAS);
                    answers.add(pool.submit(() -> first.post("/webhook/tradingview", alert)));
                    answers.add(pool.submit(() -> second.post("/webhook/tradingview", alert)));
                }
                for (Future<HttpResponse<String>> answer : answers) {
                    statuses.merge(answer.get(60, TimeUnit.SECONDS).statusCode(), 1, Integer::sum);
                }
            } finally {
                pool.shutdownNow();
            }
            List<JsonNode> journal = replicas.get(0).settledJournal(Duration.ofSeconds(60));
            double seconds = (System.nanoTime() - started) / 1e9;
            Map<String, Long> orderStates = journal.stream().filter(e -> !e.path("state").asText().equals("duplicate"))
                    .collect(Collectors.groupingBy(e -> e.path("state").asText(), TreeMap::new, Collectors.counting()));
            System.out.printf("replicas burst: %d alerts, each sent to two of %d replicas at once: answers %s, "
                            + "journal %s, %d order(s) at the exchange, %d EAPI:Invalid nonce, %d AddOrder(s) in "
                            + "flight at most, settled in %.1f s%n", BURST, REPLICAS, statuses, orderStates,
                    kraken.orders().size(), kraken.refusals("EAPI:Invalid nonce"), kraken.maxInFlight("AddOrder"),
                    seconds);

            assertThat(statuses.keySet()).as("every copy answered 200 or 202").isSubsetOf(200, 202);
            assertThat(kraken.refusals("EAPI:Invalid nonce")).as("nonces refused by the exchange").isZero();
            assertExactlyOneOrderPerAlert(kraken, journal, BURST);
            assertThat(orderStates).as("one executed entry per alert").containsEntry("executed", (long) BURST)
                    .hasSize(1);
            assertNoncesStrictlyIncreasingAsReceived(kraken);
            assertThat(kraken.maxInFlight("AddOrder")).as("one key: one AddOrder in flight across every replica")
                    .isEqualTo(1);

            // operations agree: the journal and the dead letters are the same from any replica; /status names it
            Set<String> names = new java.util.HashSet<>();
            for (AppProcess replica : replicas.all()) {
                assertThat(states(replica.journal())).as("GET /admin/orders on every replica")
                        .isEqualTo(states(journal));
                assertThat(replica.pendingDeadLetters()).as("GET /admin/dead-letters").isEmpty();
                JsonNode status = AppProcess.JSON.readTree(replica.get("/status").body());
                names.add(status.path("replica").asText());
                assertThat(status.path("replica").asText()).contains(":" + replica.pid() + ":");
            }
            assertThat(names).as("each replica names itself").hasSize(REPLICAS);
        }
    }

    @Test
    void replicaKilledMidBurstLeavesEveryAcknowledgedAlertToTheOthersPlacedOnce() throws Exception {
        assumeTrue(TestDatabase.backend().equals("postgres"), POSTGRES_ONLY);
        try (PaperExchangeHarness kraken = PaperExchangeHarness.start(PaperConfig.defaults()
                .withAddOrderLatency(Duration.ofMillis(100)));
                Replicas replicas = Replicas.start(dir, env(kraken, "sigkill"), "sigkill")) {
            AppProcess victim = replicas.get(0);
            Map<String, Integer> answered = new java.util.concurrent.ConcurrentHashMap<>();
            ExecutorService pool = Executors.newFixedThreadPool(12);
            long killedAt;
            try {
                List<Future<?>> sends = new ArrayList<>();
                for (int i = 0; i < BURST; i++) {
                    String id = "kill-" + i;
                    AppProcess replica = replicas.get(i % REPLICAS);
                    sends.add(pool.submit(() -> {
                        try {
                            answered.put(id, replica.post("/webhook/tradingview", AppProcess.alert(id)).statusCode());
                        } catch (IOException refusedOrCut) {
                            // the killed replica: not acknowledged (TradingView would resend it elsewhere)
                        }
                        return null;
                    }));
                }
                // mid-burst: once a few of the victim's alerts are journaled and its sender is busy
                long until = System.currentTimeMillis() + 30_000;
                while (kraken.requestCount("AddOrder") < BURST / 4 && System.currentTimeMillis() < until) {
                    Thread.sleep(20);
                }
                victim.kill();
                killedAt = System.nanoTime();
                for (Future<?> send : sends) {
                    send.get(90, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            AppProcess survivor = replicas.get(1);
            List<JsonNode> journal = survivor.settledJournal(Duration.ofSeconds(LEASE_SECONDS + 60));
            double settledAfterKill = (System.nanoTime() - killedAt) / 1e9;
            List<String> acknowledged = answered.entrySet().stream()
                    .filter(e -> e.getValue() == 200 || e.getValue() == 202).map(Map.Entry::getKey).sorted().toList();
            Map<String, JsonNode> byAlert = CrashSafetyTest.byAlert(journal);
            Map<String, Long> states = byAlert.values().stream().collect(Collectors.groupingBy(
                    e -> e.path("state").asText(), TreeMap::new, Collectors.counting()));
            long takenOver = journal.stream().filter(e -> e.path("events").toString().contains("taken over by"))
                    .count();
            System.out.printf("replicas SIGKILL: %d alerts over %d replicas, one killed after %d AddOrders: %d "
                            + "acknowledged, journal %s, %d taken over by the survivors, %d order(s) at the exchange, "
                            + "%d EAPI:Invalid nonce, every entry settled %.1f s after the kill (lease %d s)%n",
                    BURST, REPLICAS, BURST / 4, acknowledged.size(), states, takenOver, kraken.orders().size(),
                    kraken.refusals("EAPI:Invalid nonce"), settledAfterKill, LEASE_SECONDS);

            assertThat(acknowledged).as("acknowledged alerts").hasSizeGreaterThanOrEqualTo(BURST * 2 / 3);
            for (String id : acknowledged) {
                assertThat(byAlert).as("acknowledged alert %s is journaled", id).containsKey(id);
                assertThat(byAlert.get(id).path("state").asText()).as("acknowledged alert %s", id)
                        .isEqualTo("executed");
            }
            assertThat(kraken.refusals("EAPI:Invalid nonce")).as("nonces refused by the exchange").isZero();
            assertExactlyOneOrderPerAlert(kraken, journal, states.getOrDefault("executed", 0L).intValue());
            assertNoncesStrictlyIncreasingAsReceived(kraken);
        }
    }

    @Test
    void killSwitchThrownOnOneReplicaStopsTheOthersAndSurvivesARestart() throws Exception {
        assumeTrue(TestDatabase.backend().equals("postgres"), POSTGRES_ONLY);
        try (PaperExchangeHarness kraken = PaperExchangeHarness.start(PaperConfig.defaults());
                Replicas replicas = Replicas.start(dir, env(kraken, "killswitch"), "killswitch")) {
            HttpResponse<String> placed = replicas.get(1).post("/webhook/tradingview", AppProcess.alert("on-1"));
            assertThat(placed.statusCode()).as("trading on: %s", placed.body()).isEqualTo(200);

            HttpResponse<String> off = replicas.get(0).adminPost("/admin/trading", "{\"enabled\": false}");
            assertThat(off.statusCode()).as("switched off on replica 0: %s", off.body()).isEqualTo(200);
            String offRequest = off.headers().firstValue("X-Request-ID").orElseThrow();
            long switchedAt = System.nanoTime();
            int addOrdersBefore = kraken.requestCount("AddOrder");
            // every replica obeys within one second
            Thread.sleep(1000);
            Map<String, Integer> whileOff = new TreeMap<>();
            for (int i = 1; i < REPLICAS; i++) {
                String id = "off-" + i;
                whileOff.put(id, replicas.get(i).post("/webhook/tradingview", AppProcess.alert(id)).statusCode());
            }
            // restarted with TRADING_ENABLED=true, a replica keeps the database's setting
            replicas.restart(2);
            JsonNode status = AppProcess.JSON.readTree(replicas.get(2).get("/status").body());
            int afterRestart = replicas.get(2).post("/webhook/tradingview", AppProcess.alert("off-restarted"))
                    .statusCode();
            JsonNode changes = AppProcess.JSON.readTree(replicas.get(1).admin("/admin/trading/changes").body());
            System.out.printf("replicas kill switch: off on replica 0; 1 s later alerts on replicas 1 and 2 answered "
                            + "%s, %d AddOrder(s) sent since; replica 2 restarted with TRADING_ENABLED=true: "
                            + "trading_enabled=%s, alert answered %d; latest change %s (%.1f s after the switch)%n",
                    whileOff, kraken.requestCount("AddOrder") - addOrdersBefore, status.path("trading_enabled"),
                    afterRestart, changes.path("changes").path(0), (System.nanoTime() - switchedAt) / 1e9);

            assertThat(whileOff.values()).as("423 trading_disabled on the other replicas").containsOnly(423);
            assertThat(afterRestart).as("after a restart with TRADING_ENABLED=true").isEqualTo(423);
            assertThat(status.path("trading_enabled").asBoolean(true)).isFalse();
            assertThat(kraken.requestCount("AddOrder")).as("no AddOrder while off").isEqualTo(addOrdersBefore);
            JsonNode latest = changes.path("changes").path(0);
            assertThat(changes.path("trading_enabled").asBoolean(true)).isFalse();
            assertThat(latest.path("enabled").asBoolean(true)).isFalse();
            assertThat(latest.path("request_id").asText()).as("who switched it").isEqualTo(offRequest);
            assertThat(latest.path("source_address").asText()).as("from where").isEqualTo("127.0.0.1");
            assertThat(latest.path("changed_at").asText()).isNotEmpty();

            HttpResponse<String> on = replicas.get(2).adminPost("/admin/trading", "{\"enabled\": true}");
            assertThat(on.statusCode()).isEqualTo(200);
            Thread.sleep(1000);
            HttpResponse<String> again = replicas.get(1).post("/webhook/tradingview", AppProcess.alert("on-2"));
            assertThat(again.statusCode()).as("switched on again on replica 2: %s", again.body()).isEqualTo(200);
        }
    }

    @Test
    void embeddedSecondInstanceOnTheSameFilesIsRefused() throws Exception {
        assumeTrue(TestDatabase.backend().equals("embedded"), "the embedded journal lives under DATA_DIR");
        Path data = Files.createDirectory(dir.resolve("data"));
        try (AppProcess first = AppProcess.start(data, Map.of(), AppProcess.logFile("ReplicasTest.embedded-first"))
                .waitUntilReady();
                AppProcess second = AppProcess.start(data, Map.of(), AppProcess.logFile("ReplicasTest.embedded-second"))) {
            long until = System.currentTimeMillis() + 60_000;
            while (second.isAlive() && System.currentTimeMillis() < until) {
                Thread.sleep(100);
            }
            assertThat(second.isAlive()).as("the second instance on the same journal files stopped").isFalse();
            assertThat(second.output()).contains("is in use by another instance: the embedded journal serves one "
                    + "instance only").contains("PostgreSQL");
            assertThat(first.get("/health").statusCode()).as("the first keeps serving").isEqualTo(200);
        }
    }

    // ---- helpers ----

    /** Live mode against {@code kraken}, one PostgreSQL journal for every replica, short leases. */
    @Test
    void strategiesOnSeveralReplicasShareTheirBooksAndTheirRiskLimits() throws Exception {
        assumeTrue(TestDatabase.backend().equals("postgres"), POSTGRES_ONLY);
        int strategies = 8;
        StringBuilder yaml = new StringBuilder("strategies:\n");
        for (int i = 0; i < strategies; i++) {
            yaml.append("  race-").append(i).append(": {max-orders-per-hour: 1}\n");
        }
        Path file = Files.writeString(dir.resolve("strategies.yaml"), yaml);
        try (PaperExchangeHarness kraken = PaperExchangeHarness.start(PaperConfig.defaults());
                Replicas replicas = Replicas.start(dir, withStrategies(env(kraken, "strategies"), file),
                        "strategies")) {
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                // risk limits: per strategy, two alerts on two pairs (two books, so that no book orders them), each to
                // another replica at the same moment; the limit fits one
                List<List<Future<HttpResponse<String>>>> races = new ArrayList<>();
                for (int i = 0; i < strategies; i++) {
                    String strategy = "race-" + i;
                    AppProcess one = replicas.get(i % REPLICAS);
                    AppProcess other = replicas.get((i + 1) % REPLICAS);
                    races.add(List.of(
                            pool.submit(() -> one.post("/webhook/tradingview", order(strategy, "BTCUSD", "0.001"))),
                            pool.submit(() -> other.post("/webhook/tradingview", order(strategy, "ETHUSD", "0.01")))));
                }
                // one book: ten target alerts of one strategy, fired a second apart, sent within half a second in a
                // shuffled order, each to another replica than the one before
                String[] targets = {"0.003", "0.001", "0.004", "0.001", "0.005", "0.009", "0.002", "0.006", "0.005",
                    "0.007"};
                long firstSecond = java.time.Instant.now().getEpochSecond() - 20;
                List<Integer> shuffled = new ArrayList<>(List.of(6, 2, 9, 0, 4, 7, 1, 8, 3, 5));
                List<Future<HttpResponse<String>>> book = new ArrayList<>();
                for (int k = 0; k < shuffled.size(); k++) {
                    int i = shuffled.get(k);
                    String alert = "{\"ticker\":\"BTCUSD\",\"strategy\":\"shared-book\",\"position\":\""
                            + targets[i] + "\",\"id\":\"book-" + i + "\",\"time\":\""
                            + java.time.Instant.ofEpochSecond(firstSecond + i) + "\",\"passphrase\":\""
                            + TestSecrets.PASSPHRASE + "\"}";
                    AppProcess replica = replicas.get(k % REPLICAS);
                    book.add(pool.submit(() -> replica.post("/webhook/tradingview", alert)));
                    // a little apart, so that several are applied in turn rather than all but the newest superseded
                    Thread.sleep(40);
                }
                for (List<Future<HttpResponse<String>>> race : races) {
                    for (Future<HttpResponse<String>> answer : race) {
                        assertThat(answer.get(60, TimeUnit.SECONDS).statusCode()).isIn(200, 202, 422);
                    }
                }
                Map<String, Integer> bookAnswers = new TreeMap<>();
                for (Future<HttpResponse<String>> answer : book) {
                    bookAnswers.merge(AppProcess.JSON.readTree(answer.get(60, TimeUnit.SECONDS).body())
                            .path("status").asText(), 1, Integer::sum);
                }
                // the outcomes as journaled: an answer may have been 202 pending while the order was still running
                List<JsonNode> journal = replicas.get(0).settledJournal(Duration.ofSeconds(60));
                Map<String, JsonNode> byAlert = CrashSafetyTest.byAlert(journal);
                Map<String, Integer> raceOutcomes = new TreeMap<>();
                for (int i = 0; i < strategies; i++) {
                    List<String> states = new ArrayList<>(List.of(
                            byAlert.get("race-" + i + "-BTCUSD").path("state").asText(),
                            byAlert.get("race-" + i + "-ETHUSD").path("state").asText()));
                    states.sort(null);
                    raceOutcomes.merge(String.join("+", states), 1, Integer::sum);
                }
                JsonNode positions = AppProcess.JSON.readTree(replicas.get(1).admin("/admin/positions").body());
                String held = null;
                for (JsonNode line : positions.path("books")) {
                    if ("shared-book".equals(line.path("strategy").asText())) {
                        held = line.path("position").asText();
                    }
                }
                // what the exchange executed for the book's orders, by the txids its journal entries hold
                Set<String> txids = journal.stream().filter(e -> e.path("alert_id").asText().startsWith("book-"))
                        .flatMap(e -> java.util.stream.StreamSupport.stream(e.path("txids").spliterator(), false))
                        .map(JsonNode::asText).collect(Collectors.toSet());
                java.math.BigDecimal executed = kraken.orders().stream().filter(o -> txids.contains(o.txid()))
                        .map(o -> "sell".equals(o.type()) ? o.volumeExecuted().negate() : o.volumeExecuted())
                        .reduce(java.math.BigDecimal.ZERO, java.math.BigDecimal::add);
                System.out.printf("replicas strategies: %d strategies with one order an hour, two alerts each at once "
                                + "on two replicas, journaled: %s; ten target alerts of one book, shuffled over %d "
                                + "replicas: answers %s, %d order(s) at the exchange executing %s, book %s (newest "
                                + "target %s)%n",
                        strategies, raceOutcomes, REPLICAS, bookAnswers, txids.size(), executed.toPlainString(),
                        held, targets[9]);

                assertThat(raceOutcomes).as("one of two passes each strategy's limit")
                        .isEqualTo(Map.of("executed+rejected", strategies));
                assertThat(held).as("the book ends at the newest alert's target").isNotNull();
                assertThat(new java.math.BigDecimal(held)).isEqualByComparingTo(targets[9]);
                assertThat(executed).as("what the exchange executed for the book is the book: no difference "
                        + "ordered twice").isEqualByComparingTo(held);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    static String order(String strategy, String ticker, String volume) {
        return "{\"ticker\":\"" + ticker + "\",\"strategy\":\"" + strategy + "\",\"action\":\"buy\","
                + "\"volume\":\"" + volume + "\",\"id\":\"" + strategy + "-" + ticker + "\",\"passphrase\":\""
                + TestSecrets.PASSPHRASE + "\"}";
    }

    static Map<String, String> withStrategies(Map<String, String> env, Path file) {
        env.put("STRATEGIES_FILE", file.toString());
        return env;
    }

    static Map<String, String> env(PaperExchangeHarness kraken, String name) {
        Map<String, String> env = new HashMap<>(AppProcess.liveAgainst(kraken));
        env.putAll(AppProcess.freshDatabase("replicas_" + name));
        env.put("ORDERS_LEASE_SECONDS", Integer.toString(LEASE_SECONDS));
        env.put("ORDERS_LEASE_RENEW_MS", "1000");
        env.put("TRADING_ENABLED", "true");
        // three JVMs and the exchange on a busy machine: the first AssetPairs may take longer than the default 2 s
        env.put("KRAKEN_HTTP_RESPONSE_TIMEOUT_MS", "5000");
        return env;
    }

    static void assertExactlyOneOrderPerAlert(PaperExchangeHarness kraken, List<JsonNode> journal, int alerts) {
        List<PaperOrder> orders = kraken.orders();
        assertThat(orders).as("orders at the exchange").hasSize(alerts);
        assertThat(orders.stream().map(o -> o.clOrdId() + "/" + o.userref()).distinct().count())
                .as("one order per client order id: no alert placed twice").isEqualTo(orders.size());
        Set<String> txids = journal.stream().flatMap(e -> {
            List<String> ids = new ArrayList<>();
            e.path("txids").forEach(t -> ids.add(t.asText()));
            return ids.stream();
        }).collect(Collectors.toSet());
        assertThat(txids).as("every order at the exchange is in the journal")
                .containsAll(orders.stream().map(PaperOrder::txid).toList());
    }

    static void assertNoncesStrictlyIncreasingAsReceived(PaperExchangeHarness kraken) {
        Map<String, List<Long>> byKey = new HashMap<>();
        for (RecordingTap.PrivateCall call : kraken.privateCalls()) {
            byKey.computeIfAbsent(call.apiKey(), k -> new ArrayList<>()).add(Long.parseLong(call.nonce()));
        }
        byKey.forEach((key, nonces) -> {
            for (int i = 1; i < nonces.size(); i++) {
                assertThat(nonces.get(i)).as("nonce %d of a key, as received", i).isGreaterThan(nonces.get(i - 1));
            }
        });
    }

    static List<String> states(List<JsonNode> journal) {
        return journal.stream().map(e -> e.path("id").asText() + ":" + e.path("alert_id").asText() + ":"
                + e.path("state").asText()).toList();
    }

    /** The replicas, each its own process, data folder and port, started together, one database. */
    static final class Replicas implements AutoCloseable {

        private final Path dir;
        private final Map<String, String> env;
        private final List<Path> logs;
        private final List<AppProcess> apps;

        private Replicas(Path dir, Map<String, String> env, List<Path> logs, List<AppProcess> apps) {
            this.dir = dir;
            this.env = env;
            this.logs = logs;
            this.apps = apps;
        }

        static Replicas start(Path dir, Map<String, String> env, String name) throws Exception {
            List<Path> logs = new ArrayList<>();
            List<AppProcess> apps = new ArrayList<>();
            for (int i = 0; i < REPLICAS; i++) {
                logs.add(AppProcess.logFile("ReplicasTest." + name + "-" + i));
                apps.add(AppProcess.start(Files.createDirectories(dir.resolve("replica-" + i)), env, logs.get(i)));
            }
            Replicas replicas = new Replicas(dir, env, logs, apps);
            try {
                for (AppProcess app : apps) {
                    app.waitUntilReady(STARTUP);
                }
            } catch (Throwable e) {
                replicas.close();
                throw e;
            }
            return replicas;
        }

        AppProcess get(int i) {
            return apps.get(i);
        }

        List<AppProcess> all() {
            return apps;
        }

        /** SIGTERM and a new process on the same data folder, database and settings. */
        void restart(int i) throws Exception {
            apps.get(i).stop();
            apps.set(i, AppProcess.start(dir.resolve("replica-" + i), env, logs.get(i)).waitUntilReady(STARTUP));
        }

        @Override
        public void close() throws InterruptedException {
            for (AppProcess app : apps) {
                app.close();
            }
        }
    }
}
