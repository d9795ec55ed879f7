package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.PaperExchangeHarness;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The strategies file edited while the service runs (docs/strategies.md#the-strategies-file): a good edit takes effect
 * within seconds, a broken one keeps the limits in force and says why in the log. The account's limits apply to every
 * order, with or without a strategy.
 */
class StrategyFileReloadTest {

    @TempDir
    static Path data;
    static Path file;
    static RunningApp app;
    static PaperExchangeHarness paper;

    @BeforeAll
    static void start() throws IOException {
        file = data.resolve("strategies.yaml");
        Files.writeString(file, "account:\n  max-order-cost: 100\n");
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("paper.prices", "XXBTZUSD=60000.0");
        p.put("paper.balances", "ZUSD=10000000");
        p.put("paper.rate-limit-tier", "off");
        p.put("strategies.file", file.toString());
        app = RunningApp.start(p);
        paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    /** A 600 USD buy without a strategy: only the account's limits apply. */
    static HttpResponse<String> buy() {
        return app.post("/webhook/tradingview", "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.01\","
                + "\"id\":\"" + UUID.randomUUID() + "\"}");
    }

    static void eventually(int status) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        HttpResponse<String> last = buy();
        while (last.statusCode() != status && System.nanoTime() < until) {
            Thread.sleep(200);
            last = buy();
        }
        assertThat(last.statusCode()).as(last.body()).isEqualTo(status);
    }

    @Test
    void aGoodEditTakesEffectWhileRunningAndABrokenOneKeepsTheLimitsInForce() throws Exception {
        HttpResponse<String> refused = buy();
        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(refused.body()).contains("risk_limit").contains("account max-order-cost 100 USD");

        Files.writeString(file, "account:\n  max-order-cost: 1000\n");
        eventually(200);

        // a typo: the file does not read, the limits in force stay
        Files.writeString(file, "account:\n  max-order-cst: 100\n");
        Thread.sleep(3000);
        assertThat(buy().statusCode()).isEqualTo(200);
        assertThat(app.bean("strategyFile", io.tvkraken.strategy.StrategyFile.class).settings().account()
                .maxOrderCost()).isEqualByComparingTo("1000");

        // repaired, lower: in force again
        Files.writeString(file, "account:\n  max-order-cost: 500\n");
        eventually(422);
    }
}
