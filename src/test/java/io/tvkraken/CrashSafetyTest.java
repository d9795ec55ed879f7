package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tvkraken.paper.PaperConfig;
import io.tvkraken.paper.PaperExchangeHarness;
import io.tvkraken.paper.PaperOrder;
import io.tvkraken.paper.RateLimitTier;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.assertj.core.api.junit.jupiter.InjectSoftAssertions;
import org.assertj.core.api.junit.jupiter.SoftAssertionsExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL in the middle of a burst (README "Guarantees": at most one order per alert, no alert lost): the service
 * runs as its own process in live mode against a paper exchange in this JVM, which outlives it. A burst of 60 alerts
 * is fired at once and the process is killed after 10 answers; it is restarted on the same data folder and journal, the next burst
 * is killed after 25 answers, the next after 40, and one more once 15 of its AddOrders have reached the exchange — a
 * server crashing again while it still settles what the previous crash left. After the last restart the journal
 * settles by itself, then every pending dead letter is replayed, as an operator would. Then: every acknowledged alert
 * is in the journal, no client order id was placed twice at the exchange, and every order the exchange holds is
 * journaled as executed for its alert.
 *
 * <p>Reconciliation, replays and re-sends must look the order up at Kraken before sending anything, whatever the
 * journal says: the second test kills a burst while its AddOrders are leaving, restarts, kills the next one the same
 * way and then takes from the journal every write made after each of its alerts arrived — what a journal that lost
 * its last writes would show — and checks the same promises.
 */
@ExtendWith(SoftAssertionsExtension.class)
class CrashSafetyTest {

    static final int BURST = 60;
    static final int[] KILL_AFTER_ANSWERS = {10, 25, 40};
    /** Small, so that orders in doubt are settled soon: an AddOrder may not leave later than this after the alert. */
    static final int MAX_ALERT_AGE_SECONDS = 15;
    /**
     * An alert left in flight by a killed process is taken over once its lease ran out — its send-by time (the alert's
     * age limit) plus a margin (docs/order-lifecycle.md: 30 s) — and settled after its deadline and grace; some slack.
     */
    static final Duration SETTLE = Duration.ofSeconds(MAX_ALERT_AGE_SECONDS + 30 + 30);

    @TempDir
    Path dir;

    /** Every failed promise is reported, each burst's, even when an earlier one failed. */
    @InjectSoftAssertions
    SoftAssertions softly;

    private PaperExchangeHarness kraken;
    private Map<String, String> env;
    private Path data;
    private Path log;
    private AppProcess app;

