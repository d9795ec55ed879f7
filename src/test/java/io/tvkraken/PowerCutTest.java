package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.tvkraken.paper.Fault;
import io.tvkraken.paper.PaperConfig;
import io.tvkraken.paper.PaperExchangeHarness;
import io.tvkraken.paper.PaperOrder;
import io.tvkraken.paper.RateLimitTier;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.assertj.core.api.junit.jupiter.InjectSoftAssertions;
import org.assertj.core.api.junit.jupiter.SoftAssertionsExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A power cut in the middle of a burst (README "Guarantees": no acknowledged alert lost, at most one order per alert):
 * the service runs as its own process in live mode against a paper exchange in this JVM, which outlives the cuts, with
 * its {@code DATA_DIR} on {@link UnsyncedLossFs} — a FUSE file system that loses every write not synced when told to.
 * A burst of 40 alerts is fired at once; after 10 answers, at the service's next write to the data folder, the file
 * system kills the process (SIGKILL) and undoes every write it had not synced, in one step, as a power cut would; the
 * file system is mounted again on what survived and the service restarted on it; the next burst is cut after 30
 * answers, the last after 20 while the exchange hangs on every AddOrder ({@link #ROUNDS}). After the last restart the
 * journal settles, every pending dead letter is replayed, as an operator would. Then: every acknowledged alert is in the journal, no client
 * order id and no alert was placed twice at the exchange, every order at the exchange is journaled as executed.
 *
 * <p>The file system works on whatever files the embedded journal writes in the data folder, whichever engine it is:
 * the test runs with every embedded journal, and is skipped with PostgreSQL, whose files are not in the data folder
 * (its own fsync at commit is PostgreSQL's business). It prints the fsyncs per acknowledged alert.
 */
@ExtendWith(SoftAssertionsExtension.class)
class PowerCutTest {

    static final int BURST = 40;

    /** A burst and its cut; with {@code exchangeHangs}, every AddOrder is placed but answered only 20 s later. */
    record Round(String prefix, String name, int cutAfter, boolean exchangeHangs) {
    }

    /**
     * Cut after 10 and after 30 answers while orders flow; then after 20 answers while the exchange hangs on every
     * AddOrder: the few workers are stuck after their "sending" sync, so the alerts answered 202 while they wait in
     * the queue are durable only by their own sync at arrival (in the first rounds, the next order's "sending" sync
     * often covers an alert's arrival as well).
     */
    static final List<Round> ROUNDS = List.of(
            new Round("cut10-", "power cut after 10 answers", 10, false),
            new Round("cut30-", "power cut after 30 answers", 30, false),
            new Round("hang20-", "power cut after 20 answers, the exchange hanging", 20, true));
    static final int HANGING_WORKERS = 4;
    /** Alerts sent one at a time before the first burst, to count the syncs one alert costs. */
    static final int ONE_BY_ONE = 5;
    /** How many times the operator replays every pending dead letter, at most. */
    static final int REPLAY_ROUNDS = 3;
    /** Small, so that orders in doubt are settled soon: an AddOrder may not leave later than this after the alert. */
    static final int MAX_ALERT_AGE_SECONDS = 15;
    /** As in CrashSafetyTest: the send-by time, the lease margin (docs/order-lifecycle.md: 30 s), some slack. */
    static final Duration SETTLE = Duration.ofSeconds(MAX_ALERT_AGE_SECONDS + 30 + 30);

    /** A start on a busy machine: up to 30 s were seen on the project's 2-core test machine under load. */
    static final Duration READY = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @InjectSoftAssertions
    SoftAssertions softly;

    /** What a burst got before the cut. */
    record Burst(String name, Map<Integer, Integer> statuses, Set<String> acknowledged, int pending, int cut,
            List<String> serverErrors, long syncs, Map<String, Long> dropped) {
    }

    @Test
    void powerCutsDuringBurstsLoseNoAcknowledgedAlertAndPlaceNothingTwice() throws Exception {
        assumeFalse(TestDatabase.backend().equals("postgres"), "with PostgreSQL the journal's files are not in the "
                + "data folder: nothing of it is on the file system that loses unsynced writes");
        UnsyncedLossFs.requireTools();
        Path binary = UnsyncedLossFs.build();
        Path backing = Files.createDirectory(dir.resolve("disk"));
        Path mountPoint = Files.createDirectory(dir.resolve("mnt"));
        Path data = mountPoint.resolve("data");
        Path log = AppProcess.logFile("PowerCutTest");
        Path fsLog = AppProcess.logFile("PowerCutTest.unsynced-loss-fs");

        // As in CrashSafetyTest: each AddOrder takes 80 ms, so a cut finds alerts at every stage; a "pro" account, so
        // that no alert is dead-lettered for want of room in the exchange's counters.
        try (PaperExchangeHarness kraken = PaperExchangeHarness.start(PaperConfig.defaults()
                .withAddOrderLatency(Duration.ofMillis(80)).withRateLimitTier(RateLimitTier.PRO))) {
            Map<String, String> env = new HashMap<>(AppProcess.liveAgainst(kraken));
            env.put("MAX_ALERT_AGE_SECONDS", Integer.toString(MAX_ALERT_AGE_SECONDS));
            env.put("ORDERS_DEADLINE_SECONDS", "5");
            env.put("KRAKEN_TIER", "pro");
            env.put("ORDERS_RECONCILE_GIVE_UP_SECONDS", "10");

            Set<String> acknowledged = new LinkedHashSet<>();
            List<Burst> bursts = new ArrayList<>();
            double syncsPerAlertOneByOne = Double.NaN;
            for (Round round : ROUNDS) {
                try (UnsyncedLossFs fs = UnsyncedLossFs.mount(binary, backing, mountPoint, fsLog)) {
                    Files.createDirectories(data);
                    long mounted = System.nanoTime();
                    Map<String, String> roundEnv = new HashMap<>(env);
                    if (round.exchangeHangs()) {
                        roundEnv.put("ORDERS_WORKERS", Integer.toString(HANGING_WORKERS));
                    }
                    AppProcess app = AppProcess.start(data, roundEnv, log).waitUntilReady(READY);
                    System.out.printf("service ready on the mount %d ms after its start%n",
                            CrashSafetyTest.millis(mounted, System.nanoTime()));
                    try {
                        if (bursts.isEmpty()) {
                            long before = fs.syncs();
                            for (int i = 0; i < ONE_BY_ONE; i++) {
                                HttpResponse<String> answer = app.post("/webhook/tradingview",
                                        AppProcess.alert("one-" + i));
                                assertThat(answer.statusCode()).as("alert one-%d: %s", i, answer.body())
                                        .isEqualTo(200);
                                acknowledged.add("one-" + i);
                            }
                            syncsPerAlertOneByOne = (fs.syncs() - before) / (double) ONE_BY_ONE;
                        }
                        if (round.exchangeHangs()) {
                            kraken.setHangFor(Duration.ofSeconds(20));
                            kraken.injectFaultUntilCleared("AddOrder", Fault.ACCEPT_THEN_HANG);
                        }
                        Burst burst;
                        try {
                            burst = burstThenCut(app, fs, round.prefix(), round.name(), round.cutAfter());
                        } finally {
                            kraken.clearFaults();
                        }
                        bursts.add(burst);
                        acknowledged.addAll(burst.acknowledged());
                    } finally {
                        app.close();
                    }
                }
            }

            try (UnsyncedLossFs fs = UnsyncedLossFs.mount(binary, backing, mountPoint, fsLog)) {
                AppProcess app = AppProcess.start(data, env, log).waitUntilReady(READY);
                try {
                    check(app, kraken, acknowledged, bursts, syncsPerAlertOneByOne);
                } finally {
                    app.close();
                }
            }
        }
    }

    /**
     * Fires {@link #BURST} alerts at once; once {@code cutAfter} are answered, kills the process (SIGKILL) and then
     * undoes every write it had not synced: nothing runs between the two that could sync.
     */
    Burst burstThenCut(AppProcess app, UnsyncedLossFs fs, String prefix, String name, int cutAfter)
            throws Exception {
        AtomicInteger answers = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(BURST);
        try {
            long syncsBefore = fs.syncs();
            Map<String, Future<HttpResponse<String>>> sent = new LinkedHashMap<>();
            for (int i = 0; i < BURST; i++) {
                String id = prefix + i;
                sent.put(id, pool.submit(() -> {
                    HttpResponse<String> response = app.post("/webhook/tradingview", AppProcess.alert(id));
                    answers.incrementAndGet();
                    return response;
                }));
            }
            long until = System.currentTimeMillis() + 60_000;
            while (answers.get() < cutAfter) {
                assertThat(System.currentTimeMillis()).as("%s: %d answers came within 60 s", name, cutAfter)
                        .isLessThan(until);
                Thread.sleep(1);
            }
            long syncsAtArming = fs.syncs() - syncsBefore;
            // The process is killed and the unsynced writes undone by the file system at the next write, in one step:
            // nothing runs in between that could sync. If no write came (a stalled burst), the test does the two.
            boolean atWrite = fs.cutAtNextWrite(app.pid(), Duration.ofSeconds(15));
            app.kill();
            Map<String, Long> afterCut = atWrite ? fs.stats() : fs.cut();
            long syncs = afterCut.get("fsync") + afterCut.get("fdatasync") - syncsBefore;
            if (!atWrite) {
                System.out.printf("%s: no write came within 15 s of arming the cut (%d syncs so far): killed, then "
                        + "cut%n", name, syncsAtArming);
            }

            CrashSafetyTest.Answers got = CrashSafetyTest.Answers.of(sent);
            Map<String, Long> dropped = new LinkedHashMap<>();
            afterCut.forEach((key, value) -> {
                if (key.startsWith("cut_")) { // cut_files, cut_pages, cut_bytes
                    dropped.put(key, value);
                }
            });
            Burst burst = new Burst(name, got.statuses(), got.acknowledged(), got.pending(), got.cut(),
                    got.serverErrors(), syncs, dropped);
            System.out.printf("%s: %d alerts, answers %s (%d pending), %d cut off; %d fsync/fdatasync during the "
                            + "burst (%.2f per acknowledged alert); the cut undid %s%n", name, BURST,
                    got.statuses(), got.pending(), got.cut(), syncs,
                    syncs / (double) Math.max(1, got.acknowledged().size()), dropped);
            return burst;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * With the service restarted on what survived the last cut: waits until its journal settled, replays every pending
     * dead letter (all at once), waits again, then checks every promise and prints the figures.
     */
    void check(AppProcess app, PaperExchangeHarness kraken, Set<String> acknowledged, List<Burst> bursts,
            double syncsPerAlertOneByOne) throws Exception {
        long restarted = System.nanoTime();
        List<JsonNode> journal = app.settledJournal(SETTLE);
        long settled = System.nanoTime();
        // The operator replays every pending dead letter at once (docs/operations.md#dead-letters-and-replay): each is
        // looked up at the exchange before anything is sent. A replay's send-by time starts again; one that misses it
        // (a hundred AddOrders at once) is a dead letter again, which the operator replays again.
        List<JsonNode> letters = app.pendingDeadLetters();
        List<JsonNode> lettersLeft = letters;
        List<String> replayFailures = new ArrayList<>();
        Map<String, Long> replayResults = new TreeMap<>();
        int replayRounds = 0;
        while (!lettersLeft.isEmpty() && replayRounds < REPLAY_ROUNDS) {
            replayRounds++;
            HttpResponse<String> replay = app.adminPost("/admin/dead-letters/replay", "");
            if (replay.statusCode() != 200) {
                replayFailures.add(replay.statusCode() + " " + replay.body());
                break;
            }
            AppProcess.JSON.readTree(replay.body()).path("replays").forEach(r -> replayResults.merge(
                    r.path("status").asText(), 1L, Long::sum));
            journal = app.settledJournal(SETTLE);
            lettersLeft = app.pendingDeadLetters();
        }
        long replayed = System.nanoTime();
        List<PaperOrder> orders = kraken.orders();
        Map<String, JsonNode> byAlert = CrashSafetyTest.byAlert(journal);

        // Each order's alert: from the journal's cl_ord_id, or else from the txids its entry records.
        Map<String, String> alertOf = new HashMap<>();
        byAlert.values().forEach(e -> e.path("txids").forEach(t -> orders.stream()
                .filter(o -> o.txid().equals(t.asText())).forEach(o -> alertOf.put(o.clOrdId(),
                        e.path("alert_id").asText()))));
        byAlert.values().stream().filter(e -> e.hasNonNull("cl_ord_id"))
                .forEach(e -> alertOf.put(e.path("cl_ord_id").asText(), e.path("alert_id").asText()));
        Map<String, Long> perClientId = orders.stream().collect(Collectors.groupingBy(
                o -> Objects.toString(o.clOrdId()), TreeMap::new, Collectors.counting()));
        Map<String, Long> perAlert = orders.stream().collect(Collectors.groupingBy(
                o -> alertOf.getOrDefault(o.clOrdId(), "unknown " + o.clOrdId()), TreeMap::new,
                Collectors.counting()));
        List<String> lost = acknowledged.stream().filter(id -> !byAlert.containsKey(id)).toList();
        long ackedInBursts = bursts.stream().mapToLong(b -> b.acknowledged().size()).sum();
        long syncsInBursts = bursts.stream().mapToLong(Burst::syncs).sum();
        System.out.printf("power cuts: %d acknowledged alerts (%d one by one, %d in %d bursts), %d missing from the "
                        + "journal after the restarts %s; %d dead letter(s), replayed in %d round(s): %s, %d left pending; %d order(s) at the "
                        + "exchange, %d client order id(s) and %d alert(s) placed twice; journal states %s; fsync/"
                        + "fdatasync per alert: %.2f one by one, %.2f per acknowledged alert in the bursts%n",
                acknowledged.size(), ONE_BY_ONE, ackedInBursts, bursts.size(), lost.size(), lost, letters.size(),
                replayRounds, replayResults, lettersLeft.size(), orders.size(),
                perClientId.values().stream().filter(n -> n > 1).count(),
                perAlert.values().stream().filter(n -> n > 1).count(),
                journal.stream().collect(Collectors.groupingBy(e -> e.path("state").asText(), TreeMap::new,
                        Collectors.counting())),
                syncsPerAlertOneByOne, syncsInBursts / (double) Math.max(1, ackedInBursts));
        System.out.printf("settled %d ms after the last restart, replays settled %d ms later%n",
                CrashSafetyTest.millis(restarted, settled), CrashSafetyTest.millis(settled, replayed));

        for (Burst burst : bursts) {
            softly.assertThat(burst.pending() + burst.cut())
                    .as("%s: the cut came while alerts were in flight (answered pending, or not answered yet)",
                            burst.name()).isPositive();
            softly.assertThat(burst.serverErrors()).as("%s: answers 5xx before the cut", burst.name()).isEmpty();
        }
        for (Burst burst : bursts) {
            softly.assertThat(burst.dropped().get("cut_bytes"))
                    .as("%s: bytes the cut undid; a cut that loses nothing proves nothing", burst.name()).isPositive();
        }
        softly.assertThat(lost).as("acknowledged (200/202) alerts missing from the journal after the power cuts")
                .isEmpty();
        softly.assertThat(replayFailures).as("POST /admin/dead-letters/replay answered other than 200").isEmpty();
        softly.assertThat(lettersLeft).as("dead letters still pending after %d replays of all of them", replayRounds)
                .isEmpty();
        softly.assertThat(orders).as("every order at the exchange carries a client order id")
                .allMatch(o -> o.clOrdId() != null);
        softly.assertThat(perClientId.entrySet().stream().filter(e -> e.getValue() > 1)
                        .map(e -> e.getKey() + " (alert " + alertOf.get(e.getKey()) + "): " + e.getValue()).toList())
                .as("client order ids placed more than once at the exchange").isEmpty();
        softly.assertThat(perAlert.entrySet().stream().filter(e -> e.getValue() > 1)
                        .map(e -> e.getKey() + ": " + e.getValue() + " orders").toList())
                .as("alerts placed more than once at the exchange").isEmpty();
        Map<String, JsonNode> executedByTxid = new HashMap<>();
        journal.stream().filter(e -> e.path("state").asText().equals("executed"))
                .forEach(e -> e.path("txids").forEach(t -> executedByTxid.put(t.asText(), e)));
        softly.assertThat(orders.stream().filter(o -> !executedByTxid.containsKey(o.txid()))
                        .map(o -> o.txid() + " (cl_ord_id " + o.clOrdId() + ", alert " + alertOf.get(o.clOrdId())
                                + ")").toList())
                .as("orders at the exchange not journaled as executed with their txid").isEmpty();
    }
}
