package io.tvkraken.order;

import io.tvkraken.alert.RefusedException;
import io.tvkraken.journal.AlertState;
import io.tvkraken.journal.Journal;
import io.tvkraken.kraken.KrakenCall;
import java.util.Map;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Variable;
import org.apache.camel.util.ObjectHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last step of every order run (routes/orders.camel.yaml, route {@code process-alert}, and its error handling in
 * routes/error-handling.camel.yaml): whatever happened — placed, refused, failed — is recorded through the
 * {@link OrderLifecycle} and becomes the {@link Outcome} that the webhook caller is told if it is still waiting.
 *
 * <p>An AddOrder that got no clear answer (timeout, reset, 5xx, {@code EService:Unavailable}) is never simply sent
 * again, and no worker waits for it: it is handed to the reconcile-orders route ({@link Reconciler}) and answered 202
 * {@code pending}.
 */
public class OrderOutcomes {

    /** The exchange property in which Camel keeps the exception an error handler is handling. */
    private static final String CAUGHT = "CamelExceptionCaught";

    private static final Logger LOG = LoggerFactory.getLogger(OrderOutcomes.class);

    private final Journal journal;
    private final OrderLifecycle lifecycle;
    private final DeadLetters deadLetters;

    public OrderOutcomes(Journal journal, OrderLifecycle lifecycle, DeadLetters deadLetters) {
        this.journal = journal;
        this.lifecycle = lifecycle;
        this.deadLetters = deadLetters;
    }

    /** Placed (or validated). */
    public Outcome done(@Variable("case") AlertCase alert, @Body OrderResult result) {
        return lifecycle.placed(alert, result.sent(), result.description(), result.txids(), result.validate());
    }

    /** Refused — by the kill switch, a rule of ours, or Kraken: nothing was placed. */
    public Outcome rejected(@Variable("case") AlertCase alert,
            @ExchangeProperty(CAUGHT) Throwable caught) {
        RefusedException refusal = ObjectHelper.getException(RefusedException.class, caught);
        LOG.info("rejected {}: {} {}", refusal.code(), refusal.getMessage(), refusal.details());
        return lifecycle.refused(alert, refusal);
    }

    /**
     * Failed: if no AddOrder left, or it surely did not arrive, the alert is dead-lettered; if it may have been
     * placed, it is in doubt and the reconcile-orders route looks it up.
     */
    public Outcome failed(@Variable("case") AlertCase alert, @Variable("addOrder") KrakenCall addOrder,
            @ExchangeProperty(CAUGHT) Throwable failure) {
        // The journal says whether an AddOrder left: "sending" is committed before its first byte.
        var entry = journal.get(alert.journalEntry());
        boolean sent = AlertState.SENDING.equals(entry.state());
        DeadLetters.Failure why = deadLetters.classify(failure, sent);
        if (!why.mayHaveBeenPlaced()) {
            Map<String, String> params = addOrder == null ? null : addOrder.params();
            return lifecycle.deadLettered(alert, why, params, failure);
        }
        return lifecycle.inDoubt(alert, entry.attempts(), why.message());
    }
}
