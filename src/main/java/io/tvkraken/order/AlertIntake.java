package io.tvkraken.order;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.alert.Alert;
import io.tvkraken.alert.AlertAge;
import io.tvkraken.journal.Journal;
import io.tvkraken.journal.JournalEntry;
import io.tvkraken.journal.JournalUnavailableException;
import io.tvkraken.telemetry.RequestLog;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The order steps of the webhook route (routes/webhook.camel.yaml) before an alert reaches an order worker:
 * {@link #parsed} puts the alert in its case, {@link #open} journals it and claims its alert id before anything can be
 * sent, {@link #duplicate} repeats the first outcome of an alert seen before. Its error handling
 * (routes/error-handling.camel.yaml) journals the alerts that stop here: {@link #refused}, {@link #failed}. An alert
 * that fails authentication has no case and is not journaled: anyone could fill the journal otherwise.
 */
public class AlertIntake {

    /** The exchange property in which Camel keeps the exception an error handler is handling. */
    private static final String CAUGHT = "CamelExceptionCaught";

    private static final Logger LOG = LoggerFactory.getLogger(AlertIntake.class);

    private final Journal journal;
    private final OrderLifecycle lifecycle;
    private final AlertAge age;
    private final ObjectMapper json;
    private final String mode;
    private final FanOut fanOut;
    private final Function<String, List<String>> strategyAccounts;

    /**
     * @param strategyAccounts the accounts a strategy's alerts trade on when they name none (the strategies file's
     *                         {@code strategies.<name>.accounts}, as it reads now; docs/accounts.md#strategies-on-several-accounts)
     */
    public AlertIntake(Journal journal, OrderLifecycle lifecycle, AlertAge age, ObjectMapper json, String mode,
            FanOut fanOut, Function<String, List<String>> strategyAccounts) {
        this.strategyAccounts = strategyAccounts;
        this.fanOut = fanOut;
        this.journal = journal;
        this.lifecycle = lifecycle;
        this.age = age;
        this.json = json;
        this.mode = mode;
    }

    /** The case with its alert: from here on its alert id is the alert's {@code id}, if it has one. */
    public AlertCase parsed(@Variable("case") AlertCase alertCase, @Body Alert alert) {
        // an alert of a strategy that names no account trades on the strategy's accounts; which ones is journaled with
        // it (Journal#open), so that it fans out to the same ones if it is run again
        if (alert != null && alert.strategy() != null && alert.accounts().isEmpty()) {
            List<String> accounts = strategyAccounts.apply(alert.strategy());
            if (!accounts.isEmpty()) {
                alert = alert.withAccounts(accounts);
            }
        }
        AlertCase parsed = alertCase.withAlert(alert);
        RequestLog.alertId(parsed.alertId());
        return parsed;
    }

    /**
     * Journals the alert. An order (not a validation) claims its alert id; if the id is taken, the alert is a
     * duplicate and its case names the entry that owns it.
     *
     * @throws JournalUnavailableException when the journal cannot be written: nothing may be sent (503)
     */
    public AlertCase open(@Variable("case") AlertCase alertCase) {
        var sendBy = age.sendBy(alertCase.alert());
        Journal.Opened opened = journal.open(alertCase.requestId(), alertCase.alertId(), alertCase.intent(),
                alertCase.body(), !alertCase.validation(), sendBy, alertCase.alert().fanOutAccounts());
        return alertCase.journaled(opened.row(), sendBy, opened.first());
    }

    /**
     * Seen before: the first outcome is repeated (its order and txids, or its error) and nothing is sent again; while
     * the first still runs, {@code pending}.
     */
    public Outcome duplicate(@Variable("case") AlertCase alertCase) {
        JournalEntry first = alertCase.first();
        if (!first.finished() || first.answer() == null) {
            LOG.info("duplicate of journal entry {} (request {}), which is still running", first.id(),
                    first.requestId());
            return Outcome.pendingDuplicate(alertCase, mode, first.requestId());
        }
        if (FanOut.fannedOut(first) && alertCase.alert() != null) {
            // each account's order as it stands now
            return fanOut.repeat(alertCase, first);
        }
        Outcome earlier;
        try {
            earlier = json.readValue(first.answer(), Outcome.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("journal entry " + first.id() + " holds an unreadable outcome");
        }
        LOG.info("duplicate of journal entry {} (request {}, {}): nothing sent", first.id(), first.requestId(),
                earlier.status());
        return earlier.asDuplicate(alertCase.requestId(), alertCase.alertId(), first.requestId());
    }

    /** A refusal in the intake (bad fields, stale, not JSON): journaled if the alert was authenticated. */
    public Outcome refused(@Variable("case") AlertCase alertCase, @Body Outcome outcome) {
        if (alertCase == null) {
            return outcome;
        }
        try {
            lifecycle.refusedInIntake(alertCase, outcome);
        } catch (JournalUnavailableException e) {
            // Nothing was sent; the refusal stands, it only could not be journaled.
            LOG.error("refused alert could not be journaled: {}", e.getMessage());
        }
        return outcome;
    }

    /**
     * An unexpected failure in the intake: the alert is journaled if it was not yet, and dead-lettered; if even that
     * fails, {@code not_stored} (503) so that the sender resends it.
     */
    public Outcome failed(@Variable("case") AlertCase alertCase,
            @ExchangeProperty(CAUGHT) Throwable failure) {
        if (alertCase == null) {
            LOG.error("request failed before it was authenticated", failure);
            return Outcome.notStored(null, null, mode, "the alert could not be stored; nothing was sent; please resend");
        }
        try {
            // with the accounts it fans out to, as any alert's row: its replay goes to the same ones
            AlertCase journaled = alertCase.journaled() ? alertCase : alertCase.journaled(journal.open(
                    alertCase.requestId(), alertCase.alertId(), alertCase.intent(), alertCase.body(), false,
                    age.sendBy(alertCase.alert()), alertCase.alert() == null ? List.of()
                            : alertCase.alert().fanOutAccounts()).row(), null, null);
            return lifecycle.deadLettered(journaled, OrderVerdict.ofFailure(failure, false).failure(), Map.of(),
                    failure);
        } catch (RuntimeException e) {
            LOG.error("alert could not be stored ({}): answering 503 so that the sender resends", e.getMessage(),
                    failure);
            return Outcome.notStored(alertCase.requestId(), alertCase.alertId(), mode,
                    "the alert could not be stored; nothing was sent; please resend");
        }
    }
}
