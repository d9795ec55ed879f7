package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import io.tvkraken.kraken.BalanceRefresh;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every log line of an alert's journey, on every thread it crosses, carries the alert's request id. */
class RequestIdLoggingTest {

    static final Path LOG = Path.of(System.getProperty("tvk.test.log", "target/test-logs/test-run.log"));

    @TempDir
    Path data;

    static List<String> linesWrittenDuring(Runnable action) throws Exception {
        long before = Files.size(LOG);
        action.run();
        Thread.sleep(200); // let appenders flush lines written by other threads
        byte[] all = Files.readAllBytes(LOG);
        String text = new String(all, (int) before, all.length - (int) before, StandardCharsets.UTF_8);
        // Lines of background work that is no alert's (a breaker of an application an earlier test closed moving to
        // half-open, the timer routes) carry no request id by design, or the id of their route where their Kraken
        // call is logged on the sender's thread (the balance reading); the journey's lines are all the others.
        return Arrays.stream(text.split("\n")).filter(l -> l.matches("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*"))
                .filter(l -> !l.contains("[CircuitBreakerAutoTransitionThread]") && !l.contains("timer://"))
                .filter(l -> !l.contains("[" + BalanceRefresh.ROUTE_ID + "]"))
                .toList();
    }

    @Test
    void everyLineOfAnAlertsJourneyCarriesItsRequestId() throws Exception {
        try (RunningApp app = RunningApp.start(RunningApp.paperDefaults(data))) {
            // first alert loads pairs and prices; the journey below is a plain one
            app.post("/webhook/tradingview", "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.01\"}");
            List<String> lines = linesWrittenDuring(() -> {
                HttpResponse<String> response = app.post("/webhook/tradingview",
                        "{\"ticker\":\"ETHUSD\",\"action\":\"sell\",\"volume\":\"0.1\"}",
                        Map.of("X-Request-ID", "journey-42"));
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            });
            assertThat(lines).as("the journey logs the alert, the Kraken call and the outcome").hasSizeGreaterThan(3);
            assertThat(lines).anyMatch(l -> l.contains("Kraken AddOrder"));
            assertThat(lines).allMatch(l -> l.contains("[journey-42]"), "every line has the request id");
        }
    }

    @Test
    void aRejectedAlertsLinesCarryItsRequestIdToo() throws Exception {
        try (RunningApp app = RunningApp.start(RunningApp.paperDefaults(data))) {
            List<String> lines = linesWrittenDuring(() -> app.post("/webhook/tradingview", "{\"ticker\":1}",
                    Map.of("X-Request-ID", "journey-43")));
            assertThat(lines).isNotEmpty().allMatch(l -> l.contains("[journey-43]"));
        }
    }
}
