package io.tvkraken.kraken;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Kraken's {@code API-Sign} for private REST calls (docs/kraken.md#signature, docs.kraken.com spot-rest-auth):
 * <pre>
 *   API-Sign = base64( HMAC-SHA512( key = base64decode(secret),
 *                                   msg = ASCII(uri path) || SHA256( ASCII(nonce) || body bytes ) ) )
 * </pre>
 * The body already contains {@code nonce=...}, so the nonce is hashed twice; the path starts at {@code /0/private}
 * and includes any query string. The body must be hashed exactly as it is sent: sign the bytes, then send the same
 * bytes. Checked against Kraken's official test vector in {@code KrakenSignerTest}.
 */
public final class KrakenSigner {

    private final byte[] secret;

    /** @param base64Secret the API secret as Kraken shows it (base64); never logged */
    public KrakenSigner(String base64Secret) {
        try {
            this.secret = Base64.getDecoder().decode(base64Secret.trim());
        } catch (IllegalArgumentException e) {
            // Do not echo the value: it is a secret.
            throw new IllegalArgumentException("the Kraken API secret is not valid base64", null);
        }
        if (secret.length == 0) {
            throw new IllegalArgumentException("the Kraken API secret is empty");
        }
    }

    public String sign(String uriPath, String nonce, byte[] body) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(nonce.getBytes(StandardCharsets.US_ASCII));
            byte[] inner = sha256.digest(body);
            Mac mac = Mac.getInstance("HmacSHA512");
            mac.init(new SecretKeySpec(secret, "HmacSHA512"));
            mac.update(uriPath.getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(mac.doFinal(inner));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA512 is not available in this JVM", e);
        }
    }

    /** Constant-time check of a received signature, for the paper exchange. */
    public boolean verify(String uriPath, String nonce, byte[] body, String apiSign) {
        if (apiSign == null) {
            return false;
        }
        byte[] expected = sign(uriPath, nonce, body).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, apiSign.trim().getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public String toString() {
        return "KrakenSigner[secret=***]";
    }
}
