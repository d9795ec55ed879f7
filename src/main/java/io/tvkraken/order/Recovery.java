package io.tvkraken.order;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.deadletter.DeadLetters;
import io.tvkraken.journal.Journal;
import io.tvkraken.journal.JournalEntry;
import io.tvkraken.ops.Outcome;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up reconciliation (issue 3): alerts that were acknowledged but not finished when the previous process stopped
 * — a crash, a SIGTERM whose shutdown timeout ran out — are settled:
 *
 * <ul>
 *   <li>{@code received}: no AddOrder left; dead-lettered as {@code interrupted}, for the operator to replay.</li>
 *   <li>{@code sending}/{@code reconciling}: the AddOrder may have been placed; it is looked up at Kraken. Found →
 *       executed. Absent after its deadline → dead-lettered as not placed. Kraken unreachable → dead-lettered as "may
 *       have been placed". Never sent again on its own: the alert is old by now, and that is the operator's call.</li>
 * </ul>
 *
 * <p>Only rows untouched since before this process started are taken. With several instances on one PostgreSQL, a
 * peer's alert in flight could be dead-lettered here while the peer finishes it; its journal state then says
 * executed, and a replay of the letter finds that and sends nothing.
 */
public class Recovery {

    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

    private final Journal journal;
    private final OrderOutcomes outcomes;
    private final DeadLetters deadLetters;
    private final ObjectMapper json;

    public Recovery(Journal journal, OrderOutcomes outcomes, DeadLetters deadLetters, ObjectMapper json) {
        this.journal = journal;
        this.outcomes = outcomes;
        this.deadLetters = deadLetters;
        this.json = json;
    }

    /** @return how many alerts were settled */
    public int recover(Instant startedAt) {
        List<JournalEntry> unfinished = journal.unfinished(startedAt);
        if (unfinished.isEmpty()) {
            return 0;
        }
        LOG.warn("{} alert(s) were left unfinished by the previous run: reconciling", unfinished.size());
        int settled = 0;
        for (JournalEntry entry : unfinished) {
            try {
                Outcome outcome = settle(entry);
                LOG.warn("journal entry {} (alert {}, request {}): {}", entry.id(), entry.alertId(), entry.requestId(),
                        outcome == null ? "taken over meanwhile" : outcome.answer().status());
                settled++;
            } catch (RuntimeException e) {
                LOG.error("journal entry {} could not be reconciled: {}", entry.id(), e.getMessage(), e);
            }
        }
        return settled;
    }

    private Outcome settle(JournalEntry entry) {
        DeadLetters.Letterhead alert = DeadLetters.Letterhead.of(entry);
        Map<String, String> sent = params(entry, json);
        if (Journal.RECEIVED.equals(entry.state())) {
            if (!journal.transition(entry.id(), List.of(Journal.RECEIVED), Journal.RECONCILING, "recovery")) {
                return null;
            }
            return deadLetters.store(alert, new DeadLetters.Failure("interrupted",
                    "the service stopped before the order was sent: nothing was sent", false), sent, null);
        }
        if (!journal.transition(entry.id(), List.of(Journal.SENDING, Journal.RECONCILING), Journal.RECONCILING,
                "recovery: looking the order up")) {
            return null;
        }
        return outcomes.settle(alert, sent, false);
    }

    /** The AddOrder parameters a journal entry recorded (without nonce); empty before the order was planned. */
    static Map<String, String> params(JournalEntry entry, ObjectMapper json) {
        if (entry.orderRequest() == null) {
            return Map.of();
        }
        try {
            return json.readValue(entry.orderRequest(), new TypeReference<Map<String, String>>() { });
        } catch (java.io.IOException e) {
            throw new IllegalStateException("journal entry " + entry.id() + " holds an unreadable order", e);
        }
    }
}
