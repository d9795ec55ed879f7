package io.tvkraken.strategy;

import io.tvkraken.journal.Books;
import io.tvkraken.journal.JobLeases;
import io.tvkraken.kraken.MarketData;
import io.tvkraken.kraken.RateBudget;
import io.tvkraken.telemetry.Notice;
import io.tvkraken.telemetry.Notices;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The books beside the account ({@link PositionReport}): {@code GET /admin/positions} reads the account's holdings
 * first (one BalanceEx); the check-position-drift route compares the books with the holdings the
 * refresh-exchange-balances route read last, and raises {@code position_drift} when an asset falls short
 * (docs/strategies.md#drift). While a book is short, both also read the account's open margin positions (one
 * OpenPositions, when Kraken's REST counter has room).
 */
public class Positions {

    private static final Logger LOG = LoggerFactory.getLogger(Positions.class);
    /** A drift notice's claim: one instance raises it, once per day and set of drifting assets. */
    private static final Duration NOTICE_CLAIM = Duration.ofDays(2);

    private final Books books;
    private final MarketData market;
    private final RateBudget budget;
    private final JobLeases jobs;
    private final Notices notices;
    private final Clock clock;

    public Positions(Books books, MarketData market, RateBudget budget, JobLeases jobs, Notices notices,
            Clock clock) {
        this.books = books;
        this.budget = budget;
        this.market = market;
        this.jobs = jobs;
        this.notices = notices;
        this.clock = clock;
    }

    /**
     * The report, with the account's holdings read now when {@code readHoldings} (else, or when Kraken cannot be read,
     * as last read).
     */
    public PositionReport report(boolean readHoldings) {
        List<Books.Book> all = books.all();
        if (readHoldings) {
            try {
                market.readBalances();
            } catch (RuntimeException e) {
                LOG.warn("the account's balances could not be read ({}): the positions show the last reading",
                        e.getMessage());
            }
            readMarginPositions(all);
        }
        return report(all);
    }

    private PositionReport report(List<Books.Book> all) {
        return PositionReport.of(all, market.holdings(), market.marginPositions(), market::pairFor,
                key -> books.openOrders(key).size());
    }

    /**
     * With a book short, the account's open margin positions are read (one OpenPositions), if Kraken's REST counter has
     * room; else, or on failure, the last reading stands.
     */
    private void readMarginPositions(List<Books.Book> all) {
        if (!PositionReport.anyShort(all)) {
            return;
        }
        if (!budget.restRoomFor(1)) {
            LOG.info("no room in Kraken's REST counter to read the open margin positions: the last reading stands");
            return;
        }
        try {
            market.readMarginPositions();
        } catch (RuntimeException e) {
            LOG.warn("the open margin positions could not be read ({}): the positions show the last reading",
                    e.getMessage());
        }
    }

    /**
     * The check-position-drift route: the books against the last holdings read (no call to Kraken). A drift is raised
     * once per day and set of drifting assets, by whichever instance claims it first.
     *
     * @return the assets in drift
     */
    public List<String> checkDrift() {
        if (market.holdings().isEmpty()) {
            return List.of();
        }
        List<Books.Book> all = books.all();
        readMarginPositions(all);
        PositionReport report = report(all);
        List<String> drifting = report.driftingAssets();
        if (drifting.isEmpty()) {
            return drifting;
        }
        String job = "position-drift/" + clock.instant().atZone(ZoneOffset.UTC).toLocalDate() + "/"
                + String.join(",", drifting);
        if (jobs.claim(job, NOTICE_CLAIM)) {
            jobs.done(job);
            StringBuilder text = new StringBuilder();
            report.assets().stream().filter(PositionReport.AssetLine::drift).forEach(a -> text.append(a.symbol())
                    .append(": the books hold ").append(a.books()).append(", the account ").append(a.account())
                    .append('\n'));
            report.shorts().stream().filter(PositionReport.ShortLine::drift).forEach(p -> text.append(p.pair())
                    .append(": the books are short ").append(p.books()).append(", the account's margin positions ")
                    .append(p.account()).append('\n'));
            text.append("GET /admin/positions lists every book.");
            LOG.warn("position drift: the books hold more than the account: {}", drifting);
            notices.raise(Notice.of(Notice.Event.POSITION_DRIFT, Notice.Severity.WARNING,
                    "Position drift: the account does not cover the books on " + String.join(", ", drifting),
                    text.toString()));
        }
        return drifting;
    }
}
