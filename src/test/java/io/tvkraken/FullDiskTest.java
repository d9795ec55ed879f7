package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tvkraken.paper.PaperConfig;
import io.tvkraken.paper.PaperExchangeHarness;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.assertj.core.api.junit.jupiter.InjectSoftAssertions;
import org.assertj.core.api.junit.jupiter.SoftAssertionsExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal that cannot take a write (README "Answers": 503 "nothing could be stored" is the one answer TradingView
 * resends; README "Guarantees": no acknowledged alert is lost). With the embedded journal that is a full or
 * read-only data disk: the service runs as its own process with {@code DATA_DIR} on a small tmpfs of its own ({@link
 * DataDisk}). While the journal cannot be written, alerts are answered 503, nothing is sent to Kraken for them, and
 * {@code /health} answers 503 with the database check down; once space comes back the journal takes writes again by
 * itself, without a restart: {@code /health} is 200 within seconds and alerts are placed; after a crash then, every
 * alert acknowledged before is in the journal. With PostgreSQL the data disk holds no journal at all: the same
 * promises are checked against a journal database that refuses writes (read-only transactions), its equivalent of a
 * read-only disk.
 */
@ExtendWith(SoftAssertionsExtension.class)
class FullDiskTest {

    /** The embedded journal's free room once the disk is filled: enough for a few alerts, then it is full. */
    static final int LEAVE_KIB = 384;
    /** Alerts sent at once while the disk fills up. */
    static final int WAVE = 6;
    /** Alerts sent after the first 503, with the disk still full: each must be refused the same way. */
    static final int WHILE_FULL = 5;
    static final String EMBEDDED_ONLY = "the embedded journal lives under DATA_DIR; with PostgreSQL (backend "
            + TestDatabase.backend() + ") the data disk holds no journal, and journalDatabaseRefusingWrites"
            + "Answers503SendsNothingAndFailsHealth checks the same promises";

    /**
     * Small, so that alerts a killed process left in flight are settled soon after the restart: once their send-by time
     * (the alert's age limit) and the lease margin (docs/order-lifecycle.md: 30 s) are over.
     */
    static final int MAX_ALERT_AGE_SECONDS = 15;
    static final Duration SETTLE = Duration.ofSeconds(MAX_ALERT_AGE_SECONDS + 30 + 30);
    /** Space back, the journal takes writes again by itself within this (issue: "within seconds"). */
    static final Duration HEAL_WITHIN = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    /** What the service does while the journal cannot be written, and what it kept after: each reported. */
    @InjectSoftAssertions
    SoftAssertions softly;

