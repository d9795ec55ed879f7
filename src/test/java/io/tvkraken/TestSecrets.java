package io.tvkraken;

import io.tvkraken.ingress.SignatureVerifier;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The only secret values the tests use. {@code SecretsNeverLoggedTest} runs last and searches the whole captured
 * log of the test run for each of them.
 */
public final class TestSecrets {

    public static final String WEBHOOK_SECRET = "whsec-Tq8vX2mZ4kR7nL1pB6cY";
    public static final String PASSPHRASE = "pass-Hz3Wq9Lm5Xv2Rk8Nd4";
    public static final String ADMIN_TOKEN = "adm-Jf6Ps1Vb8Tc3Qy7Gw2";
    public static final String KRAKEN_API_KEY = "key-Ue5Ra9Ki2Mo6Sd1Fh4Zx";
    /** base64 of 64 bytes, like a real Kraken secret. */
    public static final String KRAKEN_API_SECRET =
            "c2VjcmV0LW5ldmVyLWxvZ2dlZC0wMTIzNDU2Nzg5YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXohIUAj";

    /** Three more keys of the same account, for a key pool: {@link #KRAKEN_API_KEY} first, then these. */
    public static final List<String> POOL_KEYS = List.of("key-Pa2Wb7Qc3Xd8Ye4Zf9Gh", "key-Rj5Sk1Tl6Um2Vn7Wo3Xp",
            "key-Yq8Zr4As9Bt5Cu1Dv6Ew");
    /** Their secrets, base64 of 64 bytes each. */
    public static final List<String> POOL_SECRETS = List.of(
            "c2VjcmV0LW5ldmVyLWxvZ2dlZC1wb29sLWtleS0yLTAxMjM0NTY3ODlhYmNkZWZnaGlqa2xtbm9wcXJzdHV2dw==",
            "c2VjcmV0LW5ldmVyLWxvZ2dlZC1wb29sLWtleS0zLTAxMjM0NTY3ODlhYmNkZWZnaGlqa2xtbm9wcXJzdHV2dw==",
            "c2VjcmV0LW5ldmVyLWxvZ2dlZC1wb29sLWtleS00LTAxMjM0NTY3ODlhYmNkZWZnaGlqa2xtbm9wcXJzdHV2dw==");

    /** The notification channels' credentials: a Telegram bot token, an SMTP password, a Slack webhook's key. */
    public static final String TELEGRAM_BOT_TOKEN = "7301234567:AAtg-Notify-Hk4Lp9Qw2Zs7Xc";
    public static final String SMTP_PASSWORD = "smtp-Vd3Kr8Lw1Mq6Np2Bx";
    public static final String SLACK_WEBHOOK_KEY = "slack-Gt5Hy1Ju7Ki3Lo9Pz";

    /** The passphrase that a rotation in Google Secret Manager rolls {@link #PASSPHRASE} over to. */
    public static final String ROTATED_PASSPHRASE = "pass-Rt7Kc2Wn9Bq4Lx6Vz1";

    public static final List<String> ALL = List.of(WEBHOOK_SECRET, PASSPHRASE, ADMIN_TOKEN, KRAKEN_API_KEY,
            KRAKEN_API_SECRET);

    /** Known only to the applications of the notification tests. */
    public static final List<String> NOTIFICATIONS = List.of(TELEGRAM_BOT_TOKEN, SMTP_PASSWORD, SLACK_WEBHOOK_KEY);

    /**
     * {@link #ALL}, the pool's keys and secrets, the notification channels' credentials and the rotated passphrase:
     * what a scan of the whole log of the test run looks for.
     */
    public static final List<String> ALL_WITH_POOL = java.util.stream.Stream.of(ALL, POOL_KEYS, POOL_SECRETS,
                    NOTIFICATIONS, List.of(ROTATED_PASSPHRASE))
            .flatMap(List::stream).toList();

    private TestSecrets() {
    }

    public static String sign(String body) {
        return new SignatureVerifier(WEBHOOK_SECRET).sign(body.getBytes(StandardCharsets.UTF_8));
    }
}