    @BeforeEach
    void start(TestInfo test) throws Exception {
        // Each AddOrder takes 80 ms at the exchange: at each kill, alerts are in flight at every stage. The account is
        // a "pro" one, at the exchange and for the service alike (KRAKEN_TIER below): 60 orders at once on one pair
        // and a few hundred replays fit its counters (a starter account's trading counter holds 60), so that no alert
        // is dead-lettered for want of room — not the subject here — and the test stays short.
        kraken = PaperExchangeHarness.start(PaperConfig.defaults().withAddOrderLatency(Duration.ofMillis(80))
                .withRateLimitTier(RateLimitTier.PRO));
        env = new HashMap<>(AppProcess.liveAgainst(kraken));
        env.putAll(AppProcess.freshDatabase("crash"));
        env.put("MAX_ALERT_AGE_SECONDS", Integer.toString(MAX_ALERT_AGE_SECONDS));
        env.put("ORDERS_DEADLINE_SECONDS", "5");
        env.put("KRAKEN_TIER", "pro");
        // An order that cannot be looked up (no room in the REST counter yet) is dead-lettered as "may have been
        // placed" after 10 s instead of 30: sooner settled, no less safe — its replay looks it up first.
        env.put("ORDERS_RECONCILE_GIVE_UP_SECONDS", "10");
        data = dir.resolve("data");
        log = AppProcess.logFile("CrashSafetyTest." + test.getTestMethod().orElseThrow().getName());
        app = AppProcess.start(data, env, log).waitUntilReady();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (app != null) {
                app.close();
            }
        } finally {
            kraken.close();
        }
    }

    @Test
    void sigkillDuringBurstsThenReplayingEveryDeadLetterPlacesNothingTwiceAndLosesNothingAcknowledged()
            throws Exception {
        Map<String, Burst> bursts = new LinkedHashMap<>();
        for (int killAfter : KILL_AFTER_ANSWERS) {
            String prefix = "kill" + killAfter + "-";
            bursts.put(prefix, burstThenKill(app, prefix, killAfter));
            app = AppProcess.start(data, env, log).waitUntilReady();
        }
        settleReplayAndCheck(bursts);
    }

    @Test
    void sigkillWhileOrdersLeaveThenAJournalThatLostItsLastWritesStillPlaceNothingTwice() throws Exception {
        Map<String, Burst> bursts = new LinkedHashMap<>();
        // Alerts are answered 202 as soon as they are queued, so a kill after N answers may come before any AddOrder
        // left: this one comes once 15 AddOrders reached the exchange, with orders between "sending" and outcome.
        bursts.put("leaving-", burstThenKill(app, "leaving-", "SIGKILL after 15 AddOrders", new AtomicInteger(),
                addOrdersBeyond(15)));
        app = AppProcess.start(data, env, log).waitUntilReady();
        // The same again, and then the journal forgets everything written about this burst after each alert arrived.
        int ordersBefore = kraken.orders().size();
        bursts.put("lost-", burstThenKill(app, "lost-", "SIGKILL after 15 more AddOrders, journal rewound",
                new AtomicInteger(), addOrdersBeyond(kraken.requestCount("AddOrder") + 15)));
        int rewound = forgetEverythingAfterArrival("lost-");
        int placed = kraken.orders().size() - ordersBefore;
        System.out.printf("journal rewound: %d alert(s) of the burst back to 'received', %d order(s) of the burst "
                + "already at the exchange%n", rewound, placed);
        assertThat(placed).as("orders at the exchange whose journal entries now say 'received'").isPositive();
        app = AppProcess.start(data, env, log).waitUntilReady();
        settleReplayAndCheck(bursts);
    }

    /**
     * Makes every alert of the burst look as if nothing after its arrival had been written — no plan, no
     * "sending", no outcome — as a journal that lost its last writes would (an engine that keeps commits in memory
     * before it writes them, as H2 did by default). The process is dead: the test opens its journal database itself.
     *
     * @return how many alerts were taken back to {@code received}
     */
    int forgetEverythingAfterArrival(String prefix) throws Exception {
        String url = env.getOrDefault("DB_URL", "jdbc:sqlite:" + data.toAbsolutePath().resolve("journal")
                .resolve("journal.db"));
        String lostStates = "AND intent = 'execute' AND state IN ('sending', 'reconciling', 'executed')";
        try (Connection c = DriverManager.getConnection(url, env.getOrDefault("DB_USER", "tvk"),
                env.getOrDefault("DB_PASSWORD", ""));
                PreparedStatement events = c.prepareStatement("DELETE FROM alert_event WHERE state <> 'received' "
                        + "AND alert IN (SELECT id FROM alert WHERE alert_id LIKE ? " + lostStates + ")");
                PreparedStatement alerts = c.prepareStatement("UPDATE alert SET state = 'received', "
                        + "order_request = NULL, cl_ord_id = NULL, userref = NULL, attempts = 0, "
                        + "first_sent_at = NULL, deadline_at = NULL, txids = NULL, http_status = NULL, answer = NULL, "
                        + "next_check_at = NULL, in_doubt_since = NULL, may_resend = FALSE "
                        + "WHERE alert_id LIKE ? " + lostStates)) {
            events.setString(1, prefix + "%");
            events.executeUpdate();
            alerts.setString(1, prefix + "%");
            return alerts.executeUpdate();
        }
    }

    /**
     * With the service restarted on the same data: waits until its journal settled, replays every pending dead letter
     * (all at once, as an operator clicking through them), waits again, prints each burst's figures, then checks:
     * every acknowledged alert is journaled, no client order id was placed twice, every order at the exchange is
     * journaled as executed with its txid.
     */
    void settleReplayAndCheck(Map<String, Burst> bursts) throws Exception {
        long restarted = System.nanoTime();
        app.settledJournal(SETTLE);
        long settled = System.nanoTime();
        List<JsonNode> letters = app.pendingDeadLetters();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, letters.size()));
        Map<String, Future<HttpResponse<String>>> replays = new LinkedHashMap<>();
        try {
            for (JsonNode letter : letters) {
                replays.put(letter.path("alert_id").asText(), pool.submit(() -> app.adminPost(
                        "/admin/dead-letters/" + letter.path("id").asText() + "/replay", "")));
            }
            for (Future<HttpResponse<String>> replay : replays.values()) {
                status(replay); // waits for the answer; a failure is reported below
            }
        } finally {
            pool.shutdownNow();
        }
        // A replay answered 202 finishes in the background: wait for it as for the reconciliation.
        List<JsonNode> journal = app.settledJournal(SETTLE);
        long replayed = System.nanoTime();
        List<PaperOrder> orders = kraken.orders();
        Map<String, JsonNode> byAlert = byAlert(journal);
        // Each client order id's alert: from the journal's cl_ord_id, or else from the txids of the order it placed.
        Map<String, String> alertOf = new HashMap<>();
        byAlert.values().forEach(e -> e.path("txids").forEach(t -> orders.stream()
                .filter(o -> o.txid().equals(t.asText())).forEach(o -> alertOf.put(o.clOrdId(),
                        e.path("alert_id").asText()))));
        byAlert.values().stream().filter(e -> e.hasNonNull("cl_ord_id"))
                .forEach(e -> alertOf.put(e.path("cl_ord_id").asText(), e.path("alert_id").asText()));
        Map<String, Long> perClientId = orders.stream().collect(Collectors.groupingBy(
                o -> Objects.toString(o.clOrdId()), TreeMap::new, Collectors.counting()));

        for (Map.Entry<String, Burst> round : bursts.entrySet()) {
            String prefix = round.getKey();
            Burst burst = round.getValue();
            Map<Integer, Integer> replayAnswers = new TreeMap<>();
            for (Map.Entry<String, Future<HttpResponse<String>>> replay : replays.entrySet()) {
                if (replay.getKey().startsWith(prefix)) {
                    replayAnswers.merge(status(replay.getValue()), 1, Integer::sum);
                }
            }
            Map<String, Long> ofBurst = perClientId.entrySet().stream()
                    .filter(e -> alertOf.getOrDefault(e.getKey(), "").startsWith(prefix))
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
            System.out.printf("%s: %d alerts sent, %d answered %s, %d acknowledged, %d cut off; %d dead letter(s) "
                            + "pending after the restarts, replayed with answers %s; %d alert(s) placed, %d placed "
                            + "twice, %d acknowledged missing from the journal, %d acknowledged not executed; journal "
                            + "states %s%n",
                    burst.name(), BURST, burst.answered(), burst.statuses(), burst.acknowledged().size(), burst.cut(),
                    letters.stream().filter(l -> l.path("alert_id").asText().startsWith(prefix)).count(),
                    replayAnswers, ofBurst.size(), ofBurst.values().stream().filter(n -> n > 1).count(),
                    burst.acknowledged().stream().filter(id -> !byAlert.containsKey(id)).count(),
                    burst.acknowledged().stream().filter(id -> byAlert.containsKey(id)
                            && !byAlert.get(id).path("state").asText().equals("executed")).count(),
                    byAlert.values().stream().filter(e -> e.path("alert_id").asText().startsWith(prefix))
                            .collect(Collectors.groupingBy(e -> e.path("state").asText(), TreeMap::new,
                                    Collectors.counting())));
            softly.assertThat(burst.pending() + burst.cut())
                    .as("%s: the kill came while alerts were in flight (answered pending, or not answered yet)",
                            burst.name()).isPositive();
            softly.assertThat(burst.serverErrors()).as("%s: answers 5xx before the kill (the journal was writable)",
                    burst.name()).isEmpty();
            softly.assertThat(burst.acknowledged()).as("%s: acknowledged (200/202) alerts missing from the journal",
                    burst.name()).filteredOn(id -> !byAlert.containsKey(id)).isEmpty();
        }
        System.out.printf("settled %d ms after the last restart, replays settled %d ms later%n",
                millis(restarted, settled), millis(settled, replayed));

        softly.assertThat(replays.entrySet().stream().filter(r -> !Set.of(200, 202, 409).contains(status(r.getValue())))
                        .map(r -> r.getKey() + ": " + answer(r.getValue())).toList())
                .as("replays refused or failed").isEmpty();
        softly.assertThat(orders).as("every order at the exchange carries a client order id")
                .allMatch(o -> o.clOrdId() != null);
        softly.assertThat(perClientId.entrySet().stream().filter(e -> e.getValue() > 1)
                        .map(e -> "alert " + alertOf.get(e.getKey()) + " (cl_ord_id " + e.getKey() + "): "
                                + e.getValue() + " orders").toList())
                .as("alerts placed more than once at the exchange").isEmpty();
        // Every order the exchange holds is known to the journal as executed, with the txid the exchange gave it (and
        // the order's client order id, where the entry records one).
        Map<String, JsonNode> executedByTxid = new HashMap<>();
        journal.stream().filter(e -> e.path("state").asText().equals("executed"))
                .forEach(e -> e.path("txids").forEach(t -> executedByTxid.put(t.asText(), e)));
        softly.assertThat(orders.stream().filter(o -> {
            JsonNode entry = executedByTxid.get(o.txid());
            return entry == null
                    || entry.hasNonNull("cl_ord_id") && !entry.path("cl_ord_id").asText().equals(o.clOrdId());
        }).map(o -> o.txid() + " (cl_ord_id " + o.clOrdId() + ", alert " + alertOf.get(o.clOrdId()) + ")").toList())
                .as("orders at the exchange not journaled as executed with their txid").isEmpty();
    }

    static int status(Future<HttpResponse<String>> reply) {
        try {
            return reply.get().statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    static String answer(Future<HttpResponse<String>> reply) {
        try {
            HttpResponse<String> response = reply.get();
            return response.statusCode() + " " + response.body();
        } catch (Exception e) {
            return "no answer: " + e;
        }
    }

    /**
     * What a burst got before the process was killed.
     *
     * @param pending alerts answered 202 pending: acknowledged, still running at the kill
     * @param cut     alerts whose connection the kill cut (or refused): not acknowledged
     */
    record Burst(String name, int answered, Map<Integer, Integer> statuses, Set<String> acknowledged, int pending,
            int cut, List<String> serverErrors) {
    }

    /**
     * The answers of a burst whose process was killed (or whose power was cut) under it, read from each alert's
     * request once the kill is done.
     *
     * @param answered     alerts that got an answer, whatever it was
     * @param acknowledged alerts answered 200 or 202
     * @param pending      of those, answered 202 pending: acknowledged, still running at the kill
     * @param cut          alerts whose connection the kill cut (or refused): not acknowledged, TradingView resends
     * @param serverErrors alerts answered 5xx, with the answer
     */
    record Answers(int answered, Map<Integer, Integer> statuses, Set<String> acknowledged, int pending, int cut,
            List<String> serverErrors) {

        static Answers of(Map<String, Future<HttpResponse<String>>> sent) throws Exception {
            Map<Integer, Integer> statuses = new TreeMap<>();
            Set<String> acknowledged = new LinkedHashSet<>();
            List<String> serverErrors = new ArrayList<>();
            int answered = 0;
            int pending = 0;
            int cut = 0;
            for (Map.Entry<String, Future<HttpResponse<String>>> alert : sent.entrySet()) {
                try {
                    HttpResponse<String> response = alert.getValue().get(30, TimeUnit.SECONDS);
                    answered++;
                    statuses.merge(response.statusCode(), 1, Integer::sum);
                    if (response.statusCode() == 200 || response.statusCode() == 202) {
                        acknowledged.add(alert.getKey());
                        if (AppProcess.JSON.readTree(response.body()).path("status").asText().equals("pending")) {
                            pending++;
                        }
                    } else if (response.statusCode() >= 500) {
                        serverErrors.add(alert.getKey() + ": " + response.statusCode() + " " + response.body());
                    }
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof IOException)) {
                        throw e;
                    }
                    cut++;
                }
            }
            return new Answers(answered, statuses, acknowledged, pending, cut, serverErrors);
        }
    }

    /** True once the exchange has received {@code count} AddOrders in all. */
    BooleanSupplier addOrdersBeyond(int count) {
        return () -> kraken.requestCount("AddOrder") >= count;
    }

    /** Fires {@link #BURST} alerts at once; kills the process (SIGKILL) as soon as {@code killAfter} are answered. */
    Burst burstThenKill(AppProcess app, String prefix, int killAfter) throws Exception {
        AtomicInteger answers = new AtomicInteger();
        return burstThenKill(app, prefix, "SIGKILL after " + killAfter + " answers", answers,
                () -> answers.get() >= killAfter);
    }

    /** Fires {@link #BURST} alerts at once, counting answers in {@code answers}; SIGKILL as soon as {@code killWhen}. */
    Burst burstThenKill(AppProcess app, String prefix, String name, AtomicInteger answers, BooleanSupplier killWhen)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(BURST);
        try {
            Map<String, Future<HttpResponse<String>>> sent = new LinkedHashMap<>();
            for (int i = 0; i < BURST; i++) {
                String id = prefix + i;
                sent.put(id, pool.submit(() -> {
                    HttpResponse<String> response = app.post("/webhook/tradingview", AppProcess.alert(id));
                    answers.incrementAndGet();
                    return response;
                }));
            }
            long until = System.currentTimeMillis() + 30_000;
            while (!killWhen.getAsBoolean()) {
                assertThat(System.currentTimeMillis()).as("%s: the moment to kill came within 30 s", name)
                        .isLessThan(until);
                Thread.sleep(2);
            }
            app.kill();
            int addOrders = kraken.requestCount("AddOrder");

            Answers got = Answers.of(sent);
            Burst burst = new Burst(name, got.answered(), got.statuses(), got.acknowledged(),
                    got.pending(), got.cut(), got.serverErrors());
            System.out.printf("%s: %d answered %s (%d pending), %d cut off; %d AddOrder(s) had reached the "
                    + "exchange%n", burst.name(), got.answered(), got.statuses(), got.pending(),
                    got.cut(), addOrders);
            return burst;
        } finally {
            pool.shutdownNow();
        }
    }

    static long millis(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1_000_000;
    }

    /** Each alert's own journal entry (its duplicates left out), by alert id; the newest if there are several. */
    static Map<String, JsonNode> byAlert(List<JsonNode> journal) {
        return journal.stream().filter(e -> !e.path("state").asText().equals("duplicate"))
                .collect(Collectors.toMap(e -> e.path("alert_id").asText(), Function.identity(), (a, b) -> a));
    }
}
