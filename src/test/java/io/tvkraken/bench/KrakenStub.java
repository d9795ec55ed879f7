package io.tvkraken.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tvkraken.kraken.KrakenSigner;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fast Kraken stand-in for the peer benchmark: answers AddOrder, Ticker, AssetPairs, BalanceEx, OpenOrders,
 * ClosedOrders (and Time, SystemStatus, Balance) at once with valid Kraken envelopes, {@code {"error":[],"result":...}}.
 * Like Kraken, it checks the {@code API-Key}, the {@code API-Sign} over the exact body, and that each nonce is greater
 * than the last one it received for the key ({@code EAPI:Invalid nonce} otherwise). It keeps no orders: an AddOrder
 * with a known pair, a side, an order type and a volume gets a fresh txid.
 *
 * <p>Its pairs are those of the paper exchange's fixture ({@code paper/asset-pairs.json}) plus {@code syntheticPairs}
 * copies of its BTC/USD row named {@code B001USD}, {@code B002USD}, ... at a last price of 100. The benchmark spreads
 * alerts over them: Kraken's trading counter is per pair, and a live-mode service keeps to it (its rate budget), so
 * 100 orders a second on one pair would measure Kraken's limits, not the service.
 *
 * <p>{@link #delayMillis(long)} makes every call wait that long before it is answered (after the checks, so the
 * nonce order is the order of arrival), on a pool large enough that callers are not queued behind each other.
 * {@link #recordAddOrders} keeps the arrival time ({@link System#nanoTime()}) of every AddOrder from then on: the
 * stub runs inside the benchmark's JVM, so those times compare with the load generator's send times.
 *
 * <p>For bursts on one key (docs/kraken.md#bursts-on-one-key) it also takes {@code AddOrderBatch} (JSON body, 2 to 15
 * orders of one pair, validated together: one invalid order refuses the batch; an order the "engine" refuses is
 * answered in its own entry), keeps a per-pair trading counter like Kraken's ({@link #tradingCounter}: +1 per order on
 * arrival, refused with {@code EOrder:Rate limit exceeded} above the threshold), checks nonces with a key's
 * {@linkplain #nonceWindow nonce window} (a nonce not above the highest received is taken only if it lies within the
 * window below it and was never used), counts the orders placed per {@code cl_ord_id}, and lists them in OpenOrders /
 * ClosedOrders (market orders fill at once: closed) filtered by {@code cl_ord_id}.
 *
 * <p>Stand-alone ({@code main}: port, then the key and secret from {@code STUB_API_KEY}, {@code STUB_API_SECRET}) it
 * serves until stopped; the benchmark starts it in its own JVM instead.
 */
public final class KrakenStub implements AutoCloseable {

    static final String PRICE = "100.0";

    private final ObjectMapper json = new ObjectMapper();
    /** Per API key: its signer and the last nonce received (Kraken keeps a nonce stream per key). */
    private final Map<String, KeyState> keys = new HashMap<>();
    private final HttpServer server;
    private final ExecutorService executor;
    private final byte[] assetPairs;
    /** Pair id by every name the stub accepts for it (id, altname). */
    private final Map<String, String> pairIds = new HashMap<>();
    private final List<String> syntheticTickers = new ArrayList<>();
    private volatile long delayMillis;
    private volatile boolean recording;
    private final long[] arrivals = new long[1_000_000];
    private final AtomicInteger arrivalCount = new AtomicInteger();
    private final AtomicLong addOrders = new AtomicLong();
    private final AtomicLong invalidNonces = new AtomicLong();
    private final AtomicLong otherErrors = new AtomicLong();
    private final AtomicLong txids = new AtomicLong();

