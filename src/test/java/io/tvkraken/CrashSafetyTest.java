package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tvkraken.paper.PaperConfig;
import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.PaperOrder;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.assertj.core.api.junit.jupiter.InjectSoftAssertions;
import org.assertj.core.api.junit.jupiter.SoftAssertionsExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL in the middle of a burst (SPEC §5 "at most one order per alert", "no alert is lost"): the service runs as its
 * own process in live mode against a paper exchange in this JVM, which outlives it. A burst of 60 alerts is fired at
 * once and the process is killed after 10, 25 and 40 answers, one round each on the same data folder and journal, as
 * an operator's server would crash and come back. After each restart the journal settles by itself, then every
 * pending dead letter is replayed, as an operator would. Then: every acknowledged alert is in the journal, no client
 * order id was placed twice at the exchange, and every order the exchange holds is journaled as executed for its
 * alert.
 *
 * <p>Recovery, replays and re-sends must look the order up at Kraken before sending anything, whatever the journal
 * says: the second test kills a burst, then takes from the journal every write made after each alert arrived — what a
 * journal that lost its last writes would show — and checks the same promises.
 */
@ExtendWith(SoftAssertionsExtension.class)
class CrashSafetyTest {

    static final int BURST = 60;
    static final int[] KILL_AFTER_ANSWERS = {10, 25, 40};
    /** Small, so that orders in doubt are settled soon: an AddOrder may not leave later than this after the alert. */
    static final int MAX_ALERT_AGE_SECONDS = 20;
    /** In-doubt orders are settled within the alert's age limit plus the orders' deadline and grace; and some slack. */
    static final Duration SETTLE = Duration.ofSeconds(MAX_ALERT_AGE_SECONDS + 40);

    @TempDir
    Path dir;

    /** Every round is checked, and every failed promise reported, even when an earlier one failed. */
    @InjectSoftAssertions
    SoftAssertions softly;

    private PaperExchange kraken;
    private Map<String, String> env;
    private Path data;
    private Path log;
    private AppProcess app;

    @BeforeEach
    void start() throws Exception {
        // Each AddOrder takes 80 ms at the exchange: at each kill, alerts are in flight at every stage.
        kraken = PaperExchange.start(PaperConfig.defaults().withAddOrderLatency(Duration.ofMillis(80)));
        env = new HashMap<>(AppProcess.liveAgainst(kraken));
        env.putAll(AppProcess.freshDatabase("crash"));
        env.put("MAX_ALERT_AGE_SECONDS", Integer.toString(MAX_ALERT_AGE_SECONDS));
        env.put("ORDERS_DEADLINE_SECONDS", "5");
        data = dir.resolve("data");
        log = dir.resolve("app.log");
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
        Set<String> acknowledged = new HashSet<>();
        for (int killAfter : KILL_AFTER_ANSWERS) {
            String prefix = "kill" + killAfter + "-";
            Burst burst = burstThenKill(app, prefix, killAfter);
            acknowledged.addAll(burst.acknowledged());
            restartSettleReplayAndCheck("SIGKILL after " + killAfter + " answers", prefix, burst, acknowledged);
        }
    }

    @Test
    void aJournalThatLostItsLastWritesAfterSigkillStillCausesNoSecondOrder() throws Exception {
        String prefix = "lost-";
        Burst burst = burstThenKill(app, prefix, 25);
        int rewound = forgetEverythingAfterArrival(prefix);
        long placed = kraken.orders().size();
        System.out.printf("journal rewound: %d alert(s) of the burst back to 'received', %d of them already placed "
                + "at the exchange%n", rewound, placed);
        assertThat(placed).as("orders at the exchange whose journal entries now say 'received'").isPositive();
        restartSettleReplayAndCheck("SIGKILL after 25 answers, journal rewound", prefix, burst,
                burst.acknowledged());
    }

