package io.tvkraken.kraken;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Kraken's spot pairs, and the resolution of the tickers traders send to one of them (docs/alerts.md#tickers,
 * docs/kraken.md#pair-names). Built once from AssetPairs at start-up, immutable afterwards, safe to share between
 * threads.
 *
 * <p>Accepted spellings, any case, surrounding whitespace ignored:
 * <ul>
 *   <li>Kraken's pair id ({@code XXBTZUSD}), altname ({@code XBTUSD}) and wsname ({@code XBT/USD}, also without
 *       the slash);</li>
 *   <li>base and quote without Kraken's X/Z class prefixes ({@code XBTUSD} for {@code XXBT}+{@code ZUSD}), and the
 *       same with TradingView's names for the two assets Kraken renames ({@code BTC} for {@code XBT}, {@code DOGE}
 *       for {@code XDG}): {@code BTCUSD}, {@code BTC/USD}, {@code ETHBTC}, {@code DOGEUSD}. The catalog indexes
 *       these names rather than rewriting BTC to XBT in the input, because a rewrite of a slashless ticker cannot
 *       tell where the base ends ({@code WBTCUSD} is wrapped bitcoin, not {@code WXBTUSD});</li>
 *   <li>any of these behind TradingView's {@code KRAKEN:} exchange prefix;</li>
 *   <li>{@code -} as the separator instead of {@code /} ({@code BTC-USD}). It names no other market on Kraken, so
 *       reading it as {@code BTC/USD} cannot place an order the trader did not mean.</li>
 * </ul>
 *
 * <p>Refused (empty result): another exchange's prefix ({@code BINANCE:BTCUSDT}) — the alert comes from a chart of
 * another venue, and an order on Kraken is not what the trader set up; and any other character, which covers
 * TradingView's suffixes for derivatives ({@code BTCUSD.P} is a perpetual, not the spot pair).
 *
 * <p>Ambiguity: keys are looked up by rank — id and altname first, then wsname, then base+quote, then the
 * TradingView names — so an exact Kraken name always wins over a derived one. When two pairs derive the same key
 * at the same rank, that key resolves to neither: guessing between two markets is worse than a rejected alert.
 */
public final class PairCatalog {

    private static final String KRAKEN_PREFIX = "KRAKEN:";
    private static final Pattern SPOT_TICKER = Pattern.compile("[A-Z0-9]+([/-][A-Z0-9]+)?");

    /** Kraken's asset names that TradingView and most of the market spell differently (docs/kraken.md#pair-names). */
    private static final Map<String, String> TRADINGVIEW_NAMES = Map.of("XBT", "BTC", "XDG", "DOGE");

    private final List<AssetPair> pairs;
    /** Lookup tables, most exact first. */
    private final List<Rank> ranks;

    private PairCatalog(Collection<AssetPair> pairs) {
        this.pairs = List.copyOf(pairs);
        this.ranks = List.of(
                Rank.of(this.pairs, p -> List.of(p.id(), p.altname())),
                Rank.of(this.pairs, p -> p.wsname() == null ? List.of() : List.of(p.wsname())),
                Rank.of(this.pairs, p -> List.of(p.baseSymbol() + p.quoteSymbol())),
                Rank.of(this.pairs, p -> List.of(tradingViewName(p.baseSymbol()) + tradingViewName(p.quoteSymbol()))));
    }

    public static PairCatalog of(Collection<AssetPair> pairs) {
        return new PairCatalog(pairs);
    }

    /** @param result the {@code result} object of {@code GET /0/public/AssetPairs}, keyed by pair id */
    public static PairCatalog fromAssetPairsResult(JsonNode result) {
        List<AssetPair> pairs = new ArrayList<>();
        result.properties().forEach(e -> pairs.add(AssetPair.fromKraken(e.getKey(), e.getValue())));
        return new PairCatalog(pairs);
    }

    public Optional<AssetPair> resolve(String ticker) {
        if (ticker == null) {
            return Optional.empty();
        }
        String symbol = ticker.trim().toUpperCase(Locale.ROOT);
        if (symbol.contains(":")) {
            if (!symbol.startsWith(KRAKEN_PREFIX)) {
                return Optional.empty();
            }
            symbol = symbol.substring(KRAKEN_PREFIX.length());
        }
        if (!SPOT_TICKER.matcher(symbol).matches()) {
            return Optional.empty();
        }
        String key = symbol.replace("/", "").replace("-", "");
        for (Rank rank : ranks) {
            if (rank.ambiguous().contains(key)) {
                return Optional.empty();
            }
            AssetPair pair = rank.pairs().get(key);
            if (pair != null) {
                return Optional.of(pair);
            }
        }
        return Optional.empty();
    }

    public int size() {
        return pairs.size();
    }

    public Collection<AssetPair> pairs() {
        return pairs;
    }

    private static String tradingViewName(String symbol) {
        return TRADINGVIEW_NAMES.getOrDefault(symbol, symbol);
    }

    /**
     * One lookup table: keys upper case without separator. A key two pairs claim is kept apart as ambiguous, so that
     * it resolves to neither rather than falling through to a less exact rank.
     */
    private record Rank(Map<String, AssetPair> pairs, Set<String> ambiguous) {

        static Rank of(List<AssetPair> pairs, Function<AssetPair, List<String>> names) {
            Map<String, AssetPair> index = new HashMap<>();
            Set<String> ambiguous = new HashSet<>();
            for (AssetPair pair : pairs) {
                for (String name : names.apply(pair)) {
                    String key = name.toUpperCase(Locale.ROOT).replace("/", "");
                    AssetPair previous = index.putIfAbsent(key, pair);
                    if (previous != null && previous != pair) {
                        ambiguous.add(key);
                    }
                }
            }
            ambiguous.forEach(index::remove);
            return new Rank(Map.copyOf(index), Set.copyOf(ambiguous));
        }
    }
}
