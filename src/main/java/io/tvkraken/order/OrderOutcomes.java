package io.tvkraken.order;

import io.tvkraken.journal.AlertState;
import io.tvkraken.journal.Journal;
import io.tvkraken.journal.JournalEntry;
import io.tvkraken.journal.JournalUnavailableException;
import io.tvkraken.kraken.KrakenCall;
import io.tvkraken.kraken.KrakenReply;
import io.tvkraken.telemetry.RequestLog;
import io.tvkraken.telemetry.ServiceMetrics;
import java.util.Map;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where an AddOrder's answer or failure becomes the alert's outcome, for the first send (the last step of both order
 * branches in routes/orders.camel.yaml, and the order-outcomes error handling in routes/error-handling.camel.yaml), a
 * re-send after a look-up and a replay ({@link Reconciler}) alike: {@link OrderVerdict} decides what it means, the
 * {@link OrderLifecycle} records it, and the {@link Outcome} is what the webhook caller is told if it is still
 * waiting (docs/order-lifecycle.md#what-an-answer-or-a-failure-means).
 *
 * <p>An AddOrder that got no clear answer (timeout, reset, 5xx, {@code EService:Unavailable}) is never simply sent
 * again, and no worker waits for it: it goes to {@code reconciling}, the reconcile-orders route looks it up, and the
 * caller is answered 202 {@code pending}.
 *
 * <p>A journal that cannot be written answers 503 ("nothing was sent, resend") only while that is true: once an
 * AddOrder left, the alert is answered 202 {@code pending} and its row, still {@code sending}, is looked up by the
 * reconcile-orders route when its lease runs out (docs/order-lifecycle.md#journal-unwritable-after-sending).
 */
public class OrderOutcomes {

    /** The exchange property in which Camel keeps the exception an error handler is handling. */
    private static final String CAUGHT = "CamelExceptionCaught";

    private static final Logger LOG = LoggerFactory.getLogger(OrderOutcomes.class);

    private final Journal journal;
    private final OrderLifecycle lifecycle;
    private final ServiceMetrics metrics;
    private final Runnable balancesChanged;

    /** @param balancesChanged told after an order was placed: the cached balances are stale */
    public OrderOutcomes(Journal journal, OrderLifecycle lifecycle, ServiceMetrics metrics, Runnable balancesChanged) {
        this.journal = journal;
        this.lifecycle = lifecycle;
        this.metrics = metrics;
        this.balancesChanged = balancesChanged;
    }

    /** Kraken answered the AddOrder {@code call} (a validation or a real order), with or without errors. */
    public Outcome answered(@Variable("case") AlertCase alert, @Variable("addOrder") KrakenCall call,
            @Body KrakenReply reply) {
        return settle(alert, call, OrderVerdict.ofAnswer(reply, call.placesOrder()), reply, null, null);
    }

    /**
     * The order run failed, or was refused before or instead of an answer (the kill switch, a rule of ours, an open
     * breaker, a timeout...). {@code call}: the AddOrder, if one was made.
     */
    public Outcome failed(@Variable("case") AlertCase alert, @Variable("addOrder") KrakenCall call,
            @ExchangeProperty(CAUGHT) Throwable failure) {
        // The journal says whether an AddOrder left: "sending" is committed before its first byte. A journal that
        // cannot even be read cannot say so: then the AddOrder may have left.
        JournalEntry entry = readable(alert);
        boolean sent = mayHaveLeft(entry);
        OrderVerdict verdict = OrderVerdict.ofFailure(failure, sent);
        if (verdict.noAnswer() != null) {
            metrics.krakenError(sent ? "AddOrder" : "unknown", verdict.noAnswer());
        }
        return settle(alert, call, verdict, null, failure, entry);
    }

    /** @param readBefore the alert's row if it was read already, else null */
    private Outcome settle(AlertCase alert, KrakenCall call, OrderVerdict verdict, KrakenReply reply,
            Throwable failure, JournalEntry readBefore) {
        Map<String, String> params = call == null ? null : call.params();
        try {
            switch (verdict.kind()) {
                case PLACED:
                    OrderResult result = OrderResult.of(params, reply, !call.placesOrder());
                    if (call.placesOrder()) {
                        balancesChanged.run();
                    }
                    // the outcome's own line ("order executed: ... [txid]", OrderLifecycle) says it at INFO
                    LOG.debug("{}: {} txid={}", result.validate() ? "validated" : "placed", result.description(),
                            result.txids());
                    return lifecycle.placed(alert, params, result.description(), result.txids(), result.validate());
                case REFUSED:
                    RequestLog.outcome(Outcome.REJECTED);
                    LOG.info("rejected {}: {} {}", verdict.refusal().code(), verdict.refusal().getMessage(),
                            verdict.refusal().details());
                    return lifecycle.refused(alert, verdict.refusal());
                case IN_DOUBT:
                    JournalEntry entry = readBefore != null ? readBefore : readable(alert);
                    return lifecycle.inDoubt(alert, entry == null ? Integer.MAX_VALUE : entry.attempts(),
                            verdict.message());
                default:
                    return lifecycle.deadLettered(alert, verdict.failure(), params, failure);
            }
        } catch (JournalUnavailableException unwritable) {
            if (!mayHaveLeft(readable(alert))) {
                throw unwritable; // nothing left for this alert: 503, the sender resends
            }
            return lifecycle.unrecorded(alert, unwritable);
        }
    }

    private static boolean mayHaveLeft(JournalEntry entry) {
        return entry == null || AlertState.SENDING.equals(entry.state());
    }

    private JournalEntry readable(AlertCase alert) {
        try {
            return journal.get(alert.journalEntry());
        } catch (JournalUnavailableException e) {
            return null;
        }
    }
}
