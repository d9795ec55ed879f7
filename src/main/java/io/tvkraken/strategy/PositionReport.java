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
 * account does: the exchange cannot cover them (coins sold by hand, an order filled outside the service, a withdrawal).
 *
 * @param books      every book, by strategy and pair
 * @param assets     per base asset the books trade: what the books hold, what the account holds, and whether that
 *                   covers them
 * @param holdingsAt when the account's holdings were read; null when they never were
 * @param drift      whether any asset is in drift
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PositionReport(List<BookLine> books, List<AssetLine> assets,
        @JsonProperty("holdings_read_at") Instant holdingsAt, boolean drift) {

    /** One book: its strategy ({@code null} for the pair's default book), pair, base asset and position. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record BookLine(String strategy, String pair, String asset, String position,
            @JsonProperty("open_orders") int openOrders, @JsonProperty("last_alert") Long lastAlert,
            @JsonProperty("last_time") Instant lastTime, @JsonProperty("updated_at") Instant updatedAt) {
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
            Function<String, Optional<AssetPair>> pairOf, Function<Books.Key, Integer> openOrders) {
        List<BookLine> lines = new ArrayList<>();
        Map<String, BigDecimal> byAsset = new TreeMap<>();
        for (Books.Book book : books) {
            Optional<AssetPair> pair = pairOf.apply(book.key().pair());
            String asset = pair.map(AssetPair::base).orElse(null);
            lines.add(new BookLine(book.key().strategy().isEmpty() ? null : book.key().strategy(), book.key().pair(),
                    asset, plain(book.position()), openOrders.apply(book.key()), book.lastAlert(), book.lastTime(),
                    book.updatedAt()));
            if (asset != null && book.position().signum() > 0) {
                byAsset.merge(asset, book.position(), BigDecimal::add);
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
        return new PositionReport(lines, assets, holdings.map(MarketData.Holdings::at).orElse(null), drift);
    }

    /** The assets in drift, e.g. {@code [XXBT]}. */
    public List<String> driftingAssets() {
        return assets.stream().filter(AssetLine::drift).map(AssetLine::asset).toList();
    }
}
