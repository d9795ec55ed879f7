package io.tvkraken.order;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.alert.Alert;
import io.tvkraken.alert.AlertParser;
import io.tvkraken.journal.AlertState;
import io.tvkraken.journal.Journal;
import io.tvkraken.journal.JournalEntry;
import io.tvkraken.kraken.Accounts;
import io.tvkraken.kraken.KrakenApi;
import io.tvkraken.kraken.KrakenCall;
import io.tvkraken.kraken.KrakenReply;
import io.tvkraken.kraken.RateBudget;
import io.tvkraken.telemetry.RequestLog;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reconcile-orders route's work (routes/orders.camel.yaml): settles every order whose outcome is unknown — an
 * AddOrder that timed out, was reset or answered {@code EService:Unavailable}; an alert whose instance died in
 * flight; a dead letter an operator replays. Nothing is ever sent again before the order was looked up at Kraken by its
 * client order id and proven absent (docs/order-lifecycle.md):
 *
 * <ol>
 *   <li>orphans — rows left in {@code received}/{@code sending} by an instance whose lease ran out (it died or
 *       stopped renewing it) — are taken over as {@code reconciling}, to be looked up like any order in doubt;</li>
 *   <li>when a row is due, every row in {@code reconciling} is leased to this instance (two instances never work the
 *       same row), so that one look-up serves them all;</li>
 *   <li>one {@code OpenOrders} and one {@code ClosedOrders} call (more pages only if needed) serve every row of the
 *       pass, paced by Kraken's REST counter ({@link RateBudget});</li>
 *   <li>found → executed; absent, but its deadline (plus a grace for orders that show up late) not passed yet → looked
 *       up again then; proven absent → sent again if allowed and the alert is still young enough, else dead-lettered
 *       as not placed; Kraken could not be asked → looked up again later, backing off, and after
 *       {@code orders.reconcile.give-up-seconds} dead-lettered as "may have been placed".</li>
 * </ol>
 */
public class Reconciler {

    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    /** Rows settled in one pass at most. */
    static final int BATCH = 100;
    /** How long a pass holds its rows: longer than a pass can take (two look-ups and a re-send). */
    static final Duration LEASE = Duration.ofSeconds(60);
    /** Kraken's ClosedOrders answers 50 orders per page. */
    static final int CLOSED_PAGE = 50;
    static final int MAX_CLOSED_PAGES = 5;

    /**
     * ClosedOrders pages the last look-up needed (1 to {@link #MAX_CLOSED_PAGES}). A look-up starts only when Kraken's
     * REST counter has room for OpenOrders and that many pages: starting with room for the first page alone, a look-up
     * that needs two ran out of room after the first every time the counter was near full, spent it again on the next
     * pass, and never finished.
     */
    private volatile int closedPagesNeeded = 1;
    /** Orders opened this long before an alert's first send cannot be its order. */
    static final Duration OPENED_BEFORE_SEND = Duration.ofSeconds(60);
    /** Kraken's REST counter decays by one call in about 3 s at the Starter tier. */
    static final Duration WAIT_FOR_ROOM = Duration.ofSeconds(3);
    /** The longest pause between two look-ups of one order while Kraken cannot be asked. */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /**
     * FOUND and ABSENT are answers; UNKNOWN: Kraken could not be asked (it counts towards giving up); WAITING: we did
     * not ask yet, to stay inside Kraken's REST counter (it does not count: Kraken is not failing).
     */
    public enum Verdict { FOUND, ABSENT, UNKNOWN, WAITING }

    /**
     * How orders in doubt are settled (orders.* in application.properties, docs/order-lifecycle.md): looked up every
     * {@code reconcilePollMs}, proven absent {@code reconcileGraceMs} after their deadline, sent at most
     * {@code maxAttempts} times in all, dead-lettered when Kraken could not be asked for
     * {@code reconcileGiveUpSeconds}.
     */
    public record Rules(int reconcilePollMs, int reconcileGraceMs, int reconcileGiveUpSeconds, int maxAttempts) {
    }

