package io.tvkraken.order;

import io.tvkraken.Settings;
import io.tvkraken.alert.AlertRejectedException;
import io.tvkraken.deadletter.DeadLetters;
import io.tvkraken.ingress.IncomingRequest;
import io.tvkraken.journal.Journal;
import io.tvkraken.journal.JournalEntry;
import io.tvkraken.kraken.KrakenApi;
import io.tvkraken.kraken.KrakenCall;
import io.tvkraken.kraken.KrakenReply;
import io.tvkraken.ops.Answer;
import io.tvkraken.ops.Answers;
import io.tvkraken.ops.Outcome;
import io.tvkraken.ops.ServiceMetrics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last step of every order run (routes/orders.camel.yaml, route {@code process-alert} and its error handling):
 * whatever happened — placed, refused, failed — it lands in the journal here, and becomes the {@link Outcome} that
 * the webhook caller is told if it is still waiting.
 *
 * <p>An AddOrder that got no clear answer (timeout, reset, 5xx, {@code EService:Unavailable}) is never simply sent
 * again: {@link #settle} looks it up until it is found, or proven absent after its {@code deadline}, and only then
 * re-sends it — under the same client order id, with a new deadline, through a compare-and-set in the journal.
 */
public class OrderOutcomes {

    private static final Logger LOG = LoggerFactory.getLogger(OrderOutcomes.class);

    private final Journal journal;
    private final Answers answers;
    private final DeadLetters deadLetters;
    private final Reconciler reconciler;
    private final KrakenApi kraken;
    private final ServiceMetrics metrics;
    private final Settings.Orders settings;

    public OrderOutcomes(Journal journal, Answers answers, DeadLetters deadLetters, Reconciler reconciler,
            KrakenApi kraken, ServiceMetrics metrics, Settings.Orders settings) {
        this.journal = journal;
        this.answers = answers;
        this.deadLetters = deadLetters;
        this.reconciler = reconciler;
        this.kraken = kraken;
        this.metrics = metrics;
        this.settings = settings;
    }

    /** Placed (or validated). */
    public Outcome done(Exchange exchange) {
        OrderResult result = exchange.getVariable(OrderDesk.RESULT, OrderResult.class);
        return recorded(exchange, executed(letterhead(exchange), result.sent(), result.description(), result.txids(),
                result.validate()));
    }

    /** Refused — by the kill switch, a rule of ours, or Kraken: nothing was placed, so the alert id is given up. */
    public Outcome rejected(Exchange exchange) {
        AlertRejectedException rejection = Answers.rejectionOf(exchange);
        DeadLetters.Letterhead alert = letterhead(exchange);
        LOG.info("rejected {}: {} {}", rejection.status(), rejection.getMessage(), rejection.details());
        return recorded(exchange, rejected(alert, rejection));
    }

    /**
     * Failed: if no AddOrder left, or it surely did not arrive, the alert is dead-lettered; if it may have been
     * placed, it is settled first.
     */
    @SuppressWarnings("unchecked")
    public Outcome failed(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        DeadLetters.Letterhead alert = letterhead(exchange);
        // The journal says whether an AddOrder left: the sender records "sending" before its first byte.
        boolean sent = Journal.SENDING.equals(journal.get(alert.journalEntry()).state());
        DeadLetters.Failure why = deadLetters.classify(failure, sent);
        Map<String, String> params = exchange.getVariable(OrderDesk.SENT_PARAMS, Map.class);
        if (!why.mayHaveBeenPlaced()) {
            return recorded(exchange, deadLetters.store(alert, why, params, failure));
        }
        LOG.warn("AddOrder got no clear answer ({}): looking the order up before anything else", why.message());
        journal.transition(alert.journalEntry(), List.of(Journal.SENDING), Journal.RECONCILING, why.message());
        return recorded(exchange, settle(alert, params, true));
    }

    /**
     * Carries an order in doubt (journal state {@code reconciling}) to a settled state: found → executed; proven
     * absent → sent again while attempts remain, else dead-lettered as not placed; Kraken unreachable for too long →
     * dead-lettered as "may have been placed". Without {@code resend} (recovery after a restart: the alert is old by
     * then) an order proven absent is dead-lettered for the operator to replay.
     */
    public Outcome settle(DeadLetters.Letterhead alert, Map<String, String> sent, boolean resend) {
        Map<String, String> params = new LinkedHashMap<>(sent);
        while (true) {
            JournalEntry entry = journal.get(alert.journalEntry());
            Reconciler.Finding finding = reconciler.settle(params, entry.firstSentAt(), entry.deadlineAt());
            journal.event(alert.journalEntry(), Journal.RECONCILING, finding.detail());
            switch (finding.verdict()) {
                case FOUND:
                    return executed(alert, params, finding.description(), finding.txids(), false);
                case UNKNOWN:
                    return deadLetters.store(alert, new DeadLetters.Failure("kraken_unavailable",
                            "the order could not be looked up: " + finding.detail(), true), params, null);
                default:
                    break;
            }
            if (!resend || entry.attempts() >= settings.maxAttempts()) {
                return deadLetters.store(alert, new DeadLetters.Failure("not_placed", "Kraken did not place the "
                        + "order (absent after its deadline) after " + entry.attempts() + " attempt(s)", false),
                        params, null);
            }
            LOG.info("the order was proven absent after its deadline: sending it again (attempt {})",
                    entry.attempts() + 1);
            try {
                // the sender adds a new deadline and journals "sending" (compare-and-set from reconciling)
                KrakenReply reply = kraken.call(KrakenCall.privateMethod("AddOrder", params)
                        .forJournalEntry(alert.journalEntry()));
                OrderResult result = OrderDesk.result(params, reply, false);
                return executed(alert, params, result.description(), result.txids(), false);
            } catch (AlertRejectedException rejection) {
                if (rejection.details().stream().noneMatch(OrderDesk::saysOrderMayExist)) {
                    return rejected(alert, rejection);
                }
                journal.transition(alert.journalEntry(), List.of(Journal.SENDING), Journal.RECONCILING,
                        String.join(", ", rejection.details()));
            } catch (RuntimeException e) {
                DeadLetters.Failure why = deadLetters.classify(e, true);
                if (!why.mayHaveBeenPlaced()) {
                    return deadLetters.store(alert, why, params, e);
                }
                journal.transition(alert.journalEntry(), List.of(Journal.SENDING), Journal.RECONCILING,
                        why.message());
            }
        }
    }

    public Outcome executed(DeadLetters.Letterhead alert, Map<String, String> sent, String description,
            List<String> txids, boolean validate) {
        Answer answer = answers.executed(alert.requestId(), alert.alertId(), sent, description, txids, validate);
        journal.finish(alert.journalEntry(), validate ? Journal.VALIDATED : Journal.EXECUTED, 200,
                answers.toJson(answer), txids, false, description);
        return new Outcome(200, answer);
    }

    private Outcome rejected(DeadLetters.Letterhead alert, AlertRejectedException rejection) {
        Answer answer = answers.rejection(alert.requestId(), alert.alertId(), rejection);
        journal.finish(alert.journalEntry(), Journal.REJECTED, rejection.status(), answers.toJson(answer), null, true,
                rejection.getMessage() + (rejection.details().isEmpty() ? "" : " " + rejection.details()));
        return new Outcome(rejection.status(), answer);
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
