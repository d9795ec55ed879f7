package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tvkraken.paper.PaperConfig;
import io.tvkraken.paper.PaperExchangeHarness;
import io.tvkraken.secrets.FakeSecretManager;
import io.tvkraken.secrets.SecretName;
import io.tvkraken.secrets.SecretsUnavailableException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets that the environment does not give are read from Google Secret Manager when {@code GCP_PROJECT_ID} is set
 * (docs/secrets.md). Secret Manager is {@link FakeSecretManager}: its real gRPC API on loopback, which the application
 * reaches through its own client, pointed there by {@code GCP_SECRET_MANAGER_EMULATOR_HOST}, as an operator would
 * point it at an emulator. No Google account, no internet.
 */
class SecretsFromSecretManagerTest {

    static final String PROJECT = "tvk-test";

    @TempDir
    Path data;

    FakeSecretManager secretManager;

    @BeforeEach
    void startSecretManager() {
        secretManager = FakeSecretManager.start(PROJECT);
    }

    @AfterEach
    void stopSecretManager() throws InterruptedException {
        secretManager.close();
    }

    @Test
    void aLiveProcessTradesWithTheKeysPassphraseAndAdminTokenItReadFromSecretManagerAndLogsNoneOfThem()
            throws Exception {
        secretManager.addVersion("KRAKEN_API_KEY", TestSecrets.KRAKEN_API_KEY);
        secretManager.addVersion("KRAKEN_API_SECRET", TestSecrets.KRAKEN_API_SECRET);
        secretManager.addVersion("WEBHOOK_PASSPHRASE", TestSecrets.PASSPHRASE);
        secretManager.addVersion("ADMIN_TOKEN", TestSecrets.ADMIN_TOKEN);
        try (PaperExchangeHarness kraken = PaperExchangeHarness.start(PaperConfig.defaults()
                .withApiKey(TestSecrets.KRAKEN_API_KEY).withApiSecret(TestSecrets.KRAKEN_API_SECRET))) {
            Map<String, String> env = AppProcess.freshDatabase("secret-manager");
            env.put("KRAKEN_MODE", "live");
            env.put("KRAKEN_API_URL", kraken.baseUrl().toString());
            env.put("GCP_PROJECT_ID", PROJECT);
            env.put("GCP_SECRET_MANAGER_EMULATOR_HOST", secretManager.host());
            // DEBUG everywhere it is not pinned: gRPC's and Netty's frame loggers would print the payloads
            env.put("LOG_LEVEL", "DEBUG");
            Path log = AppProcess.logFile("secrets-from-secret-manager");
            try (AppProcess app = AppProcess.start(data, env, log).waitUntilReady(Duration.ofSeconds(90))) {
                HttpResponse<String> placed = app.post("/webhook/tradingview", AppProcess.alert("gsm-1"));
                assertThat(placed.statusCode()).as(placed.body()).isEqualTo(200);
                assertThat(placed.body()).contains("\"status\":\"executed\"", "\"mode\":\"live\"");
                assertThat(kraken.addOrderRequests()).hasSize(1);
                assertThat(app.journal()).as("the admin API, behind the token from Secret Manager").hasSize(1);
                app.stop();
            }
            String output = Files.readString(log);
            assertThat(output).contains("Secrets from Google Secret Manager (project " + PROJECT + " at emulator "
                    + secretManager.host() + "): KRAKEN_API_KEY (version 1), KRAKEN_API_SECRET (version 1), "
                    + "WEBHOOK_PASSPHRASE (version 1), ADMIN_TOKEN (version 1)");
            assertThat(output).contains("ready: mode=live api-keys=1 ", "webhook-authentication=on (passphrase)",
                    "admin-api=on");
            assertThat(TestSecrets.ALL_WITH_POOL).as("secrets in the process output").noneMatch(output::contains);
            // nor in hex, as gRPC's frame logger writes the bytes it receives (the start of each is enough to tell)
            assertThat(TestSecrets.ALL_WITH_POOL).as("secrets in hex in the process output")
                    .noneMatch(secret -> output.contains(HexFormat.of().formatHex(
                            secret.substring(0, 6).getBytes(StandardCharsets.UTF_8))));
        }
        assertThat(secretManager.asked()).as("each secret asked for once, at its latest version")
                .contains("projects/" + PROJECT + "/secrets/KRAKEN_API_KEY/versions/latest",
                        "projects/" + PROJECT + "/secrets/ADMIN_TOKEN/versions/latest")
                .doesNotHaveDuplicates();
        assertThat(secretManager.authorizations()).as("credentials sent to an emulator").isEmpty();
    }