    /**
     * @param txids       the orders found (FOUND)
     * @param description Kraken's description of the order found
     * @param detail      what was asked and answered, for the journal
     */
    public record Finding(Verdict verdict, List<String> txids, String description, String detail) {
    }

    private final KrakenApi kraken;
    private final OrderRunner runner;
    private final AlertParser parser;
    private final RateBudget budget;
    private final Journal journal;
    private final OrderLifecycle lifecycle;
    private final OrderOutcomes outcomes;
    private final ObjectMapper json;
    private final Clock clock;
    private final Rules settings;
    private final Accounts accounts;

    /** @param accounts the Kraken accounts, whose orders are each looked up on their own account */
    public Reconciler(KrakenApi kraken, OrderRunner runner, AlertParser parser, RateBudget budget, Journal journal,
            OrderLifecycle lifecycle, OrderOutcomes outcomes, ObjectMapper json, Clock clock,
            Rules settings, Accounts accounts) {
        this.accounts = accounts;
        this.kraken = kraken;
        this.runner = runner;
        this.parser = parser;
        this.budget = budget;
        this.journal = journal;
        this.lifecycle = lifecycle;
        this.outcomes = outcomes;
        this.json = json;
        this.clock = clock;
        this.settings = settings;
    }

    /**
     * Whether a row is an alert for several accounts (docs/accounts.md#fan-out), which places nothing itself: its row
     * says so ({@code fan_out}); a row journaled before it did, when its body names the accounts.
     */
    private boolean fansOut(JournalEntry entry) {
        if (entry.fanOut() != null) {
            return true;
        }
        return entry.body() != null && !parser.parse(entry.body().getBytes(StandardCharsets.UTF_8))
                .fanOutAccounts().isEmpty();
    }

    /**
     * An alert for several accounts left unfinished by a stopped instance: run again. Each account's order journaled
     * before keeps its own row (found, re-sent or given up there, never placed twice); one not yet journaled is
     * journaled and placed now, or refused too_late when its send-by time has passed.
     */
    private void rerunFanOut(JournalEntry entry) {
        if (journal.transition(entry.id(), List.of(AlertState.RECONCILING), AlertState.RECEIVED,
                "an alert for several accounts: run again; the orders journaled for it are not placed again")) {
            LOG.info("journal entry {}: an alert for several accounts, run again", entry.id());
            Alert alert = parser.parse(entry.body().getBytes(StandardCharsets.UTF_8));
            // to the accounts journaled with it (its strategy's, as the strategies file gave them then)
            runner.submit(AlertCase.of(entry, entry.requestId(), entry.fanOut() == null ? alert
                    : alert.withAccounts(entry.fanOut())));
        }
    }

    /**
     * An account's order whose account is no longer configured (KRAKEN_ACCOUNTS changed): it cannot be looked up, so
     * it is dead-lettered, saying whether it may have been placed there.
     */
    private int unknownAccount(JournalEntry entry) {
        boolean mayHaveBeenPlaced = entry.attempts() > 0;
        lifecycle.deadLettered(AlertCase.of(entry), new DeadLetters.Failure("unknown_account", "account '"
                + entry.account() + "' is no longer configured (KRAKEN_ACCOUNTS), so its order cannot be looked up"
                + (mayHaveBeenPlaced ? ": the order MAY HAVE BEEN PLACED on it, look at that account at Kraken"
                        : "; nothing was sent for it"), mayHaveBeenPlaced), params(entry), null);
        return 1;
    }

