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

/**
 * Kraken's public market data methods: {@code Time}, {@code SystemStatus}, {@code AssetPairs} and {@code Ticker}
 * (GET, query string). No rate limit: Kraken limits them per IP address and publishes no figures.
 */
final class PublicEndpoints {

    private static final Set<String> METHODS = Set.of("Time", "SystemStatus", "AssetPairs", "Ticker");
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
            default:
                return ticker(query.get("pair"));
        }
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
                result.put(pair.id(), Replies.ticker(pair, price));
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