    @Test
    void aSecretGivenInTheEnvironmentWinsAndIsNeverAskedFor() {
        secretManager.addVersion("WEBHOOK_PASSPHRASE", TestSecrets.PASSPHRASE);
        secretManager.addVersion("ADMIN_TOKEN", TestSecrets.POOL_KEYS.get(2));
        Map<String, String> p = withSecretManager();
        p.put("admin.token", TestSecrets.ADMIN_TOKEN);
        try (RunningApp app = RunningApp.start(p)) {
            assertThat(app.get("/admin/dead-letters", bearer(TestSecrets.ADMIN_TOKEN)).statusCode()).isEqualTo(200);
            assertThat(app.get("/admin/dead-letters", bearer(TestSecrets.POOL_KEYS.get(2))).statusCode())
                    .isEqualTo(401);
            assertThat(app.post("/webhook/tradingview", AppProcess.alert("env-wins-1")).statusCode()).isEqualTo(200);
        }
        assertThat(secretManager.secretsAskedFor()).contains("WEBHOOK_PASSPHRASE").doesNotContain("ADMIN_TOKEN");
    }

    @Test
    void aRotationIsReadAtTheNextStartAndAPinnedVersionHoldsUntilThePinMoves() {
        secretManager.addVersion("WEBHOOK_PASSPHRASE", TestSecrets.PASSPHRASE);
        Map<String, String> p = withSecretManager();
        try (RunningApp app = RunningApp.start(p)) {
            assertThat(app.post("/webhook/tradingview", AppProcess.alert("rotate-1")).statusCode()).isEqualTo(200);
        }
        // the rotation: a new version, then a restart
        assertThat(secretManager.addVersion("WEBHOOK_PASSPHRASE", TestSecrets.ROTATED_PASSPHRASE)).isEqualTo(2);
        try (RunningApp app = RunningApp.start(p)) {
            assertThat(app.post("/webhook/tradingview", alertWith("rotate-2", TestSecrets.ROTATED_PASSPHRASE))
                    .statusCode()).isEqualTo(200);
            assertThat(app.post("/webhook/tradingview", AppProcess.alert("rotate-3")).statusCode())
                    .as("the old passphrase, after the restart").isEqualTo(401);
        }
        // a pin keeps an instance on version 1 whatever is added
        p.put("gcp.secret-manager.versions", "WEBHOOK_PASSPHRASE=1");
        try (RunningApp app = RunningApp.start(p)) {
            assertThat(app.post("/webhook/tradingview", AppProcess.alert("pinned-1")).statusCode()).isEqualTo(200);
            assertThat(app.post("/webhook/tradingview", alertWith("pinned-2", TestSecrets.ROTATED_PASSPHRASE))
                    .statusCode()).isEqualTo(401);
        }
        assertThat(secretManager.asked()).contains(
                "projects/" + PROJECT + "/secrets/WEBHOOK_PASSPHRASE/versions/latest",
                "projects/" + PROJECT + "/secrets/WEBHOOK_PASSPHRASE/versions/1");
    }