    /** One pass of the reconcile-orders route. @return how many rows were settled */
    public int pass() {
        adoptOrphans();
        Instant leaseUntil = clock.instant().plus(LEASE).truncatedTo(ChronoUnit.MILLIS);
        List<JournalEntry> due = journal.claimForLookUp(leaseUntil, BATCH);
        if (due.isEmpty()) {
            return 0;
        }
        List<JournalEntry> lookUps = new ArrayList<>();
        int settled = 0;
        for (JournalEntry entry : due) {
            if (!"execute".equals(entry.intent())) {
                // a validation places nothing: there is nothing to look up
                try (RequestLog.Scope logged = RequestLog.within(logContext(entry))) {
                    lifecycle.deadLettered(AlertCase.of(entry), new DeadLetters.Failure("interrupted",
                            "the service stopped before the validation finished", false), params(entry), null);
                }
                settled++;
            } else {
                lookUps.add(entry);
            }
        }
        if (lookUps.isEmpty()) {
            return settled;
        }
        // each account's orders are looked up in that account's lists, on its own keys (docs/accounts.md); an alert
        // for several accounts placed nothing itself: it is run again, never looked up
        Map<String, List<JournalEntry>> byAccount = new LinkedHashMap<>();
        for (Iterator<JournalEntry> rows = lookUps.iterator(); rows.hasNext(); ) {
            JournalEntry entry = rows.next();
            try (RequestLog.Scope logged = RequestLog.within(logContext(entry))) {
                if (entry.account() != null && accounts.find(entry.account()).isEmpty()) {
                    rows.remove();
                    settled += unknownAccount(entry);
                } else if (entry.account() == null && fansOut(entry)) {
                    rows.remove();
                    rerunFanOut(entry);
                } else {
                    byAccount.computeIfAbsent(String.valueOf(Accounts.stored(entry.account())),
                            a -> new ArrayList<>()).add(entry);
                }
            } catch (RuntimeException e) {
                rows.remove();
                LOG.error("journal entry {} could not be reconciled: {}", entry.id(), e.getMessage(), e);
            }
        }
        Map<Long, Finding> findings = new HashMap<>();
        for (List<JournalEntry> rows : byAccount.values()) {
            // one account's look-up failing leaves the others' as they are
            try {
                findings.putAll(lookUp(rows, rows.get(0).account()));
            } catch (RuntimeException e) {
                LOG.warn("order look-up on account {} failed: {}", rows.get(0).account(), e.getMessage());
                rows.forEach(r -> findings.put(r.id(), unknown("look-up failed: " + e.getMessage())));
            }
        }
        for (JournalEntry entry : lookUps) {
            // this row's lines carry its alert's request id, alert id, pair and side
            try (RequestLog.Scope logged = RequestLog.within(logContext(entry))) {
                if (settle(entry, findings.get(entry.id()))) {
                    settled++;
                }
            } catch (RuntimeException e) {
                LOG.error("journal entry {} could not be reconciled: {}", entry.id(), e.getMessage(), e);
            }
        }
        return settled;
    }

    /** The logging context of a journaled alert: its request and alert ids, and its order's pair and side if planned. */
    private RequestLog.Context logContext(JournalEntry entry) {
        RequestLog.Context alert = RequestLog.Context.ofAlert(entry.requestId(), entry.alertId());
        try {
            Map<String, String> sent = params(entry);
            return alert.withOrder(sent.get("pair"), sent.get("type"));
        } catch (IllegalStateException unreadable) {
            return alert; // settling it says so
        }
    }

    private void adoptOrphans() {
        for (JournalEntry orphan : journal.orphans(BATCH)) {
            // looked up first; sent (again) only once proven absent after its deadline, while the alert is young
            if (journal.adopt(orphan.id(), "taken over by " + journal.instance() + ": the instance that took it ("
                    + orphan.leaseOwner() + ") stopped before finishing it; looking the order up",
                    orphan.attempts() < settings.maxAttempts())) {
                LOG.warn("journal entry {} (alert {}) was left {} by a stopped instance: reconciling it", orphan.id(),
                        orphan.alertId(), orphan.state());
            }
        }
    }

