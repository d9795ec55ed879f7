package io.tvkraken.paper;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Kraken's public market data methods: {@code Time}, {@code SystemStatus}, {@code Assets}, {@code AssetPairs},
 * {@code Ticker}, {@code Depth} and {@code OHLC} (GET, query string; docs/paper-exchange.md#methods). No rate limit:
 * Kraken limits them per IP address and publishes no figures.
 */
final class PublicEndpoints {

    private static final Set<String> METHODS = Set.of("Time", "SystemStatus", "Assets", "AssetPairs", "Ticker",
            "Depth", "OHLC");
    /** OHLC's intervals, in minutes (https://docs.kraken.com/api/docs/rest-api/get-ohlc-data). */
    private static final Set<Integer> INTERVALS = Set.of(1, 5, 15, 30, 60, 240, 1440, 10080, 21600);
    /** OHLC answers at most 720 intervals. */
    private static final int CANDLES = 720;
    /** Kraken's Time: {@code Thu, 06 Jul 23 18:50:48 +0000}, a two-digit year. */
    private static final DateTimeFormatter RFC1123_SHORT_YEAR =
            DateTimeFormatter.ofPattern("EEE, dd MMM yy HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private final Clock clock;
    private final Replies replies;
    private final PaperPairs pairs;
    private final PaperAccount account;

    PublicEndpoints(Clock clock, Replies replies, PaperPairs pairs, PaperAccount account) {
        this.clock = clock;
        this.replies = replies;
        this.pairs = pairs;
        this.account = account;
    }

    /**
     * @return Kraken's envelope with the result
     * @throws KrakenReject for a request Kraken refuses
     */
    byte[] answer(PaperRequest request) {
        String method = request.method();
        if (!METHODS.contains(method)) {
            throw new KrakenReject("EGeneral:Unknown method");
        }
        if (!request.httpMethod().equals("GET")) {
            // Public calls are GET only on Kraken; POST is no longer supported there.
            throw new KrakenReject("EGeneral:Invalid arguments");
        }
        Map<String, String> query = FormParams.decodeForm(request.uri().getRawQuery());
        account.checkCancelAllAfter();
        switch (method) {
            case "Time": {
                Instant now = clock.instant();
                Map<String, Object> time = new LinkedHashMap<>();
                time.put("unixtime", now.getEpochSecond());
                time.put("rfc1123", RFC1123_SHORT_YEAR.format(now));
                return replies.result(time);
            }
            case "SystemStatus": {
                Map<String, Object> status = new LinkedHashMap<>();
                status.put("status", "online");
                status.put("timestamp", clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
                return replies.result(status);
            }
            case "AssetPairs":
                return assetPairs(query.get("pair"));
            case "Assets":
                return assets(query.get("asset"));
            case "Depth":
                return depth(query.get("pair"), query.get("count"));
            case "OHLC":
                return ohlc(query.get("pair"), query.get("interval"), query.get("since"));
            default:
                return ticker(query.get("pair"));
        }
    }

    /**
     * Assets (https://docs.kraken.com/api/docs/rest-api/get-asset-info): every asset the pairs trade, keyed by Kraken's
     * code ({@code XXBT}, {@code ZUSD}), with its {@code altname} (the code without Kraken's X or Z class prefix:
     * {@code XBT}, {@code USD}), {@code decimals} (10 for crypto, 4 for fiat, the Z codes) and
     * {@code display_decimals}; {@code asset} narrows it to a comma list of codes or altnames.
     */
    private byte[] assets(String assetList) {
        Map<String, Map<String, Object>> all = new TreeMap<>();
        for (PaperPair pair : pairs.all()) {
            for (String code : List.of(pair.base(), pair.quote())) {
                all.computeIfAbsent(code, PublicEndpoints::asset);
            }
        }
        if (assetList == null || assetList.isBlank()) {
            return replies.result(all);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        for (String name : assetList.split(",")) {
            String wanted = name.trim();
            Map.Entry<String, Map<String, Object>> found = all.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(wanted)
                            || String.valueOf(e.getValue().get("altname")).equalsIgnoreCase(wanted))
                    .findFirst().orElseThrow(() -> new KrakenReject("EQuery:Unknown asset"));
            result.put(found.getKey(), found.getValue());
        }
        return replies.result(result);
    }

    private static Map<String, Object> asset(String code) {
        boolean prefixed = code.length() == 4 && (code.startsWith("X") || code.startsWith("Z"));
        boolean fiat = code.startsWith("Z") && prefixed;
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("aclass", "currency");
        row.put("altname", prefixed ? code.substring(1) : code);
        row.put("decimals", fiat ? 4 : 10);
        row.put("display_decimals", fiat ? 2 : 5);
        row.put("status", "enabled");
        return row;
    }

    /**
     * Depth (https://docs.kraken.com/api/docs/rest-api/get-order-book): the simulated book around the last price
     * ({@link SimulatedBook}), {@code count} levels a side (1 to 500, 100 by default), each
     * {@code [price, volume, timestamp]}.
     */
    private byte[] depth(String pairName, String countText) {
        PaperPair pair = onePair(pairName);
        int count = countText == null || countText.isBlank() ? 100 : OrderFilters.parseInt(countText, "count");
        if (count < 1 || count > 500) {
            throw KrakenReject.invalidArguments("count");
        }
        BigDecimal last = account.price(pair.id());
        long now = clock.instant().getEpochSecond();
        Map<String, Object> book = new LinkedHashMap<>();
        book.put("asks", levels(pair, SimulatedBook.side(pair, true, last, account.bookLevelQuote(), count), now));
        book.put("bids", levels(pair, SimulatedBook.side(pair, false, last, account.bookLevelQuote(), count), now));
        return replies.result(Map.of(pair.id(), book));
    }

    private static List<List<Object>> levels(PaperPair pair, List<SimulatedBook.Level> levels, long now) {
        List<List<Object>> rows = new ArrayList<>();
        for (SimulatedBook.Level level : levels) {
            rows.add(List.of(Replies.plain(level.price(), pair.pairDecimals()),
                    Replies.plain(level.volume(), pair.lotDecimals()), now));
        }
        return rows;
    }

    /**
     * OHLC (https://docs.kraken.com/api/docs/rest-api/get-ohlc-data): the last 720 intervals of {@code interval}
     * minutes (1 by default) up to now, from the prices the pair traded or was set at, each
     * {@code [time, open, high, low, close, vwap, volume, count]}: open is the interval's first price, close its last;
     * an interval without one repeats the last close.
     * {@code since} keeps the intervals after it; {@code last} is the newest interval's start.
     */
    private byte[] ohlc(String pairName, String intervalText, String sinceText) {
        PaperPair pair = onePair(pairName);
        int minutes = intervalText == null || intervalText.isBlank() ? 1
                : OrderFilters.parseInt(intervalText, "interval");
        if (!INTERVALS.contains(minutes)) {
            throw KrakenReject.invalidArguments("interval");
        }
        long since = sinceText == null || sinceText.isBlank() ? Long.MIN_VALUE
                : OrderFilters.parseInt(sinceText, "since");
        long step = minutes * 60L;
        long newest = Math.floorDiv(clock.instant().getEpochSecond(), step) * step;
        long oldest = newest - (CANDLES - 1) * step;
        List<PaperAccount.PricePoint> points = account.history(pair.id());
        List<List<Object>> candles = new ArrayList<>();
        BigDecimal close = null;
        int next = 0;
        // the close before the window opens
        while (next < points.size() && points.get(next).at().getEpochSecond() < oldest) {
            close = points.get(next++).price();
        }
        for (long start = oldest; start <= newest; start += step) {
            BigDecimal open = close;
            BigDecimal high = close;
            BigDecimal low = close;
            BigDecimal volume = BigDecimal.ZERO;
            BigDecimal turnover = BigDecimal.ZERO;
            int count = 0;
            boolean first = true;
            while (next < points.size() && points.get(next).at().getEpochSecond() < start + step) {
                PaperAccount.PricePoint point = points.get(next++);
                if (first) {
                    open = point.price();
                    high = point.price();
                    low = point.price();
                    first = false;
                }
                high = point.price().compareTo(high) > 0 ? point.price() : high;
                low = point.price().compareTo(low) < 0 ? point.price() : low;
                close = point.price();
                if (point.volume().signum() > 0) {
                    volume = volume.add(point.volume());
                    turnover = turnover.add(point.volume().multiply(point.price()));
                    count++;
                }
            }
            if (close == null || start <= since) {
                continue;
            }
            BigDecimal vwap = volume.signum() == 0 ? close : turnover.divide(volume, pair.pairDecimals(),
                    java.math.RoundingMode.HALF_EVEN);
            candles.add(List.of(start, Replies.plain(open, pair.pairDecimals()), Replies.plain(high, pair.pairDecimals()),
                    Replies.plain(low, pair.pairDecimals()), Replies.plain(close, pair.pairDecimals()),
                    Replies.plain(vwap, pair.pairDecimals()), Replies.plain(volume, pair.lotDecimals()), count));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put(pair.id(), candles);
        result.put("last", newest);
        return replies.result(result);
    }

    private PaperPair onePair(String pairName) {
        if (pairName == null || pairName.isBlank()) {
            throw KrakenReject.invalidArguments("pair");
        }
        return pairs.find(pairName.trim()).orElseThrow(() -> new KrakenReject("EQuery:Unknown asset pair"));
    }

    private byte[] assetPairs(String pairList) {
        if (pairList == null || pairList.isBlank()) {
            return pairs.rawResponse(); // the fixture, byte for byte
        }
        Map<String, Object> result = new LinkedHashMap<>();
        for (PaperPair pair : requestedPairs(pairList)) {
            result.put(pair.id(), pair.row());
        }
        return replies.result(result);
    }

    /**
     * Keyed by pair id even when asked by altname (https://docs.kraken.com/api/docs/rest-api/get-ticker-information);
     * all pairs when none is named.
     */
    private byte[] ticker(String pairList) {
        List<PaperPair> wanted = pairList == null || pairList.isBlank() ? List.copyOf(pairs.all()) : requestedPairs(pairList);
        Map<String, Object> result = new LinkedHashMap<>();
        for (PaperPair pair : wanted) {
            BigDecimal price = account.priceOrNull(pair.id());
            if (price != null) {
                BigDecimal ask = price;
                BigDecimal bid = price;
                if (account.bookLevelQuote().signum() > 0) {
                    ask = SimulatedBook.side(pair, true, price, account.bookLevelQuote(), 1).get(0).price();
                    bid = SimulatedBook.side(pair, false, price, account.bookLevelQuote(), 1).get(0).price();
                }
                result.put(pair.id(), Replies.ticker(pair, price, ask, bid));
            }
        }
        return replies.result(result);
    }

    private List<PaperPair> requestedPairs(String pairList) {
        List<PaperPair> found = new ArrayList<>();
        for (String name : pairList.split(",")) {
            found.add(pairs.find(name.trim()).orElseThrow(() -> new KrakenReject("EQuery:Unknown asset pair")));
        }
        return found;
    }
}