    @Test
    void fullDataDiskAnswers503SendsNothingFailsHealthAndLosesNoAcknowledgedAlert() throws Exception {
        assumeTrue(TestDatabase.backend().equals("embedded"), EMBEDDED_ONLY);
        Path data = Files.createDirectory(dir.resolve("data"));
        Path log = AppProcess.logFile("FullDiskTest.fullDataDisk");
        try (PaperExchangeHarness kraken = PaperExchangeHarness.start(PaperConfig.defaults());
                DataDisk disk = DataDisk.mount(data, "8m", dir.resolve("disk.log"))) {
            Map<String, String> env = new HashMap<>(AppProcess.liveAgainst(kraken));
            env.put("MAX_ALERT_AGE_SECONDS", Integer.toString(MAX_ALERT_AGE_SECONDS));
            AppProcess app = AppProcess.start(disk.launcher(), disk.dir(), env, log).waitUntilReady();
            try {
                List<String> acknowledged = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    HttpResponse<String> placed = app.post("/webhook/tradingview", AppProcess.alert("disk-" + i));
                    assertThat(placed.statusCode()).as("with room on the disk: %s", placed.body()).isEqualTo(200);
                    acknowledged.add("disk-" + i);
                }
                disk.fill(LEAVE_KIB);
                long freeAfterFill = disk.availableKiB();

                // Waves of alerts at once until the journal runs out of room: the disk fills up at whichever write
                // comes next — an alert's arrival, its "sending", its outcome — in one alert or several at a time.
                Map<Integer, Integer> statuses = new TreeMap<>();
                List<String> refused = new ArrayList<>();
                List<String> unexpected = new ArrayList<>();
                int sent = 3;
                ExecutorService pool = Executors.newFixedThreadPool(WAVE);
                AppProcess filling = app;
                try {
                    while (refused.isEmpty() && sent < 400) {
                        Map<String, Future<HttpResponse<String>>> wave = new LinkedHashMap<>();
                        for (int i = 0; i < WAVE; i++) {
                            String id = "disk-" + sent++;
                            wave.put(id, pool.submit(() -> filling.post("/webhook/tradingview",
                                    AppProcess.alert(id))));
                        }
                        for (Map.Entry<String, Future<HttpResponse<String>>> alert : wave.entrySet()) {
                            HttpResponse<String> answer = alert.getValue().get();
                            statuses.merge(answer.statusCode(), 1, Integer::sum);
                            if (answer.statusCode() == 200 || answer.statusCode() == 202) {
                                acknowledged.add(alert.getKey());
                            } else if (answer.statusCode() == 503) {
                                refused.add(alert.getKey());
                            } else {
                                unexpected.add(alert.getKey() + ": " + answer.statusCode() + " " + answer.body());
                            }
                        }
                    }
                } finally {
                    pool.shutdownNow();
                }
                softly.assertThat(unexpected).as("answers other than 200/202 before the disk was full, 503 after")
                        .isEmpty();
                assertThat(refused).as("the disk filled up: an alert was answered 503 (%d KiB free after the fill, "
                        + "answers %s)", freeAfterFill, statuses).isNotEmpty();
                int acknowledgedBeforeFull = acknowledged.size();
                List<String> stillFull = new ArrayList<>();
                for (int i = 0; i < WHILE_FULL; i++) {
                    String id = "disk-" + sent++;
                    HttpResponse<String> answer = app.post("/webhook/tradingview", AppProcess.alert(id));
                    statuses.merge(answer.statusCode(), 1, Integer::sum);
                    if (answer.statusCode() == 200 || answer.statusCode() == 202) {
                        acknowledged.add(id);
                    }
                    if (answer.statusCode() == 503) {
                        refused.add(id);
                    } else {
                        stillFull.add(id + ": " + answer.statusCode() + " " + answer.body());
                    }
                }
                HttpResponse<String> healthWhileFull = app.get("/health");
                int addOrdersWhileFull = kraken.requestCount("AddOrder");
                System.out.printf("full data disk: %d alerts sent, %d acknowledged before the first 503 (%d KiB "
                                + "were left free, then waves of %d), answers after the fill %s, %d AddOrder(s) at the "
                                + "exchange; /health %d %s%n",
                        sent, acknowledgedBeforeFull, freeAfterFill, WAVE, statuses, addOrdersWhileFull,
                        healthWhileFull.statusCode(), healthWhileFull.body());

                softly.assertThat(stillFull).as("alerts not answered 503 while the disk stays full").isEmpty();
                assertHealthDown(healthWhileFull, "while the data disk is full");

                // Space comes back (an operator deletes a file): the journal takes writes again by itself, without
                // a restart, within seconds.
                disk.free();
                long freed = System.nanoTime();
                HttpResponse<String> health = app.get("/health");
                while (health.statusCode() != 200 && System.nanoTime() - freed < HEAL_WITHIN.toNanos()) {
                    Thread.sleep(100);
                    health = app.get("/health");
                }
                long healedMs = (System.nanoTime() - freed) / 1_000_000;
                assertHealthUp(health, "within " + HEAL_WITHIN.toSeconds() + " s of space coming back, no restart");
                HttpResponse<String> healed = app.post("/webhook/tradingview", AppProcess.alert("disk-healed"));
                System.out.printf("full data disk: /health up %d ms after space came back; the next alert %d %s%n",
                        healedMs, healed.statusCode(), healed.body());
                assertThat(healed.statusCode()).as("an alert once space is back, no restart: %s", healed.body())
                        .isEqualTo(200);
                acknowledged.add("disk-healed");

                // Then a crash: everything acknowledged, before the disk was full and after, is on the disk.
                app.kill();
                app = AppProcess.start(disk.launcher(), disk.dir(), env, log).waitUntilReady();
                assertHealthUp(app.get("/health"), "after a restart");
                List<JsonNode> journal = app.settledJournal(SETTLE);
                Map<String, JsonNode> byAlert = CrashSafetyTest.byAlert(journal);
                System.out.printf("full data disk, after a restart with space: %d of %d acknowledged alerts journaled;"
                        + " alerts answered 503 found in the journal: %s; %d order(s) at the exchange%n",
                        acknowledged.stream().filter(byAlert::containsKey).count(), acknowledged.size(),
                        refused.stream().filter(byAlert::containsKey).collect(Collectors.toMap(id -> id,
                                id -> byAlert.get(id).path("state").asText(), (a, b) -> a, TreeMap::new)),
                        kraken.orders().size());
                assertAcknowledgedKeptAndNothingSentForTheRest(journal, acknowledged, refused, kraken);
                HttpResponse<String> again = app.post("/webhook/tradingview", AppProcess.alert("disk-after"));
                softly.assertThat(again.statusCode()).as("an alert after the restart: %s", again.body()).isEqualTo(200);
            } finally {
                app.close();
            }
        }
    }

    @Test
    void readOnlyDataFolderAfterRestartAnswers503SendsNothingAndFailsHealth() throws Exception {
        assumeTrue(TestDatabase.backend().equals("embedded"), EMBEDDED_ONLY);
        Path data = Files.createDirectory(dir.resolve("data"));
        Path log = AppProcess.logFile("FullDiskTest.readOnlyDataFolderAfterRestart");
        try (PaperExchangeHarness kraken = PaperExchangeHarness.start(PaperConfig.defaults());
                DataDisk disk = DataDisk.mount(data, "8m", dir.resolve("disk.log"))) {
            Map<String, String> env = new HashMap<>(AppProcess.liveAgainst(kraken));
            env.put("MAX_ALERT_AGE_SECONDS", Integer.toString(MAX_ALERT_AGE_SECONDS));
            AppProcess app = AppProcess.start(disk.launcher(), disk.dir(), env, log).waitUntilReady();
            try {
                List<String> acknowledged = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    HttpResponse<String> placed = app.post("/webhook/tradingview", AppProcess.alert("ro-" + i));
                    assertThat(placed.statusCode()).as("on a writable disk: %s", placed.body()).isEqualTo(200);
                    acknowledged.add("ro-" + i);
                }
                app.stop();
                disk.remountReadOnly();
                app = AppProcess.start(disk.launcher(), disk.dir(), env, log).waitUntilListening();
                int addOrdersBefore = kraken.requestCount("AddOrder");
                Map<Integer, Integer> statuses = new TreeMap<>();
                List<String> refused = new ArrayList<>();
                List<String> notRefused = new ArrayList<>();
                for (int i = 0; i < WHILE_FULL; i++) {
                    HttpResponse<String> answer = app.post("/webhook/tradingview", AppProcess.alert("ro-late-" + i));
                    statuses.merge(answer.statusCode(), 1, Integer::sum);
                    if (answer.statusCode() == 503) {
                        refused.add("ro-late-" + i);
                    } else {
                        notRefused.add("ro-late-" + i + ": " + answer.statusCode() + " " + answer.body());
                    }
                }
                HttpResponse<String> health = app.get("/health");
                System.out.printf("read-only data folder after a restart: answers %s, AddOrders %d before and %d "
                                + "after; /health %d %s%n", statuses, addOrdersBefore,
                        kraken.requestCount("AddOrder"), health.statusCode(), health.body());
                softly.assertThat(notRefused).as("alerts not answered 503 while the journal is read-only").isEmpty();
                softly.assertThat(kraken.requestCount("AddOrder")).as("AddOrders sent while the journal is read-only")
                        .isEqualTo(addOrdersBefore);
                assertHealthDown(health, "while the data folder is read-only");

                app.kill();
                disk.remountReadWrite();
                app = AppProcess.start(disk.launcher(), disk.dir(), env, log).waitUntilReady();
                assertHealthUp(app.get("/health"), "once the data folder is writable again");
                assertAcknowledgedKeptAndNothingSentForTheRest(app.settledJournal(SETTLE),
                        acknowledged, refused, kraken);
            } finally {
                app.close();
            }
        }
    }

    @Test
    void journalDatabaseRefusingWritesAnswers503SendsNothingAndFailsHealth() throws Exception {
        assumeTrue(TestDatabase.backend().equals("postgres"), "the embedded journal is checked on a full and a "
                + "read-only data disk by this class's other tests; this one is PostgreSQL's equivalent");
        Path log = AppProcess.logFile("FullDiskTest.postgresRefusingWrites");
        try (PaperExchangeHarness kraken = PaperExchangeHarness.start(PaperConfig.defaults())) {
            Map<String, String> env = new HashMap<>(AppProcess.liveAgainst(kraken));
            env.putAll(AppProcess.freshDatabase("refusing"));
            env.put("MAX_ALERT_AGE_SECONDS", Integer.toString(MAX_ALERT_AGE_SECONDS));
            AppProcess app = AppProcess.start(dir, env, log).waitUntilReady();
            try (Connection admin = DriverManager.getConnection(env.get("DB_URL"), env.get("DB_USER"),
                    env.get("DB_PASSWORD"))) {
                List<String> acknowledged = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    HttpResponse<String> placed = app.post("/webhook/tradingview", AppProcess.alert("pg-" + i));
                    assertThat(placed.statusCode()).as("with a writable database: %s", placed.body()).isEqualTo(200);
                    acknowledged.add("pg-" + i);
                }
                // New sessions only read; the service's pooled ones are ended, so that it reconnects to a database
                // that refuses every write. This session, opened before, still writes: it undoes this below.
                String database = readOnly(admin, true);
                int addOrdersBefore = kraken.requestCount("AddOrder");
                Map<Integer, Integer> statuses = new TreeMap<>();
                List<String> refused = new ArrayList<>();
                List<String> notRefused = new ArrayList<>();
                for (int i = 0; i < WHILE_FULL; i++) {
                    HttpResponse<String> answer = app.post("/webhook/tradingview", AppProcess.alert("pg-ro-" + i));
                    statuses.merge(answer.statusCode(), 1, Integer::sum);
                    if (answer.statusCode() == 503) {
                        refused.add("pg-ro-" + i);
                    } else {
                        notRefused.add("pg-ro-" + i + ": " + answer.statusCode() + " " + answer.body());
                    }
                }
                HttpResponse<String> health = app.get("/health");
                System.out.printf("PostgreSQL journal %s refusing writes: answers %s, AddOrders %d before and %d "
                                + "after; /health %d %s%n", database, statuses, addOrdersBefore,
                        kraken.requestCount("AddOrder"), health.statusCode(), health.body());
                softly.assertThat(notRefused).as("alerts not answered 503 while the journal refuses writes").isEmpty();
                softly.assertThat(kraken.requestCount("AddOrder")).as("AddOrders sent while the journal refuses writes")
                        .isEqualTo(addOrdersBefore);
                assertHealthDown(health, "while the journal database refuses writes");

                readOnly(admin, false);
                app.kill();
                app = AppProcess.start(dir, env, log).waitUntilReady();
                assertHealthUp(app.get("/health"), "after a restart with a writable database");
                assertAcknowledgedKeptAndNothingSentForTheRest(app.settledJournal(SETTLE),
                        acknowledged, refused, kraken);
            } finally {
                app.close();
            }
        }
    }

    /** Makes the connected database refuse (or take again) writes in every new session; ends the others' sessions. */
    static String readOnly(Connection admin, boolean readOnly) throws Exception {
        try (Statement s = admin.createStatement()) {
            String database;
            try (ResultSet rs = s.executeQuery("SELECT current_database()")) {
                rs.next();
                database = rs.getString(1);
            }
            s.execute("ALTER DATABASE \"" + database + "\" " + (readOnly
                    ? "SET default_transaction_read_only = on" : "RESET default_transaction_read_only"));
            s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                    + "AND pid <> pg_backend_pid()");
            return database;
        }
    }

    void assertHealthDown(HttpResponse<String> health, String when) throws IOException {
        softly.assertThat(health.statusCode()).as("/health %s: %s", when, health.body()).isEqualTo(503);
        softly.assertThat(AppProcess.JSON.readTree(health.body()).path("checks").path("database").path("status")
                        .asText())
                .as("/health's database check %s: %s", when, health.body()).isEqualTo("down");
    }

    void assertHealthUp(HttpResponse<String> health, String when) throws IOException {
        softly.assertThat(health.statusCode()).as("/health %s: %s", when, health.body()).isEqualTo(200);
        softly.assertThat(AppProcess.JSON.readTree(health.body()).path("checks").path("database").path("status")
                        .asText())
                .as("/health's database check %s: %s", when, health.body()).isEqualTo("up");
    }

    /**
     * Every acknowledged alert has its journal entry; every AddOrder the exchange received was for one of them (none
     * for an alert answered 503); no client order id was placed twice.
     */
    void assertAcknowledgedKeptAndNothingSentForTheRest(List<JsonNode> journal, List<String> acknowledged,
            List<String> refused, PaperExchangeHarness kraken) {
        Map<String, JsonNode> byAlert = CrashSafetyTest.byAlert(journal);
        softly.assertThat(acknowledged).as("acknowledged alerts missing from the journal after the restart")
                .filteredOn(id -> !byAlert.containsKey(id)).isEmpty();
        Set<String> acknowledgedClientIds = acknowledged.stream().map(byAlert::get).filter(Objects::nonNull)
                .map(e -> e.path("cl_ord_id").asText()).collect(Collectors.toSet());
        Map<String, String> alertOfClientId = new HashMap<>();
        journal.forEach(e -> alertOfClientId.put(e.path("cl_ord_id").asText(), e.path("alert_id").asText()));
        List<String> foreign = kraken.addOrderRequests().stream().map(r -> r.get("cl_ord_id"))
                .filter(id -> !acknowledgedClientIds.contains(id))
                .map(id -> id + " (alert " + alertOfClientId.getOrDefault(id, "not in the journal") + ")").toList();
        softly.assertThat(foreign).as("AddOrders for alerts that were not acknowledged (answered 503: %s)", refused)
                .isEmpty();
        softly.assertThat(kraken.orders().stream().collect(Collectors.groupingBy(o -> Objects.toString(o.clOrdId()),
                Collectors.counting())).entrySet()).as("client order ids placed more than once")
                .filteredOn(e -> e.getValue() > 1).isEmpty();
        softly.assertThat(kraken.orders().stream().filter(o -> !acknowledgedClientIds.contains(o.clOrdId()))
                        .map(o -> o.txid() + " (alert " + alertOfClientId.getOrDefault(o.clOrdId(),
                                "not in the journal") + ")").toList())
                .as("orders at the exchange for alerts that were not acknowledged").isEmpty();
    }
}