    @Test
    void aNamedAccountsKeyAndSecretAreReadFromSecretManagerAndItsOrdersAreSignedWithThem() throws Exception {
        String partnerKey = TestSecrets.POOL_KEYS.get(1);
        secretManager.addVersion("KRAKEN_ACCOUNT_PARTNER_API_KEY", partnerKey);
        secretManager.addVersion("KRAKEN_ACCOUNT_PARTNER_API_SECRET", TestSecrets.POOL_SECRETS.get(1));
        // one exchange that knows both accounts' keys stands in for Kraken: what tells them apart is the key used
        try (PaperExchangeHarness kraken = PaperExchangeHarness.start(PaperConfig.defaults().withApiKeys(List.of(
                new PaperConfig.ApiKey(TestSecrets.KRAKEN_API_KEY, TestSecrets.KRAKEN_API_SECRET),
                new PaperConfig.ApiKey(partnerKey, TestSecrets.POOL_SECRETS.get(1)))))) {
            Map<String, String> p = withSecretManager();
            p.put("kraken.mode", "live");
            p.put("kraken.api.url", kraken.baseUrl().toString());
            p.put("kraken.api.key", TestSecrets.KRAKEN_API_KEY);
            p.put("kraken.api.secret", TestSecrets.KRAKEN_API_SECRET);
            p.put("webhook.passphrase", TestSecrets.PASSPHRASE);
            p.put("kraken.accounts", "partner");
            try (RunningApp app = RunningApp.start(p)) {
                HttpResponse<String> placed = app.post("/webhook/tradingview", AppProcess.alert("gsm-partner-1")
                        .replace("}", ",\"account\":\"partner\"}"));
                assertThat(placed.statusCode()).as(placed.body()).isEqualTo(200);
                assertThat(placed.body()).contains("\"account\":\"partner\"", "\"status\":\"executed\"");
                assertThat(kraken.privateCalls()).filteredOn(call -> call.method().equals("AddOrder"))
                        .extracting(call -> call.apiKey()).containsExactly(partnerKey);
            }
        }
        assertThat(secretManager.asked()).contains(
                "projects/" + PROJECT + "/secrets/KRAKEN_ACCOUNT_PARTNER_API_KEY/versions/latest",
                "projects/" + PROJECT + "/secrets/KRAKEN_ACCOUNT_PARTNER_API_SECRET/versions/latest");
    }

    @Test
    void liveModeWithKeysNeitherInTheEnvironmentNorInSecretManagerRefusesToStartNamingThem() {
        secretManager.addVersion("WEBHOOK_PASSPHRASE", TestSecrets.PASSPHRASE);
        Map<String, String> p = withSecretManager();
        p.put("kraken.mode", "live");
        assertThatThrownBy(() -> RunningApp.start(p)).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("KRAKEN_MODE=live needs KRAKEN_API_KEY and KRAKEN_API_SECRET")
                .hasMessageContaining("not in the environment nor in Google Secret Manager project " + PROJECT)
                .hasMessageContaining("KRAKEN_API_KEY, KRAKEN_API_SECRET")
                .satisfies(e -> assertThat(TestSecrets.ALL_WITH_POOL).noneMatch(e.getMessage()::contains));
    }

    @Test
    void aVersionThatCannotBeReadRefusesToStartNamingTheSecretButNoValue() {
        secretManager.addVersion("WEBHOOK_PASSPHRASE", TestSecrets.PASSPHRASE);
        secretManager.addVersion("ADMIN_TOKEN", TestSecrets.ADMIN_TOKEN);
        Map<String, String> pinnedToNothing = withSecretManager();
        pinnedToNothing.put("gcp.secret-manager.versions", "WEBHOOK_PASSPHRASE=7");
        assertThat(refusal(pinnedToNothing)).contains("WEBHOOK_PASSPHRASE has no version 7");

        secretManager.disable("ADMIN_TOKEN", 1);
        assertThat(refusal(withSecretManager())).contains("ADMIN_TOKEN version latest cannot be read",
                "FAILED_PRECONDITION", "DISABLED");

    }

