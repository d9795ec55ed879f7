package io.tvkraken.order;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.journal.AlertState;
import io.tvkraken.journal.Journal;
import io.tvkraken.journal.JournalEntry;
import io.tvkraken.telemetry.RequestLog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Body;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An alert for several Kraken accounts (docs/accounts.md#fan-out), route {@code fan-out} of
 * routes/orders.camel.yaml: one order per account, each journaled as a row of its own under the alert's
 * ({@link #legs}), with its own alert id {@code <alert id>/<account>} and so its own client order id, then placed on
 * its own and at once, every account in parallel, so that one account refusing, slow or down never blocks or delays
 * another. The alert's answer lists them all ({@link #answer}); a copy of the alert places nothing anywhere and repeats
 * them as they stand ({@link #repeat}).
 */
public class FanOut {

    private static final Logger LOG = LoggerFactory.getLogger(FanOut.class);
    /** Between the alert's id and the account's name in an account's own alert id. */
    public static final String SEPARATOR = "/";

    private final Journal journal;
    private final OrderLifecycle lifecycle;
    private final ObjectMapper json;
    private final String mode;

    public FanOut(Journal journal, OrderLifecycle lifecycle, ObjectMapper json, String mode) {
        this.journal = journal;
        this.lifecycle = lifecycle;
        this.json = json;
        this.mode = mode;
    }

    /** The alert id of the order on {@code account} of the alert {@code alertId}. */
    public static String legAlertId(String alertId, String account) {
        return alertId + SEPARATOR + account;
    }

    /**
     * Journals each account's order (an order claims its own alert id; a validation does not), before any is placed.
     * An order journaled before - the alert run again after its instance stopped, or a copy - is not placed again:
     * its case is marked as repeating that row ({@link AlertCase#duplicate()}).
     */
    public List<AlertCase> legs(@Variable("case") AlertCase alert) {
        List<AlertCase> legs = new ArrayList<>();
        List<Long> rows = new ArrayList<>();
        for (String account : alert.alert().fanOutAccounts()) {
            String legId = legAlertId(alert.alertId(), account);
            Journal.Opened opened = journal.accountLeg(alert.journalEntry(), account, alert.requestId(), legId,
                    alert.intent(), alert.body(), !alert.validation(), alert.sendBy());
            if (opened.duplicate()) {
                legs.add(alert.forAccount(account, legId, opened.first().id()).journaled(opened.first().id(),
                        alert.sendBy(), opened.first()));
                rows.add(opened.first().id());
            } else {
                legs.add(alert.forAccount(account, legId, opened.row()));
                rows.add(opened.row());
            }
        }
        LOG.info("for {} accounts {}: journal entries {}", legs.size(), alert.alert().fanOutAccounts(), rows);
        return legs;
    }

    /** First step of each account's branch: its lines carry its own alert id, on whichever thread runs it. */
    public void begin(@Body AlertCase leg) {
        RequestLog.restore(RequestLog.Context.ofAlert(leg.requestId(), leg.alertId()));
    }

    /**
     * An account's order whose run failed past its own error handling (its outcome could not be journaled): pending,
     * its row left to the reconcile-orders route; the other accounts' outcomes stand.
     */
    public Outcome unsettled(@Body AlertCase leg) {
        LOG.warn("the order on account {} (journal entry {}) did not finish: it is left to reconciliation",
                leg.account(), leg.journalEntry());
        return Outcome.pending(leg, mode);
    }

    /** An account's order journaled before: its outcome as its row holds it, nothing placed. */
    public Outcome earlier(@Body AlertCase leg) {
        return outcomeOf(leg.first(), leg);
    }

    /**
     * The alert's answer, every account's order decided (or still pending): journaled on the alert's row as
     * {@code fanned_out}, the answer a copy of the alert starts from. When every account refused, the alert id is given
     * up, as a single refused alert's is: it may be sent again.
     */
    public Outcome answer(@Variable("case") AlertCase alert, @Body List<Outcome> outcomes) {
        RequestLog.restore(RequestLog.Context.ofAlert(alert.requestId(), alert.alertId()));
        Map<String, Outcome> byAlertId = new HashMap<>();
        for (Object outcome : outcomes) {
            if (outcome instanceof Outcome o && o.alertId() != null) {
                byAlertId.put(o.alertId(), o);
            }
        }
        List<Outcome.AccountOrder> orders = new ArrayList<>();
        for (String account : alert.alert().fanOutAccounts()) {
            String legId = legAlertId(alert.alertId(), account);
            Outcome leg = byAlertId.get(legId);
            orders.add(Outcome.AccountOrder.of(account, leg != null ? leg
                    : Outcome.pending(alert.forAccount(account, legId, -1), mode)));
        }
        Outcome answer = Outcome.fannedOut(alert, mode, orders);
        boolean allRefused = orders.stream().allMatch(o -> Outcome.REJECTED.equals(o.status()));
        return lifecycle.fannedOut(alert, answer, allRefused, summary(orders));
    }

    /**
     * A copy of an alert for several accounts: each account's order as its own row stands now (one that was in doubt
     * may have been found since), nothing placed.
     */
    public Outcome repeat(AlertCase copy, JournalEntry first) {
        List<Outcome.AccountOrder> orders = new ArrayList<>();
        AlertCase asFirst = new AlertCase(first.requestId(), first.intent(), first.body(), copy.receivedNanos(),
                copy.alert(), first.alertId(), first.id(), first.sendBy(), null, null);
        // the accounts the first alert's orders were journaled for, whatever the copy names
        for (JournalEntry leg : journal.legsOf(first.id())) {
            if (leg.account() == null) {
                continue;
            }
            AlertCase legCase = asFirst.forAccount(leg.account(), leg.alertId(), leg.id());
            orders.add(Outcome.AccountOrder.of(leg.account(), outcomeOf(leg, legCase)));
        }
        if (orders.isEmpty()) {
            return Outcome.pendingDuplicate(copy, mode, first.requestId());
        }
        LOG.info("duplicate of journal entry {} (request {}), an alert for {} accounts: nothing sent", first.id(),
                first.requestId(), orders.size());
        return Outcome.fannedOut(asFirst, mode, orders).asDuplicate(copy.requestId(), copy.alertId(),
                first.requestId());
    }

    private Outcome outcomeOf(JournalEntry row, AlertCase leg) {
        if (!row.finished() || row.answer() == null) {
            return Outcome.pending(leg, mode);
        }
        try {
            return json.readValue(row.answer(), Outcome.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("journal entry " + row.id() + " holds an unreadable outcome");
        }
    }

    private static String summary(List<Outcome.AccountOrder> orders) {
        List<String> parts = new ArrayList<>();
        orders.forEach(o -> parts.add(o.account() + " " + o.status()));
        return "on " + orders.size() + " accounts: " + String.join(", ", parts);
    }

    /** Whether a journal row is an alert for several accounts, which places nothing itself. */
    public static boolean fannedOut(JournalEntry row) {
        return row.state() == AlertState.FANNED_OUT;
    }
}