    /**
     * Makes every alert of the burst look as if nothing after its arrival had been written — no plan, no
     * "sending", no outcome — as a journal that lost its last writes would (H2 kept commits in memory for up to half
     * a second before it wrote them). The process is dead: the test opens its journal database itself.
     *
     * @return how many alerts were taken back to {@code received}
     */
    int forgetEverythingAfterArrival(String prefix) throws Exception {
        String url = env.getOrDefault("DB_URL", "jdbc:h2:file:" + data.toAbsolutePath().resolve("journal")
                .resolve("journal"));
        try (Connection c = DriverManager.getConnection(url, env.getOrDefault("DB_USER", "tvk"),
                env.getOrDefault("DB_PASSWORD", ""));
                PreparedStatement events = c.prepareStatement("DELETE FROM alert_event WHERE state <> 'received' "
                        + "AND alert IN (SELECT id FROM alert WHERE alert_id LIKE ? AND intent = 'execute' "
                        + "AND state IN ('sending', 'reconciling', 'executed'))");
                PreparedStatement alerts = c.prepareStatement("UPDATE alert SET state = 'received', "
                        + "order_request = NULL, cl_ord_id = NULL, userref = NULL, attempts = 0, "
                        + "first_sent_at = NULL, deadline_at = NULL, txids = NULL, http_status = NULL, answer = NULL "
                        + "WHERE alert_id LIKE ? AND intent = 'execute' "
                        + "AND state IN ('sending', 'reconciling', 'executed')")) {
            events.setString(1, prefix + "%");
            events.executeUpdate();
            alerts.setString(1, prefix + "%");
            return alerts.executeUpdate();
        }
    }

    /**
     * Restarts the service on the same data, waits until its journal settled, replays every pending dead letter,
     * waits again, prints the figures, then checks: every acknowledged alert is journaled, no client order id was
     * placed twice, every order at the exchange is journaled as executed with its txid.
     */
    void restartSettleReplayAndCheck(String round, String prefix, Burst burst, Set<String> acknowledged)
            throws Exception {
        long killed = System.nanoTime();
        app = AppProcess.start(data, env, log).waitUntilReady();
        long ready = System.nanoTime();
        app.settledJournal(SETTLE);
        long recovered = System.nanoTime();
        List<JsonNode> letters = app.pendingDeadLetters();
        Map<Integer, Integer> replays = new TreeMap<>();
        List<String> refusedReplays = new ArrayList<>();
        for (JsonNode letter : letters) {
            HttpResponse<String> replay = app.adminPost("/admin/dead-letters/" + letter.path("id").asText()
                    + "/replay", "");
            replays.merge(replay.statusCode(), 1, Integer::sum);
            if (!Set.of(200, 202, 409).contains(replay.statusCode())) {
                refusedReplays.add(replay.statusCode() + " " + replay.body());
            }
        }
        // A replay answered 202 finishes in the background: wait for it as for the recovery.
        List<JsonNode> journal = app.settledJournal(SETTLE);
        long replayed = System.nanoTime();
        List<PaperOrder> orders = kraken.orders();

        Map<String, JsonNode> byAlert = byAlert(journal);
        Map<String, Long> perClientId = orders.stream().collect(Collectors.groupingBy(
                o -> Objects.toString(o.clOrdId()), TreeMap::new, Collectors.counting()));
        Set<String> roundClientIds = byAlert.values().stream()
                .filter(e -> e.path("alert_id").asText().startsWith(prefix))
                .map(e -> e.path("cl_ord_id").asText()).collect(Collectors.toSet());
        long placed = perClientId.keySet().stream().filter(roundClientIds::contains).count();
        long placedTwice = perClientId.entrySet().stream()
                .filter(e -> roundClientIds.contains(e.getKey()) && e.getValue() > 1).count();
        long missing = burst.acknowledged().stream().filter(id -> !byAlert.containsKey(id)).count();
        System.out.printf("%s: %d alerts sent, %d answered %s, %d acknowledged, %d cut off; after restart %d dead "
                        + "letter(s) pending, replayed with answers %s; %d alert(s) of the burst placed, %d placed "
                        + "twice, %d acknowledged missing; journal states of the burst %s; restart %d ms, recovery "
                        + "%d ms, replays %d ms%n",
                round, BURST, burst.answered(), burst.statuses(), burst.acknowledged().size(), burst.cut(),
                letters.size(), replays, placed, placedTwice, missing,
                byAlert.values().stream().filter(e -> e.path("alert_id").asText().startsWith(prefix))
                        .collect(Collectors.groupingBy(e -> e.path("state").asText(), TreeMap::new,
                                Collectors.counting())),
                millis(killed, ready), millis(ready, recovered), millis(recovered, replayed));

        softly.assertThat(burst.cut()).as("%s: the kill came while alerts were still in flight", round).isPositive();
        softly.assertThat(burst.serverErrors()).as("%s: answers 5xx before the kill (the journal was writable)", round)
                .isEmpty();
        softly.assertThat(refusedReplays).as("%s: replays refused or failed", round).isEmpty();
        softly.assertThat(acknowledged).as("%s: acknowledged (200/202) alerts missing from the journal", round)
                .filteredOn(id -> !byAlert.containsKey(id)).isEmpty();
        softly.assertThat(orders).as("%s: every order at the exchange carries a client order id", round)
                .allMatch(o -> o.clOrdId() != null);
        Map<String, String> alertOf = new HashMap<>();
        byAlert.values().forEach(e -> alertOf.put(e.path("cl_ord_id").asText(), e.path("alert_id").asText()));
        softly.assertThat(perClientId.entrySet().stream().filter(e -> e.getValue() > 1)
                .map(e -> "alert " + alertOf.get(e.getKey()) + " (cl_ord_id " + e.getKey() + "): " + e.getValue()
                        + " orders").toList())
                .as("%s: alerts placed more than once at the exchange", round).isEmpty();
        // Every order the exchange holds is known to the journal as executed, with the txid the exchange gave it.
        Map<String, List<String>> executedTxids = new HashMap<>();
        journal.stream().filter(e -> e.path("state").asText().equals("executed")).forEach(e -> {
            List<String> txids = executedTxids.computeIfAbsent(e.path("cl_ord_id").asText(), k -> new ArrayList<>());
            e.path("txids").forEach(t -> txids.add(t.asText()));
        });
        softly.assertThat(orders.stream().filter(o -> !executedTxids.getOrDefault(o.clOrdId(), List.of())
                        .contains(o.txid()))
                .map(o -> o.txid() + " (alert " + alertOf.get(o.clOrdId()) + ", cl_ord_id " + o.clOrdId() + ")")
                .toList())
                .as("%s: orders at the exchange not journaled as executed with their txid", round).isEmpty();
    }

