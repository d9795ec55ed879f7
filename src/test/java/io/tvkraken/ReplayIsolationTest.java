package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.paper.PaperConfig;
import io.tvkraken.paper.PaperExchangeHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replay in a live service started as an operator starts it, configured by its environment (docs/replays.md#the-sandbox):
 * the sandbox reads none of it. Live mode, the API keys, the journal database, the data folder and the alert age limit
 * are the environment's; were any of them to reach the sandbox, the replay would trade on the live exchange, share the
 * live journal (every alert a duplicate), fail on the data folder's lock, or refuse the recorded alerts as stale.
 */
class ReplayIsolationTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;

    @Test
    void aReplayInALiveServiceNeverReachesTheLiveExchangeNorReadsTheEnvironment() throws Exception {
        try (PaperExchangeHarness kraken = PaperExchangeHarness.start(PaperConfig.defaults())) {
            Map<String, String> env = AppProcess.freshDatabase("replay-isolation");
            env.putAll(AppProcess.liveAgainst(kraken));
            env.put("MAX_ALERT_AGE_SECONDS", "5");
            Instant from = Instant.now().minusSeconds(1);
            try (AppProcess app = AppProcess.start(data, env, AppProcess.logFile("replay-isolation"))
                    .waitUntilReady(Duration.ofSeconds(90))) {
                for (int i = 0; i < 2; i++) {
                    HttpResponse<String> placed = app.post("/webhook/tradingview", AppProcess.alert("isolation-" + i));
                    assertThat(placed.statusCode()).as(placed.body()).isIn(200, 202);
                }
                assertThat(app.settledJournal(Duration.ofSeconds(30))).allMatch(row -> row.path("state").asText()
                        .equals("executed"));
                int liveOrders = kraken.requestCount("AddOrder");
                // older than the environment's age limit by the time they are replayed
                Thread.sleep(6000);
                HttpResponse<String> asked = app.adminPost("/admin/replays", "{\"from\":\"" + from + "\",\"to\":\""
                        + Instant.now().plusSeconds(1) + "\"}");
                assertThat(asked.statusCode()).as(asked.body()).isEqualTo(202);
                String id = JSON.readTree(asked.body()).path("id").asText();
                JsonNode replay = null;
                for (int i = 0; i < 300; i++) {
                    HttpResponse<String> read = app.admin("/admin/replays/" + id);
                    replay = JSON.readTree(read.body());
                    if (read.statusCode() == 200) {
                        break;
                    }
                    Thread.sleep(100);
                }
                assertThat(replay.path("state").asText()).as(replay.toString()).isEqualTo("done");
                JsonNode row = replay.path("report").path("by_strategy_and_account").get(0);
                assertThat(row.path("executed").asInt()).as(replay.toString()).isEqualTo(2);
                assertThat(kraken.requestCount("AddOrder")).as("AddOrders at the live exchange").isEqualTo(liveOrders);
                assertThat(app.journal()).as("the live journal: the two alerts, nothing of the replay's").hasSize(2);
            }
        }
    }
}
