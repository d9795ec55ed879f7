package io.tvkraken.paper;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.kraken.KrakenSigner;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kraken's private account and trading methods (POST, form or JSON body): {@code Balance}, {@code BalanceEx},
 * {@code TradeBalance}, {@code AddOrder}, {@code AddOrderBatch}, {@code AmendOrder}, {@code EditOrder},
 * {@code OpenOrders}, {@code ClosedOrders}, {@code QueryOrders}, {@code CancelOrder}, {@code CancelAll},
 * {@code CancelAllOrdersAfter}, {@code OpenPositions}, {@code TradesHistory}, {@code QueryTrades} and {@code Ledgers}
 * (docs/paper-exchange.md#methods). Each call is authenticated and charged to Kraken's rate counters first.
 */
final class PrivateEndpoints {

    private static final Logger LOG = LoggerFactory.getLogger(PrivateEndpoints.class);
    private static final Set<String> METHODS = Set.of("Balance", "BalanceEx", "AddOrder", "AddOrderBatch",
            "OpenOrders", "ClosedOrders", "QueryOrders", "CancelOrder", "CancelAll", "OpenPositions", "TradeBalance",
            "AmendOrder", "EditOrder", "CancelAllOrdersAfter", "TradesHistory", "QueryTrades", "Ledgers");
    /** AddOrderBatch takes 2 to 15 orders (https://docs.kraken.com/api/docs/rest-api/add-order-batch). */
    private static final int BATCH_MIN = 2;
    private static final int BATCH_MAX = 15;
    private static final String REST_RATE_LIMITED = "EAPI:Rate limit exceeded";
    private static final String TRADING_RATE_LIMITED = "EOrder:Rate limit exceeded";
    /** ClosedOrders' page (https://docs.kraken.com/api/docs/rest-api/get-closed-orders). */
    private static final int CLOSED_ORDERS_PAGE = 50;

    private final PaperConfig config;
    private final Clock clock;
    private final ObjectMapper json;
    private final Replies replies;
    private final PaperPairs pairs;
    private final PaperAccount account;
    private final AddOrderRules addOrderRules;
    /** The signer of each API key, by key. */
    private final Map<String, KrakenSigner> signers;
    private final RateLimits rateLimits;
    private final AccountHistory history;

    PrivateEndpoints(PaperConfig config, Clock clock, ObjectMapper json, Replies replies, PaperPairs pairs,
            PaperAccount account, RateLimits rateLimits) {
        this.config = config;
        this.clock = clock;
        this.json = json;
        this.replies = replies;
        this.pairs = pairs;
        this.account = account;
        this.rateLimits = rateLimits;
        this.addOrderRules = new AddOrderRules(pairs, account::price);
        this.history = new AccountHistory(pairs, account);
        Map<String, KrakenSigner> byKey = new LinkedHashMap<>();
        for (PaperConfig.ApiKey key : config.apiKeys()) {
            byKey.put(key.key(), new KrakenSigner(key.secret()));
        }
        this.signers = Map.copyOf(byKey);
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
        if (!request.httpMethod().equals("POST")) {
            throw new KrakenReject("EGeneral:Invalid arguments"); // private calls are POST on Kraken
        }
        Map<String, String> params = FormParams.decodeBody(json, request.header("Content-Type"), request.body());
        authenticate(request, params);
        account.checkCancelAllAfter();
        switch (method) {
            case "Balance":
                return balance();
            case "BalanceEx":
                return balanceEx();
            case "AddOrder":
                return addOrder(params);
            case "AddOrderBatch":
                return addOrderBatch(params);
            case "OpenOrders":
                return openOrders(params);
            case "ClosedOrders":
                return closedOrders(params);
            case "QueryOrders":
                return queryOrders(params);
            case "CancelOrder":
                return cancelOrder(params);
            case "OpenPositions":
                return openPositions(params);
            case "TradeBalance":
                return replies.result(history.tradeBalance(params));
            case "AmendOrder":
                return amendOrder(params);
            case "EditOrder":
                return editOrder(params);
            case "CancelAllOrdersAfter":
                return cancelAllOrdersAfter(params);
            case "TradesHistory":
                return replies.result(history.tradesHistory(params));
            case "QueryTrades":
                return replies.result(history.queryTrades(params));
            case "Ledgers":
                return replies.result(history.ledgers(params));
            default:
                return replies.result(Map.of("count", account.cancelAll()));
        }
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
    private void authenticate(PaperRequest request, Map<String, String> params) {
        String apiKey = request.header("API-Key");
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
        URI uri = request.uri();
        String signedPath = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        if (!signer.verify(signedPath, nonceText, request.body(), request.header("API-Sign"))) {
            throw new KrakenReject("EAPI:Invalid signature");
        }
        chargeRestCounter(apiKey, request.method());
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

    private static void refuse(String method, String error) {
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
     * AddOrderBatch (https://docs.kraken.com/api/docs/rest-api/add-order-batch): 2 to 15 orders of one {@code pair}
     * in {@code orders}, each with AddOrder's parameters but the pair, and the batch's {@code deadline} and
     * {@code validate}. The pair's trading counter takes +1 per order on arrival, as AddOrder's would (Kraken's
     * table lists a batch add with a cost that grows with its orders; counting each as an AddOrder never counts less,
     * https://docs.kraken.com/api/docs/guides/spot-ratelimits). Every order is validated first: one that fails refuses
     * the whole batch with its error. Then each is placed on its own, and one the account cannot place (funds) is
     * answered in its own entry while the others are placed. The answer lists one entry per order, in the order sent:
     * {@code descr} and a scalar {@code txid}, or {@code error}.
     */
    private byte[] addOrderBatch(Map<String, String> params) {
        Instant arrival = clock.instant();
        String pairName = params.get("pair");
        PaperPair pair = pairName == null ? null : pairs.find(pairName.trim()).orElse(null);
        List<Map<String, String>> orders = batchOrders(params.get("orders"));
        if (pair != null && orders != null) {
            chargeTradingCounters("AddOrderBatch",
                    Map.of(pair.id(), RateCosts.ADD_ORDER.multiply(BigDecimal.valueOf(orders.size()))), arrival);
        }
        if (pairName == null || orders == null || orders.size() < BATCH_MIN || orders.size() > BATCH_MAX) {
            throw new KrakenReject("EGeneral:Invalid arguments");
        }
        Instant deadline = AddOrderRules.deadline(params.get("deadline"), arrival);
        pause(config.addOrderLatency());
        List<OrderTicket> tickets = new java.util.ArrayList<>();
        for (Map<String, String> order : orders) {
            Map<String, String> one = new LinkedHashMap<>(order);
            one.put("pair", pairName);
            if (params.containsKey("validate")) {
                one.put("validate", params.get("validate"));
            }
            one.remove("deadline");
            tickets.add(addOrderRules.check(one, deadline)); // one invalid order refuses the whole batch
        }
        List<Map<String, Object>> entries = new java.util.ArrayList<>();
        for (OrderTicket ticket : tickets) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("descr", Map.of("order", ticket.description()));
            if (ticket.validateOnly()) {
                AddOrderRules.requireNotElapsed(ticket.deadline(), clock.instant());
            } else {
                try {
                    entry.put("txid", account.place(ticket).txid());
                } catch (KrakenReject refused) {
                    entries.add(Map.of("error", refused.error()));
                    continue;
                }
            }
            entries.add(entry);
        }
        return replies.result(Map.of("orders", entries));
    }

    /** The {@code orders} of an AddOrderBatch, each value as its text; null when it is not a list of objects. */
    private List<Map<String, String>> batchOrders(String text) {
        if (text == null) {
            return null;
        }
        try {
            com.fasterxml.jackson.databind.JsonNode list = json.readTree(text);
            if (list == null || !list.isArray()) {
                return null;
            }
            List<Map<String, String>> orders = new java.util.ArrayList<>();
            for (com.fasterxml.jackson.databind.JsonNode order : list) {
                if (!order.isObject()) {
                    return null;
                }
                Map<String, String> params = new LinkedHashMap<>();
                order.fields().forEachRemaining(f -> params.put(f.getKey(),
                        f.getValue().isValueNode() ? f.getValue().asText() : f.getValue().toString()));
                orders.add(params);
            }
            return orders;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /**
     * Every open order, in placement order, or those a {@code userref} or {@code cl_ord_id} filter names
     * (https://docs.kraken.com/api/docs/rest-api/get-open-orders).
     */
    private byte[] openOrders(Map<String, String> params) {
        Predicate<PaperOrder> filter = OrderFilters.clientFilter(params).and(visibleNow());
        return replies.result(Map.of("open", ordersById(account.open(OrderFilters.clOrdIdParam(params), filter))));
    }

    /**
     * Newest first, 50 a page from {@code ofs}; {@code count} is every match
     * (https://docs.kraken.com/api/docs/rest-api/get-closed-orders), among the closed orders the exchange still
     * keeps ({@link PaperConfig#closedOrdersKept()}). Filters: {@code userref}, {@code cl_ord_id}, and {@code start}
     * with {@code closetime} ({@link OrderFilters#startFilter}); {@code end} is not simulated.
     */
    private byte[] closedOrders(Map<String, String> params) {
        Predicate<PaperOrder> filter = OrderFilters.clientFilter(params)
                .and(OrderFilters.startFilter(params.get("start"), params.get("closetime"))).and(visibleNow());
        int offset = OrderFilters.parseInt(params.get("ofs"), "ofs");
        List<PaperOrder> closed = account.closed(OrderFilters.clOrdIdParam(params), OrderFilters.userrefParam(params), filter);
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
        Predicate<PaperOrder> userref = OrderFilters.userrefFilter(params.get("userref"));
        List<PaperOrder> queried = account.query(wanted);
        if (!queried.stream().allMatch(visibleNow())) {
            throw new KrakenReject("EOrder:Invalid order");
        }
        List<PaperOrder> found = queried.stream().filter(userref).toList();
        return replies.result(ordersById(found));
    }

    /**
     * OpenPositions (https://docs.kraken.com/api/docs/rest-api/get-open-positions): the open margin positions by
     * position id, or those {@code txid} names; {@code docalcs=true} adds {@code value} and {@code net} at the last
     * price. With {@code consolidation=market}, one entry per pair and side instead, as a list.
     */
    private byte[] openPositions(Map<String, String> params) {
        String txids = params.get("txid");
        List<String> wanted = txids == null || txids.isBlank() ? null
                : Arrays.stream(txids.split(",")).map(String::trim).toList();
        boolean calcs = "true".equals(params.get("docalcs"));
        List<PaperPosition> open = account.positions().stream()
                .filter(p -> wanted == null || wanted.contains(p.posTxid())).toList();
        if ("market".equals(params.get("consolidation"))) {
            Map<String, Map<String, Object>> byMarket = new LinkedHashMap<>();
            for (PaperPosition position : open) {
                Map<String, Object> line = byMarket.computeIfAbsent(position.pairId() + "/" + position.type(),
                        k -> Replies.consolidated(position));
                Replies.addTo(line, position, account.priceOrNull(position.pairId()));
            }
            return replies.result(List.copyOf(byMarket.values()));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        for (PaperPosition position : open) {
            result.put(position.posTxid(), Replies.position(position,
                    calcs ? account.priceOrNull(position.pairId()) : null));
        }
        return replies.result(result);
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
        String clOrdId = OrderFilters.clOrdIdParam(params);
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

    /**
     * AmendOrder (https://docs.kraken.com/api/docs/rest-api/amend-order): an open order, by {@code txid} or
     * {@code cl_ord_id}, keeps its txid and its place; {@code order_qty}, {@code limit_price} and
     * {@code trigger_price} change, checked as AddOrder would check them. The answer is the amend's id.
     */
    private byte[] amendOrder(Map<String, String> params) {
        PaperOrder open = openOne(params.get("txid"), OrderFilters.clOrdIdParam(params));
        boolean stop = !open.ordertype().equals("limit");
        Map<String, String> changed = asAddOrder(open);
        putIfGiven(changed, "volume", params.get("order_qty"));
        putIfGiven(changed, "price", stop ? params.get("trigger_price") : params.get("limit_price"));
        if (stop) {
            putIfGiven(changed, "price2", params.get("limit_price"));
        }
        OrderTicket ticket = addOrderRules.check(changed, null);
        account.amend(open, ticket.volume(), stop ? ticket.price2() : ticket.price(),
                stop ? ticket.price() : null, ticket.description());
        return replies.result(Map.of("amend_id", "T" + open.txid().substring(1)));
    }

    /**
     * EditOrder (https://docs.kraken.com/api/docs/rest-api/edit-order), Kraken's older way to change an order: the open
     * order named by {@code txid} is cancelled and a new one placed with {@code volume}, {@code price},
     * {@code price2}, {@code userref} and {@code oflags} changed, under a new txid; {@code validate=true} only checks.
     */
    private byte[] editOrder(Map<String, String> params) {
        String txid = params.get("txid");
        if (params.get("pair") == null || params.get("pair").isBlank()) {
            throw KrakenReject.invalidArguments("pair");
        }
        PaperOrder open = openOne(txid, null);
        Map<String, String> changed = asAddOrder(open);
        for (String field : List.of("volume", "price", "price2", "userref", "oflags")) {
            putIfGiven(changed, field, params.get(field));
        }
        OrderTicket ticket = addOrderRules.check(changed, AddOrderRules.deadline(params.get("deadline"),
                clock.instant()));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("descr", Map.of("order", ticket.description()));
        if (ticket.validateOnly() || "true".equals(params.get("validate"))) {
            return replies.result(result);
        }
        PaperOrder placed = account.replace(open.txid(), ticket);
        PaperPair pair = pairs.find(placed.pairId()).orElseThrow();
        result.put("txid", placed.txid());
        result.put("originaltxid", open.txid());
        result.put("volume", Replies.plain(placed.volume(), pair.lotDecimals()));
        result.put("price", placed.price() == null ? "0" : Replies.plain(placed.price(), pair.pairDecimals()));
        result.put("price2", placed.price2() == null ? "0" : Replies.plain(placed.price2(), pair.pairDecimals()));
        result.put("orders_cancelled", 1);
        result.put("status", "ok");
        return replies.result(result);
    }

    /**
     * CancelAllOrdersAfter (https://docs.kraken.com/api/docs/rest-api/cancel-all-orders-after): a dead man's switch;
     * every open order is cancelled {@code timeout} seconds (at most 86400) from now unless the call comes again
     * first; 0 turns it off. The switch fires at the first request after its time.
     */
    private byte[] cancelAllOrdersAfter(Map<String, String> params) {
        String text = params.get("timeout");
        if (text == null || text.isBlank()) {
            throw KrakenReject.invalidArguments("timeout");
        }
        int timeout = OrderFilters.parseInt(text, "timeout");
        if (timeout < 0 || timeout > 86_400) {
            throw KrakenReject.invalidArguments("timeout");
        }
        Instant now = clock.instant();
        Instant trigger = account.cancelAllAfter(now, timeout);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("currentTime", now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
        result.put("triggerTime", trigger == null ? "0" : trigger.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                .toString());
        return replies.result(result);
    }

    /** The one open order a {@code txid} or {@code cl_ord_id} names; {@code EOrder:Unknown order} when none does. */
    private PaperOrder openOne(String txid, String clOrdId) {
        if (clOrdId == null && (txid == null || txid.isBlank())) {
            throw KrakenReject.invalidArguments("txid");
        }
        List<PaperOrder> found = account.openToCancel(txid == null ? "" : txid.trim(), clOrdId);
        if (found.size() != 1) {
            throw new KrakenReject("EOrder:Unknown order");
        }
        return found.get(0);
    }

    /** An open order as the AddOrder parameters that would place what is left of it. */
    private Map<String, String> asAddOrder(PaperOrder order) {
        PaperPair pair = pairs.find(order.pairId()).orElseThrow();
        Map<String, String> params = new LinkedHashMap<>();
        params.put("pair", pair.altname());
        params.put("type", order.type());
        params.put("ordertype", order.ordertype());
        params.put("volume", Replies.plain(order.volume(), pair.lotDecimals()));
        if (order.price() != null) {
            params.put("price", Replies.plain(order.price(), pair.pairDecimals()));
        }
        if (order.price2() != null) {
            params.put("price2", Replies.plain(order.price2(), pair.pairDecimals()));
        }
        if (!"none".equals(order.leverage())) {
            params.put("leverage", order.leverage());
        }
        if (order.userref() != null) {
            params.put("userref", order.userref().toString());
        }
        if (order.oflags() != null && !order.oflags().isBlank()) {
            params.put("oflags", order.oflags());
        }
        return params;
    }

    private static void putIfGiven(Map<String, String> params, String field, String value) {
        if (value != null && !value.isBlank()) {
            params.put(field, value.trim());
        }
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

    /** Real time whatever the clock; cut short by {@link PaperExchange#stop()}. */
    private static void pause(Duration duration) {
        if (duration.isZero() || duration.isNegative()) {
            return;
        }
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
