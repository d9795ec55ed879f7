package io.tvkraken.order;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.alert.Alert;
import io.tvkraken.alert.AlertParser;
import io.tvkraken.alert.AlertRejectedException;
import io.tvkraken.deadletter.DeadLetter;
import io.tvkraken.deadletter.DeadLetterStore;
import io.tvkraken.deadletter.DeadLetters;
import io.tvkraken.ingress.IncomingRequest;
import io.tvkraken.journal.AlertJournal;
import io.tvkraken.journal.Journal;
import io.tvkraken.journal.JournalEntry;
import io.tvkraken.ops.Outcome;
import io.tvkraken.ops.TradingSwitch;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /admin/dead-letters/{id}/replay}: runs a dead-lettered alert again through its own journal entry, so
 * under the same idempotency key — a second replay, or a replay of an alert that was executed meanwhile, sends
 * nothing. A letter whose AddOrder may have been placed is looked up at Kraken first. Two replays at once: the
 * journal's compare-and-set lets one through; the other is answered 409.
 */
public class Replays {

    private static final Logger LOG = LoggerFactory.getLogger(Replays.class);

    /** What the admin caller is told: HTTP status and body. */
    public record Result(int status, Map<String, Object> body) {
    }

    private final Journal journal;
    private final DeadLetterStore letters;
    private final OrderRunner runner;
    private final OrderOutcomes outcomes;
    private final Reconciler reconciler;
    private final AlertParser parser;
    private final TradingSwitch trading;
    private final ObjectMapper json;
    private final Clock clock;

    public Replays(Journal journal, DeadLetterStore letters, OrderRunner runner,
            OrderOutcomes outcomes, Reconciler reconciler, AlertParser parser, TradingSwitch trading,
            ObjectMapper json, Clock clock) {
        this.journal = journal;
        this.letters = letters;
        this.runner = runner;
        this.outcomes = outcomes;
        this.reconciler = reconciler;
        this.parser = parser;
        this.trading = trading;
        this.json = json;
        this.clock = clock;
    }

    public Result replay(String letterId, String requestId) {
        DeadLetter letter = letters.find(letterId).orElseThrow(() -> new AlertRejectedException(404, "not_found",
                "no dead letter " + letterId));
        if (!DeadLetter.PENDING.equals(letter.state())) {
            return result(409, letter, "already_replayed", letter.resolution(), null);
        }
        // Nothing changes while trading is off: the letter stays pending.
        trading.requireEnabled();
        Alert alert = parser.parse(letter.body() == null ? new byte[0] : letter.body().getBytes(StandardCharsets.UTF_8));
        long row = letter.journalEntry() != null ? letter.journalEntry()
                : journal.open(requestId, letter.alertId(), letter.intent(), letter.body(), false).row();
        JournalEntry entry = journal.get(row);
        if ("execute".equals(entry.intent()) && !entry.claimed() && !journal.claim(row)) {
            JournalEntry first = journal.holderOf(entry.alertId()).orElse(null);
            return settled(letter, "duplicate", "this alert is owned by journal entry "
                    + (first == null ? "?" : first.id()) + ": nothing sent", null);
        }
        if (!Journal.DEAD_LETTERED.equals(entry.state())) {
            return settled(letter, "duplicate", "the alert is " + entry.state() + " already: nothing sent", null);
        }
        // Letters imported from the foundation's files have no journal entry of their own yet: their order is theirs.
        Map<String, String> sent = new LinkedHashMap<>(entry.orderRequest() != null ? Recovery.params(entry, json)
                : letter.order());
        if (letter.mayHaveBeenPlaced()) {
            if (!journal.transition(row, List.of(Journal.DEAD_LETTERED), Journal.RECONCILING,
                    "replay of " + letterId + ": looking the order up first")) {
                return result(409, letter, "busy", "another replay is running", null);
            }
            Reconciler.Finding finding = reconciler.lookUp(sent,
                    entry.firstSentAt() != null ? entry.firstSentAt() : letter.receivedAt());
            journal.event(row, Journal.RECONCILING, finding.detail());
            switch (finding.verdict()) {
                case FOUND:
                    Outcome found = outcomes.executed(DeadLetters.Letterhead.of(entry), sent, finding.description(),
                            finding.txids(), false);
                    return settled(letter, "found", "the order had been placed: " + finding.txids(), found);
                case UNKNOWN:
                    journal.transition(row, List.of(Journal.RECONCILING), Journal.DEAD_LETTERED, finding.detail());
                    return result(503, letter, "unknown",
                            "Kraken could not be asked whether the order exists; the letter stays pending", null);
                default:
                    if (!journal.transition(row, List.of(Journal.RECONCILING), Journal.RECEIVED, "replaying")) {
                        return result(409, letter, "busy", "another replay is running", null);
                    }
            }
        } else if (!journal.transition(row, List.of(Journal.DEAD_LETTERED), Journal.RECEIVED,
                "replay of " + letterId)) {
            return result(409, letter, "busy", "another replay is running", null);
        }
        LOG.info("replaying dead letter {} (journal entry {}, alert {})", letterId, row, entry.alertId());
        Map<String, Object> work = new java.util.HashMap<>();
        work.put(IncomingRequest.REQUEST_ID, requestId);
        work.put(OrderDesk.ALERT, alert);
        work.put(OrderDesk.ALERT_ID, entry.alertId());
        work.put(OrderDesk.JOURNAL_ROW, row);
        work.put(OrderDesk.JOURNALED_BODY, entry.body());
        work.put(AlertJournal.INTENT, entry.intent());
        Outcome outcome = runner.runNow(work);
        return settled(letter, "replayed", "replayed: " + outcome.answer().status(), outcome);
    }

    private Result settled(DeadLetter letter, String status, String resolution, Outcome outcome) {
        letters.resolve(letter.id(), resolution, clock.instant());
        return result(200, letter, status, resolution, outcome);
    }

    private static Result result(int code, DeadLetter letter, String status, String message, Outcome outcome) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("dead_letter_id", letter.id());
        body.put("message", message);
        if (outcome != null) {
            body.put("outcome_status", outcome.status());
            body.put("outcome", outcome.answer());
        }
        return new Result(code, body);
    }
}
