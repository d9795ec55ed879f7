package io.tvkraken.paper;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tvkraken.kraken.KrakenSigner;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Paper mode: a Kraken-compatible spot exchange in this process, on a real HTTP server. The application reaches it
 * through the same route and HTTP client as the live Kraken, so it answers the same paths, checks the same
 * {@code API-Key}/{@code API-Sign}/nonce rules and replies with Kraken's envelope, {@code {"error":[...],"result":...}},
 * with HTTP 200 for business errors too (https://docs.kraken.com/api/docs/guides/spot-errors).
 *
 * <p>Public (GET, query string): {@code Time}, {@code SystemStatus}, {@code AssetPairs}, {@code Ticker}. Private (POST,
 * form or JSON body): {@code Balance}, {@code AddOrder}, {@code OpenOrders}, {@code ClosedOrders},
 * {@code QueryOrders}, {@code CancelOrder}, {@code CancelAll}. A wrong HTTP verb gets HTTP 200 and
 * {@code EGeneral:Invalid arguments}, in the envelope like every other refusal, rather than a 405 that no Kraken client
 * expects. A path outside {@code /0/public} and {@code /0/private} gets a plain 404.
 *
 * <p>API keys: {@link PaperConfig#apiKeys()}, like the keys of one Kraken account. Each key has its own nonce stream
 * and its own REST call counter; every key trades the one account, sees all of its orders and shares its trading
 * counters (docs/kraken.md#key-pool).
 *
 * <p>Rate limits are Kraken's, for the tier in {@link PaperConfig#rateLimitTier()} (Starter unless chosen otherwise):
 * the REST call counter per API key (https://docs.kraken.com/api/docs/guides/spot-rest-ratelimits), refused with
 * {@code EAPI:Rate limit exceeded}, and the trading counter per pair for AddOrder and CancelOrder
 * (https://docs.kraken.com/api/docs/guides/spot-ratelimits), refused with {@code EOrder:Rate limit exceeded}, for
 * the account whichever key sends them. Both
 * run on the exchange's clock ({@link #start(PaperConfig, Clock)}), so a test can cross a decay exactly. Public
 * methods are not limited: Kraken limits them per IP address and publishes no figures.
 *
 * <p>Simplifications, on purpose: one account; market orders fill in full at the configured price without fees;
 * other orders rest as open until cancelled and reserve no funds; no margin. Memory is bounded whatever the number of
 * orders: at most {@link PaperConfig#openOrdersLimit()} open orders, and only the
 * {@link PaperConfig#closedOrdersKept()} most recently closed ones are remembered ({@link PaperAccount}).
 *
 * <p>The exchange keeps no record of the requests it answers. Whoever needs to watch or steer it from the same
 * process, a test above all, passes a {@link Tap} to {@link #start(PaperConfig, Clock, Tap)}; the default,
 * {@link Tap#NONE}, sees nothing and changes nothing.
 */
public final class PaperExchange implements AutoCloseable {

    /**
     * Sees the exchange's traffic and may play a {@link Fault} on a request. Called on the exchange's request
     * threads, concurrently: an implementation must be thread-safe, and quick, as the request waits for it.
     */
    public interface Tap {

        /** Sees nothing, plays nothing: the exchange as Kraken. */
        Tap NONE = new Tap() {
        };

        /**
         * A request under {@code /0/public/} or {@code /0/private/} has arrived, before anything about it is checked.
         *
         * @return the fault to play on it, or null to answer it as Kraken would
         */
        default Fault arrived(Arrival request) {
            return null;
        }

        /** A request refused by the exchange's own rate limits, with the error it is answered. */
        default void rateLimited(String method, String error) {
        }

        /**
         * A request the exchange refused in Kraken's envelope, with the error it is answered ({@code EAPI:Invalid
         * nonce}, {@code EOrder:Insufficient funds}, a rate limit ...); faults played on purpose are not refusals.
         */
        default void refused(String method, String error) {
        }

        /**
         * The exchange is done with a request {@link #arrived} announced: answered, or dropped by a fault. Between the
         * two calls the request is in flight at the exchange.
         */
        default void finished(Arrival request) {
        }
    }

    /** A request as {@link Tap#arrived} sees it; valid during that call only. */
    public interface Arrival {

        /** The path after {@code /0/public/} or {@code /0/private/}: {@code AddOrder}, {@code Ticker}, ... */
        String method();

        boolean isPrivate();

        /** Names of the request headers, lower case. */
        Set<String> headerNames();

        /** The decoded body of a private call, the query of a public one; empty if it cannot be decoded. */
        Map<String, String> params();

        /** The {@code API-Key} header of a private call as sent (null when absent). */
        String apiKey();
    }

    private static final Logger LOG = LoggerFactory.getLogger(PaperExchange.class);
    /** Request threads besides one per API key: a key's call in flight never holds up another key's. */
    private static final int THREADS = 4;
    private static final String PUBLIC = "/0/public/";
    private static final String PRIVATE = "/0/private/";
    private static final Set<String> PUBLIC_METHODS = Set.of("Time", "SystemStatus", "AssetPairs", "Ticker");
    private static final Set<String> PRIVATE_METHODS = Set.of("Balance", "BalanceEx", "AddOrder", "OpenOrders", "ClosedOrders",
            "QueryOrders", "CancelOrder", "CancelAll");
    private static final String REST_RATE_LIMITED = "EAPI:Rate limit exceeded";
    private static final String TRADING_RATE_LIMITED = "EOrder:Rate limit exceeded";
    /** ClosedOrders' page (https://docs.kraken.com/api/docs/rest-api/get-closed-orders). */
    private static final int CLOSED_ORDERS_PAGE = 50;
    /** Kraken's Time: {@code Thu, 06 Jul 23 18:50:48 +0000}, a two-digit year. */
    private static final DateTimeFormatter RFC1123_SHORT_YEAR =
            DateTimeFormatter.ofPattern("EEE, dd MMM yy HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);
    private static final String CLOUDFLARE_502 = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n"
            + "<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n"
            + "</body>\r\n</html>\r\n";
    private static final String EDGE_500 = "<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n"
            + "<body>\r\n<center><h1>500 Internal Server Error</h1></center>\r\n<hr><center>cloudflare</center>\r\n"
            + "</body>\r\n</html>\r\n";

    private final PaperConfig config;
    private final Clock clock;
    private final Tap tap;
    private final ObjectMapper json = new ObjectMapper();
    private final Replies replies = new Replies(json);
    private final PaperPairs pairs;
    private final PaperAccount account;
    private final AddOrderRules addOrderRules;
    /** The signer of each API key, by key. */
    private final Map<String, KrakenSigner> signers;
    private final RateLimits rateLimits;
    private final HttpServer server;
    private final ExecutorService executor;

    private PaperExchange(PaperConfig config, Clock clock, Tap tap) throws IOException {
        this.config = config;
        this.clock = clock;
        this.tap = tap;
        this.pairs = PaperPairs.load(json, config.assetPairsResource());
        this.account = new PaperAccount(config, clock);
        this.addOrderRules = new AddOrderRules(pairs, account::price);
        Map<String, KrakenSigner> byKey = new LinkedHashMap<>();
        for (PaperConfig.ApiKey key : config.apiKeys()) {
            byKey.put(key.key(), new KrakenSigner(key.secret()));
        }
        this.signers = Map.copyOf(byKey);
        this.rateLimits = new RateLimits(config.rateLimitTier(), clock.instant());
        this.executor = Executors.newFixedThreadPool(THREADS + config.apiKeys().size(), daemonThreads());
        this.server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
    }

    static {
        // The JDK server leaves Nagle's algorithm on: it writes headers and body as two segments, the second waits
        // for the client's delayed ACK, and every answer costs ~40 ms on loopback. Private calls are sent one at a
        // time, so that capped paper trading near 25 orders/s (WebhookBenchmark). The property is read once, when
        // the JDK's server configuration class loads - that is, before the first HttpServer in this JVM.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    /** Binds {@code config.host():config.port()} and starts answering, on the system clock (UTC). */
    public static PaperExchange start(PaperConfig config) {
        return start(config, Clock.systemUTC());
    }

    /**
     * Like {@link #start(PaperConfig)}, on {@code clock}: the exchange's "now" for {@code opentm}/{@code closetm},
     * {@code Time}, {@code SystemStatus}, the {@code deadline} checks of AddOrder
     * (https://docs.kraken.com/api/docs/rest-api/add-order), {@link PaperConfig#orderVisibilityDelay()} and the decay
     * of the rate counters. A test passes a clock it moves by hand to cross a deadline or a decay without waiting for
     * it. Delays ({@code addOrderLatency}, {@code hangFor}) are real time whatever the clock.
     */
    public static PaperExchange start(PaperConfig config, Clock clock) {
        return start(config, clock, Tap.NONE);
    }

    /** Like {@link #start(PaperConfig, Clock)}, with {@code tap} seeing every request from the first one on. */
    public static PaperExchange start(PaperConfig config, Clock clock, Tap tap) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(tap, "tap");
        try {
            PaperExchange exchange = new PaperExchange(config, clock, tap);
            exchange.server.start();
            LOG.info("paper exchange listening on {}", exchange.baseUrl());
            return exchange;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind the paper exchange to " + config.host() + ":" + config.port(), e);
        }
    }

    /** E.g. {@code http://127.0.0.1:41234}; append {@code /0/public/Time} and so on. */
    public URI baseUrl() {
        InetSocketAddress address = server.getAddress();
        String host = address.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + address.getPort());
    }

    public PaperConfig config() {
        return config;
    }

    /** Stops at once: requests still hanging in a {@link Fault} are interrupted and get no answer. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- for the test harness in this package

    PaperAccount account() {
        return account;
    }

    PaperPairs pairs() {
        return pairs;
    }

    RateLimits rateLimits() {
        return rateLimits;
    }

    Clock clock() {
        return clock;
    }

    Tap tap() {
        return tap;
    }

    // ---------------------------------------------------------------- HTTP

    private void handle(HttpExchange exchange) {
        ArrivalView arrival = null;
        try {
            String path = exchange.getRequestURI().getRawPath();
            boolean isPublic = path.startsWith(PUBLIC);
            if (!isPublic && !path.startsWith(PRIVATE)) {
                send(exchange, 404, "text/plain; charset=utf-8", "Not Found\n".getBytes(StandardCharsets.US_ASCII));
                return;
            }
            String method = path.substring(isPublic ? PUBLIC.length() : PRIVATE.length());
            byte[] body = exchange.getRequestBody().readAllBytes();
            arrival = new ArrivalView(exchange, method, !isPublic, body);
            Fault fault = tap.arrived(arrival);
            if (fault != null && !playBefore(fault, exchange)) {
                return;
            }
            byte[] reply;
            try {
                reply = isPublic ? publicCall(exchange, method) : privateCall(exchange, method, body);
            } catch (KrakenReject e) {
                tap.refused(method, e.error());
                reply = replies.error(e.error());
            }
            if (fault != null && !playAfter(fault, exchange)) {
                return;
            }
            send(exchange, 200, "application/json; charset=utf-8", reply);
        } catch (IOException e) {
            LOG.debug("paper exchange: client went away", e);
        } catch (RuntimeException e) {
            // A bug in the simulator, not a business answer: say it the way Kraken says an internal failure.
            LOG.warn("paper exchange: internal error", e);
            try {
                send(exchange, 200, "application/json; charset=utf-8", replies.error("EGeneral:Internal error"));
            } catch (IOException ignored) {
                // the client is gone
            }
        } finally {
            exchange.close();
            if (arrival != null) {
                tap.finished(arrival);
            }
        }
    }

    /** @return true to go on and answer normally, false when the fault has already ended the exchange */
    private boolean playBefore(Fault fault, HttpExchange exchange) throws IOException {
        switch (fault) {
            case SERVICE_UNAVAILABLE:
                send(exchange, 200, "application/json; charset=utf-8", replies.error("EService:Unavailable"));
                return false;
            case RATE_LIMITED:
                send(exchange, 200, "application/json; charset=utf-8", replies.error("EAPI:Rate limit exceeded"));
                return false;
            case HTTP_502_HTML:
                send(exchange, 502, "text/html", CLOUDFLARE_502.getBytes(StandardCharsets.US_ASCII));
                return false;
            case RESET:
                // Closing before sendResponseHeaders makes the JDK server drop the connection without a byte.
                exchange.close();
                return false;
            case HANG:
                return pause(config.hangFor());
            default:
                return true; // the ACCEPT_THEN_* faults play after the request is handled
        }
    }

    /**
     * The {@code ACCEPT_THEN_*} faults, once the request has been handled (an AddOrder placed) and its reply is ready.
     *
     * @return true to send the reply, false when the fault has already ended the exchange
     */
    private boolean playAfter(Fault fault, HttpExchange exchange) throws IOException {
        switch (fault) {
            case ACCEPT_THEN_HANG:
                return pause(config.hangFor());
            case ACCEPT_THEN_500:
                send(exchange, 500, "text/html", EDGE_500.getBytes(StandardCharsets.US_ASCII));
                return false;
            case ACCEPT_THEN_RESET:
                exchange.close(); // no byte written, as for RESET
                return false;
            case ACCEPT_THEN_UNAVAILABLE:
                send(exchange, 200, "application/json; charset=utf-8", replies.error("EService:Unavailable"));
                return false;
            default:
                return true;
        }
    }

    /** @return false if interrupted by {@link #close()}: then no answer is sent */
    private static boolean pause(Duration duration) {
        if (duration.isZero() || duration.isNegative()) {
            return true;
        }
        try {
            Thread.sleep(duration.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** What a {@link Tap} sees of a request; the headers and parameters are read only if it asks. */
    private final class ArrivalView implements Arrival {
        private final HttpExchange exchange;
        private final String method;
        private final boolean isPrivate;
        private final byte[] body;

        ArrivalView(HttpExchange exchange, String method, boolean isPrivate, byte[] body) {
            this.exchange = exchange;
            this.method = method;
            this.isPrivate = isPrivate;
            this.body = body;
        }

        @Override
        public String method() {
            return method;
        }

        @Override
        public boolean isPrivate() {
            return isPrivate;
        }

        @Override
        public Set<String> headerNames() {
            return exchange.getRequestHeaders().keySet().stream().map(name -> name.toLowerCase(Locale.ROOT))
                    .collect(Collectors.toUnmodifiableSet());
        }

        @Override
        public String apiKey() {
            return isPrivate ? exchange.getRequestHeaders().getFirst("API-Key") : null;
        }

        @Override
        public Map<String, String> params() {
            try {
                return Collections.unmodifiableMap(isPrivate ? decodeBody(exchange, body)
                        : FormParams.decodeForm(exchange.getRequestURI().getRawQuery()));
            } catch (KrakenReject e) {
                return Map.of(); // undecodable: still received
            }
        }
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    // ---------------------------------------------------------------- public methods

    private byte[] publicCall(HttpExchange exchange, String method) {
        if (!PUBLIC_METHODS.contains(method)) {
            throw new KrakenReject("EGeneral:Unknown method");
        }
        if (!exchange.getRequestMethod().equals("GET")) {
            // Public calls are GET only on Kraken; POST is no longer supported there.
            throw new KrakenReject("EGeneral:Invalid arguments");
        }
        Map<String, String> query = FormParams.decodeForm(exchange.getRequestURI().getRawQuery());
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

    // ---------------------------------------------------------------- private methods

    private byte[] privateCall(HttpExchange exchange, String method, byte[] body) {
        if (!PRIVATE_METHODS.contains(method)) {
            throw new KrakenReject("EGeneral:Unknown method");
        }
        if (!exchange.getRequestMethod().equals("POST")) {
            throw new KrakenReject("EGeneral:Invalid arguments"); // private calls are POST on Kraken
        }
        Map<String, String> params = decodeBody(exchange, body);
        authenticate(exchange, method, params, body);
        switch (method) {
            case "Balance":
                return balance();
            case "BalanceEx":
                return balanceEx();
            case "AddOrder":
                return addOrder(params);
            case "OpenOrders":
                return openOrders(params);
            case "ClosedOrders":
                return closedOrders(params);
            case "QueryOrders":
                return queryOrders(params);
            case "CancelOrder":
                return cancelOrder(params);
            default:
                return replies.result(Map.of("count", account.cancelAll()));
        }
    }

    private Map<String, String> decodeBody(HttpExchange exchange, byte[] body) {
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        if (contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            // Kraken takes JSON bodies too (https://docs.kraken.com/api/docs/guides/spot-rest-auth); the signature
            // still covers the bytes as sent.
            return FormParams.decodeJson(json, body);
        }
        return FormParams.decodeForm(new String(body, StandardCharsets.UTF_8));
    }

    /**
     * Authentication (https://docs.kraken.com/api/docs/guides/spot-rest-auth), in Kraken's order: the key must be
     * one of {@link PaperConfig#apiKeys()} ({@code EAPI:Invalid key}); the signature, with that key's secret, must match the raw body bytes and the path from
     * {@code /0/private} on, query string included ({@code EAPI:Invalid signature}); only then is the nonce compared
     * with the last accepted one ({@code EAPI:Invalid nonce}), so a forged request cannot burn nonces. An accepted
     * nonce stays used whatever the method then answers.
     *
     * <p>The nonce is the key's own: it must be greater than the last one accepted for that key, whatever the other
     * keys sent.
     *
     * <p>Between the signature and the nonce, the call is charged to the key's REST counter
     * ({@link #chargeRestCounter}): a call proven to come from the key counts, whatever it answers after, an invalid
     * nonce included ("failed calls count too"); a forged one cannot use up the owner's allowance. Kraken does not
     * publish this order; this one keeps a refused call from using its nonce.
     */
    private void authenticate(HttpExchange exchange, String method, Map<String, String> params, byte[] body) {
        String apiKey = exchange.getRequestHeaders().getFirst("API-Key");
        KrakenSigner signer = apiKey == null ? null : signers.get(apiKey);
        if (signer == null) {
            throw new KrakenReject("EAPI:Invalid key");
        }
        String nonceText = params.get("nonce");
        long nonce;
        try {
            nonce = Long.parseUnsignedLong(nonceText == null ? "" : nonceText.trim());
        } catch (NumberFormatException e) {
            throw new KrakenReject("EAPI:Invalid nonce");
        }
        URI uri = exchange.getRequestURI();
        String signedPath = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        if (!signer.verify(signedPath, nonceText, body, exchange.getRequestHeaders().getFirst("API-Sign"))) {
            throw new KrakenReject("EAPI:Invalid signature");
        }
        chargeRestCounter(apiKey, method);
        if (!account.acceptNonce(apiKey, nonce)) {
            throw new KrakenReject("EAPI:Invalid nonce");
        }
    }

    /**
     * The REST call counter (https://docs.kraken.com/api/docs/guides/spot-rest-ratelimits): +1 a call, +2 for ledger
     * and trade history calls, nothing for AddOrder and CancelOrder, which "operate on a different limiter". Above the
     * tier's maximum the call is answered {@code EAPI:Rate limit exceeded}, HTTP 200, and not handled.
     */
    private void chargeRestCounter(String apiKey, String method) {
        BigDecimal cost = RateCosts.rest(method);
        if (!config.rateLimitTier().limited() || cost.signum() == 0) {
            return; // and the clock is not read: a TestClock's jump is kept for the method itself
        }
        if (!rateLimits.chargeRest(apiKey, cost, clock.instant())) {
            refuse(method, REST_RATE_LIMITED);
        }
    }

    /**
     * Charges each pair's trading counter (https://docs.kraken.com/api/docs/guides/spot-ratelimits) its cost, all of
     * them whatever the outcome; if one ends above the tier's threshold, the transaction is refused with
     * {@code EOrder:Rate limit exceeded} and nothing is done. The counters are per pair: one pair at its limit does
     * not hold up another.
     */
    private void chargeTradingCounters(String method, Map<String, BigDecimal> costByPairId, Instant now) {
        if (config.rateLimitTier().limited() && !rateLimits.chargeTrading(costByPairId, now)) {
            refuse(method, TRADING_RATE_LIMITED);
        }
    }

    private void refuse(String method, String error) {
        tap.rateLimited(method, error);
        LOG.debug("paper exchange: {} refused: {}", method, error);
        throw new KrakenReject(error);
    }

    private byte[] balance() {
        Map<String, Object> result = new LinkedHashMap<>();
        account.balances().forEach((asset, amount) -> result.put(asset, amount.toPlainString()));
        return replies.result(result);
    }

    /**
     * Kraken's extended balance (https://docs.kraken.com/api/docs/rest-api/get-extended-balance): available =
     * balance + credit - credit_used - hold_trade. The paper account has no credit, and resting orders reserve
     * nothing, so every hold is zero.
     */
    private byte[] balanceEx() {
        Map<String, Object> result = new LinkedHashMap<>();
        account.balances().forEach((asset, amount) -> result.put(asset, Map.of("balance", amount.toPlainString(),
                "credit", "0", "credit_used", "0", "hold_trade", "0")));
        return replies.result(result);
    }

    /**
     * AddOrder (https://docs.kraken.com/api/docs/rest-api/add-order). {@code deadline} is checked on arrival, before
     * {@code addOrderLatency}; the latency stands for the request's time in Kraken's queue, and once it has passed
     * the deadline is checked again where the order would be placed: {@link PaperAccount#place} for a real order,
     * here for {@code validate=true}.
     *
     * <p>On arrival, before any check, the pair's trading counter takes the AddOrder's fixed +1, "always applied on
     * receipt of the transaction (even if the transaction fails validation)"
     * (https://docs.kraken.com/api/docs/guides/spot-ratelimits); validate-only orders too, as Kraken makes no
     * exception for them. A pair that is missing or unknown has no counter to charge; the order is refused anyway.
     */
    private byte[] addOrder(Map<String, String> params) {
        Instant arrival = clock.instant();
        String pairName = params.get("pair");
        PaperPair pair = pairName == null ? null : pairs.find(pairName.trim()).orElse(null);
        if (pair != null) {
            chargeTradingCounters("AddOrder", Map.of(pair.id(), RateCosts.ADD_ORDER), arrival);
        }
        Instant deadline = AddOrderRules.deadline(params.get("deadline"), arrival);
        // Outside any lock: latency must not serialize other requests.
        pause(config.addOrderLatency());
        OrderTicket ticket = addOrderRules.check(params, deadline);
        Map<String, Object> descr = new LinkedHashMap<>();
        descr.put("order", ticket.description());
        if (ticket.closeDescription() != null) {
            descr.put("close", ticket.closeDescription());
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("descr", descr);
        if (ticket.validateOnly()) {
            // validate=true: descr only, no txid, nothing placed, funds not checked (Kraken's add-order); a deadline
            // that passed while queued is still reported.
            AddOrderRules.requireNotElapsed(ticket.deadline(), clock.instant());
            return replies.result(result);
        }
        PaperOrder order = account.place(ticket);
        result.put("txid", List.of(order.txid()));
        return replies.result(result);
    }

    /**
     * Every open order, in placement order, or those a {@code userref} or {@code cl_ord_id} filter names
     * (https://docs.kraken.com/api/docs/rest-api/get-open-orders).
     */
    private byte[] openOrders(Map<String, String> params) {
        Predicate<PaperOrder> filter = clientFilter(params).and(visibleNow());
        return replies.result(Map.of("open", ordersById(account.open(clOrdIdParam(params), filter))));
    }

    /**
     * Newest first, 50 a page from {@code ofs}; {@code count} is every match
     * (https://docs.kraken.com/api/docs/rest-api/get-closed-orders), among the closed orders the exchange still
     * keeps ({@link PaperConfig#closedOrdersKept()}). Filters: {@code userref}, {@code cl_ord_id}, and {@code start}
     * with {@code closetime} ({@link #startFilter}); {@code end} is not simulated.
     */
    private byte[] closedOrders(Map<String, String> params) {
        Predicate<PaperOrder> filter = clientFilter(params)
                .and(startFilter(params.get("start"), params.get("closetime"))).and(visibleNow());
        int offset = parseInt(params.get("ofs"), "ofs");
        List<PaperOrder> closed = account.closed(clOrdIdParam(params), userrefParam(params), filter);
        List<PaperOrder> page = closed.stream().skip(Math.max(offset, 0)).limit(CLOSED_ORDERS_PAGE).toList();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("closed", ordersById(page));
        result.put("count", closed.size());
        return replies.result(result);
    }

    /**
     * {@code txid} is required, comma-separated; QueryOrders has no cl_ord_id filter
     * (https://docs.kraken.com/api/docs/rest-api/get-orders-info). An order not yet visible
     * ({@link PaperConfig#orderVisibilityDelay()}) answers as an unknown txid does, and so does a closed order the
     * exchange no longer keeps.
     */
    private byte[] queryOrders(Map<String, String> params) {
        String txids = params.get("txid");
        if (txids == null || txids.isBlank()) {
            throw KrakenReject.invalidArguments("txid");
        }
        List<String> wanted = Arrays.stream(txids.split(",")).map(String::trim).toList();
        Predicate<PaperOrder> userref = userrefFilter(params.get("userref"));
        List<PaperOrder> queried = account.query(wanted);
        if (!queried.stream().allMatch(visibleNow())) {
            throw new KrakenReject("EOrder:Invalid order");
        }
        List<PaperOrder> found = queried.stream().filter(userref).toList();
        return replies.result(ordersById(found));
    }

    /**
     * {@code txid} is a txid or an integer userref; or {@code cl_ord_id}
     * (https://docs.kraken.com/api/docs/rest-api/cancel-order).
     *
     * <p>Each open order it would cancel costs its pair's trading counter by the order's age
     * ({@link RateCosts#cancel}); over the threshold, nothing is cancelled. No order, no cost: Kraken's Cancel Order
     * has no fixed count (https://docs.kraken.com/api/docs/guides/spot-ratelimits).
     */
    private byte[] cancelOrder(Map<String, String> params) {
        String txid = params.get("txid");
        String clOrdId = clOrdIdParam(params);
        if (clOrdId == null && (txid == null || txid.isBlank())) {
            throw KrakenReject.invalidArguments("txid");
        }
        if (config.rateLimitTier().limited()) {
            Instant now = clock.instant();
            Map<String, BigDecimal> costByPairId = new LinkedHashMap<>();
            for (PaperOrder order : account.openToCancel(txid, clOrdId)) {
                costByPairId.merge(order.pairId(), RateCosts.cancel(Duration.between(order.openedAt(), now)),
                        BigDecimal::add);
            }
            chargeTradingCounters("CancelOrder", costByPairId, now);
        }
        return replies.result(Map.of("count", account.cancel(txid, clOrdId)));
    }

    private Map<String, Object> ordersById(List<PaperOrder> orders) {
        Map<String, Object> byId = new LinkedHashMap<>();
        for (PaperOrder order : orders) {
            byId.put(order.txid(), Replies.order(order, pairs.find(order.pairId()).orElseThrow()));
        }
        return byId;
    }

    /**
     * {@link PaperConfig#orderVisibilityDelay()}: an order placed less than that long ago is left out of OpenOrders,
     * ClosedOrders and QueryOrders, as a just-placed order can show up late on Kraken (docs/kraken.md, "Finding an
     * order").
     */
    private Predicate<PaperOrder> visibleNow() {
        Duration delay = config.orderVisibilityDelay();
        if (delay.isZero()) {
            return o -> true;
        }
        Instant shownUpTo = clock.instant().minus(delay);
        return o -> !o.openedAt().isAfter(shownUpTo);
    }

    /**
     * OpenOrders and ClosedOrders filter by {@code userref} and by {@code cl_ord_id}
     * (https://docs.kraken.com/api/docs/rest-api/get-open-orders); the account looks the values up in its indexes
     * first, and this filter checks every candidate all the same.
     */
    private static Predicate<PaperOrder> clientFilter(Map<String, String> params) {
        Predicate<PaperOrder> filter = userrefFilter(params.get("userref"));
        String clOrdId = clOrdIdParam(params);
        if (clOrdId != null) {
            filter = filter.and(o -> clOrdId.equals(o.clOrdId()));
        }
        return filter;
    }

    /** The {@code cl_ord_id} parameter, null when absent or blank. */
    private static String clOrdIdParam(Map<String, String> params) {
        String clOrdId = params.get("cl_ord_id");
        return clOrdId == null || clOrdId.isBlank() ? null : clOrdId;
    }

    /** The {@code userref} parameter, null when absent or blank. */
    private static Integer userrefParam(Map<String, String> params) {
        String text = params.get("userref");
        return text == null || text.isBlank() ? null : parseInt(text, "userref");
    }

    /**
     * ClosedOrders {@code start} (https://docs.kraken.com/api/docs/rest-api/get-closed-orders): unix seconds,
     * decimals allowed. Exclusive, as Kraken's ClosedOrders docs describe it: only orders after it, compared with the
     * 4-decimal {@code opentm}/{@code closetm} the replies show.
     * {@code closetime} says which time counts: {@code open}, {@code close} or {@code both} (Kraken's default: either
     * after {@code start}). Kraken also takes a txid as {@code start}, meaning that order's opentm; not simulated, it is
     * refused as {@code EGeneral:Invalid arguments:start}, like any other text that is not a number.
     */
    private static Predicate<PaperOrder> startFilter(String startText, String closetimeText) {
        String closetime = closetimeText == null || closetimeText.isBlank() ? "both" : closetimeText.trim();
        if (!Set.of("open", "close", "both").contains(closetime)) {
            throw KrakenReject.invalidArguments("closetime");
        }
        if (startText == null || startText.isBlank()) {
            return o -> true;
        }
        BigDecimal start;
        try {
            start = new BigDecimal(startText.trim());
        } catch (NumberFormatException e) {
            throw KrakenReject.invalidArguments("start");
        }
        Predicate<Instant> after = at -> at != null && Replies.seconds(at).compareTo(start) > 0;
        return switch (closetime) {
            case "open" -> o -> after.test(o.openedAt());
            case "close" -> o -> after.test(o.closedAt());
            default -> o -> after.test(o.openedAt()) || after.test(o.closedAt());
        };
    }

    private static Predicate<PaperOrder> userrefFilter(String text) {
        if (text == null || text.isBlank()) {
            return o -> true;
        }
        int userref = parseInt(text, "userref");
        // Kraken reports a missing userref as 0, so filtering on 0 finds those orders.
        return o -> (o.userref() == null ? 0 : o.userref()) == userref;
    }

    private static int parseInt(String text, String field) {
        if (text == null || text.isBlank()) {
            return 0;
        }
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw KrakenReject.invalidArguments(field);
        }
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger number = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "paper-exchange-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