    /** What a burst got before the process was killed. */
    record Burst(int answered, Map<Integer, Integer> statuses, Set<String> acknowledged, int cut,
            List<String> serverErrors) {
    }

    /** Fires {@link #BURST} alerts at once; kills the process (SIGKILL) as soon as {@code killAfter} are answered. */
    static Burst burstThenKill(AppProcess app, String prefix, int killAfter) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(BURST);
        try {
            CountDownLatch answers = new CountDownLatch(killAfter);
            Map<String, Future<HttpResponse<String>>> sent = new LinkedHashMap<>();
            for (int i = 0; i < BURST; i++) {
                String id = prefix + i;
                sent.put(id, pool.submit(() -> {
                    HttpResponse<String> response = app.post("/webhook/tradingview", AppProcess.alert(id));
                    answers.countDown();
                    return response;
                }));
            }
            assertThat(answers.await(30, TimeUnit.SECONDS)).as("%d answers came", killAfter).isTrue();
            app.kill();

            Map<Integer, Integer> statuses = new TreeMap<>();
            Set<String> acknowledged = new HashSet<>();
            List<String> serverErrors = new ArrayList<>();
            int answered = 0;
            int cut = 0;
            for (Map.Entry<String, Future<HttpResponse<String>>> alert : sent.entrySet()) {
                try {
                    HttpResponse<String> response = alert.getValue().get(30, TimeUnit.SECONDS);
                    answered++;
                    statuses.merge(response.statusCode(), 1, Integer::sum);
                    if (response.statusCode() == 200 || response.statusCode() == 202) {
                        acknowledged.add(alert.getKey());
                    } else if (response.statusCode() >= 500) {
                        serverErrors.add(alert.getKey() + ": " + response.statusCode() + " " + response.body());
                    }
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof IOException)) {
                        throw e;
                    }
                    // refused or cut by the kill: not acknowledged, TradingView counts it as failed and resends
                    cut++;
                }
            }
            return new Burst(answered, statuses, acknowledged, cut, serverErrors);
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