    static {
        // As in the paper exchange: without it the JDK server's answers wait for the client's delayed ACK (~40 ms).
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private volatile long nonceWindow;
    private volatile double tradingThreshold = Double.MAX_VALUE;
    private volatile double tradingDecayPerSecond;
    /** Per pair: the trading counter's level and when it was last decayed (ms). Guarded by itself. */
    private final Map<String, double[]> tradingCounters = new HashMap<>();
    private final AtomicLong rateLimited = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private final Map<String, AtomicInteger> placedByClOrdId = new java.util.concurrent.ConcurrentHashMap<>();
    /** Orders placed, by txid, as ClosedOrders lists them. */
    private final Map<String, Map<String, Object>> closedOrders = new java.util.concurrent.ConcurrentHashMap<>();
    /** An order of this volume passes validation and is then refused by the "engine" ({@code EOrder:Insufficient funds}). */
    private volatile String refusedVolume;
    /** The next AddOrderBatch is placed but answered only after this many ms (the client times out). */
    private final AtomicLong slowBatchMillis = new AtomicLong();

    private static final class KeyState {
        final KrakenSigner signer;
        long lastNonce;
        /** Nonces accepted below the highest one, within the window: each is taken once. */
        final java.util.TreeSet<Long> usedBelow = new java.util.TreeSet<>();

        KeyState(String secret) {
            this.signer = new KrakenSigner(secret);
        }
    }

    private KrakenStub(Map<String, String> secretsByKey, int port, int syntheticPairs, int threads)
            throws IOException {
        secretsByKey.forEach((key, secret) -> keys.put(key, new KeyState(secret)));
        JsonNode fixture;
        try (InputStream in = KrakenStub.class.getResourceAsStream("/paper/asset-pairs.json")) {
            if (in == null) {
                throw new IOException("paper/asset-pairs.json is not on the class path");
            }
            fixture = json.readTree(in);
        }
        ObjectNode result = ((ObjectNode) fixture.get("result")).deepCopy();
        JsonNode btc = result.get("XXBTZUSD");
        for (int i = 1; i <= syntheticPairs; i++) {
            String base = String.format("B%03d", i);
            ObjectNode row = btc.deepCopy();
            row.put("altname", base + "USD");
            row.put("wsname", base + "/USD");
            row.put("base", base);
            result.set(base + "USD", row);
            syntheticTickers.add(base + "USD");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = result.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            pairIds.put(e.getKey(), e.getKey());
            pairIds.put(e.getValue().path("altname").asText(), e.getKey());
        }
        ObjectNode envelope = json.createObjectNode();
        envelope.putArray("error");
        envelope.set("result", result);
        this.assetPairs = json.writeValueAsBytes(envelope);
        this.executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "kraken-stub");
            t.setDaemon(true);
            return t;
        });
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** Starts the stub on {@code port} (0: any free one) with one API key. */
    public static KrakenStub start(String apiKey, String apiSecret, int port, int syntheticPairs) {
        return start(Map.of(apiKey, apiSecret), port, syntheticPairs);
    }

    /** Starts the stub with several API keys of one account, each with its own nonce stream, as Kraken keeps them. */
    public static KrakenStub start(Map<String, String> secretsByKey, int port, int syntheticPairs) {
        try {
            return new KrakenStub(secretsByKey, port, syntheticPairs, 256);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** {@code B001USD}, {@code B002USD}, ...: tickers an alert may name, each its own pair. */
    public List<String> syntheticTickers() {
        return syntheticTickers;
    }

    /** Every call waits this long before it is answered; 0 answers at once. */
    public void delayMillis(long millis) {
        this.delayMillis = millis;
    }

    /** From now on, keeps the arrival time of every AddOrder (the earlier ones are forgotten). */
    public void recordAddOrders() {
        arrivalCount.set(0);
        recording = true;
    }

    /** Arrival times ({@link System#nanoTime()}) of the AddOrders since {@link #recordAddOrders()}. */
    public long[] addOrderArrivals() {
        int n = Math.min(arrivalCount.get(), arrivals.length);
        long[] copy = new long[n];
        System.arraycopy(arrivals, 0, copy, 0, n);
        return copy;
    }

    /**
     * The keys' nonce window at Kraken: a nonce at most this far below the highest one received is accepted once
     * (https://support.kraken.com/hc/en-us/articles/360001148023); 0 (the default): strictly increasing.
     */
    public void nonceWindow(long window) {
        this.nonceWindow = window;
    }

    /** Kraken's trading counter per pair: refused above {@code threshold}, decaying by {@code decayPerSecond}. */
    public void tradingCounter(double threshold, double decayPerSecond) {
        this.tradingThreshold = threshold;
        this.tradingDecayPerSecond = decayPerSecond;
    }

    /** Orders of this volume are refused by the engine ({@code EOrder:Insufficient funds}), the others placed. */
    public void refuseVolume(String volume) {
        this.refusedVolume = volume;
    }

    /** The next AddOrderBatch places its orders but is answered only after {@code millis}. */
    public void answerNextBatchAfter(long millis) {
        slowBatchMillis.set(millis);
    }

    /** Orders refused {@code EOrder:Rate limit exceeded}, since the start. */
    public long rateLimited() {
        return rateLimited.get();
    }

    /** AddOrderBatch calls received with a valid nonce, since the start. */
    public long batches() {
        return batches.get();
    }

    /** How many orders were placed with each {@code cl_ord_id}. */
    public Map<String, Integer> placedByClOrdId() {
        Map<String, Integer> copy = new HashMap<>();
        placedByClOrdId.forEach((id, n) -> copy.put(id, n.get()));
        return copy;
    }

    /** AddOrders answered with a txid, since the start. */
    public long addOrders() {
        return addOrders.get();
    }

    /** Private calls refused {@code EAPI:Invalid nonce}, since the start. */
    public long invalidNonces() {
        return invalidNonces.get();
    }

    /** Calls refused for any other reason (key, signature, arguments, unknown method), since the start. */
    public long otherErrors() {
        return otherErrors.get();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            byte[] body = exchange.getRequestBody().readAllBytes();
            byte[] reply;
            if (path.startsWith("/0/public/")) {
                reply = publicCall(path.substring("/0/public/".length()), exchange.getRequestURI().getRawQuery());
            } else if (path.startsWith("/0/private/")) {
                reply = privateCall(exchange, path, path.substring("/0/private/".length()), body);
            } else {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            long delay = delayMillis;
            if (delay > 0) {
                Thread.sleep(delay);
            }
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, reply.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(reply);
            }
        } catch (IOException | InterruptedException e) {
            // the caller went away, or the stub is stopping
        }
    }

    private byte[] publicCall(String method, String rawQuery) throws IOException {
        Map<String, String> query = form(rawQuery);
        switch (method) {
            case "AssetPairs":
                return assetPairs;
            case "Ticker": {
                Map<String, Object> rows = new LinkedHashMap<>();
                for (String name : query.getOrDefault("pair", "").split(",")) {
                    String id = pairIds.get(name.trim());
                    if (id == null) {
                        return error("EQuery:Unknown asset pair");
                    }
                    rows.put(id, ticker());
                }
                return result(rows);
            }
            case "Time":
                return result(Map.of("unixtime", System.currentTimeMillis() / 1000, "rfc1123", ""));
            case "SystemStatus":
                return result(Map.of("status", "online", "timestamp", java.time.Instant.now().toString()));
            default:
                return error("EGeneral:Unknown method");
        }
    }

    private static Map<String, Object> ticker() {
        return Map.of("a", List.of(PRICE, "1", "1.000"), "b", List.of(PRICE, "1", "1.000"),
                "c", List.of(PRICE, "0.1"), "v", List.of("1", "1"), "p", List.of(PRICE, PRICE),
                "t", List.of(1, 1), "l", List.of(PRICE, PRICE), "h", List.of(PRICE, PRICE), "o", PRICE);
    }

    private byte[] privateCall(HttpExchange exchange, String path, String method, byte[] body) throws IOException {
        Map<String, String> params;
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        if (contentType != null && contentType.startsWith("application/json")) {
            params = new HashMap<>();
            try {
                json.readTree(body).fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
            } catch (IOException e) {
                return refused("EGeneral:Invalid arguments");
            }
        } else {
            params = form(new String(body, StandardCharsets.UTF_8));
        }
        String nonceText = params.get("nonce");
        String apiKey = exchange.getRequestHeaders().getFirst("API-Key");
        KeyState key = apiKey == null ? null : keys.get(apiKey);
        if (key == null) {
            return refused("EAPI:Invalid key");
        }
        if (nonceText == null
                || !key.signer.verify(path, nonceText, body, exchange.getRequestHeaders().getFirst("API-Sign"))) {
            return refused("EAPI:Invalid signature");
        }
        long nonce;
        try {
            nonce = Long.parseUnsignedLong(nonceText.trim());
        } catch (NumberFormatException e) {
            return refused("EAPI:Invalid nonce");
        }
        synchronized (key) {
            if (Long.compareUnsigned(nonce, key.lastNonce) <= 0) {
                long window = nonceWindow;
                if (window <= 0 || key.lastNonce - nonce > window || !key.usedBelow.add(nonce)) {
                    invalidNonces.incrementAndGet();
                    return error("EAPI:Invalid nonce");
                }
            } else {
                if (nonceWindow > 0) {
                    key.usedBelow.add(key.lastNonce);
                }
                key.lastNonce = nonce;
            }
            key.usedBelow.headSet(key.lastNonce - Math.max(nonceWindow, 0)).clear();
        }
        switch (method) {
            case "AddOrder":
                if (!charge(params.get("pair"), 1)) {
                    return error("EOrder:Rate limit exceeded");
                }
                return addOrder(params);
            case "AddOrderBatch":
                return addOrderBatch(body);
            case "BalanceEx":
                return result(Map.of("ZUSD", Map.of("balance", "1000000000", "credit", "0", "credit_used", "0",
                        "hold_trade", "0")));
            case "Balance":
                return result(Map.of("ZUSD", "1000000000"));
            case "OpenOrders":
                return result(Map.of("open", Map.of()));
            case "ClosedOrders": {
                Map<String, Object> closed = new LinkedHashMap<>();
                String wanted = params.get("cl_ord_id");
                closedOrders.forEach((txid, order) -> {
                    if (wanted == null || wanted.equals(order.get("cl_ord_id"))) {
                        closed.put(txid, order);
                    }
                });
                return result(Map.of("closed", closed, "count", closed.size()));
            }
            default:
                return refused("EGeneral:Unknown method");
        }
    }

    private byte[] addOrder(Map<String, String> params) throws IOException {
        if (recording) {
            int i = arrivalCount.getAndIncrement();
            if (i < arrivals.length) {
                arrivals[i] = System.nanoTime();
            }
        }
        String pair = params.get("pair");
        String type = params.get("type");
        String volume = params.get("volume");
        String orderType = params.getOrDefault("ordertype", "");
        if (pair == null || !pairIds.containsKey(pair) || !("buy".equals(type) || "sell".equals(type))
                || volume == null || orderType.isEmpty()) {
            return refused("EGeneral:Invalid arguments");
        }
        Map<String, Object> descr = Map.of("order", type + " " + volume + " " + pair + " @ " + orderType);
        if ("true".equals(params.get("validate"))) {
            return result(Map.of("descr", descr));
        }
        if (volume.equals(refusedVolume)) {
            return error("EOrder:Insufficient funds");
        }
        String txid = place(pair, type, orderType, volume, params.get("cl_ord_id"));
        return result(Map.of("descr", descr, "txid", List.of(txid)));
    }

    /** Places an order: a fresh txid, counted by its client order id, listed (closed) by ClosedOrders. */
    private String place(String pair, String type, String orderType, String volume, String clOrdId) {
        addOrders.incrementAndGet();
        long n = txids.incrementAndGet();
        String txid = String.format("O%05X-%05X-%06X", (n >> 40) & 0xFFFFF, (n >> 20) & 0xFFFFF, n & 0xFFFFFF);
        if (clOrdId != null) {
            placedByClOrdId.computeIfAbsent(clOrdId, id -> new AtomicInteger()).incrementAndGet();
        }
        Map<String, Object> order = new LinkedHashMap<>();
        order.put("cl_ord_id", clOrdId);
        order.put("status", "closed");
        order.put("opentm", System.currentTimeMillis() / 1000.0);
        order.put("descr", Map.of("pair", pair, "type", type, "ordertype", orderType,
                "order", type + " " + volume + " " + pair + " @ " + orderType));
        order.put("vol", volume);
        order.put("vol_exec", volume);
        closedOrders.put(txid, order);
        return txid;
    }

    /** Kraken's trading counter of {@code pair}: {@code cost} more, unless that passes the threshold. */
    private boolean charge(String pair, int cost) {
        if (pair == null) {
            return true;
        }
        synchronized (tradingCounters) {
            double[] counter = tradingCounters.computeIfAbsent(pair, p -> new double[] {0, System.currentTimeMillis()});
            long now = System.currentTimeMillis();
            counter[0] = Math.max(0, counter[0] - (now - counter[1]) / 1000.0 * tradingDecayPerSecond);
            counter[1] = now;
            if (counter[0] + cost > tradingThreshold) {
                rateLimited.addAndGet(cost);
                return false;
            }
            counter[0] += cost;
            return true;
        }
    }

    /**
     * AddOrderBatch, as Kraken documents it (https://docs.kraken.com/api/docs/rest-api/add-order-batch): 2 to 15
     * orders of one pair, validated together (one invalid order refuses the whole batch), then each placed or refused
     * on its own; one entry per order, in the order sent, with a scalar {@code txid} or an {@code error}.
     */
    private byte[] addOrderBatch(byte[] body) throws IOException {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (IOException e) {
            return refused("EGeneral:Invalid arguments");
        }
        String pair = root.path("pair").asText(null);
        JsonNode orders = root.path("orders");
        if (pair == null || !pairIds.containsKey(pair) || !orders.isArray() || orders.size() < 2
                || orders.size() > 15) {
            return refused("EGeneral:Invalid arguments");
        }
        for (JsonNode order : orders) {
            String type = order.path("type").asText("");
            if (!("buy".equals(type) || "sell".equals(type)) || order.path("volume").asText("").isEmpty()
                    || order.path("ordertype").asText("").isEmpty()) {
                return refused("EGeneral:Invalid arguments");
            }
        }
        batches.incrementAndGet();
        if (!charge(pair, orders.size())) {
            return error("EOrder:Rate limit exceeded");
        }
        List<Map<String, Object>> entries = new ArrayList<>();
        for (JsonNode order : orders) {
            String type = order.path("type").asText();
            String volume = order.path("volume").asText();
            String orderType = order.path("ordertype").asText();
            if (recording) {
                int i = arrivalCount.getAndIncrement();
                if (i < arrivals.length) {
                    arrivals[i] = System.nanoTime();
                }
            }
            if (volume.equals(refusedVolume)) {
                entries.add(Map.of("error", "EOrder:Insufficient funds"));
                continue;
            }
            String txid = place(pair, type, orderType, volume, order.path("cl_ord_id").asText(null));
            entries.add(Map.of("descr", Map.of("order", type + " " + volume + " " + pair + " @ " + orderType),
                    "txid", txid));
        }
        long slow = slowBatchMillis.getAndSet(0);
        if (slow > 0) {
            try {
                Thread.sleep(slow);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return result(Map.of("orders", entries));
    }

    private byte[] refused(String error) throws IOException {
        otherErrors.incrementAndGet();
        return error(error);
    }

    private byte[] result(Object result) throws IOException {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("error", List.of());
        envelope.put("result", result);
        return json.writeValueAsBytes(envelope);
    }

    private byte[] error(String error) throws IOException {
        return json.writeValueAsBytes(Map.of("error", List.of(error)));
    }

    private static Map<String, String> form(String text) {
        Map<String, String> params = new HashMap<>();
        if (text == null || text.isEmpty()) {
            return params;
        }
        for (String pair : text.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            params.put(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return params;
    }

    public static void main(String[] args) throws InterruptedException {
        String key = System.getenv("STUB_API_KEY");
        String secret = System.getenv("STUB_API_SECRET");
        if (key == null || secret == null) {
            System.err.println("STUB_API_KEY and STUB_API_SECRET (base64) must be set");
            System.exit(2);
        }
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 18091;
        try (KrakenStub stub = start(key, secret, port, 256)) {
            System.out.println("Kraken stub at " + stub.baseUrl());
            if (args.length > 1) {
                stub.delayMillis(Long.parseLong(args[1]));
            }
            TimeUnit.DAYS.sleep(365);
        }
    }
}
