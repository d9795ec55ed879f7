package io.tvkraken.journal;

import io.tvkraken.alert.Alert;
import io.tvkraken.alert.AlertAge;
import io.tvkraken.alert.AlertParser;
import io.tvkraken.alert.AlertRejectedException;
import io.tvkraken.deadletter.DeadLetters;
import io.tvkraken.ingress.IncomingRequest;
import io.tvkraken.ingress.WebhookAuthenticator;
import io.tvkraken.ops.Answers;
import io.tvkraken.ops.Outcome;
import io.tvkraken.order.OrderDesk;
import io.tvkraken.order.OrderLifecycle;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal steps of the webhook route (routes/webhook.camel.yaml): {@link #open} journals an authenticated alert
 * and claims its id before anything can be sent; {@link #refused} and {@link #failed} journal the alerts that stop in
 * the intake. An alert that fails authentication is not journaled: anyone could fill the journal otherwise.
 */
public class AlertJournal {

    private static final Logger LOG = LoggerFactory.getLogger(AlertJournal.class);
    /** The first journal entry of an alert seen before, when this one is a duplicate. */
    public static final String FIRST = "firstEntry";
    public static final String INTENT = "intent";

    private final Journal journal;
    private final OrderLifecycle lifecycle;
    private final DeadLetters deadLetters;
    private final Answers answers;
    private final AlertAge age;

    public AlertJournal(Journal journal, OrderLifecycle lifecycle, DeadLetters deadLetters, Answers answers,
            AlertAge age) {
        this.journal = journal;
        this.lifecycle = lifecycle;
        this.deadLetters = deadLetters;
        this.answers = answers;
        this.age = age;
    }

    /**
     * Journals the alert. An order (not a validation) claims its alert id; if the id is taken, the alert is a
     * duplicate and variable {@link #FIRST} holds the entry that owns it.
     */
    public void open(Exchange exchange) {
        Alert alert = exchange.getVariable(OrderDesk.ALERT, Alert.class);
        String intent = intent(exchange, alert);
        exchange.setVariable(INTENT, intent);
        String alertId = alertId(exchange);
        String body = body(exchange);
        exchange.setVariable(OrderDesk.JOURNALED_BODY, body);
        Journal.Opened opened = journal.open(requestId(exchange), alertId, intent, body, "execute".equals(intent),
                age.sendBy(alert));
        exchange.setVariable(OrderDesk.JOURNAL_ROW, opened.row());
        exchange.setVariable(OrderDesk.ALERT_ID, alertId);
        if (opened.duplicate()) {
            exchange.setVariable(FIRST, opened.first());
        }
    }

    /**
     * A refusal in the intake (bad fields, stale, not JSON): journaled if the alert was authenticated. The answer is
     * written by the caller.
     */
    public void refused(Exchange exchange) {
        if (!Boolean.TRUE.equals(exchange.getVariable(WebhookAuthenticator.AUTHENTICATED, Boolean.class))) {
            return;
        }
        int status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 400, Integer.class);
        String answer = exchange.getMessage().getBody(String.class);
        Long row = exchange.getVariable(OrderDesk.JOURNAL_ROW, Long.class);
        try {
            if (row == null) {
                journal.refused(requestId(exchange), alertId(exchange), intent(exchange, null), body(exchange), status,
                        answer);
            } else {
                AlertRejectedException rejection = Answers.rejectionOf(exchange);
                journal.finish(row, Journal.REJECTED, status, answer, null, true,
                        rejection == null ? null : rejection.getMessage());
            }
        } catch (JournalUnavailableException e) {
            // Nothing was sent; the refusal stands, it only could not be journaled.
            LOG.error("refused alert could not be journaled: {}", e.getMessage());
        }
    }

    /**
     * An unexpected failure in the intake: the alert is journaled if it was not yet, and dead-lettered; if even that
     * fails, 503 so that the sender resends it.
     */
    public void failed(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        try {
            Long row = exchange.getVariable(OrderDesk.JOURNAL_ROW, Long.class);
            String alertId = alertId(exchange);
            String intent = intent(exchange, exchange.getVariable(OrderDesk.ALERT, Alert.class));
            if (row == null) {
                row = journal.open(requestId(exchange), alertId, intent, body(exchange), false,
                        age.sendBy(exchange.getVariable(OrderDesk.ALERT, Alert.class))).row();
            }
            Outcome outcome = lifecycle.deadLettered(new DeadLetters.Letterhead(row, requestId(exchange), alertId,
                    intent, body(exchange)), deadLetters.classify(failure, false), Map.of(), failure);
            answers.write(exchange, outcome);
        } catch (RuntimeException e) {
            LOG.error("alert could not be stored ({}): answering 503 so that the sender resends", e.getMessage(),
                    failure);
            answers.notStored(exchange, "the alert could not be stored; nothing was sent; please resend");
        }
    }

    private static String intent(Exchange exchange, Alert alert) {
        String route = exchange.getVariable(INTENT, String.class);
        return "validate".equals(route) || (alert != null && alert.validate()) ? "validate" : "execute";
    }

    private static String requestId(Exchange exchange) {
        return exchange.getVariable(IncomingRequest.REQUEST_ID, String.class);
    }

    private static String alertId(Exchange exchange) {
        byte[] raw = exchange.getVariable(IncomingRequest.RAW_BODY, byte[].class);
        return AlertParser.alertId(exchange.getVariable(OrderDesk.ALERT, Alert.class), raw == null ? new byte[0] : raw);
    }

    /**
     * The alert's body as kept: already without its secrets, which the authentication step removed before this
     * alert could be journaled ({@link io.tvkraken.ingress.SecretRedaction}).
     */
    private static String body(Exchange exchange) {
        byte[] raw = exchange.getVariable(IncomingRequest.RAW_BODY, byte[].class);
        return raw == null ? null : new String(raw, StandardCharsets.UTF_8);
    }
}
