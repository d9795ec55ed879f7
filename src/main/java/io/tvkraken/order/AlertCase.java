package io.tvkraken.order;

import io.tvkraken.alert.Alert;
import io.tvkraken.alert.AlertParser;
import io.tvkraken.journal.JournalEntry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One alert on its way through the routes, from authentication to its answer: the exchange variable {@code case}.
 * Each step that learns something returns a new case (the alert once parsed, the journal entry once journaled); the
 * beans take it as a typed argument ({@code @Variable("case")}).
 *
 * @param requestId    the request's id, answered in {@code X-Request-ID} and logged on every line of its journey
 * @param intent       {@code execute} or {@code validate} ({@code validate: true} in the alert makes it a validation)
 * @param body         the alert's body as received, without its secrets (the passphrase is removed at authentication)
 * @param receivedNanos when it arrived ({@link System#nanoTime()}): answer latency and the answer's due time
 * @param alert        the alert, once parsed
 * @param alertId      the alert's {@code id}, else a hash of its body: the idempotency key of an order
 *                     ({@link AlertParser#alertId})
 * @param journalEntry its row in the journal, once journaled
 * @param sendBy       the latest time an AddOrder for it may leave, once journaled
 * @param first        for a duplicate: the journal entry of the alert it repeats
 * @param account      for one account's order of an alert for several (docs/accounts.md#fan-out): that account's
 *                     name ({@code default} included); null for an alert not (yet) split by account
 */
public record AlertCase(String requestId, String intent, String body, long receivedNanos, Alert alert,
        String alertId, Long journalEntry, Instant sendBy, JournalEntry first, String account) {

    public static final String EXECUTE = "execute";
    public static final String VALIDATE = "validate";

    /** An authenticated request, before its body is read. */
    public static AlertCase authenticated(String requestId, String routeIntent, byte[] body, long receivedNanos) {
        byte[] bytes = body == null ? new byte[0] : body;
        return new AlertCase(requestId, VALIDATE.equals(routeIntent) ? VALIDATE : EXECUTE,
                body == null ? null : new String(body, StandardCharsets.UTF_8), receivedNanos, null,
                AlertParser.alertId(null, bytes), null, null, null, null);
    }

    /** A journaled alert picked up again (by the reconcile-orders route, a replay). */
    public static AlertCase of(JournalEntry entry, String requestId, Alert alert) {
        return new AlertCase(requestId, entry.intent(), entry.body(), System.nanoTime(), alert, entry.alertId(),
                entry.id(), entry.sendBy(), null, entry.account());
    }

    public static AlertCase of(JournalEntry entry) {
        return of(entry, entry.requestId(), null);
    }

    /** Parsed: a {@code validate: true} alert is a validation whichever endpoint it came to. */
    public AlertCase withAlert(Alert parsed) {
        String effective = parsed != null && parsed.validate() ? VALIDATE : intent;
        String id = parsed != null && parsed.id() != null ? parsed.id() : alertId;
        return new AlertCase(requestId, effective, body, receivedNanos, parsed, id, journalEntry, sendBy, first,
                account);
    }

    public AlertCase journaled(long row, Instant sendByTime, JournalEntry firstEntry) {
        return new AlertCase(requestId, intent, body, receivedNanos, alert, alertId, row, sendByTime, firstEntry,
                account);
    }

    /**
     * The same case with its alert as changed on the way (sized for its account, or given its strategy's accounts):
     * its alert id, journal entry and account stay as they are.
     */
    public AlertCase withChangedAlert(Alert changed) {
        return new AlertCase(requestId, intent, body, receivedNanos, changed, alertId, journalEntry, sendBy, first,
                account);
    }

    /** The order of this alert for {@code name}: a row of its own, {@code legAlertId} its alert id. */
    public AlertCase forAccount(String name, String legAlertId, long row) {
        return new AlertCase(requestId, intent, body, receivedNanos, alert, legAlertId, row, sendBy, null, name);
    }

    /**
     * An alert for other accounts than the default one alone, not yet split: its accounts' orders are placed each on
     * its own (route fan-out, docs/accounts.md#fan-out).
     */
    public boolean fanOut() {
        return account == null && alert != null && !alert.fanOutAccounts().isEmpty();
    }

    public boolean validation() {
        return VALIDATE.equals(intent);
    }

    /** Seen before: {@link #first} owns the alert id. */
    public boolean duplicate() {
        return first != null;
    }

    public boolean journaled() {
        return journalEntry != null;
    }
}
