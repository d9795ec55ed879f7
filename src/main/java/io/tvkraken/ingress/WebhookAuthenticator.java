package io.tvkraken.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import io.tvkraken.alert.AlertParser;
import io.tvkraken.alert.Refusal;
import io.tvkraken.alert.RefusedException;
import io.tvkraken.order.AlertCase;
import io.tvkraken.telemetry.RequestLog;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may send alerts (docs/configuration.md#authentication): the source address must be in {@code ALLOWED_IPS} (else
 * 403), then either the {@code X-Signature} HMAC over the raw body or the {@code passphrase} field must match (else
 * 401). With both configured, either one suffices: TradingView itself cannot send headers, a signing relay can. With
 * neither configured (paper mode only; live mode refuses to start) alerts are accepted unauthenticated.
 *
 * <p>When the passphrase is the only credential sent (no {@code X-Signature}) and it cannot be read because the body
 * is not JSON (nor UTF-8, nor an object, or it gives a field twice), the answer is 400 saying so, not 401: a
 * TradingView user whose placeholder broke the JSON learns what is wrong instead of being told the passphrase is.
 * Nothing else about the body is reported to a caller who fails authentication, and never the passphrase.
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
    private final AlertParser parser;

    public WebhookAuthenticator(IpAllowList allowList, String webhookSecret, String webhookPassphrase,
            SecretRedaction redaction, AlertParser parser) {
        this.allowList = allowList;
        this.signatures = webhookSecret == null ? null : new SignatureVerifier(webhookSecret);
        this.passphrase = webhookPassphrase == null ? null : webhookPassphrase.getBytes(StandardCharsets.UTF_8);
        this.redaction = redaction;
        this.parser = parser;
    }

    /** 403 outside {@code ALLOWED_IPS}: before anything about the request is looked at. */
    public void checkSource(Exchange exchange) {
        String remote = exchange.getVariable(IncomingRequest.REMOTE_ADDRESS, String.class);
        if (!allowList.allows(remote)) {
            LOG.warn("refused: source address {} is not in ALLOWED_IPS", remote);
            throw new RefusedException(Refusal.FORBIDDEN, "source address is not allowed to send alerts");
        }
    }

    /**
     * The variable that holds the alert's {@link AlertCase}, made once the request passed authentication (or none is
     * configured, in paper mode) and its body lost its secrets: from then on the alert is journaled, whatever happens.
     */
    public static final String CASE = "case";
    /** Set by the route: {@code execute} or {@code validate}, by the endpoint the alert came to. */
    public static final String INTENT = "intent";
    /**
     * The body as a JSON tree, without secrets, when authentication read it to find the passphrase: the step
     * parse-alert takes the alert from it instead of reading the body a second time.
     */
    public static final String ALERT_TREE = "alertTree";

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
        if (passphrase != null) {
            JsonNode tree = readForPassphrase(raw, signatures == null || signature == null);
            if (tree != null && passphraseMatches(tree)) {
                LOG.debug("authenticated by passphrase");
                accept(exchange);
                // the same tree, for the alert: the passphrase member and any other secret taken out of it as out of
                // the body
                exchange.setVariable(ALERT_TREE, redaction.redact(tree));
                return;
            }
        }
        String why = signature != null ? "X-Signature does not match the body"
                : passphrase != null ? "missing or wrong passphrase" : "missing X-Signature header";
        LOG.warn("refused: {}", why);
        throw new RefusedException(Refusal.UNAUTHORIZED, "authentication failed: " + why);
    }

    /**
     * From here on the body is the one without secrets, for the parser as for the journal: the message body and
     * {@link IncomingRequest#RAW_BODY} both. A refusal that quotes a field, an alert id hashed from the body, a dead
     * letter, an admin answer: none can hold what is no longer there.
     */
    private void accept(Exchange exchange) {
        byte[] raw = exchange.getVariable(IncomingRequest.RAW_BODY, byte[].class);
        RefusedException notUtf8 = null;
        if (raw != null) {
            try {
                AlertParser.text(raw);
            } catch (RefusedException e) {
                // Redacting decodes the text leniently, which would turn a body that is not UTF-8 into one that is:
                // the refusal is decided on the bytes as they came, and the body is stored without its secrets.
                notUtf8 = e;
            }
            byte[] kept = redaction.redact(raw);
            exchange.setVariable(IncomingRequest.RAW_BODY, kept);
            exchange.getMessage().setBody(kept);
        }
        Long received = exchange.getVariable(IncomingRequest.RECEIVED_NANOS, Long.class);
        AlertCase authenticated = AlertCase.authenticated(exchange.getVariable(IncomingRequest.REQUEST_ID, String.class),
                exchange.getVariable(INTENT, String.class), exchange.getVariable(IncomingRequest.RAW_BODY, byte[].class),
                received == null ? System.nanoTime() : received);
        exchange.setVariable(CASE, authenticated);
        // from here on the alert's lines carry its alert id: the hash of the body without secrets, until it is parsed
        RequestLog.alertId(authenticated.alertId());
        if (notUtf8 != null) {
            throw notUtf8;
        }
    }

    /**
     * The body as the alert's JSON tree, for its {@code passphrase} member; null when it cannot be read and that need
     * not be said.
     *
     * @param sayWhyUnreadable true when the passphrase is the only credential sent: a body it cannot be read from is
     *                         then a 400 naming the reason; otherwise (a signature was sent, and failed) just no match
     */
    private JsonNode readForPassphrase(byte[] raw, boolean sayWhyUnreadable) {
        try {
            return AlertParser.object(parser.read(raw));
        } catch (RefusedException unreadable) {
            if (!sayWhyUnreadable) {
                return null;
            }
            LOG.info("refused: the passphrase could not be read ({})", unreadable.getMessage());
            throw new RefusedException(unreadable.refusal(),
                    "the passphrase could not be read: " + unreadable.getMessage(), unreadable.details());
        }
    }

    private boolean passphraseMatches(JsonNode tree) {
        JsonNode field = tree.path("passphrase");
        return field.isTextual() && MessageDigest.isEqual(passphrase, field.asText().getBytes(StandardCharsets.UTF_8));
    }
}
