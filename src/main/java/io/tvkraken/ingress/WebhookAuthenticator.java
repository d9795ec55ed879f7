package io.tvkraken.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.alert.AlertRejectedException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may send alerts (SPEC §4): the source address must be in {@code ALLOWED_IPS} (else 403), then either the
 * {@code X-Signature} HMAC over the raw body or the {@code passphrase} field must match (else 401). With both
 * configured, either one suffices: TradingView itself cannot send headers, a signing relay can. With neither
 * configured (paper mode only; live mode refuses to start) alerts are accepted unauthenticated.
 *
 * <p>Nothing about the body is reported to a caller who fails authentication: a non-JSON body is a 401 here, not a
 * 400, when authentication is on.
 *
 * <p>Once a request is authenticated its raw body has served its purpose (the HMAC), and it is replaced by the body
 * without secrets ({@link SecretRedaction}) before the flag that makes it journaled is set: every step after this
 * one, and everything stored or answered, sees only that body.
 */
public final class WebhookAuthenticator {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookAuthenticator.class);

    private final IpAllowList allowList;
    private final SignatureVerifier signatures;
    private final byte[] passphrase;
    private final SecretRedaction redaction;
    private final ObjectMapper json;

    public WebhookAuthenticator(IpAllowList allowList, String webhookSecret, String webhookPassphrase,
            SecretRedaction redaction, ObjectMapper json) {
        this.allowList = allowList;
        this.signatures = webhookSecret == null ? null : new SignatureVerifier(webhookSecret);
        this.passphrase = webhookPassphrase == null ? null : webhookPassphrase.getBytes(StandardCharsets.UTF_8);
        this.redaction = redaction;
        this.json = json;
    }

    /** 403 outside {@code ALLOWED_IPS}: before anything about the request is looked at. */
    public void checkSource(Exchange exchange) {
        String remote = exchange.getVariable(IncomingRequest.REMOTE_ADDRESS, String.class);
        if (!allowList.allows(remote)) {
            LOG.warn("refused: source address {} is not in ALLOWED_IPS", remote);
            throw new AlertRejectedException(403, "forbidden", "source address is not allowed to send alerts");
        }
    }

    /**
     * Set once the request passed authentication (or none is configured, in paper mode) and its body lost its
     * secrets: from then on the alert is journaled, whatever happens to it.
     */
    public static final String AUTHENTICATED = "authenticated";

    /** 401 unless the {@code X-Signature} HMAC or the {@code passphrase} field matches. */
    public void authenticate(Exchange exchange) {
        if (signatures == null && passphrase == null) {
            accept(exchange);
            return;
        }
        byte[] raw = exchange.getVariable(IncomingRequest.RAW_BODY, byte[].class);
        String signature = exchange.getVariable(IncomingRequest.SIGNATURE, String.class);
        if (signatures != null && signature != null && signatures.verify(raw, signature)) {
            LOG.debug("authenticated by X-Signature");
            accept(exchange);
            return;
        }
        if (passphrase != null && passphraseMatches(raw)) {
            LOG.debug("authenticated by passphrase");
            accept(exchange);
            return;
        }
        String why = signature != null ? "X-Signature does not match the body"
                : passphrase != null ? "missing or wrong passphrase" : "missing X-Signature header";
        LOG.warn("refused: {}", why);
        throw new AlertRejectedException(401, "unauthorized", "authentication failed: " + why);
    }

    /**
     * From here on the body is the one without secrets, for the parser as for the journal: the message body and
     * {@link IncomingRequest#RAW_BODY} both. A refusal that quotes a field, an alert id hashed from the body, a dead
     * letter, an admin answer: none can hold what is no longer there.
     */
    private void accept(Exchange exchange) {
        byte[] raw = exchange.getVariable(IncomingRequest.RAW_BODY, byte[].class);
        if (raw != null) {
            byte[] kept = redaction.redact(raw);
            exchange.setVariable(IncomingRequest.RAW_BODY, kept);
            exchange.getMessage().setBody(kept);
        }
        exchange.setVariable(AUTHENTICATED, true);
    }

    private boolean passphraseMatches(byte[] raw) {
        try {
            JsonNode field = json.readTree(raw).path("passphrase");
            return field.isTextual()
                    && MessageDigest.isEqual(passphrase, field.asText().getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            return false;
        }
    }
}
