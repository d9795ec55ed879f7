package io.tvkraken.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.RunningApp;
import io.tvkraken.TestSecrets;
import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.PaperExchangeHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rate limits per source address (docs/operations.md#rate-limits), through real HTTP into the real application:
 * 429 {@code rate_limited} with {@code Retry-After} over the webhook's limit and after too many wrong admin tokens,
 * never on the health and metrics endpoints, a bar-close burst untouched by default, and {@code X-Forwarded-For}
 * believed only from a trusted proxy.
 */
class RateLimitTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> ADMIN = Map.of("Authorization", "Bearer " + TestSecrets.ADMIN_TOKEN);
    private static final Map<String, String> WRONG_TOKEN = Map.of("Authorization", "Bearer guess-0001");

    @TempDir
    Path data;

    static String alert(String id) {
        return "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.001\",\"id\":\"" + id + "\"}";
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    static void assertRateLimited(HttpResponse<String> response, long maxRetryAfter) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(429);
        JsonNode body = json(response);
        assertThat(body.path("status").asText()).isEqualTo("rejected");
        assertThat(body.path("error").path("code").asText()).isEqualTo("rate_limited");
        assertThat(body.path("error").path("message").asText()).contains("retry in");
        assertThat(response.headers().firstValue("X-Request-ID")).hasValue(body.path("request_id").asText());
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
        assertThat(Long.parseLong(response.headers().firstValue("Retry-After").orElseThrow()))
                .isBetween(1L, maxRetryAfter);
    }

    @Test
    void alertsOverTheWebhookLimitAre429WithRetryAfterAndPlaceNothingWhileHealthAndMetricsStayServed() {
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("webhook.rate-limit", "5");
        p.put("webhook.rate-limit-period-seconds", "60");
        try (RunningApp app = RunningApp.start(p)) {
            PaperExchangeHarness paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> served = app.post("/webhook/tradingview", alert("within-" + i));
                assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
            }
            int placed = paper.orders().size();

            assertRateLimited(app.post("/webhook/tradingview", alert("over-1")), 60);
            // the validate endpoint shares the limit: it is the same source sending alerts
            assertRateLimited(app.post("/webhook/tradingview/validate", alert("over-2")), 60);
            assertThat(paper.orders()).hasSize(placed);
            assertThat(paper.addOrderRequests()).hasSize(placed);

            for (int i = 0; i < 5; i++) {
                for (String path : List.of("/health", "/webhook/health", "/metrics", "/status")) {
                    assertThat(app.get(path, Map.of()).statusCode()).as(path).isEqualTo(200);
                }
            }
        }
    }

    @Test
    void aBarCloseBurstOfAThousandAlertsFromOneAddressIsNotLimitedByDefault() throws Exception {
        try (RunningApp app = RunningApp.start(RunningApp.paperDefaults(data))) {
            ExecutorService senders = Executors.newFixedThreadPool(16);
            try {
                List<Future<HttpResponse<String>>> answers = new ArrayList<>();
                for (int i = 0; i < 1000; i++) {
                    // refused 400 after the rate limit was judged: the cheapest alert that goes through that step
                    String body = "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.001\",\"id\":\"b-" + i
                            + "\",\"unknown_field\":1}";
                    answers.add(senders.submit(() -> app.post("/webhook/tradingview", body)));
                }
                for (Future<HttpResponse<String>> answer : answers) {
                    HttpResponse<String> response = answer.get();
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
                }
            } finally {
                senders.shutdownNow();
            }
        }
    }

    @Test
    void wrongAdminTokensLockTheAddressOutUntilThePeriodEndsAndAnOperatorsPollingIsNeverLimited() throws Exception {
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("admin.token", TestSecrets.ADMIN_TOKEN);
        p.put("admin.auth-failure-limit", "3");
        p.put("admin.auth-failure-period-seconds", "2");
        try (RunningApp app = RunningApp.start(p)) {
            for (int i = 0; i < 40; i++) {
                assertThat(app.get("/admin/orders?limit=1", ADMIN).statusCode()).isEqualTo(200);
            }
            HttpResponse<String> locked = null;
            int refused = 0;
            // the limit counts wrong tokens per period; the first attempts may straddle a period boundary
            while (refused < 10) {
                HttpResponse<String> guess = app.get("/admin/orders", WRONG_TOKEN);
                if (guess.statusCode() == 429) {
                    locked = guess;
                    break;
                }
                assertThat(guess.statusCode()).as(guess.body()).isEqualTo(401);
                refused++;
            }
            assertThat(locked).as("no 429 after %s wrong tokens", refused).isNotNull();
            assertThat(refused).isBetween(3, 6);
            assertRateLimited(locked, 2);
            // locked out: the right token is not even looked at
            assertRateLimited(app.get("/admin/orders", ADMIN), 2);
            assertRateLimited(app.post("/admin/trading", "{\"enabled\":false}", ADMIN), 2);
            assertThat(app.get("/health", Map.of()).statusCode()).isEqualTo(200);

            Thread.sleep(1000 * Long.parseLong(locked.headers().firstValue("Retry-After").orElseThrow()) + 200);
            assertThat(app.get("/admin/orders", ADMIN).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void behindATrustedProxyTheForwardedAddressIsAllowListedAndCounted() {
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("trusted.proxies", "127.0.0.0/8,::1");
        p.put("allowed.ips", "203.0.113.0/24");
        p.put("webhook.rate-limit", "2");
        p.put("webhook.rate-limit-period-seconds", "60");
        try (RunningApp app = RunningApp.start(p)) {
            Map<String, String> first = Map.of("X-Forwarded-For", "203.0.113.7");
            assertThat(app.post("/webhook/tradingview", alert("fwd-1"), first).statusCode()).isEqualTo(200);
            assertThat(app.post("/webhook/tradingview", alert("fwd-2"), first).statusCode()).isEqualTo(200);
            assertRateLimited(app.post("/webhook/tradingview", alert("fwd-3"), first), 60);
            // another client behind the same proxy has its own count
            assertThat(app.post("/webhook/tradingview", alert("fwd-4"), Map.of("X-Forwarded-For", "203.0.113.8"))
                    .statusCode()).isEqualTo(200);
            // what the caller wrote itself, left of the address the proxy saw, is never believed
            HttpResponse<String> spoofed = app.post("/webhook/tradingview", alert("fwd-5"),
                    Map.of("X-Forwarded-For", "203.0.113.9, 198.51.100.1"));
            assertThat(spoofed.statusCode()).as(spoofed.body()).isEqualTo(403);
            // the proxy itself, with nothing forwarded, is not an allowed source
            assertThat(app.post("/webhook/tradingview", alert("fwd-6")).statusCode()).isEqualTo(403);
        }
    }

    @Test
    void withoutTrustedProxiesXForwardedForIsIgnored() {
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("allowed.ips", "203.0.113.0/24");
        try (RunningApp app = RunningApp.start(p)) {
            HttpResponse<String> response = app.post("/webhook/tradingview", alert("ignored-1"),
                    Map.of("X-Forwarded-For", "203.0.113.7"));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
        }
    }
}
