package io.tvkraken.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.RunningApp;
import io.tvkraken.TestSecrets;
import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.RecordingTap;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On the embedded H2 journal, the commits the service's promises rest on reach stable storage before they are acted on
 * (docs/journal.md#power-loss): the alert journaled as received before it is answered, the order marked sending before
 * its AddOrder leaves, the kill switch before it is answered. H2 writes a commit's chunk to its file at once but only a
 * force (fsync) keeps it through a power cut; the journal runs here on a file system that counts the forces of the
 * database file ({@link SyncCountingFileSystem}), and fails them on demand, as a disk that cannot keep its writes.
 */
class DurableCommitsTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;

    @BeforeAll
    static void fileSystem() {
        SyncCountingFileSystem.register();
    }

    /** The embedded H2 journal as the service opens it, on the counting file system. */
    Map<String, String> config() {
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("db.url", "jdbc:h2:" + SyncCountingFileSystem.PREFIX + data.toAbsolutePath().resolve("journal")
                .resolve("journal") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0");
        p.put("db.user", "tvk");
        p.put("admin.token", TestSecrets.ADMIN_TOKEN);
        return p;
    }

    static String alert(String id) {
        return "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.01\",\"id\":\"" + id + "\"}";
    }

    @Test
    void anAlertIsOnStableStorageBeforeItIsAnsweredAndItsOrderBeforeItLeaves() throws Exception {
        AtomicInteger forcesAtAddOrder = new AtomicInteger(-1);
        RecordingTap tap = new RecordingTap();
        PaperExchange.Wrapper seeAddOrder = exchange -> tap.wrap(request -> {
            if ("AddOrder".equals(request.method())) {
                forcesAtAddOrder.set(SyncCountingFileSystem.forces());
            }
            return exchange.answer(request);
        });
        try (RunningApp app = RunningApp.start(config(), seeAddOrder)) {
            app.post("/webhook/tradingview/validate", alert("warm-up")); // pairs and prices cached
            int before = SyncCountingFileSystem.forces();

            HttpResponse<String> answer = app.post("/webhook/tradingview", alert("durable-1"));

            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            assertThat(JSON.readTree(answer.body()).path("status").asText()).isEqualTo("executed");
            assertThat(forcesAtAddOrder.get() - before)
                    .as("forces of the journal between the alert's arrival and its AddOrder reaching Kraken: "
                            + "one for the alert journaled as received, one for the order marked sending")
                    .isGreaterThanOrEqualTo(2);

            int beforeSwitch = SyncCountingFileSystem.forces();
            HttpResponse<String> off = app.post("/admin/trading", "{\"enabled\": false}",
                    Map.of("Authorization", "Bearer " + TestSecrets.ADMIN_TOKEN, "Content-Type", "application/json"));
            assertThat(off.statusCode()).as(off.body()).isEqualTo(200);
            assertThat(SyncCountingFileSystem.forces() - beforeSwitch).as("forces for the kill switch set off")
                    .isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void anAlertThatCannotBeMadeDurableIsNotAcknowledgedAndKeepsNoClaimOnItsId() throws Exception {
        try (RunningApp app = RunningApp.start(config())) {
            app.post("/webhook/tradingview/validate", alert("warm-up"));
            HttpResponse<String> refused;
            SyncCountingFileSystem.failForces(true);
            try {
                refused = app.post("/webhook/tradingview", alert("not-durable-1"));
            } finally {
                SyncCountingFileSystem.failForces(false);
            }
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
            assertThat(JSON.readTree(refused.body()).path("error").path("code").asText()).isEqualTo("not_stored");

            // the sender resends, as 503 asks: carried out, not answered as a duplicate of an alert nobody carries out
            HttpResponse<String> resent = app.post("/webhook/tradingview", alert("not-durable-1"));
            assertThat(resent.statusCode()).as(resent.body()).isEqualTo(200);
            assertThat(JSON.readTree(resent.body()).path("status").asText()).isEqualTo("executed");
        }
    }
}
