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

    // Initialised once and cloned for each signature: looking the algorithms up and keying the HMAC on every call
    // (Mac.getInstance, Mac.init) cost more than the hashing itself. A clone starts from the keyed state and is used
    // by one thread only; the prototypes are never used, so concurrent signers (the paper exchange's request threads,
    // each key's sender) never share a Mac.
    private final Mac keyedHmac;
    private final MessageDigest sha256;

    /** @param base64Secret the API secret as Kraken shows it (base64); never logged */
    public KrakenSigner(String base64Secret) {
        byte[] secret;
        try {
            secret = Base64.getDecoder().decode(base64Secret.trim());
        } catch (IllegalArgumentException e) {
            // Do not echo the value: it is a secret.
            throw new IllegalArgumentException("the Kraken API secret is not valid base64", null);
        }
        if (secret.length == 0) {
            throw new IllegalArgumentException("the Kraken API secret is empty");
        }
        try {
            this.keyedHmac = Mac.getInstance("HmacSHA512");
            keyedHmac.init(new SecretKeySpec(secret, "HmacSHA512"));
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA512 is not available in this JVM", e);
        }
    }

    public String sign(String uriPath, String nonce, byte[] body) {
        try {
            MessageDigest digest = (MessageDigest) sha256.clone();
            digest.update(nonce.getBytes(StandardCharsets.US_ASCII));
            byte[] inner = digest.digest(body);
            Mac mac = (Mac) keyedHmac.clone();
            mac.update(uriPath.getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(mac.doFinal(inner));
        } catch (CloneNotSupportedException e) {
            // the JDK's SHA-256 and HmacSHA512 (SunJCE) are cloneable
            throw new IllegalStateException("HMAC-SHA512 cannot be cloned in this JVM", e);
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
