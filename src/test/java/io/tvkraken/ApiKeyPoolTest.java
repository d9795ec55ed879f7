package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.paper.PaperConfig;
import io.tvkraken.paper.PaperExchangeHarness;
import io.tvkraken.paper.PaperOrder;
import io.tvkraken.paper.RateLimitTier;
import io.tvkraken.paper.RecordingTap;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pool of API keys (docs/kraken.md#key-pool), in live mode against the paper exchange with the same keys, through
 * real HTTP: a burst is placed with every key, each key's calls one at a time with strictly increasing nonces as the
 * exchange receives them, several keys' AddOrders in flight at once, and exactly one order per alert. A single key still
 * sends one call at a time. A key list that does not pair up refuses to start, naming the problem and no secret.
 */
class ApiKeyPoolTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final int BURST = 40;

    @TempDir
    Path data;

    static List<PaperConfig.ApiKey> keys(int count) {
        List<PaperConfig.ApiKey> keys = new ArrayList<>();
        keys.add(new PaperConfig.ApiKey(TestSecrets.KRAKEN_API_KEY, TestSecrets.KRAKEN_API_SECRET));
        for (int i = 0; i < count - 1; i++) {
            keys.add(new PaperConfig.ApiKey(TestSecrets.POOL_KEYS.get(i), TestSecrets.POOL_SECRETS.get(i)));
        }
        return keys;
    }

    /** Live mode against {@code kraken} with its keys as the pool, the test passphrase and admin token. */
    Map<String, String> liveAgainst(PaperExchangeHarness kraken) {
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("kraken.mode", "live");
        p.put("kraken.api.url", kraken.baseUrl().toString());
        p.put("kraken.api.key", kraken.config().apiKeys().stream().map(PaperConfig.ApiKey::key)
                .collect(Collectors.joining(",")));
        // spaces after the commas, as an operator may write them
        p.put("kraken.api.secret", kraken.config().apiKeys().stream().map(PaperConfig.ApiKey::secret)
                .collect(Collectors.joining(", ")));
        p.put("kraken.tier", "pro");
        p.put("webhook.passphrase", TestSecrets.PASSPHRASE);
        p.put("admin.token", TestSecrets.ADMIN_TOKEN);
        return p;
    }

    @Test
    void aBurstIsPlacedWithEveryKeyInParallelEachKeysNoncesStrictlyIncreasing() throws Exception {
        try (PaperExchangeHarness kraken = PaperExchangeHarness.start(PaperConfig.defaults().withApiKeys(keys(4))
                .withAddOrderLatency(Duration.ofMillis(200)).withRateLimitTier(RateLimitTier.PRO));
                RunningApp app = RunningApp.start(liveAgainst(kraken))) {
            List<HttpResponse<String>> answers = burst(app, "pool");

            for (HttpResponse<String> answer : answers) {
                assertThat(answer.statusCode()).as(answer.body()).isIn(200, 202);
            }
            Map<String, String> states = settled(app, "pool-");
            assertThat(states).hasSize(BURST).allSatisfy((id, state) -> assertThat(state).as(id).isEqualTo("executed"));
            List<PaperOrder> orders = kraken.orders();
            assertThat(orders).as("one order per alert").hasSize(BURST);
            assertThat(orders.stream().map(PaperOrder::clOrdId).distinct()).hasSize(BURST);
            assertThat(kraken.addOrderRequests()).as("each alert sent once").hasSize(BURST);

            assertThat(kraken.refusals("EAPI:Invalid nonce")).as("nonces refused").isZero();
            Map<String, List<Long>> noncesByKey = noncesByKey(kraken.privateCalls());
            for (PaperConfig.ApiKey key : kraken.config().apiKeys()) {
                long addOrders = kraken.privateCalls().stream()
                        .filter(c -> c.method().equals("AddOrder") && key.key().equals(c.apiKey())).count();
                assertThat(addOrders).as("AddOrders sent with one of the keys").isPositive();
                assertThat(noncesByKey.get(key.key())).as("a key's nonces in the order the exchange received them")
                        .isSorted().doesNotHaveDuplicates();
                assertThat(kraken.maxInFlight("AddOrder", key.key())).as("one key's calls: one at a time")
                        .isEqualTo(1);
            }
            // the structural point of the pool: several keys' AddOrders were at the exchange at once, at most one per key
            assertThat(kraken.maxInFlight("AddOrder")).as("AddOrders in flight at once").isBetween(2, 4);
            // one sender per key, each with the kill switch and the journal's "sending" right before the AddOrder
            for (int key = 0; key < 4; key++) {
                assertThat(app.context().getRoute("kraken-private-serial-" + key)).as("key %d's sender", key)
                        .isNotNull();
                assertThat(app.context().getProcessor("key-" + key + "-order-leaving")).isNotNull();
                assertThat(app.context().getProcessor("key-" + key + "-require-trading-enabled-at-send")).isNotNull();
            }
        }
    }

    @Test
    void aSingleKeyStillSendsOneCallAtATime() throws Exception {
        try (PaperExchangeHarness kraken = PaperExchangeHarness.start(PaperConfig.defaults().withApiKeys(keys(1))
                .withAddOrderLatency(Duration.ofMillis(50)).withRateLimitTier(RateLimitTier.PRO));
                RunningApp app = RunningApp.start(liveAgainst(kraken))) {
            burst(app, "single", 12);
            assertThat(settled(app, "single-")).hasSize(12).allSatisfy((id, state) -> assertThat(state).isEqualTo(
                    "executed"));
            assertThat(kraken.orders()).hasSize(12);
            assertThat(kraken.refusals("EAPI:Invalid nonce")).isZero();
            assertThat(kraken.maxInFlight("AddOrder")).isEqualTo(1);
            assertThat(noncesByKey(kraken.privateCalls()).get(TestSecrets.KRAKEN_API_KEY)).isSorted()
                    .doesNotHaveDuplicates();
        }
    }

    @Test
    void keyListsThatDoNotPairUpRefuseToStartNamingTheProblemButNoSecret() {
        String twoKeys = TestSecrets.KRAKEN_API_KEY + "," + TestSecrets.POOL_KEYS.get(0);
        String oneSecret = TestSecrets.KRAKEN_API_SECRET;
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("kraken.mode", "live");
        p.put("kraken.api.key", twoKeys);
        p.put("kraken.api.secret", oneSecret);
        p.put("webhook.passphrase", TestSecrets.PASSPHRASE);
        assertThatThrownBy(() -> RunningApp.start(p)).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("KRAKEN_API_KEY lists 2 key(s) but KRAKEN_API_SECRET lists 1 secret(s)")
                .satisfies(e -> assertThat(TestSecrets.ALL_WITH_POOL).noneMatch(e.getMessage()::contains));

        String twoSecrets = TestSecrets.KRAKEN_API_SECRET + "," + TestSecrets.POOL_SECRETS.get(0);
        assertThat(refusal(TestSecrets.KRAKEN_API_KEY + ",," + TestSecrets.POOL_KEYS.get(0),
                twoSecrets + "," + TestSecrets.POOL_SECRETS.get(1)))
                .contains("KRAKEN_API_KEY entry 2 of 3 is empty");
        assertThat(refusal(twoKeys, TestSecrets.KRAKEN_API_SECRET + ",")).contains(
                "KRAKEN_API_SECRET entry 2 of 2 is empty");
        assertThat(refusal(TestSecrets.KRAKEN_API_KEY + "," + TestSecrets.KRAKEN_API_KEY, twoSecrets))
                .contains("KRAKEN_API_KEY lists the same key twice (entries 1 and 2)");
        assertThat(refusal(twoKeys, TestSecrets.KRAKEN_API_SECRET + ",not base64 " + TestSecrets.PASSPHRASE))
                .contains("KRAKEN_API_SECRET entry 2 of 2 is not base64");
        // one key, one secret: as it always was
        assertThat(Settings.from(live(TestSecrets.KRAKEN_API_KEY, TestSecrets.KRAKEN_API_SECRET)::get)
                .startupLine()).contains("mode=live api-keys=1 ");
        assertThat(Settings.from(live(twoKeys, twoSecrets)::get).startupLine()).contains("mode=live api-keys=2 ");
    }

    static Map<String, String> live(String keys, String secrets) {
        Map<String, String> p = new HashMap<>();
        p.put("kraken.mode", "live");
        p.put("kraken.api.key", keys);
        p.put("kraken.api.secret", secrets);
        p.put("webhook.passphrase", TestSecrets.PASSPHRASE);
        return p;
    }

    /** The message a start-up with these lists is refused with; it must name no secret, nor any part of one. */
    static String refusal(String keys, String secrets) {
        try {
            Settings.from(live(keys, secrets)::get);
        } catch (InvalidConfigurationException e) {
            assertThat(TestSecrets.ALL_WITH_POOL).noneMatch(e.getMessage()::contains);
            assertThat(e.getMessage()).doesNotContain("key-").doesNotContain("c2VjcmV0").doesNotContain("base64 pass");
            return e.getMessage();
        }
        throw new AssertionError("started with KRAKEN_API_KEY/KRAKEN_API_SECRET that do not pair up");
    }

    List<HttpResponse<String>> burst(RunningApp app, String prefix) throws Exception {
        return burst(app, prefix, BURST);
    }

    /** {@code count} limit buys at once, as a bar close fires them, each with its own alert id. */
    static List<HttpResponse<String>> burst(RunningApp app, String prefix, int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            List<Future<HttpResponse<String>>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String body = "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"order_type\":\"limit\",\"volume\":\"0.01\","
                        + "\"price\":\"50000\",\"id\":\"" + prefix + "-" + i + "\",\"passphrase\":\""
                        + TestSecrets.PASSPHRASE + "\"}";
                futures.add(pool.submit(() -> app.post("/webhook/tradingview", body)));
            }
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (Future<HttpResponse<String>> future : futures) {
                answers.add(future.get());
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Alert id → journal state of the alerts whose id starts with {@code prefix}, once none is unfinished. */
    static Map<String, String> settled(RunningApp app, String prefix) throws Exception {
        long until = System.currentTimeMillis() + 60_000;
        Map<String, String> states;
        do {
            HttpResponse<String> response = app.get("/admin/orders?limit=1000",
                    Map.of("Authorization", "Bearer " + TestSecrets.ADMIN_TOKEN));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            states = new LinkedHashMap<>();
            for (JsonNode entry : JSON.readTree(response.body()).path("orders")) {
                if (entry.path("alert_id").asText().startsWith(prefix)) {
                    states.put(entry.path("alert_id").asText(), entry.path("state").asText());
                }
            }
            if (states.values().stream().noneMatch(AppProcess.UNFINISHED::contains)) {
                return states;
            }
            Thread.sleep(200);
        } while (System.currentTimeMillis() < until);
        throw new AssertionError("still unfinished after 60 s: " + states);
    }

    /** The nonces of every private call per API key, in the order the exchange received them. */
    static Map<String, List<Long>> noncesByKey(List<RecordingTap.PrivateCall> calls) {
        Map<String, List<Long>> byKey = new HashMap<>();
        for (RecordingTap.PrivateCall call : calls) {
            byKey.computeIfAbsent(call.apiKey(), k -> new ArrayList<>()).add(Long.parseLong(call.nonce()));
        }
        return byKey;
    }
}
