package io.tvkraken.order;

import io.tvkraken.alert.AlertRejectedException;
import io.tvkraken.deadletter.DeadLetters;
import io.tvkraken.ingress.IncomingRequest;
import io.tvkraken.journal.Journal;
import io.tvkraken.ops.Answers;
import io.tvkraken.ops.Outcome;
import io.tvkraken.ops.ServiceMetrics;
import java.util.Map;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last step of every order run (routes/orders.camel.yaml, route {@code process-alert} and its error handling):
 * whatever happened — placed, refused, failed — is recorded through the {@link OrderLifecycle} and becomes the
 * {@link Outcome} that the webhook caller is told if it is still waiting.
 *
 * <p>An AddOrder that got no clear answer (timeout, reset, 5xx, {@code EService:Unavailable}) is never simply sent
 * again, and no worker waits for it: it is handed to the reconcile-orders route ({@link Reconciler}) and answered 202
 * {@code pending}.
 */
public class OrderOutcomes {

    private static final Logger LOG = LoggerFactory.getLogger(OrderOutcomes.class);

    private final Journal journal;
    private final OrderLifecycle lifecycle;
    private final DeadLetters deadLetters;
    private final ServiceMetrics metrics;

    public OrderOutcomes(Journal journal, OrderLifecycle lifecycle, DeadLetters deadLetters, ServiceMetrics metrics) {
        this.journal = journal;
        this.lifecycle = lifecycle;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    /** Placed (or validated). */
    public Outcome done(Exchange exchange) {
        OrderResult result = exchange.getVariable(OrderDesk.RESULT, OrderResult.class);
        return recorded(exchange, lifecycle.placed(letterhead(exchange), result.sent(), result.description(),
                result.txids(), result.validate()));
    }

    /** Refused — by the kill switch, a rule of ours, or Kraken: nothing was placed. */
    public Outcome rejected(Exchange exchange) {
        AlertRejectedException rejection = Answers.rejectionOf(exchange);
        LOG.info("rejected {}: {} {}", rejection.status(), rejection.getMessage(), rejection.details());
        return recorded(exchange, lifecycle.refused(letterhead(exchange), rejection));
    }

    /**
     * Failed: if no AddOrder left, or it surely did not arrive, the alert is dead-lettered; if it may have been
     * placed, it is in doubt and the reconcile-orders route looks it up.
     */
    @SuppressWarnings("unchecked")
    public Outcome failed(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        DeadLetters.Letterhead alert = letterhead(exchange);
        // The journal says whether an AddOrder left: "sending" is committed before its first byte.
        boolean sent = Journal.SENDING.equals(journal.get(alert.journalEntry()).state());
        DeadLetters.Failure why = deadLetters.classify(failure, sent);
        Map<String, String> params = exchange.getVariable(OrderDesk.SENT_PARAMS, Map.class);
        if (!why.mayHaveBeenPlaced()) {
            return recorded(exchange, lifecycle.deadLettered(alert, why, params, failure));
        }
        return recorded(exchange, lifecycle.inDoubt(alert, why.message()));
    }

    /** Counted once, where it is decided, whether the caller is still waiting for it or was answered pending. */
    private Outcome recorded(Exchange exchange, Outcome outcome) {
        Long received = exchange.getVariable(IncomingRequest.RECEIVED_NANOS, Long.class);
        metrics.answered(outcome.answer().status(),
                outcome.answer().error() == null ? null : outcome.answer().error().code(),
                received == null ? 0 : received);
        exchange.getMessage().setBody(outcome);
        return outcome;
    }

    static DeadLetters.Letterhead letterhead(Exchange exchange) {
        return new DeadLetters.Letterhead(exchange.getVariable(OrderDesk.JOURNAL_ROW, Long.class),
                exchange.getVariable(IncomingRequest.REQUEST_ID, String.class),
                exchange.getVariable(OrderDesk.ALERT_ID, String.class),
                exchange.getVariable("intent", String.class),
                exchange.getVariable(OrderDesk.JOURNALED_BODY, String.class));
    }
}
