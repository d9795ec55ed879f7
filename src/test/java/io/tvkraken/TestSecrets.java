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

    public static final List<String> ALL = List.of(WEBHOOK_SECRET, PASSPHRASE, ADMIN_TOKEN, KRAKEN_API_KEY,
            KRAKEN_API_SECRET);

    private TestSecrets() {
    }

    public static String sign(String body) {
        return new SignatureVerifier(WEBHOOK_SECRET).sign(body.getBytes(StandardCharsets.UTF_8));
    }
}
