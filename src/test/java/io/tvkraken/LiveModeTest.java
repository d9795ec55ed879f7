package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.paper.PaperConfig;
import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.PaperExchangeHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live mode: pointed at a Kraken-compatible server by configuration only, and refusing to start without keys or
 * without webhook authentication. The server here is the paper exchange, started on its own with the test's API
 * key and secret: it checks API-Sign and nonces exactly as Kraken documents them.
 */
class LiveModeTest {

    @TempDir
    Path data;

    Map<String, String> live() {
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("kraken.mode", "live");
        return p;
    }

    @Test
    void refusesToStartWithoutApiKeys() {
        Map<String, String> p = live();
        p.put("webhook.secret", TestSecrets.WEBHOOK_SECRET);
        assertThatThrownBy(() -> RunningApp.start(p))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("KRAKEN_MODE=live needs KRAKEN_API_KEY and KRAKEN_API_SECRET");
    }

    @Test
    void refusesToStartWithoutWebhookAuthentication() {
        Map<String, String> p = live();
        p.put("kraken.api.key", TestSecrets.KRAKEN_API_KEY);
        p.put("kraken.api.secret", TestSecrets.KRAKEN_API_SECRET);
        assertThatThrownBy(() -> RunningApp.start(p))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("needs WEBHOOK_SECRET or WEBHOOK_PASSPHRASE")
                .hasMessageNotContaining(TestSecrets.KRAKEN_API_SECRET);
    }

    @Test
    void aSignedAlertIsPlacedOnAKrakenCompatibleServerExactlyAsKrakenDocuments() throws Exception {
        try (PaperExchangeHarness kraken = PaperExchangeHarness.start(PaperConfig.defaults()
                .withApiKey(TestSecrets.KRAKEN_API_KEY).withApiSecret(TestSecrets.KRAKEN_API_SECRET))) {
            Map<String, String> p = live();
            p.put("kraken.api.url", kraken.baseUrl().toString());
            p.put("kraken.api.key", TestSecrets.KRAKEN_API_KEY);
            p.put("kraken.api.secret", TestSecrets.KRAKEN_API_SECRET);
            p.put("webhook.secret", TestSecrets.WEBHOOK_SECRET);
            try (RunningApp app = RunningApp.start(p)) {
                assertThat(app.bean("paperExchange", PaperExchange.class)).as("no paper exchange in live mode")
                        .isNull();
                String body = "{\"ticker\":\"XBTUSD\",\"action\":\"buy\",\"order_type\":\"limit\","
                        + "\"volume\":\"1.25\",\"price\":\"37500\"}";
                HttpResponse<String> response = app.post("/webhook/tradingview", body,
                        Map.of("X-Signature", TestSecrets.sign(body)));
                JsonNode answer = new ObjectMapper().readTree(response.body());
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                assertThat(answer.path("mode").asText()).isEqualTo("live");
                // The server verified API-Key, API-Sign and the nonce, then described the order as Kraken does.
                assertThat(answer.path("order").path("description").asText())
                        .isEqualTo("buy 1.25000000 XBTUSD @ limit 37500.0");
                assertThat(kraken.orders()).hasSize(1);
                Map<String, String> sent = kraken.addOrderRequests().get(0);
                assertThat(sent).containsEntry("pair", "XBTUSD").containsEntry("type", "buy")
                        .containsEntry("ordertype", "limit").containsEntry("price", "37500")
                        .containsEntry("volume", "1.25").containsKey("nonce").doesNotContainKey("validate");
            }
        }
    }

    @Test
    void aWrongApiSecretIsKrakensRefusalNotAnOutage() throws Exception {
        try (PaperExchangeHarness kraken = PaperExchangeHarness.start(PaperConfig.defaults()
                .withApiKey(TestSecrets.KRAKEN_API_KEY).withApiSecret(TestSecrets.KRAKEN_API_SECRET))) {
            Map<String, String> p = live();
            p.put("kraken.api.url", kraken.baseUrl().toString());
            p.put("kraken.api.key", TestSecrets.KRAKEN_API_KEY);
            p.put("kraken.api.secret", PaperConfig.withRandomKeys().apiSecret());
            p.put("webhook.passphrase", TestSecrets.PASSPHRASE);
            try (RunningApp app = RunningApp.start(p)) {
                HttpResponse<String> response = app.post("/webhook/tradingview",
                        "{\"ticker\":\"XBTUSD\",\"action\":\"buy\",\"volume\":\"0.01\",\"passphrase\":\""
                                + TestSecrets.PASSPHRASE + "\"}");
                assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
                assertThat(response.body()).contains("EAPI:Invalid signature");
                assertThat(kraken.orders()).isEmpty();
            }
        }
    }
}
