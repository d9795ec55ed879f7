package io.tvkraken.order;

import io.tvkraken.alert.RefusedException;
import io.tvkraken.journal.AlertState;
import io.tvkraken.journal.Journal;
import io.tvkraken.journal.JournalEntry;
import io.tvkraken.journal.JournalUnavailableException;
import io.tvkraken.kraken.KrakenCall;
import io.tvkraken.telemetry.RequestLog;
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
        RequestLog.outcome(Outcome.REJECTED);
        LOG.info("rejected {}: {} {}", refusal.code(), refusal.getMessage(), refusal.details());
        try {
            return lifecycle.refused(alert, refusal);
        } catch (JournalUnavailableException unwritable) {
            JournalEntry entry = readable(alert);
            if (entry != null && !AlertState.SENDING.equals(entry.state())) {
                throw unwritable; // refused before anything left: 503, the sender resends
            }
            return lifecycle.unrecorded(alert, unwritable);
        }
    }

    /**
     * Failed: if no AddOrder left, or it surely did not arrive, the alert is dead-lettered; if it may have been
     * placed, it is in doubt and the reconcile-orders route looks it up.
     *
     * <p>A journal that cannot be written answers 503 ("nothing was sent, resend") only while that is true: once an
     * AddOrder left, the alert is answered 202 {@code pending} and its row, still {@code sending}, is looked up by the
     * reconcile-orders route when its lease runs out (docs/order-lifecycle.md#journal-unwritable-after-sending).
     */
    public Outcome failed(@Variable("case") AlertCase alert, @Variable("addOrder") KrakenCall addOrder,
            @ExchangeProperty(CAUGHT) Throwable failure) {
        // The journal says whether an AddOrder left: "sending" is committed before its first byte. A journal that
        // cannot even be read cannot say so: then the AddOrder may have left.
        JournalEntry entry = readable(alert);
        boolean sent = entry == null || AlertState.SENDING.equals(entry.state());
        try {
            DeadLetters.Failure why = deadLetters.classify(failure, sent);
            if (!why.mayHaveBeenPlaced()) {
                Map<String, String> params = addOrder == null ? null : addOrder.params();
                return lifecycle.deadLettered(alert, why, params, failure);
            }
            return lifecycle.inDoubt(alert, entry == null ? Integer.MAX_VALUE : entry.attempts(), why.message());
        } catch (JournalUnavailableException unwritable) {
            if (!sent) {
                throw unwritable; // nothing left for this alert: 503, the sender resends
            }
            return lifecycle.unrecorded(alert, unwritable);
        }
    }

    private JournalEntry readable(AlertCase alert) {
        try {
            return journal.get(alert.journalEntry());
        } catch (JournalUnavailableException e) {
            return null;
        }
    }
}