    @Test
    void aSecretThisServiceMayNotReadStaysUnsetAndBeingRefusedEverySecretRefusesToStart() {
        secretManager.addVersion("KRAKEN_API_KEY", TestSecrets.KRAKEN_API_KEY);
        secretManager.addVersion("KRAKEN_API_SECRET", TestSecrets.KRAKEN_API_SECRET);
        secretManager.addVersion("WEBHOOK_PASSPHRASE", TestSecrets.PASSPHRASE);
        secretManager.deny("WEBHOOK_PASSPHRASE");
        Map<String, String> live = withSecretManager();
        live.put("kraken.mode", "live");
        assertThatThrownBy(() -> RunningApp.start(live)).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("KRAKEN_MODE=live needs WEBHOOK_SECRET or WEBHOOK_PASSPHRASE")
                .hasMessageContaining("did not let this service read (PERMISSION_DENIED; "
                        + "roles/secretmanager.secretAccessor): WEBHOOK_PASSPHRASE")
                .satisfies(e -> assertThat(TestSecrets.ALL_WITH_POOL).noneMatch(e.getMessage()::contains));

        for (SecretName name : SecretName.values()) {
            secretManager.deny(name.name());
        }
        assertThat(refusal(withSecretManager())).contains("let this service read none of the secrets it asked for",
                "PERMISSION_DENIED", "roles/secretmanager.secretAccessor");
    }

    @Test
    void aPayloadWhoseChecksumDoesNotMatchRefusesToStart() {
        secretManager.addVersion("WEBHOOK_PASSPHRASE", TestSecrets.PASSPHRASE);
        secretManager.damageChecksums();
        assertThat(refusal(withSecretManager())).contains("WEBHOOK_PASSPHRASE version latest arrived damaged");
    }

    @Test
    void secretManagerUnreachableAtStartRefusesToStartWithOneClearLine() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Map<String, String> env = AppProcess.freshDatabase("secret-manager-down");
        env.put("WEBHOOK_PASSPHRASE", TestSecrets.PASSPHRASE);
        env.put("GCP_PROJECT_ID", PROJECT);
        env.put("GCP_SECRET_MANAGER_EMULATOR_HOST", "127.0.0.1:" + closedPort);
        env.put("GCP_SECRET_MANAGER_TIMEOUT_MS", "1500");
        Path log = AppProcess.logFile("secret-manager-unreachable");
        try (AppProcess app = AppProcess.start(data, env, log)) {
            long started = System.nanoTime();
            assertThat(app.waitFor(60)).as("the process exits by itself").isTrue();
            assertThat(app.exitValue()).isEqualTo(2);
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).isLessThan(30);
        }
        String output = Files.readString(log);
        assertThat(output).contains("refusing to start. Secrets unavailable: Google Secret Manager (project "
                + PROJECT + " at emulator 127.0.0.1:" + closedPort + ") did not answer within 1500 ms: ");
        // refused connections are retried (UNAVAILABLE) until the deadline (DEADLINE_EXCEEDED): either can be last
        assertThat(output).containsAnyOf("UNAVAILABLE", "DEADLINE_EXCEEDED");
        assertThat(output).doesNotContain(TestSecrets.PASSPHRASE).doesNotContain("ready:");
    }

    /** Paper mode, secrets from the fake Secret Manager. */
    private Map<String, String> withSecretManager() {
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("gcp.project-id", PROJECT);
        p.put("gcp.secret-manager.emulator-host", secretManager.host());
        return p;
    }

    /** The message a start-up is refused with; it names no secret's value. */
    private static String refusal(Map<String, String> properties) {
        try (RunningApp app = RunningApp.start(properties)) {
            throw new AssertionError("started on port " + app.port());
        } catch (SecretsUnavailableException e) {
            assertThat(TestSecrets.ALL_WITH_POOL).noneMatch(e.getMessage()::contains);
            return e.getMessage();
        }
    }

    private static String alertWith(String id, String passphrase) {
        return AppProcess.alert(id).replace(TestSecrets.PASSPHRASE, passphrase);
    }

    private static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }
}
