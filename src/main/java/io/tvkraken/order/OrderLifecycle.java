package io.tvkraken.order;

import io.tvkraken.alert.AlertRejectedException;
import io.tvkraken.deadletter.DeadLetter;
import io.tvkraken.deadletter.DeadLetters;
import io.tvkraken.journal.Journal;
import io.tvkraken.journal.JournalEntry;
import io.tvkraken.kraken.KrakenCall;
import io.tvkraken.ops.Answer;
import io.tvkraken.ops.Answers;
import io.tvkraken.ops.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Body;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns every journal transition of an order (docs/order-lifecycle.md):
 *
 * <pre>
 *   received ──leaving──▶ sending ──▶ executed | rejected
 *      │                    │
 *      │                    └─ no clear answer ──▶ reconciling ──(reconcile-orders route)──▶ executed
 *      │                                                │                                    | sending again
 *      └──────────── not sent ───────────────────────────┴──────────────────────────────────▶ dead_lettered
 * </pre>
 *
 * <p>Whoever decides an outcome — the order run on a worker, the reconcile-orders route, a replay — records it here,
 * so that a state and its event are written together, once, in one transaction.
 */
public class OrderLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(OrderLifecycle.class);
    /**
     * Kraken refuses an AddOrder whose deadline is less than 2 s ahead when it arrives; one more second covers the
     * trip. An order that cannot carry a deadline this far ahead and still leave before its send-by time is too late.
     */
    static final Duration MIN_DEADLINE_LEAD = Duration.ofSeconds(3);

    private final Journal journal;
    private final DeadLetters deadLetters;
    private final Answers answers;
    private final Deadlines deadlines;
    private final Clock clock;
    private final int maxAttempts;
    private final Duration firstLookUpAfter;

    /**
     * @param maxAttempts      sends of one alert at most without an operator (the first plus re-sends once proven
     *                         absent)
     * @param firstLookUpAfter how long after an AddOrder in doubt it is looked up first: an order Kraken placed may
     *                         show up in OpenOrders/ClosedOrders only a moment later
     */
    public OrderLifecycle(Journal journal, DeadLetters deadLetters, Answers answers, Deadlines deadlines, Clock clock,
            int maxAttempts, Duration firstLookUpAfter) {
        this.journal = journal;
        this.deadLetters = deadLetters;
        this.answers = answers;
        this.deadlines = deadlines;
        this.clock = clock;
        this.maxAttempts = maxAttempts;
        this.firstLookUpAfter = firstLookUpAfter;
    }

    /**
     * Right before an AddOrder for an alert leaves (routes/kraken.camel.yaml, on the serial sender, after the kill
     * switch): its {@code deadline} is set — the order's deadline-seconds ahead, but never after the alert's send-by
     * time — and the row goes to {@code sending} in a committed compare-and-set. From here on, a failure means "may
     * have been placed".
     *
     * @throws TooLateException when no deadline Kraken accepts fits before the send-by time: nothing is sent
     * @throws IllegalStateException when the row is no longer waiting to be sent (taken over meanwhile)
     */
    public KrakenCall leaving(@Body KrakenCall call) {
        if (call.journalEntry() == null) {
            return call;
        }
        long row = call.journalEntry();
        JournalEntry entry = journal.get(row);
        Instant now = clock.instant();
        Instant deadline = deadlines.next();
        if (entry.sendBy() != null && deadline.isAfter(entry.sendBy())) {
            deadline = entry.sendBy().truncatedTo(ChronoUnit.SECONDS);
        }
        if (Duration.between(now, deadline).compareTo(MIN_DEADLINE_LEAD) < 0) {
            throw new TooLateException("the AddOrder could not leave before " + entry.sendBy()
                    + " (the alert's time plus MAX_ALERT_AGE_SECONDS): nothing was sent");
        }
        if (!journal.sending(row, List.of(Journal.RECEIVED, Journal.RECONCILING), deadline)) {
            throw new IllegalStateException("journal entry " + row + " is no longer waiting to be sent: nothing sent");
        }
        Map<String, String> params = new LinkedHashMap<>(call.params());
        params.put("deadline", Deadlines.format(deadline));
        return new KrakenCall(call.method(), call.privateCall(), params, row);
    }

    /** Placed (or validated): txids and Kraken's description journaled, 200. */
    public Outcome placed(DeadLetters.Letterhead alert, Map<String, String> sent, String description,
            List<String> txids, boolean validate) {
        Answer answer = answers.executed(alert.requestId(), alert.alertId(), sent, description, txids, validate);
        journal.finish(alert.journalEntry(), validate ? Journal.VALIDATED : Journal.EXECUTED, 200,
                answers.toJson(answer), txids, false, description);
        return new Outcome(200, answer);
    }

    /** Refused — by the kill switch, a rule of ours, or Kraken: nothing was placed, so the alert id is given up. */
    public Outcome refused(DeadLetters.Letterhead alert, AlertRejectedException rejection) {
        Answer answer = answers.rejection(alert.requestId(), alert.alertId(), rejection);
        journal.finish(alert.journalEntry(), Journal.REJECTED, rejection.status(), answers.toJson(answer), null, true,
                rejection.getMessage() + (rejection.details().isEmpty() ? "" : " " + rejection.details()));
        return new Outcome(rejection.status(), answer);
    }

    /**
     * Could not be carried out: stored as a dead letter for the trader to replay or drop, journaled as
     * {@code dead_lettered} (it keeps its alert id: a replay is the way to run it again), answered 202.
     */
    public Outcome deadLettered(DeadLetters.Letterhead alert, DeadLetters.Failure failure, Map<String, String> order,
            Throwable cause) {
        DeadLetter letter = deadLetters.store(alert, failure, order, cause);
        Answer answer = answers.deadLettered(alert.requestId(), alert.alertId(), letter);
        journal.finish(alert.journalEntry(), Journal.DEAD_LETTERED, 202, answers.toJson(answer), null, false,
                letter.id() + ": " + letter.message());
        return new Outcome(202, answer);
    }

    /**
     * An AddOrder got no clear answer: the order may exist. Nothing is sent again here and no worker waits: the row
     * goes to {@code reconciling} and the reconcile-orders route looks it up. It may be re-sent once proven absent if
     * attempts remain (and only while the alert is young enough, which the route checks).
     */
    public Outcome inDoubt(DeadLetters.Letterhead alert, String why) {
        JournalEntry entry = journal.get(alert.journalEntry());
        boolean mayResend = entry.attempts() < maxAttempts;
        if (!journal.inDoubt(alert.journalEntry(), why + ": looking the order up before anything else",
                clock.instant().plus(firstLookUpAfter), mayResend)) {
            LOG.warn("journal entry {} was no longer sending when its AddOrder failed", alert.journalEntry());
        }
        LOG.warn("AddOrder got no clear answer ({}): the order may exist; it will be looked up", why);
        return new Outcome(202, answers.pending(alert.requestId(), alert.alertId()));
    }
}
