package io.tvkraken.order;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.alert.Alert;
import io.tvkraken.alert.AlertAge;
import io.tvkraken.alert.AlertParser;
import io.tvkraken.alert.Refusal;
import io.tvkraken.alert.RefusedException;
import io.tvkraken.journal.DeadLetter;
import io.tvkraken.journal.DeadLetterStore;
import io.tvkraken.journal.AlertState;
import io.tvkraken.journal.Journal;
import io.tvkraken.journal.JournalEntry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /admin/dead-letters/{id}/replay}: runs a dead-lettered alert again through its own journal entry, so
 * under the same idempotency key — a second replay, or a replay of an alert that was executed meanwhile, sends
 * nothing. An order is never sent again straight away: its row goes back to {@code reconciling} and the
 * reconcile-orders route looks it up at Kraken first, whatever the journal says, and sends it only once proven
 * absent (a replay is the trader's decision, so the send-by time starts again from the replay). Two replays at once:
 * the journal's compare-and-set lets one through; the other is answered 409.
 */
public class Replays {

    private static final Logger LOG = LoggerFactory.getLogger(Replays.class);
    /** How long the admin caller waits for the replay's outcome before being answered 202 replaying. */
    static final Duration WAIT_FOR_OUTCOME = Duration.ofSeconds(15);

    /**
     * What the admin caller is told: the body, whose {@code status} is {@code replayed}, {@code found},
     * {@code duplicate}, {@code replaying} (still being looked up), {@code already_replayed} or {@code busy}.
     */
    public record Result(String status, Map<String, Object> body) {
    }

    public static final String REPLAYING = "replaying";
    public static final String ALREADY_REPLAYED = "already_replayed";
    public static final String BUSY = "busy";

    private final Journal journal;
    private final DeadLetterStore letters;
    private final OrderRunner runner;
    private final AlertParser parser;
    private final AlertAge age;
    private final TradingSwitch trading;
    private final ObjectMapper json;
    private final Clock clock;

    public Replays(Journal journal, DeadLetterStore letters, OrderRunner runner, AlertParser parser, AlertAge age,
            TradingSwitch trading, ObjectMapper json, Clock clock) {
        this.journal = journal;
        this.letters = letters;
        this.runner = runner;
        this.parser = parser;
        this.age = age;
        this.trading = trading;
        this.json = json;
        this.clock = clock;
    }

    public Result replay(String letterId, String requestId) {
        DeadLetter letter = letters.find(letterId).orElseThrow(() -> new RefusedException(Refusal.NOT_FOUND, "no dead letter " + letterId));
        Started started = start(letter, requestId);
        return started.result() != null ? started.result()
                : finish(started, System.nanoTime() + WAIT_FOR_OUTCOME.toNanos());
    }

    /**
     * {@code POST /admin/dead-letters/replay}: every pending letter at once — after an outage, the way to let one pass
     * of the reconcile-orders route look them all up with one pair of calls instead of one pair per letter.
     */
    public Result replayAll(String requestId) {
        List<Started> running = new ArrayList<>();
        List<Map<String, Object>> results = new ArrayList<>();
        for (DeadLetter letter : letters.pending()) {
            Started started = start(letter, requestId);
            if (started.result() != null) {
                results.add(started.result().body());
            } else {
                running.add(started);
            }
        }
        long until = System.nanoTime() + WAIT_FOR_OUTCOME.toNanos();
        for (Started started : running) {
            results.add(finish(started, until).body());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("count", results.size());
        body.put("replays", results);
        return new Result("replayed", body);
    }

    /** A replay under way: its letter and journal row, or — when it ended at once — its result. */
    private record Started(DeadLetter letter, long row, int attemptsBefore, Result result) {

        static Started done(DeadLetter letter, Result result) {
            return new Started(letter, 0, 0, result);
        }
    }

    private Started start(DeadLetter letter, String requestId) {
        if (!DeadLetter.PENDING.equals(letter.state())) {
            return Started.done(letter, result(letter, ALREADY_REPLAYED, letter.resolution(), null));
        }
        // Nothing changes while trading is off: the letter stays pending.
        trading.requireEnabled();
        Alert alert = parser.parse(letter.body() == null ? new byte[0] : letter.body().getBytes(StandardCharsets.UTF_8));
        Instant sendBy = age.sendBy(null);
        long row = letter.journalEntry() != null ? letter.journalEntry()
                : journal.open(requestId, letter.alertId(), letter.intent(), letter.body(), false, sendBy).row();
        JournalEntry entry = journal.get(row);
        if (entry.fanOut() != null) {
            // to the accounts journaled with it (its strategy's, as the strategies file gave them then)
            alert = alert.withAccounts(entry.fanOut());
        }
        if ("execute".equals(entry.intent()) && !entry.claimed() && !journal.claim(row)) {
            JournalEntry first = journal.holderOf(entry.alertId()).orElse(null);
            return Started.done(letter, settled(letter, "duplicate", "this alert is owned by journal entry "
                    + (first == null ? "?" : first.id()) + ": nothing sent", null));
        }
        if (AlertState.RECEIVED.equals(entry.state()) && letter.journalEntry() == null) {
            // a letter imported from a file: its new row goes the way of every replay
            journal.finish(row, AlertState.DEAD_LETTERED, 202, null, null, false, "imported dead letter " + letter.id());
            entry = journal.get(row);
        }
        if (!AlertState.DEAD_LETTERED.equals(entry.state())) {
            return Started.done(letter, settled(letter, "duplicate", "the alert is " + entry.state()
                    + " already: nothing sent", null));
        }
        if (!"execute".equals(entry.intent())) {
            if (!journal.reopen(row, AlertState.RECEIVED, sendBy, "replay of " + letter.id())) {
                return Started.done(letter, result(letter, BUSY, "another replay is running", null));
            }
            letters.resolve(letter.id(), "replaying", clock.instant());
            Outcome outcome = runner.runNow(AlertCase.of(entry, requestId, alert));
            letters.replayedAs(letter.id(), "replayed: " + outcome.status());
            return Started.done(letter, result(letter, "replayed", "replayed: " + outcome.status(),
                    outcome));
        }
        if (!journal.reopen(row, AlertState.RECONCILING, sendBy, "replay of " + letter.id()
                + ": looking the order up at Kraken before anything is sent")) {
            return Started.done(letter, result(letter, BUSY, "another replay is running", null));
        }
        letters.resolve(letter.id(), "replaying: looked up first, sent only if absent", clock.instant());
        LOG.info("replaying dead letter {} (journal entry {}, alert {})", letter.id(), row, entry.alertId());
        return new Started(letter, row, entry.attempts(), null);
    }

    /** The replay's outcome once its row is final, or 202 replaying if it is not by {@code untilNanos}. */
    private Result finish(Started started, long untilNanos) {
        DeadLetter letter = started.letter();
        JournalEntry done = waitForOutcome(started.row(), untilNanos);
        if (done == null) {
            return result(letter, REPLAYING, "the order is being looked up at Kraken; its outcome will be "
                    + "in the journal (GET /admin/orders)", null);
        }
        Outcome outcome = outcome(done);
        boolean found = AlertState.EXECUTED.equals(done.state()) && done.attempts() == started.attemptsBefore();
        String resolution = found ? "the order had been placed: " + done.txids() : "replayed: " + done.state();
        letters.replayedAs(letter.id(), resolution);
        return result(letter, found ? "found" : "replayed", resolution, outcome);
    }

    /** Polls the journal until the row is final; null if it is not by {@code until} (nanoTime). */
    private JournalEntry waitForOutcome(long row, long until) {
        while (System.nanoTime() < until) {
            JournalEntry entry = journal.get(row);
            if (entry.finished()) {
                return entry;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    private Outcome outcome(JournalEntry entry) {
        try {
            return entry.answer() == null ? null : json.readValue(entry.answer(), Outcome.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("journal entry " + entry.id() + " holds an unreadable answer", e);
        }
    }

    private Result settled(DeadLetter letter, String status, String resolution, Outcome outcome) {
        letters.resolve(letter.id(), resolution, clock.instant());
        return result(letter, status, resolution, outcome);
    }

    private static Result result(DeadLetter letter, String status, String message, Outcome outcome) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("dead_letter_id", letter.id());
        body.put("message", message);
        if (outcome != null) {
            body.put("outcome", outcome);
        }
        return new Result(status, body);
    }
}
