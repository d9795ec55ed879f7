package io.tvkraken.order;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.alert.Alert;
import io.tvkraken.alert.RefusedException;
import io.tvkraken.journal.DeadLetter;
import io.tvkraken.journal.AlertState;
import io.tvkraken.journal.Journal;
import io.tvkraken.journal.JournalEntry;
import io.tvkraken.journal.JournalUnavailableException;
import io.tvkraken.kraken.Deadlines;
import io.tvkraken.kraken.KrakenCall;
import io.tvkraken.kraken.MarketData;
import io.tvkraken.telemetry.Notice;
import io.tvkraken.telemetry.Notices;
import io.tvkraken.telemetry.RequestLog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.ToIntFunction;
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
    /** The alert id of a reversal's open leg is its alert's with this suffix (docs/strategies.md#reversals). */
    public static final String OPEN_LEG_SUFFIX = "/open";

    private final Journal journal;
    private final DeadLetters deadLetters;
    private final ObjectMapper json;
    private final String mode;
    private final ToIntFunction<Outcome> httpStatus;
    private final Deadlines deadlines;
    private final Clock clock;
    private final int maxAttempts;
    private final Duration firstLookUpAfter;
    private final Notices notices;
    private final Function<Alert, Optional<MarketData.SeenPrice>> prices;

    /**
     * @param mode             {@code paper} or {@code live}, as every outcome says
     * @param httpStatus       the HTTP status of an outcome, journaled with it (decided where answers are written)
     * @param maxAttempts      sends of one alert at most without an operator (the first plus re-sends once proven
     *                         absent)
     * @param firstLookUpAfter how long after an AddOrder in doubt it is looked up first: an order Kraken placed may
     *                         show up in OpenOrders/ClosedOrders only a moment later
     * @param notices          where the outcomes operators hear about are raised (docs/notifications.md#events)
     * @param prices           the price held for an alert's pair, without asking Kraken, kept with its outcome
     */
    public OrderLifecycle(Journal journal, DeadLetters deadLetters, ObjectMapper json, String mode, ToIntFunction<Outcome> httpStatus,
            Deadlines deadlines, Clock clock, int maxAttempts, Duration firstLookUpAfter, Notices notices,
            Function<Alert, Optional<MarketData.SeenPrice>> prices) {
        this.journal = journal;
        this.deadLetters = deadLetters;
        this.json = json;
        this.mode = mode;
        this.httpStatus = httpStatus;
        this.deadlines = deadlines;
        this.clock = clock;
        this.maxAttempts = maxAttempts;
        this.firstLookUpAfter = firstLookUpAfter;
        this.notices = notices;
        this.prices = prices;
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
        return sending(call, deadlineFor(call));
    }

    /**
     * The deadline an AddOrder for an alert may carry if it leaves now: deadline-seconds ahead, never after the
     * alert's send-by time. For an AddOrderBatch, each order's is asked and the earliest is the batch's
     * ({@link OrderBatches}).
     *
     * @throws TooLateException when no deadline Kraken accepts fits before the send-by time: nothing may be sent
     */
    public Instant deadlineFor(KrakenCall call) {
        JournalEntry entry = journal.get(call.journalEntry());
        Instant now = clock.instant();
        Instant deadline = deadlines.next();
        if (entry.sendBy() != null && deadline.isAfter(entry.sendBy())) {
            deadline = entry.sendBy().truncatedTo(ChronoUnit.SECONDS);
        }
        if (Duration.between(now, deadline).compareTo(MIN_DEADLINE_LEAD) < 0) {
            throw new TooLateException("the AddOrder could not leave before " + entry.sendBy()
                    + " (the alert's time plus MAX_ALERT_AGE_SECONDS): nothing was sent");
        }
        return deadline;
    }

    /**
     * The row of an AddOrder about to leave with {@code deadline} goes to {@code sending}, committed (and so on the
     * disk, docs/journal.md#power-loss); the call is returned with the deadline it carries. For an AddOrderBatch, each
     * of its orders in turn, all before the batch leaves.
     *
     * @throws IllegalStateException when the row is no longer waiting to be sent (taken over meanwhile)
     */
    public KrakenCall sending(KrakenCall call, Instant deadline) {
        long row = call.journalEntry();
        String userref = call.params().get("userref");
        Integer ref = userref == null ? null : Integer.valueOf(userref);
        List<AlertState> from = List.of(AlertState.RECEIVED, AlertState.RECONCILING);
        if (!journal.sending(row, from, deadline, json(call.params()), call.params().get("cl_ord_id"), ref)) {
            throw new IllegalStateException("journal entry " + row + " is no longer waiting to be sent: nothing sent");
        }
        Map<String, String> params = new LinkedHashMap<>(call.params());
        params.put("deadline", Deadlines.format(deadline));
        return call.withParams(params);
    }

    /** Placed (or validated): txids and Kraken's description journaled. */
    public Outcome placed(AlertCase alert, Map<String, String> sent, String description, List<String> txids,
            boolean validate) {
        Outcome outcome = Outcome.placed(alert, mode, sent, description, txids, validate);
        finish(alert, validate ? AlertState.VALIDATED : AlertState.EXECUTED, outcome, txids, false, description);
        decided(outcome, description + (validate ? "" : " " + txids));
        if (!validate) {
            raise(OrderNotices.executed(alert, sent, description, txids));
        }
        return outcome;
    }

    /**
     * A target-position alert that needs no order: its book is at the target ({@link AlertState#IN_POSITION}) or a
     * newer alert was applied to it ({@link AlertState#SUPERSEDED}). The alert keeps its id: a copy of it is a
     * duplicate and repeats this outcome.
     */
    public Outcome noOrder(AlertCase alert, AlertState state, Outcome.Position position) {
        Outcome outcome = Outcome.noOrder(alert, mode, state.value(), position);
        finish(alert, state, outcome, null, false, position.message());
        decided(outcome, position.message());
        return outcome;
    }

    /**
     * The open leg of a reversal whose close executed (docs/strategies.md#reversals): journaled as a row of its own
     * under the alert's, with its own alert id ({@code <alert id>/open}) and so its own client order id.
     *
     * @return the leg's case, to be planned and placed as any order of the book
     * @throws IllegalStateException when the leg was journaled before: nothing more is placed for it here
     */
    public AlertCase openLeg(AlertCase close) {
        String legId = close.alertId() + OPEN_LEG_SUFFIX;
        // on the close's account: looked up, reconciled and replayed there (docs/accounts.md#strategies-on-several-accounts)
        Journal.Opened opened = journal.openLeg(close.journalEntry(), close.account(), close.requestId(), legId,
                close.intent(), close.body(), close.sendBy());
        if (opened.duplicate()) {
            throw new IllegalStateException("the open leg of journal entry " + close.journalEntry() + " is journal "
                    + "entry " + opened.first().id() + " already: nothing more is placed for it");
        }
        LOG.info("journal entry {}: its close leg executed; the open leg is journal entry {}", close.journalEntry(),
                opened.row());
        return new AlertCase(close.requestId(), close.intent(), close.body(), close.receivedNanos(), close.alert(),
                legId, opened.row(), close.sendBy(), null, close.account());
    }

    /**
     * An alert for several accounts, each account's order decided (docs/accounts.md#fan-out): its own row placed
     * nothing and keeps the answer that lists them; its alert id is given up only when every account refused.
     */
    public Outcome fannedOut(AlertCase alert, Outcome answer, boolean releaseKey, String detail) {
        // the pair's price too, as any alert's outcome keeps it for replays (docs/journal.md#market-prices)
        Optional<MarketData.SeenPrice> seen = prices.apply(alert.alert());
        journal.finish(alert.journalEntry(), AlertState.FANNED_OUT, httpStatus.applyAsInt(answer), json(answer), null,
                releaseKey, detail, seen.map(MarketData.SeenPrice::price).orElse(null),
                seen.map(MarketData.SeenPrice::at).orElse(null));
        decided(answer, detail);
        return answer;
    }

    /** A reversal's answer, both legs decided, kept as the alert's answer: a copy of the alert repeats it. */
    public Outcome reversed(AlertCase close, Outcome answer) {
        journal.answered(close.journalEntry(), httpStatus.applyAsInt(answer), json(answer));
        return answer;
    }

    /** Refused — by the kill switch, a rule of ours, or Kraken: nothing was placed, so the alert id is given up. */
    public Outcome refused(AlertCase alert, RefusedException refusal) {
        Outcome outcome = Outcome.refused(alert, mode, refusal);
        finish(alert, AlertState.REJECTED, outcome, null, true,
                refusal.getMessage() + (refusal.details().isEmpty() ? "" : " " + refusal.details()));
        decided(outcome, refusal.code());
        raise(OrderNotices.rejected(alert, refusal));
        return outcome;
    }

    /**
     * An authenticated alert refused in the intake (bad fields, stale, not JSON): journaled as refused, in a row of its
     * own when it was refused before it was journaled.
     */
    public void refusedInIntake(AlertCase alert, Outcome outcome) {
        if (alert.journaled()) {
            journal.finish(alert.journalEntry(), AlertState.REJECTED, httpStatus.applyAsInt(outcome), json(outcome),
                    null, true, outcome.error() == null ? null : outcome.error().message());
        } else {
            journal.refused(alert.requestId(), alert.alertId(), alert.intent(), alert.body(),
                    httpStatus.applyAsInt(outcome), json(outcome));
        }
    }

    /**
     * Could not be carried out: stored as a dead letter for the trader to replay or drop, journaled as
     * {@code dead_lettered} (it keeps its alert id: a replay is the way to run it again).
     */
    public Outcome deadLettered(AlertCase alert, DeadLetters.Failure failure, Map<String, String> order,
            Throwable cause) {
        DeadLetter letter = deadLetters.store(alert, failure, order, cause);
        Outcome outcome = finish(alert, AlertState.DEAD_LETTERED, Outcome.deadLettered(alert, mode, letter), null,
                false, letter.id() + ": " + letter.message());
        decided(outcome, letter.id() + " (" + letter.reason() + ")");
        raise(OrderNotices.deadLettered(alert, letter, order));
        return outcome;
    }

    /**
     * An AddOrder got no clear answer: the order may exist. Nothing is sent again here and no worker waits: the row
     * goes to {@code reconciling} and the reconcile-orders route looks it up. It may be re-sent once proven absent if
     * attempts remain (and only while the alert is young enough, which the route checks).
     */
    public Outcome inDoubt(AlertCase alert, int attempts, String why) {
        RequestLog.outcome(Outcome.PENDING);
        boolean mayResend = attempts < maxAttempts;
        if (!journal.inDoubt(alert.journalEntry(), why + ": looking the order up before anything else",
                clock.instant().plus(firstLookUpAfter), mayResend)) {
            LOG.warn("journal entry {} was no longer sending when its AddOrder failed", alert.journalEntry());
        }
        LOG.warn("AddOrder got no clear answer ({}): the order may exist; it will be looked up", why);
        return Outcome.pending(alert, mode);
    }

    /**
     * An AddOrder left, and then its outcome could not be journaled (a full disk, a database refusing writes). The
     * row stays {@code sending} under this instance's lease; once the lease runs out the reconcile-orders route looks
     * the order up by its client order id, as it does for an instance that stopped. The caller is told {@code
     * pending}, never "nothing was sent" (docs/order-lifecycle.md#journal-unwritable-after-sending).
     */
    public Outcome unrecorded(AlertCase alert, JournalUnavailableException unwritable) {
        RequestLog.outcome(Outcome.PENDING);
        LOG.error("journal entry {}: an AddOrder left but its outcome could not be journaled ({}); answering pending,"
                + " the order is looked up once the journal takes writes", alert.journalEntry(),
                unwritable.getMessage());
        return Outcome.pending(alert, mode);
    }

    /** The HTTP status that goes with an outcome. */
    public int httpStatus(Outcome outcome) {
        return httpStatus.applyAsInt(outcome);
    }

    /**
     * Where an order's outcome is decided, and journaled: its lines from here on carry it as {@code outcome}
     * (docs/operations.md#log-fields), this one first.
     */
    private static void decided(Outcome outcome, String detail) {
        RequestLog.outcome(outcome.status());
        LOG.info("order {}: {}", outcome.status(), detail);
    }

    /** After the outcome is journaled: a notice never holds up or fails the outcome it tells of. */
    private void raise(Notice notice) {
        if (notice != null) {
            try {
                notices.raise(notice);
            } catch (RuntimeException e) {
                LOG.warn("notice {} not raised: {}", notice.event().label(), e.getClass().getSimpleName());
            }
        }
    }

    private Outcome finish(AlertCase alert, AlertState state, Outcome outcome, List<String> txids, boolean releaseKey,
            String detail) {
        // the pair's price as the service held it now, kept with the outcome for replays (docs/journal.md#market-prices)
        Optional<MarketData.SeenPrice> seen = alert.alert() == null ? Optional.empty() : prices.apply(alert.alert());
        journal.finish(alert.journalEntry(), state, httpStatus.applyAsInt(outcome), json(outcome), txids, releaseKey,
                detail, seen.map(MarketData.SeenPrice::price).orElse(null),
                seen.map(MarketData.SeenPrice::at).orElse(null));
        return outcome;
    }

    private String json(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("outcome could not be written as JSON: " + e.getOriginalMessage());
        }
    }
}