    /** Decides one row from its finding. @return true when the row reached a final state */
    private boolean settle(JournalEntry entry, Finding finding) {
        AlertCase alert = AlertCase.of(entry);
        Map<String, String> sent = params(entry);
        Instant now = clock.instant();
        boolean due = entry.nextCheckAt() == null || !entry.nextCheckAt().isAfter(now);
        if (!due && finding.verdict() != Verdict.FOUND) {
            // looked at because another row was due: only a find counts before its own time
            journal.recheckLater(entry.id(), entry.nextCheckAt(), null);
            return false;
        }
        switch (finding.verdict()) {
            case FOUND:
                LOG.info("journal entry {}: {}", entry.id(), finding.detail());
                lifecycle.placed(alert, sent, finding.description(), finding.txids(), false);
                return true;
            case WAITING:
                journal.recheckLater(entry.id(), now.plus(WAIT_FOR_ROOM), null);
                return false;
            case UNKNOWN:
                Instant since = entry.inDoubtSince() == null ? now : entry.inDoubtSince();
                if (Duration.between(since, now).toSeconds() >= settings.reconcileGiveUpSeconds()) {
                    lifecycle.deadLettered(alert, new DeadLetters.Failure("kraken_unavailable",
                            "the order could not be looked up for " + settings.reconcileGiveUpSeconds() + " s: "
                                    + finding.detail(), true), sent, null);
                    return true;
                }
                journal.recheckLater(entry.id(), now.plus(backoff(since, now)), finding.detail());
                return false;
            default:
                break;
        }
        // Absent is proof only once the last AddOrder's deadline has passed: until then Kraken's engine may still
        // accept it, and a placed order can show up in the lists a moment late (docs/kraken.md, "Finding an order").
        Instant provenAfter = entry.deadlineAt() == null ? now
                : entry.deadlineAt().plusMillis(settings.reconcileGraceMs());
        if (now.isBefore(provenAfter)) {
            journal.recheckLater(entry.id(), provenAfter, finding.detail() + "; proven absent only after "
                    + provenAfter);
            return false;
        }
        boolean young = entry.sendBy() != null && now.plus(OrderLifecycle.MIN_DEADLINE_LEAD).isBefore(entry.sendBy());
        // a target position's order is the difference to its book when it was planned: it is planned again instead,
        // against the book as it is now (docs/strategies.md#orders-in-doubt)
        boolean target = targetsPosition(entry);
        if (entry.mayResend() && young && entry.orderRequest() != null && !target) {
            return resend(entry, alert, sent, finding);
        }
        if (entry.mayResend() && young) {
            // a replayed alert that never got as far as an order, or a target position proven absent: it runs from
            // the start, on an order worker
            if (journal.transition(entry.id(), List.of(AlertState.RECONCILING), AlertState.RECEIVED, finding.detail()
                    + (target && entry.orderRequest() != null ? ": planning it again against its book"
                            : ": no order was ever planned for it; running it"))) {
                runner.submit(AlertCase.of(entry, entry.requestId(), parser.parse(entry.body() == null
                        ? new byte[0] : entry.body().getBytes(StandardCharsets.UTF_8))));
            }
            return false;
        }
        String why = entry.attempts() == 0 ? "no AddOrder had left for it" : "Kraken did not place it ("
                + finding.detail() + ", after its deadline)";
        if (entry.mayResend() && !young) {
            lifecycle.deadLettered(alert, new DeadLetters.Failure("too_late", why + "; the alert is older than "
                    + "MAX_ALERT_AGE_SECONDS now, so it is not sent again on its own", false), sent, null);
        } else {
            lifecycle.deadLettered(alert, new DeadLetters.Failure(entry.attempts() == 0 ? "interrupted" : "not_placed",
                    why + ": nothing was placed", false), sent, null);
        }
        return true;
    }

