package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tvkraken.paper.PaperConfig;
import io.tvkraken.paper.PaperExchangeHarness;
import io.tvkraken.paper.PaperOrder;
import io.tvkraken.paper.RateLimitTier;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bar-close burst deeper than Kraken can take in time: many alerts fire at once, each AddOrder takes 200 ms at
 * Kraken and private calls go one at a time. The service runs as its own process in live mode, driven through real
 * HTTP. Every alert is still answered within TradingView's 3 s (202 pending when its order is queued), every alert
 * ends in the journal, and no AddOrder leaves later than MAX_ALERT_AGE_SECONDS after its alert fired: what cannot
 * leave in time is dead-lettered as {@code too_late}, nothing placed.
 */
class BarCloseBurstTest {

    static final int BURST = 300;
    static final int MAX_AGE_SECONDS = 8;

    @TempDir
    Path data;

    @Test
    void everyAlertIsAnsweredOnTimeAndNoOrderLeavesAfterItsAlertIsTooOld() throws Exception {
        // Kraken's limits at the Pro tier, on both sides: the burst is at Kraken's own pace, and only the deadline
        // and the alert's age may stop an order.
        try (PaperExchangeHarness kraken = PaperExchangeHarness.start(PaperConfig.defaults()
                .withAddOrderLatency(Duration.ofMillis(200)).withRateLimitTier(RateLimitTier.PRO))) {
            Map<String, String> env = AppProcess.liveAgainst(kraken);
            env.putAll(AppProcess.freshDatabase("bar_close"));
            env.put("MAX_ALERT_AGE_SECONDS", Integer.toString(MAX_AGE_SECONDS));
            env.put("KRAKEN_TIER", "pro");
            try (AppProcess app = AppProcess.start(data, env, AppProcess.logFile("bar-close-burst"))
                    .waitUntilReady()) {
                // a service that has served alerts before: pairs cached, code paths warm
                for (int i = 0; i < 20; i++) {
                    app.post("/webhook/tradingview/validate", "{\"ticker\":\"BTCUSD\",\"action\":\"buy\","
                            + "\"volume\":\"0.01\",\"passphrase\":\"" + TestSecrets.PASSPHRASE + "\"}");
                }
                Instant fired = Instant.now();
                ExecutorService pool = Executors.newFixedThreadPool(100);
                List<Future<long[]>> answers = new ArrayList<>();
                try {
                    for (int i = 0; i < BURST; i++) {
                        String body = "{\"ticker\":\"" + (i % 2 == 0 ? "BTCUSD" : "ETHUSD") + "\",\"action\":\"buy\","
                                + "\"volume\":\"0.01\",\"id\":\"bar-" + i + "\",\"time\":\"" + fired.toEpochMilli()
                                + "\",\"passphrase\":\"" + TestSecrets.PASSPHRASE + "\"}";
                        answers.add(pool.submit(() -> {
                            long started = System.nanoTime();
                            HttpResponse<String> response = app.post("/webhook/tradingview", body);
                            return new long[] {response.statusCode(), (System.nanoTime() - started) / 1_000_000};
                        }));
                    }
                    List<Long> millis = new ArrayList<>();
                    for (Future<long[]> answer : answers) {
                        long[] got = answer.get();
                        assertThat(got[0]).as("acknowledged, never a 5xx").isIn(200L, 202L);
                        millis.add(got[1]);
                    }
                    millis.sort(null);
                    System.out.printf("bar-close burst of %d: answers median %d ms, p99 %d ms, slowest %d ms%n",
                            BURST, millis.get(BURST / 2), millis.get(BURST * 99 / 100), millis.get(BURST - 1));
                    assertThat(millis.get(BURST - 1)).as("slowest answer (ms): within TradingView's 3 s")
                            .isLessThan(3000);
                } finally {
                    pool.shutdownNow();
                }

                List<JsonNode> journal = app.settledJournal(Duration.ofSeconds(60)).stream()
                        .filter(e -> e.path("alert_id").asText().startsWith("bar-")).toList();
                assertThat(journal).as("every alert journaled").hasSize(BURST);
                Map<String, Long> states = journal.stream()
                        .collect(Collectors.groupingBy(e -> e.path("state").asText(), Collectors.counting()));
                List<PaperOrder> orders = kraken.orders();
                Instant cutoff = fired.plusSeconds(MAX_AGE_SECONDS);
                for (PaperOrder order : orders) {
                    assertThat(order.openedAt()).as("order %s placed by its alert's send-by time", order.txid())
                            .isBeforeOrEqualTo(cutoff);
                }
                assertThat(orders.stream().collect(Collectors.groupingBy(PaperOrder::clOrdId, Collectors.counting()))
                        .values()).as("one order per alert at most").allMatch(n -> n == 1);
                assertThat(states.getOrDefault("executed", 0L)).as("executed = orders at Kraken")
                        .isEqualTo(orders.size());
                long tooLate = journal.stream()
                        .filter(e -> e.path("answer").path("error").path("code").asText().equals("too_late"))
                        .count();
                assertThat(states.getOrDefault("executed", 0L) + tooLate).as("every alert placed or too late: "
                        + states).isEqualTo(BURST);
                System.out.printf("bar-close burst of %d with AddOrder at 200 ms and MAX_ALERT_AGE_SECONDS=%d: %d "
                        + "placed, %d too_late, journal %s%n", BURST, MAX_AGE_SECONDS, orders.size(), tooLate, states);
            }
        }
    }
}
