package io.tvkraken.strategy;

import static io.tvkraken.order.OrderRequest.plain;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tvkraken.journal.Books;
import io.tvkraken.kraken.AssetPair;
import io.tvkraken.kraken.MarketData;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The strategies' books beside what the account holds (docs/strategies.md#drift): {@code GET /admin/positions}, and the
 * check-position-drift route. A book is in <b>drift</b> when the books on its base asset together hold more than the
 * account does: the exchange cannot cover them (coins sold by hand, an order filled outside the service, a withdrawal);
 * or when the short books on a pair are short more than the account's open margin positions on it (a position closed by
 * hand, or liquidated).
 *
 * @param books      every book, by strategy and pair
 * @param assets     per base asset the books trade: what the books hold, what the account holds, and whether that
 *                   covers them
 * @param shorts     per pair the short books trade: what the books are short, what the account's open margin
 *                   positions are short (OpenPositions), and whether that covers them
 * @param holdingsAt when the account's holdings were read; null when they never were
 * @param marginAt   when the open margin positions were read; null when they never were
 * @param drift      whether any asset is in drift
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PositionReport(List<BookLine> books, List<AssetLine> assets, List<ShortLine> shorts,
        @JsonProperty("holdings_read_at") Instant holdingsAt,
        @JsonProperty("margin_positions_read_at") Instant marginAt, boolean drift) {

    /**
     * One book: its strategy ({@code null} for the pair's default book), pair, Kraken account ({@code null} for the
     * default account's), base asset and position.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record BookLine(String strategy, String pair, String account, String asset, String position,
            @JsonProperty("open_orders") int openOrders, @JsonProperty("last_alert") Long lastAlert,
            @JsonProperty("last_time") Instant lastTime, @JsonProperty("updated_at") Instant updatedAt) {
    }

    /**
     * A pair short books trade (docs/strategies.md#drift): their total (below 0), the account's open margin positions
     * on the pair, netted (below 0 when short), and whether the account is short less than the books.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ShortLine(String pair, String books, String account, boolean drift) {
    }

    /** An asset the books trade: their total (long books), the account's holding, and whether it falls short. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AssetLine(String asset, String symbol, String books, String account, boolean drift) {
    }

    /**
     * Builds the report.
     *
     * @param pairOf     a book's pair by its altname, if Kraken lists it
     * @param openOrders how many orders of a book are not counted in it yet
     */
    public static PositionReport of(List<Books.Book> books, Optional<MarketData.Holdings> holdings,
            Optional<MarketData.MarginPositions> margin, Function<String, Optional<AssetPair>> pairOf,
            Function<Books.Key, Integer> openOrders) {
        List<BookLine> lines = new ArrayList<>();
        Map<String, BigDecimal> byAsset = new TreeMap<>();
        Map<String, BigDecimal> shortByPair = new TreeMap<>();
        for (Books.Book book : books) {
            Optional<AssetPair> pair = pairOf.apply(book.key().pair());
            String asset = pair.map(AssetPair::base).orElse(null);
            lines.add(new BookLine(book.key().strategy().isEmpty() ? null : book.key().strategy(), book.key().pair(),
                    book.key().defaultAccount() ? null : book.key().account(), asset, plain(book.position()),
                    openOrders.apply(book.key()), book.lastAlert(), book.lastTime(), book.updatedAt()));
            if (!book.key().defaultAccount()) {
                // the holdings read are the default account's: another account's books are listed, not compared
                continue;
            }
            if (asset != null && book.position().signum() > 0) {
                byAsset.merge(asset, book.position(), BigDecimal::add);
            }
            if (book.position().signum() < 0) {
                shortByPair.merge(book.key().pair(), book.position(), BigDecimal::add);
            }
        }
        List<AssetLine> assets = new ArrayList<>();
        boolean drift = false;
        for (Map.Entry<String, BigDecimal> asset : byAsset.entrySet()) {
            BigDecimal account = holdings.map(h -> h.byAsset().getOrDefault(asset.getKey(), BigDecimal.ZERO))
                    .orElse(null);
            boolean short_ = account != null && asset.getValue().compareTo(account) > 0;
            drift |= short_;
            assets.add(new AssetLine(asset.getKey(), AssetPair.symbol(asset.getKey()), plain(asset.getValue()),
                    account == null ? null : plain(account), short_));
        }
        List<ShortLine> shorts = new ArrayList<>();
        for (Map.Entry<String, BigDecimal> pair : shortByPair.entrySet()) {
            String id = pairOf.apply(pair.getKey()).map(AssetPair::id).orElse(pair.getKey());
            BigDecimal account = margin.map(m -> m.byPairId().getOrDefault(id, BigDecimal.ZERO)).orElse(null);
            boolean uncovered = account != null && pair.getValue().compareTo(account.min(BigDecimal.ZERO)) < 0;
            drift |= uncovered;
            shorts.add(new ShortLine(pair.getKey(), plain(pair.getValue()), account == null ? null : plain(account),
                    uncovered));
        }
        return new PositionReport(lines, assets, shorts, holdings.map(MarketData.Holdings::at).orElse(null),
                margin.map(MarketData.MarginPositions::at).orElse(null), drift);
    }

    /** The assets and the short pairs in drift, e.g. {@code [XXBT, short XBTUSD]}. */
    public List<String> driftingAssets() {
        List<String> drifting = new ArrayList<>(assets.stream().filter(AssetLine::drift).map(AssetLine::asset)
                .toList());
        shorts.stream().filter(ShortLine::drift).forEach(s -> drifting.add("short " + s.pair()));
        return drifting;
    }

    /**
     * Whether any book of the default account is short: only then are its margin positions worth a call to Kraken.
     */
    public static boolean anyShort(List<Books.Book> books) {
        return books.stream().anyMatch(b -> b.key().defaultAccount() && b.position().signum() < 0);
    }
}
