package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.PaperExchangeHarness;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every answer in docs/answers.md#status-codes for the webhook endpoints, produced by the real application in paper
 * mode through real HTTP, with both authentication methods configured.
 */
class WebhookApiTest {

    @TempDir
    static Path data;
    static RunningApp app;
    static PaperExchangeHarness paper;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() {
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("webhook.secret", TestSecrets.WEBHOOK_SECRET);
        p.put("webhook.passphrase", TestSecrets.PASSPHRASE);
        p.put("admin.token", TestSecrets.ADMIN_TOKEN);
        app = RunningApp.start(p);
        paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @BeforeEach
    void tradingOn() {
        app.post("/admin/trading", "{\"enabled\":true}", Map.of("Authorization", "Bearer " + TestSecrets.ADMIN_TOKEN));
    }

    static HttpResponse<String> signed(String path, String body) {
        return app.post(path, body, Map.of("X-Signature", TestSecrets.sign(body)));
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    @Test
    void aSignedMarketAlertIsExecutedOnThePaperExchange() {
        int before = paper.orders().size();
        HttpResponse<String> response = signed("/webhook/tradingview",
                "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.01\"}");
        JsonNode body = json(response);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(body.path("status").asText()).isEqualTo("executed");
        assertThat(body.path("mode").asText()).isEqualTo("paper");
        assertThat(body.path("order").path("pair").asText()).isEqualTo("XBTUSD");
        assertThat(body.path("order").path("side").asText()).isEqualTo("buy");
        assertThat(body.path("order").path("volume").asText()).isEqualTo("0.01");
        assertThat(body.path("order").path("txid")).hasSize(1);
        assertThat(body.path("alert_id").asText()).startsWith("sha256:");
        assertThat(response.headers().firstValue("X-Request-ID")).hasValue(body.path("request_id").asText());
        assertThat(paper.orders()).hasSize(before + 1);
    }

    @Test
    void theAnswersDeadlineCountsFromWhenTheServerReadTheRequestNotFromATimeTheCallerSent() {
        // the edge writes the arrival time over whatever a caller put under its header: honoured, this one would make
        // the answer overdue at once (202 pending) although the order is placed within milliseconds
        String body = "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.01\",\"id\":\"arrived-1\"}";
        HttpResponse<String> response = app.post("/webhook/tradingview", body,
                Map.of("X-Signature", TestSecrets.sign(body), "X-Arrived-Nanos", "0"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(json(response).path("status").asText()).isEqualTo("executed");
    }

    @Test
    void thePassphraseAloneAuthenticatesAlertsFromTradingViewItself() {
        HttpResponse<String> response = app.post("/webhook/tradingview",
                "{\"ticker\":\"ETHUSD\",\"action\":\"sell\",\"volume\":0.05,\"passphrase\":\""
                        + TestSecrets.PASSPHRASE + "\",\"id\":\"pass-1\"}",
                Map.of("Content-Type", "text/plain; charset=utf-8"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(json(response).path("alert_id").asText()).isEqualTo("pass-1");
        assertThat(response.body()).doesNotContain(TestSecrets.PASSPHRASE);
    }

    @Test
    void theValidateEndpointChecksWithKrakenAndPlacesNothing() {
        int before = paper.orders().size();
        HttpResponse<String> response = signed("/webhook/tradingview/validate",
                "{\"ticker\":\"KRAKEN:XBTUSD\",\"action\":\"buy\",\"order_type\":\"limit\",\"volume\":0.5,"
                        + "\"price\":50000}");
        JsonNode body = json(response);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(body.path("status").asText()).isEqualTo("validated");
        assertThat(body.path("order").has("txid")).isFalse();
        assertThat(paper.orders()).hasSize(before);
        Map<String, String> sent = paper.addOrderRequests().get(paper.addOrderRequests().size() - 1);
        assertThat(sent).containsEntry("validate", "true");
    }

    @Test
    void aRealOrderNeverCarriesTheValidateParameter() {
        signed("/webhook/tradingview", "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":0.001,\"id\":\"nv-1\"}");
        Map<String, String> sent = paper.addOrderRequests().get(paper.addOrderRequests().size() - 1);
        assertThat(sent).doesNotContainKey("validate");
    }

    @Test
    void theValidateFieldMakesTheMainEndpointValidateOnly() {
        int before = paper.orders().size();
        HttpResponse<String> response = signed("/webhook/tradingview",
                "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":0.01,\"validate\":true}");
        assertThat(json(response).path("status").asText()).isEqualTo("validated");
        assertThat(paper.orders()).hasSize(before);
        Map<String, String> sent = paper.addOrderRequests().get(paper.addOrderRequests().size() - 1);
        assertThat(sent).containsEntry("validate", "true");
    }

    @Test
    void aWrongSignatureIs401AndNothingIsSent() {
        int calls = paper.addOrderRequests().size();
        HttpResponse<String> response = app.post("/webhook/tradingview",
                "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":0.01}",
                Map.of("X-Signature", TestSecrets.sign("{\"other\":1}")));
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(json(response).path("status").asText()).isEqualTo("rejected");
        assertThat(json(response).path("error").path("code").asText()).isEqualTo("unauthorized");
        assertThat(paper.addOrderRequests()).hasSize(calls);
    }

    @Test
    void noCredentialsAtAllIs401AndAWrongSignatureIs401EvenForABodyThatIsNotJson() {
        assertThat(app.post("/webhook/tradingview", "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":1}")
                .statusCode()).isEqualTo(401);
        assertThat(app.post("/webhook/tradingview", "buy now",
                Map.of("Content-Type", "text/plain", "X-Signature", TestSecrets.sign("{\"other\":1}")))
                .statusCode()).isEqualTo(401);
    }

    @Test
    void aBodyThatIsNotJsonWithoutASignatureIs400BecauseThePassphraseCannotBeRead() {
        HttpResponse<String> response = app.post("/webhook/tradingview", "buy now",
                Map.of("Content-Type", "text/plain"));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("error").path("code").asText()).isEqualTo("invalid_json");
        assertThat(json(response).path("error").path("message").asText()).contains("passphrase could not be read");
    }

    @Test
    void notJsonIs400WithAClearError() {
        HttpResponse<String> response = signed("/webhook/tradingview", "{\"ticker\": BTCUSD}");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("error").path("code").asText()).isEqualTo("invalid_json");
        assertThat(json(response).path("error").path("message").asText()).contains("line 1");
    }

    @Test
    void theUnmarshalStepUsesTheStrictObjectMapper() {
        // 40 levels of nesting: the service's mapper stops at 32 (a default one would allow 1000 and answer
        // invalid_fields for the comment instead)
        String deep = "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":1,\"comment\":"
                + "[".repeat(40) + "]".repeat(40) + "}";
        HttpResponse<String> response = signed("/webhook/tradingview", deep);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).path("error").path("code").asText()).isEqualTo("invalid_json");
    }

    @Test
    void everyFieldProblemIsNamedIn400Details() {
        HttpResponse<String> response = signed("/webhook/tradingview",
                "{\"ticker\":\"BTCUSD\",\"action\":\"hodl\",\"volume\":\"lots\",\"colour\":\"red\"}");
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode details = json(response).path("error").path("details");
        assertThat(details).hasSize(3);
        assertThat(details.toString()).contains("action:", "volume:", "colour: unknown field");
    }

    @Test
    void aBodyOver64KiBIs413() {
        String big = "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":1,\"comment\":\"" + "x".repeat(70_000) + "\"}";
        HttpResponse<String> response = signed("/webhook/tradingview", big);
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(json(response).path("error").path("code").asText()).isEqualTo("payload_too_large");
    }

    @Test
    void formAndMultipartBodiesAre415() {
        HttpResponse<String> form = app.post("/webhook/tradingview", "ticker=BTCUSD&action=buy",
                Map.of("Content-Type", "application/x-www-form-urlencoded"));
        assertThat(form.statusCode()).isEqualTo(415);
        assertThat(json(form).path("error").path("code").asText()).isEqualTo("unsupported_media_type");
        HttpResponse<String> multipart = app.post("/webhook/tradingview",
                "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b--\r\n",
                Map.of("Content-Type", "multipart/form-data; boundary=b"));
        assertThat(multipart.statusCode()).isEqualTo(415);
    }

    @Test
    void anUnknownPairIs422() {
        HttpResponse<String> response = signed("/webhook/tradingview",
                "{\"ticker\":\"BINANCE:BTCUSDT\",\"action\":\"buy\",\"volume\":1}");
        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(json(response).path("error").path("code").asText()).isEqualTo("unknown_pair");
    }

    @Test
    void anOrderBelowKrakensMinimumIs422BeforeAnythingIsSent() {
        int calls = paper.addOrderRequests().size();
        HttpResponse<String> response = signed("/webhook/tradingview",
                "{\"ticker\":\"ETHUSD\",\"action\":\"buy\",\"volume\":0.001}");
        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(json(response).path("error").path("code").asText()).isEqualTo("below_minimum");
        assertThat(paper.addOrderRequests()).hasSize(calls);
    }

    @Test
    void krakensRefusalIs422CarryingKrakensErrorStrings() {
        HttpResponse<String> response = signed("/webhook/tradingview",
                "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":1000}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        assertThat(json(response).path("error").path("code").asText()).isEqualTo("kraken_rejected");
        assertThat(json(response).path("error").path("details").toString()).contains("EOrder:Insufficient funds");
    }

    @Test
    void theCallersRequestIdIsAnsweredBackAndOtherHeadersAreNot() {
        String body = "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"abc\"}";
        HttpResponse<String> response = app.post("/webhook/tradingview", body,
                Map.of("X-Request-ID", "tv-req-77", "X-Signature", TestSecrets.sign(body), "X-Custom", "echo?"));
        assertThat(response.headers().firstValue("X-Request-ID")).hasValue("tv-req-77");
        assertThat(json(response).path("request_id").asText()).isEqualTo("tv-req-77");
        assertThat(response.headers().firstValue("X-Custom")).isEmpty();
        assertThat(response.headers().firstValue("X-Signature")).isEmpty();
    }

    @Test
    void nothingTheCallerSendsReachesKrakensRequestHeaders() {
        String body = "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":0.001,\"id\":\"hdr-1\"}";
        HttpResponse<String> response = app.post("/webhook/tradingview", body, Map.of("X-Signature",
                TestSecrets.sign(body), "X-Request-ID", "hdr-req", "X-Custom", "steer?", "CamelHttpUri", "http://evil/",
                "Authorization", "Bearer leak"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        var names = paper.addOrderHeaderNames().get(paper.addOrderHeaderNames().size() - 1);
        assertThat(names).contains("api-key", "api-sign", "content-type")
                .doesNotContain("x-signature", "x-request-id", "x-custom", "camelhttpuri", "authorization");
        assertThat(response.headers().map().keySet()).doesNotContain("x-custom", "authorization", "x-signature",
                "api-key", "api-sign");
    }

    @Test
    void theKillSwitchAnswers423AndSendsNothing() {
        HttpResponse<String> off = app.post("/admin/trading", "{\"enabled\":false}",
                Map.of("Authorization", "Bearer " + TestSecrets.ADMIN_TOKEN));
        assertThat(off.statusCode()).isEqualTo(200);
        int calls = paper.addOrderRequests().size();
        HttpResponse<String> response = signed("/webhook/tradingview",
                "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":0.01}");
        assertThat(response.statusCode()).isEqualTo(423);
        assertThat(json(response).path("error").path("code").asText()).isEqualTo("trading_disabled");
        assertThat(paper.addOrderRequests()).hasSize(calls);
    }

    @Test
    void webhookHealthAnswersOk() {
        HttpResponse<String> response = app.get("/webhook/health", Map.of());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).path("status").asText()).isEqualTo("ok");
        assertThat(json(response).path("service").asText()).isEqualTo("tradingview-kraken-webhook");
        assertThat(response.headers().firstValue("X-Request-ID")).isPresent();
    }

    @Test
    void theAdminApiNeedsTheBearerToken() {
        assertThat(app.get("/admin/dead-letters", Map.of()).statusCode()).isEqualTo(401);
        assertThat(app.get("/admin/dead-letters", Map.of("Authorization", "Bearer wrong")).statusCode())
                .isEqualTo(401);
        HttpResponse<String> ok = app.get("/admin/dead-letters",
                Map.of("Authorization", "Bearer " + TestSecrets.ADMIN_TOKEN));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(json(ok).has("dead_letters")).isTrue();
    }

    @Test
    void otherMethodsOnTheWebhookAreNotAllowed() {
        HttpResponse<String> response = app.send(HttpRequest.newBuilder(app.uri("/webhook/tradingview")).GET()
                .build());
        assertThat(response.statusCode()).isEqualTo(405);
    }
}
