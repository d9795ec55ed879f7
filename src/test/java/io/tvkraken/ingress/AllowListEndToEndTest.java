package io.tvkraken.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.tvkraken.RunningApp;
import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.PaperExchangeHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AllowListEndToEndTest {

    @TempDir
    Path data;

    @Test
    void aSourceOutsideAllowedIpsIs403AndNothingIsSent() {
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("allowed.ips", "52.89.214.238,34.212.75.30,54.218.53.128,52.32.178.7");
        try (RunningApp app = RunningApp.start(p)) {
            PaperExchangeHarness paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
            HttpResponse<String> response = app.post("/webhook/tradingview",
                    "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.01\"}");
            assertThat(response.statusCode()).isEqualTo(403);
            assertThat(response.body()).contains("\"status\":\"rejected\"", "\"code\":\"forbidden\"");
            assertThat(paper.addOrderRequests()).isEmpty();
            // the source is judged before anything about the request: no 413 or 415 for a stranger
            assertThat(app.post("/webhook/tradingview", "x".repeat(70_000)).statusCode()).isEqualTo(403);
            assertThat(app.post("/webhook/tradingview", "a=b",
                    Map.of("Content-Type", "application/x-www-form-urlencoded")).statusCode()).isEqualTo(403);
        }
    }

    @Test
    void aSourceInsideAllowedIpsIsServed() {
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("allowed.ips", "127.0.0.0/8,::1");
        try (RunningApp app = RunningApp.start(p)) {
            HttpResponse<String> response = app.post("/webhook/tradingview",
                    "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.01\"}");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        }
    }
}