    /**
     * Proven absent while the alert is young: sent again, under the same client order id, with a new deadline, through
     * the same route as a first send, and its answer or failure settled by the same {@link OrderOutcomes}.
     *
     * @return true when the row reached a final state (not in doubt again)
     */
    private boolean resend(JournalEntry entry, AlertCase alert, Map<String, String> sent, Finding finding) {
        journal.event(entry.id(), AlertState.RECONCILING, finding.detail() + " after its deadline: sending it again");
        LOG.info("journal entry {}: proven absent, sending it again (attempt {})", entry.id(), entry.attempts() + 1);
        KrakenCall call = KrakenCall.privateMethod("AddOrder", sent).forJournalEntry(entry.id())
                .onAccount(entry.account());
        Outcome outcome;
        try {
            outcome = outcomes.answered(alert, call, kraken.send(call));
        } catch (RuntimeException e) {
            outcome = outcomes.failed(alert, call, e);
        }
        return !Outcome.PENDING.equals(outcome.status());
    }

    /** Whether the row's alert asks for a target position; a body that no longer parses does not. */
    private boolean targetsPosition(JournalEntry entry) {
        try {
            return entry.body() != null && parser.parse(entry.body().getBytes(StandardCharsets.UTF_8))
                    .targetsPosition();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Half the time the order has been in doubt, between the poll interval and {@link #MAX_BACKOFF}. */
    private Duration backoff(Instant since, Instant now) {
        Duration half = Duration.between(since, now).dividedBy(2);
        Duration poll = Duration.ofMillis(settings.reconcilePollMs());
        return half.compareTo(poll) < 0 ? poll : half.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : half;
    }

    /**
     * One look for every row: {@code OpenOrders}, then {@code ClosedOrders} since shortly before the oldest row's first
     * send, page by page while rows are still unaccounted for. A row is ABSENT only if every page was read.
     */
    Map<Long, Finding> lookUp(List<JournalEntry> rows) {
        return lookUp(rows, null);
    }

    /** {@link #lookUp(List)} for rows of one Kraken account ({@code account}: null or default is the default one). */
    Map<Long, Finding> lookUp(List<JournalEntry> rows, String account) {
        Map<Long, Finding> findings = new HashMap<>();
        Map<Long, Map<String, String>> sent = new HashMap<>();
        Instant start = null;
        for (JournalEntry row : rows) {
            sent.put(row.id(), lookUpParams(row));
            Instant from = firstSent(row).minus(OPENED_BEFORE_SEND);
            start = start == null || from.isBefore(start) ? from : start;
        }
        Accounts.Account on = accounts.get(account);
        if (!budget.restRoomFor(on, 1 + closedPagesNeeded)) {
            rows.forEach(r -> findings.put(r.id(), waiting()));
            return findings;
        }
        try {
            KrakenReply open = kraken.privateCall(account, "OpenOrders", Map.of());
            match(rows, sent, open.result().path("open"), "open", findings);
            int pages = 0;
            int offset = 0;
            long count = Long.MAX_VALUE;
            boolean outOfRoom = false;
            while (findings.size() < rows.size() && offset < count && pages < MAX_CLOSED_PAGES) {
                if (pages > 0 && !budget.restRoomFor(on, 1)) {
                    outOfRoom = true;
                    break;
                }
                Map<String, String> query = new LinkedHashMap<>();
                query.put("start", Long.toString(start.getEpochSecond()));
                if (offset > 0) {
                    query.put("ofs", Integer.toString(offset));
                }
                KrakenReply closed = kraken.privateCall(account, "ClosedOrders", query);
                count = closed.result().path("count").asLong(0);
                long pagesOfCount = (count + CLOSED_PAGE - 1) / CLOSED_PAGE;
                closedPagesNeeded = (int) Math.max(1, Math.min(MAX_CLOSED_PAGES, pagesOfCount));
                match(rows, sent, closed.result().path("closed"), "closed", findings);
                offset += CLOSED_PAGE;
                pages++;
            }
            boolean allRead = offset >= count;
            boolean waitForRoom = outOfRoom;
            for (JournalEntry row : rows) {
                findings.computeIfAbsent(row.id(), id -> allRead
                        ? new Finding(Verdict.ABSENT, List.of(), null, "not in OpenOrders or ClosedOrders by "
                                + asked(sent.get(id)))
                        : waitForRoom ? waiting() : unknown("ClosedOrders has more pages than one look-up reads"));
            }
        } catch (RuntimeException e) {
            LOG.warn("order look-up failed: {}", e.getMessage());
            for (JournalEntry row : rows) {
                findings.putIfAbsent(row.id(), unknown("look-up failed: " + e.getMessage()));
            }
        }
        return findings;
    }

    private static Finding waiting() {
        return new Finding(Verdict.WAITING, List.of(), null, "waiting for room in Kraken's REST call counter");
    }

    private static Finding unknown(String detail) {
        return new Finding(Verdict.UNKNOWN, List.of(), null, detail);
    }

    private void match(List<JournalEntry> rows, Map<Long, Map<String, String>> sent, JsonNode orders, String list,
            Map<Long, Finding> findings) {
        for (JournalEntry row : rows) {
            if (findings.containsKey(row.id())) {
                continue;
            }
            List<String> txids = new ArrayList<>();
            String description = null;
            var it = orders.fields();
            while (it.hasNext()) {
                var order = it.next();
                if (isThisOrder(order.getValue(), sent.get(row.id()), firstSent(row))) {
                    txids.add(order.getKey());
                    if (description == null) {
                        description = order.getValue().path("descr").path("order").asText(null);
                    }
                }
            }
            if (!txids.isEmpty()) {
                findings.put(row.id(), new Finding(Verdict.FOUND, List.copyOf(txids), description, "found in " + list
                        + " orders by " + asked(sent.get(row.id())) + ": " + txids));
            }
        }
    }

    /**
     * What identifies the row's order: the AddOrder as journaled, or — when no order was journaled as planned — the
     * client order id its alert id always gets, so that even a row whose journal lost the plan is looked up.
     */
    private Map<String, String> lookUpParams(JournalEntry row) {
        Map<String, String> params = params(row);
        return params.isEmpty() ? Map.of("cl_ord_id", ClientOrderId.clOrdId(row.alertId())) : params;
    }

    private static Instant firstSent(JournalEntry row) {
        return row.firstSentAt() != null ? row.firstSentAt() : row.receivedAt();
    }

    private static String asked(Map<String, String> sent) {
        return sent.get("cl_ord_id") != null ? "cl_ord_id " + sent.get("cl_ord_id") : "userref " + sent.get("userref");
    }

    /**
     * A cl_ord_id is unique among open orders and names this alert alone. A userref is not unique: the order must
     * also have this pair, side, type and volume, and have been opened around or after the first send.
     */
    static boolean isThisOrder(JsonNode order, Map<String, String> sent, Instant firstSentAt) {
        String clOrdId = sent.get("cl_ord_id");
        if (clOrdId != null) {
            return clOrdId.equals(order.path("cl_ord_id").asText(null));
        }
        JsonNode descr = order.path("descr");
        return sent.get("userref").equals(order.path("userref").asText())
                && sent.get("pair").equalsIgnoreCase(descr.path("pair").asText())
                && sent.get("type").equals(descr.path("type").asText())
                && sent.get("ordertype").equals(descr.path("ordertype").asText())
                && sameAmount(sent.get("volume"), order.path("vol").asText(null))
                && order.path("opentm").asDouble(0) >= firstSentAt.minusSeconds(5).getEpochSecond();
    }

    private static boolean sameAmount(String a, String b) {
        try {
            return a != null && b != null && new BigDecimal(a).compareTo(new BigDecimal(b)) == 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The AddOrder parameters a journal entry recorded (without nonce); empty before the order was planned. */
    Map<String, String> params(JournalEntry entry) {
        if (entry.orderRequest() == null) {
            return Map.of();
        }
        try {
            return json.readValue(entry.orderRequest(), new TypeReference<Map<String, String>>() { });
        } catch (IOException e) {
            throw new IllegalStateException("journal entry " + entry.id() + " holds an unreadable order", e);
        }
    }
}
