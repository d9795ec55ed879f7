package io.tvkraken.notify;

import io.tvkraken.journal.AlertState;
import io.tvkraken.journal.DeadLetterStore;
import io.tvkraken.journal.JobLeases;
import io.tvkraken.journal.Journal;
import io.tvkraken.telemetry.Notice;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daily summary (docs/notifications.md#daily-summary), the steps of the {@code daily-summary} route: once a day,
 * from {@code notify.daily-summary.at} (UTC), one instance of all those sharing the journal database claims the day
 * with a lease row ({@link JobLeases}) and raises one notice: orders executed and refused in the last 24 hours, dead
 * letters waiting, and the account's balances as Kraken reports them.
 */
public class DailySummary {

    private static final Logger LOG = LoggerFactory.getLogger(DailySummary.class);
    /** Long enough to compose and hand over the summary; a holder that died is replaced after it. */
    static final Duration LEASE = Duration.ofMinutes(5);

    private final boolean wanted;
    private final LocalTime at;
    private final Journal journal;
    private final DeadLetterStore deadLetters;
    private final Supplier<Map<String, BigDecimal>> balances;
    private final JobLeases leases;
    private final Clock clock;
    private volatile LocalDate lastDone;

    /**
     * @param wanted   whether any channel wants the daily summary; when none does, nothing is claimed or read
     * @param balances the account's balances by Kraken asset code (a Kraken call); a failure says "unavailable"
     */
    public DailySummary(boolean wanted, LocalTime at, Journal journal, DeadLetterStore deadLetters,
            Supplier<Map<String, BigDecimal>> balances, JobLeases leases, Clock clock) {
        this.wanted = wanted;
        this.at = at;
        this.journal = journal;
        this.deadLetters = deadLetters;
        this.balances = balances;
        this.leases = leases;
        this.clock = clock;
    }

    /** The day whose summary is due now and not yet sent by this instance, or null. */
    public LocalDate dueDay() {
        if (!wanted) {
            return null;
        }
        Instant now = clock.instant();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        if (now.isBefore(today.atTime(at).toInstant(ZoneOffset.UTC)) || today.equals(lastDone)) {
            return null;
        }
        if (leases.isDone(job(today))) {
            lastDone = today;
            return null;
        }
        return today;
    }

    /** This instance sends the day's summary: false when another instance holds it or has sent it. */
    public boolean claim(@Variable("summaryDay") LocalDate day) {
        return leases.claim(job(day), LEASE);
    }

    public Notice compose(@Variable("summaryDay") LocalDate day) {
        Instant now = clock.instant();
        Instant since = now.minus(Duration.ofDays(1));
        long executed = journal.ordersSince(AlertState.EXECUTED, since);
        long rejected = journal.ordersSince(AlertState.REJECTED, since);
        long deadLettered = journal.ordersSince(AlertState.DEAD_LETTERED, since);
        int pending = deadLetters.count();
        StringBuilder text = new StringBuilder();
        text.append("Last 24 hours: ").append(executed).append(" order(s) executed, ").append(rejected)
                .append(" refused, ").append(deadLettered).append(" dead-lettered.\n");
        text.append("Dead letters waiting for replay: ").append(pending).append(".\n");
        text.append("Balances: ").append(balancesLine());
        Notice.Severity severity = pending > 0 ? Notice.Severity.WARNING : Notice.Severity.INFO;
        return new Notice(Notice.Event.DAILY_SUMMARY, severity, "Daily summary for " + day, text.toString(), now);
    }

    public void done(@Variable("summaryDay") LocalDate day) {
        leases.done(job(day));
        lastDone = day;
    }

    private String balancesLine() {
        try {
            Map<String, BigDecimal> read = new TreeMap<>(balances.get());
            read.values().removeIf(amount -> amount.signum() == 0);
            if (read.isEmpty()) {
                return "none";
            }
            StringBuilder line = new StringBuilder();
            read.forEach((asset, amount) -> line.append(line.length() == 0 ? "" : ", ").append(asset).append(' ')
                    .append(amount.stripTrailingZeros().toPlainString()));
            return line.toString();
        } catch (RuntimeException e) {
            LOG.info("daily summary: balances unavailable ({})", e.getClass().getSimpleName());
            return "unavailable (Kraken could not be asked)";
        }
    }

    static String job(LocalDate day) {
        return "daily-summary/" + day;
    }
}
