package io.tvkraken.paper;

import java.math.BigDecimal;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Settings of a {@link PaperExchange}. Immutable; change one setting with the {@code withX} methods, which all copy
 * through one private path.
 *
 * @param apiKeys          the API keys the exchange accepts ({@code API-Key} header), each with its secret (base64, as
 *                         Kraken shows it) that {@code API-Sign} is checked with. Like the keys of one Kraken account:
 *                         each key has its own nonce stream and its own REST call counter, and all of them see and
 *                         trade the one account, its orders and its trading counter per pair. At least one;
 *                         {@link #apiKey()} and {@link #apiSecret()} are the first
 * @param host             address to bind: loopback, as {@link #defaults()} sets it
 * @param port             port to bind; 0 picks a free one (see {@link PaperExchange#baseUrl()})
 * @param balances         starting balance per Kraken asset code ({@code ZUSD}, {@code XXBT}, {@code SOL} ...)
 * @param prices           last trade price per pair id: market fills, relative prices and {@code Ticker} use it
 * @param addOrderLatency  delay before every AddOrder is handled, to imitate the matching engine's round trip
 * @param assetPairsResource class-path resource with the AssetPairs response to serve and trade by; default
 *                         {@code /paper/asset-pairs.json}. Prices must then cover its pairs.
 * @param orderVisibilityDelay how long after placement an order stays out of OpenOrders, ClosedOrders and
 *                         QueryOrders: a just-placed order can show up late (docs/kraken.md). It exists meanwhile:
 *                         it holds its {@code cl_ord_id} among open orders, has moved balances, can be cancelled and is
 *                         among the orders a test harness reads. Default zero.
 * @param rateLimitTier    whose rate limits the exchange enforces: the REST call counter per API key and the trading
 *                         counter per pair, as Kraken publishes them for each verification tier. Default
 *                         {@link RateLimitTier#STARTER}, what a new Kraken account gets, so that paper trading and
 *                         tests meet the limits live trading would meet; a test or benchmark that bursts on purpose
 *                         chooses a higher tier, or {@link RateLimitTier#OFF}, explicitly.
 * @param closedOrdersKept how many closed orders (filled or cancelled) the exchange remembers, the most recently
 *                         closed; an older one is forgotten, as if it had never existed. Default
 *                         {@value #DEFAULT_CLOSED_ORDERS_KEPT}. This is what keeps a long paper-trading run in bounded
 *                         memory; see {@link PaperAccount}.
 * @param openOrdersLimit  how many orders may rest open at once, all pairs together; one more is refused with
 *                         {@code EOrder:Orders limit exceeded}, as Kraken refuses an order past its own open-order
 *                         limit (60, 80 or 225 per pair by verification tier,
 *                         https://support.kraken.com/hc/en-us/articles/209090607). The paper figure is not Kraken's
 *                         per-pair one: it bounds memory, since resting orders fill here only when a test trades. Default
 *                         {@value #DEFAULT_OPEN_ORDERS_LIMIT}.
 * @param bookLevelQuote   what each level of the simulated order book holds, in the pair's quote currency
 *                         ({@link SimulatedBook}, docs/paper-exchange.md#the-order-book): market orders walk it and so
 *                         slip as at Kraken. Zero, the default of the service's paper mode, fills them at the last
 *                         price instead; Depth shows a book of {@link SimulatedBook#DEFAULT_LEVEL_QUOTE} a level then.
 */
public record PaperConfig(
        List<ApiKey> apiKeys,
        String host,
        int port,
        Map<String, BigDecimal> balances,
        Map<String, BigDecimal> prices,
        Duration addOrderLatency,
        String assetPairsResource,
        Duration orderVisibilityDelay,
        RateLimitTier rateLimitTier,
        int closedOrdersKept,
        int openOrdersLimit,
        BigDecimal bookLevelQuote) {

    public static final String DEFAULT_API_KEY = "paper-api-key";
    /**
     * Closed orders kept for OpenOrders/ClosedOrders/QueryOrders: ten thousand is 200 pages of Kraken's ClosedOrders,
     * far more than a look-up reads, and a few megabytes of memory.
     */
    public static final int DEFAULT_CLOSED_ORDERS_KEPT = 10_000;
    /** Open orders at once, all pairs together; see {@link #openOrdersLimit()}. */
    public static final int DEFAULT_OPEN_ORDERS_LIMIT = 10_000;
    /** 64 bytes, like a real Kraken secret; fine for a loopback simulator, use {@link #withRandomKeys()} otherwise. */
    public static final String DEFAULT_API_SECRET =
            "Qkv1F7PgzZzb5FahtwJLh+Hyf8vTo+4h4y03YJimjKFNdxSVD+yKn5xgcKy8y/6BsWrPbFO+lNIkgkShIwhyOA==";

    /** One API key the exchange accepts and its secret (base64). {@link #toString()} never prints the secret. */
    public record ApiKey(String key, String secret) {

        public ApiKey {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(secret, "secret");
        }

        /** A random key and a random 64-byte secret, as Kraken makes them. */
        public static ApiKey random() {
            SecureRandom random = new SecureRandom();
            byte[] key = new byte[42];
            byte[] secret = new byte[64];
            random.nextBytes(key);
            random.nextBytes(secret);
            return new ApiKey(Base64.getEncoder().encodeToString(key), Base64.getEncoder().encodeToString(secret));
        }

        @Override
        public String toString() {
            return "ApiKey[key=" + key + ", secret=***]";
        }
    }

    public PaperConfig {
        apiKeys = List.copyOf(apiKeys);
        if (apiKeys.isEmpty()) {
            throw new IllegalArgumentException("at least one API key");
        }
        if (apiKeys.stream().map(ApiKey::key).distinct().count() != apiKeys.size()) {
            throw new IllegalArgumentException("an API key is listed twice");
        }
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        balances = Map.copyOf(balances);
        prices = Map.copyOf(prices);
        Objects.requireNonNull(addOrderLatency, "addOrderLatency");
        Objects.requireNonNull(assetPairsResource, "assetPairsResource");
        Objects.requireNonNull(orderVisibilityDelay, "orderVisibilityDelay");
        if (orderVisibilityDelay.isNegative()) {
            throw new IllegalArgumentException("orderVisibilityDelay must not be negative: " + orderVisibilityDelay);
        }
        Objects.requireNonNull(rateLimitTier, "rateLimitTier");
        if (closedOrdersKept < 1) {
            throw new IllegalArgumentException("closedOrdersKept must be at least 1: " + closedOrdersKept);
        }
        if (openOrdersLimit < 1) {
            throw new IllegalArgumentException("openOrdersLimit must be at least 1: " + openOrdersLimit);
        }
        Objects.requireNonNull(bookLevelQuote, "bookLevelQuote");
        if (bookLevelQuote.signum() < 0) {
            throw new IllegalArgumentException("bookLevelQuote must not be negative: " + bookLevelQuote);
        }
    }

    /**
     * Loopback, random port, fixed demo key, the default balances and prices, no latency, orders visible at
     * once, and Kraken's rate limits for a {@link RateLimitTier#STARTER} account.
     */
    public static PaperConfig defaults() {
        return new PaperConfig(List.of(new ApiKey(DEFAULT_API_KEY, DEFAULT_API_SECRET)), "127.0.0.1", 0,
                defaultBalances(), defaultPrices(), Duration.ZERO,
                "/paper/asset-pairs.json", Duration.ZERO, RateLimitTier.STARTER,
                DEFAULT_CLOSED_ORDERS_KEPT, DEFAULT_OPEN_ORDERS_LIMIT, BigDecimal.ZERO);
    }

    /** {@link #defaults()} with a random key and a random 64-byte secret, as a real deployment of paper mode should use. */
    public static PaperConfig withRandomKeys() {
        return defaults().withApiKeys(List.of(ApiKey.random()));
    }

    /** The first API key. */
    public String apiKey() {
        return apiKeys.get(0).key();
    }

    /** The first API key's secret. */
    public String apiSecret() {
        return apiKeys.get(0).secret();
    }

    /** Replaces the first API key, keeping its secret and the other keys. */
    public PaperConfig withApiKey(String value) {
        List<ApiKey> keys = new ArrayList<>(apiKeys);
        keys.set(0, new ApiKey(value, apiSecret()));
        return withApiKeys(keys);
    }

    /** Replaces the first API key's secret. */
    public PaperConfig withApiSecret(String value) {
        List<ApiKey> keys = new ArrayList<>(apiKeys);
        keys.set(0, new ApiKey(apiKey(), value));
        return withApiKeys(keys);
    }

    /** Replaces every API key: the exchange accepts these, each with its own nonces and REST call counter. */
    public PaperConfig withApiKeys(List<ApiKey> value) {
        return with(f -> f.apiKeys = value);
    }

    public PaperConfig withPort(int value) {
        return with(f -> f.port = value);
    }

    /** Replaces all starting balances. */
    public PaperConfig withBalances(Map<String, BigDecimal> value) {
        return with(f -> f.balances = value);
    }

    /** Sets one starting balance, keeping the others. */
    public PaperConfig withBalance(String asset, BigDecimal amount) {
        Map<String, BigDecimal> copy = new LinkedHashMap<>(balances);
        copy.put(asset, amount);
        return withBalances(copy);
    }

    /** Replaces all prices. */
    public PaperConfig withPrices(Map<String, BigDecimal> value) {
        return with(f -> f.prices = value);
    }

    /** Sets the price of one pair id, keeping the others. */
    public PaperConfig withPrice(String pairId, BigDecimal price) {
        Map<String, BigDecimal> copy = new LinkedHashMap<>(prices);
        copy.put(pairId, price);
        return withPrices(copy);
    }

    public PaperConfig withAddOrderLatency(Duration value) {
        return with(f -> f.addOrderLatency = value);
    }

    public PaperConfig withAssetPairsResource(String value) {
        return with(f -> f.assetPairsResource = value);
    }

    public PaperConfig withOrderVisibilityDelay(Duration value) {
        return with(f -> f.orderVisibilityDelay = value);
    }

    public PaperConfig withRateLimitTier(RateLimitTier value) {
        return with(f -> f.rateLimitTier = value);
    }

    public PaperConfig withClosedOrdersKept(int value) {
        return with(f -> f.closedOrdersKept = value);
    }

    public PaperConfig withOpenOrdersLimit(int value) {
        return with(f -> f.openOrdersLimit = value);
    }

    /** Market orders walk a simulated book of {@code value} quote a level (zero: they fill at the last price). */
    public PaperConfig withBookLevelQuote(BigDecimal value) {
        return with(f -> f.bookLevelQuote = value);
    }

    /**
     * This configuration with the settings {@code change} makes: the one place that lists every component, so that a
     * new setting cannot be forgotten by one wither. The result goes through the validating constructor.
     */
    private PaperConfig with(Consumer<Fields> change) {
        Fields f = new Fields(this);
        change.accept(f);
        return new PaperConfig(f.apiKeys, f.host, f.port, f.balances, f.prices, f.addOrderLatency,
                f.assetPairsResource, f.orderVisibilityDelay, f.rateLimitTier, f.closedOrdersKept, f.openOrdersLimit,
                f.bookLevelQuote);
    }

    /** The components of a configuration, as a mutable copy for {@link #with}. */
    private static final class Fields {
        List<ApiKey> apiKeys;
        String host;
        int port;
        Map<String, BigDecimal> balances;
        Map<String, BigDecimal> prices;
        Duration addOrderLatency;
        String assetPairsResource;
        Duration orderVisibilityDelay;
        RateLimitTier rateLimitTier;
        int closedOrdersKept;
        int openOrdersLimit;
        BigDecimal bookLevelQuote;

        Fields(PaperConfig c) {
            apiKeys = c.apiKeys;
            host = c.host;
            port = c.port;
            balances = c.balances;
            prices = c.prices;
            addOrderLatency = c.addOrderLatency;
            assetPairsResource = c.assetPairsResource;
            orderVisibilityDelay = c.orderVisibilityDelay;
            rateLimitTier = c.rateLimitTier;
            closedOrdersKept = c.closedOrdersKept;
            openOrdersLimit = c.openOrdersLimit;
            bookLevelQuote = c.bookLevelQuote;
        }
    }

    @Override
    public String toString() {
        // The secret never goes to a log.
        return "PaperConfig[apiKeys=" + apiKeys + ", host=" + host + ", port=" + port
                + ", balances=" + balances + ", prices=" + prices + ", addOrderLatency=" + addOrderLatency
                + ", assetPairsResource=" + assetPairsResource
                + ", orderVisibilityDelay=" + orderVisibilityDelay + ", rateLimitTier=" + rateLimitTier
                + ", closedOrdersKept=" + closedOrdersKept + ", openOrdersLimit=" + openOrdersLimit
                + ", bookLevelQuote=" + bookLevelQuote + "]";
    }

    private static Map<String, BigDecimal> defaultBalances() {
        Map<String, BigDecimal> b = new LinkedHashMap<>();
        b.put("ZUSD", new BigDecimal("100000.0000"));
        b.put("ZEUR", new BigDecimal("50000.0000"));
        b.put("USDT", new BigDecimal("50000.00000000"));
        b.put("XXBT", new BigDecimal("2.0000000000"));
        b.put("XETH", new BigDecimal("30.0000000000"));
        b.put("XXDG", new BigDecimal("100000.00000000"));
        b.put("XLTC", new BigDecimal("100.0000000000"));
        b.put("SOL", new BigDecimal("200.0000000000"));
        b.put("ADA", new BigDecimal("10000.00000000"));
        b.put("XXRP", new BigDecimal("10000.00000000"));
        b.put("DOT", new BigDecimal("1000.0000000000"));
        b.put("RENDER", new BigDecimal("1000.0000000000"));
        b.put("XTZ", new BigDecimal("1000.00000000"));
        return b;
    }

    /** One price for every pair of {@code paper/asset-pairs.json}, each a multiple of that pair's tick_size. */
    private static Map<String, BigDecimal> defaultPrices() {
        Map<String, BigDecimal> p = new LinkedHashMap<>();
        p.put("XXBTZUSD", new BigDecimal("60000.0"));
        p.put("XXBTZEUR", new BigDecimal("55000.0"));
        p.put("XBTUSDT", new BigDecimal("60000.0"));
        p.put("XETHZUSD", new BigDecimal("3000.00"));
        p.put("XETHXXBT", new BigDecimal("0.05000"));
        p.put("XXDGZUSD", new BigDecimal("0.1500000"));
        p.put("XLTCZUSD", new BigDecimal("80.00"));
        p.put("SOLUSD", new BigDecimal("150.00"));
        p.put("ADAUSD", new BigDecimal("0.450000"));
        p.put("XXRPZUSD", new BigDecimal("0.50000"));
        p.put("DOTUSD", new BigDecimal("7.0000"));
        p.put("USDTZUSD", new BigDecimal("1.00000"));
        p.put("RENDERUSD", new BigDecimal("7.000"));
        p.put("XTZUSD", new BigDecimal("0.9000"));
        return p;
    }
}
