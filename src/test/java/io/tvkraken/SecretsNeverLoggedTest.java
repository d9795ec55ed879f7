package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import io.tvkraken.paper.Fault;
import io.tvkraken.paper.PaperConfig;
import io.tvkraken.paper.PaperExchangeHarness;
import io.tvkraken.secrets.FakeSecretManager;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs last. Drives every path that handles a secret - live mode with keys, secrets read from Google Secret Manager,
 * both authentication methods right and wrong, the admin API, Kraken refusals and outages, dead letters - then reads
 * the whole captured log of the test run (every test before this one used the same secret values, see
 * {@link TestSecrets}), every answer, and every stored dead letter, and finds none of the secrets in them.
 */
@Order(Integer.MAX_VALUE)
class SecretsNeverLoggedTest {

    @TempDir
    Path data;

    @Test
    void noSecretReachesTheLogAnswersOrStoredDeadLetters() throws Exception {
        List<String> answers = new ArrayList<>();
        try (PaperExchangeHarness kraken = PaperExchangeHarness.start(PaperConfig.defaults()
                .withApiKey(TestSecrets.KRAKEN_API_KEY).withApiSecret(TestSecrets.KRAKEN_API_SECRET));
                FakeSecretManager secretManager = FakeSecretManager.start("tvk-never-logged")) {
            // both ways in: the Kraken key and secret and the passphrase from Google Secret Manager
            // (docs/secrets.md#never-logged), the others from the environment
            secretManager.addVersion("KRAKEN_API_KEY", TestSecrets.KRAKEN_API_KEY);
            secretManager.addVersion("KRAKEN_API_SECRET", TestSecrets.KRAKEN_API_SECRET);
            secretManager.addVersion("WEBHOOK_PASSPHRASE", TestSecrets.PASSPHRASE);
            Map<String, String> p = RunningApp.paperDefaults(data);
            p.put("kraken.mode", "live");
            p.put("kraken.api.url", kraken.baseUrl().toString());
            p.put("gcp.project-id", "tvk-never-logged");
            p.put("gcp.secret-manager.emulator-host", secretManager.host());
            p.put("webhook.secret", TestSecrets.WEBHOOK_SECRET);
            p.put("admin.token", TestSecrets.ADMIN_TOKEN);
            try (RunningApp app = RunningApp.start(p)) {
                String good = "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.01\"}";
                String withPassphrase = "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.01\",\"passphrase\":\""
                        + TestSecrets.PASSPHRASE + "\"}";
                List<HttpResponse<String>> responses = new ArrayList<>();
                responses.add(app.post("/webhook/tradingview", good, Map.of("X-Signature", TestSecrets.sign(good))));
                responses.add(app.post("/webhook/tradingview", good, Map.of("X-Signature", "sha256=00ff")));
                responses.add(app.post("/webhook/tradingview", withPassphrase));
                responses.add(app.post("/webhook/tradingview", withPassphrase.replace("pass-", "wrong-")));
                responses.add(app.post("/webhook/tradingview/validate", withPassphrase));
                responses.add(app.post("/webhook/tradingview", "{\"volume\":\"x\",\"passphrase\":\""
                        + TestSecrets.PASSPHRASE + "\"}"));
                responses.add(app.post("/webhook/tradingview", "not json " + TestSecrets.PASSPHRASE));
                responses.add(app.post("/webhook/tradingview",
                        "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"500\",\"passphrase\":\""
                                + TestSecrets.PASSPHRASE + "\"}"));
                kraken.injectFault("AddOrder", Fault.RATE_LIMITED, 1);
                responses.add(app.post("/webhook/tradingview", withPassphrase.replace("{", "{\"id\":\"dl-1\",")));
                responses.add(app.get("/admin/dead-letters", Map.of("Authorization", "Bearer " + TestSecrets.ADMIN_TOKEN)));
                responses.add(app.get("/admin/dead-letters", Map.of("Authorization", "Bearer " + TestSecrets.PASSPHRASE)));
                responses.add(app.get("/admin/orders?limit=100", Map.of("Authorization", "Bearer " + TestSecrets.ADMIN_TOKEN)));
                for (HttpResponse<String> response : responses) {
                    answers.add(response.statusCode() + " " + response.headers().map() + " " + response.body());
                }
                assertThat(responses.get(0).statusCode()).isEqualTo(200);
                assertThat(responses.get(8).statusCode()).isEqualTo(202);
                assertThat(responses.get(9).body()).contains("[redacted]");
                assertThat(responses.get(11).body()).as("the journal").contains("[redacted]");
            }
        }
        Thread.sleep(200);

        String log = Files.readString(Path.of(System.getProperty("tvk.test.log", "target/test-logs/test-run.log")), StandardCharsets.UTF_8);
        assertThat(log).as("the whole captured log of the test run").contains("ready: mode=live")
                .contains("Secrets from Google Secret Manager (project tvk-never-logged");
        List<String> stored = new ArrayList<>();
        try (Stream<Path> files = Files.walk(data)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                // the embedded database's files are binary; its strings are still readable bytes
                stored.add(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
            }
        }
        if (TestDatabase.backend().equals("embedded")) {
            assertThat(stored).as("the embedded journal's files were read").isNotEmpty();
        }
        for (String secret : TestSecrets.ALL_WITH_POOL) {
            assertThat(log.contains(secret)).as("log contains a secret").isFalse();
            assertThat(answers).as("answers").noneMatch(a -> a.contains(secret));
            assertThat(stored).as("stored journal and dead letters").noneMatch(s -> s.contains(secret));
        }
    }
}
