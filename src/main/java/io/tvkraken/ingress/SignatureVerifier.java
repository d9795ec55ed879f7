package io.tvkraken.ingress;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies the {@code X-Signature} header: lowercase hex HMAC-SHA256 of the exact raw body bytes, keyed with
 * {@code WEBHOOK_SECRET}, optionally prefixed {@code sha256=} (the GitHub form). See
 * docs/configuration.md#authentication and docs/reliability.md#webhook-signatures. Computed over the bytes as received,
 * before any parsing, and compared in constant time.
 */
public final class SignatureVerifier {

    private final SecretKeySpec key;

    public SignatureVerifier(String secret) {
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    public String sign(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available in this JVM", e);
        }
    }

    public boolean verify(byte[] body, String header) {
        if (header == null) {
            return false;
        }
        String given = header.trim().toLowerCase(Locale.ROOT);
        if (given.startsWith("sha256=")) {
            given = given.substring("sha256=".length());
        }
        return MessageDigest.isEqual(
                sign(body).getBytes(StandardCharsets.US_ASCII), given.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public String toString() {
        return "SignatureVerifier[key=***]";
    }
}
