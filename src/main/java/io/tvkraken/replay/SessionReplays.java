package io.tvkraken.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tvkraken.alert.Refusal;
import io.tvkraken.alert.RefusedException;
import io.tvkraken.journal.JournalEntry;
import io.tvkraken.journal.ReplayStore;
import io.tvkraken.ops.AdminApi;
import io.tvkraken.ops.Answers;
import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.PaperOrder;
import io.tvkraken.strategy.StrategyFile;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays of recorded alerts (docs/replays.md): {@code POST /admin/replays} takes a time range, and optionally the
 * strategies to replay, the accounts to place them on and the strategies file's settings to try instead of the current
 * ones; the route {@code run-replays} then runs the journaled alerts of that range, in the order they arrived, through
 * a {@link Sandbox} - the whole service again, in paper mode, with fresh paper exchanges whose prices follow those
 * recorded when each alert was handled. It never touches a live account. {@code GET /admin/replays/{id}} reads the
 * report back (its progress while it runs); {@code GET /admin/replays/{id}/orders} its orders as CSV.
 */
public class SessionReplays {

    private static final Logger LOG = LoggerFactory.getLogger(SessionReplays.class);
    /** Alerts one replay runs at most. */
    static final int MAX_ALERTS = 5000;
    /** The longest range one replay covers. */
    static final Duration MAX_RANGE = Duration.ofDays(31);
    public static final String ENDPOINT = "seda:run-replay";
    /** A running replay whose progress has not moved for this long was left by an instance that stopped. */
    static final Duration STALLED_AFTER = Duration.ofMinutes(2);
    private static final String DEFAULT = "default";

    private final ReplayStore store;
    private final ObjectMapper json;
    private final Answers answers;
    private final ProducerTemplate template;
    private final List<String> namedAccounts;
    private final Path strategiesFile;
    private final Map<String, BigDecimal> paperBalances;
    private final Function<String, Optional<String>> altnameOf;

    /**
     * @param namedAccounts the service's named accounts: the sandbox has the same, so that the alerts naming them run
     * @param altnameOf     a ticker's Kraken pair (its altname), as the service resolves it
     */
    public SessionReplays(ReplayStore store, ObjectMapper json, Answers answers, ProducerTemplate template,
            List<String> namedAccounts, Path strategiesFile, Map<String, BigDecimal> paperBalances,
            Function<String, Optional<String>> altnameOf) {
        this.store = store;
        this.json = json;
        this.answers = answers;
        this.template = template;
        this.namedAccounts = List.copyOf(namedAccounts);
        this.strategiesFile = strategiesFile;
        this.paperBalances = Map.copyOf(paperBalances);
        this.altnameOf = altnameOf;
    }

    /** What a replay was asked for; every field but the range optional. */
    record Request(Instant from, Instant to, List<String> strategies, List<String> accounts, JsonNode settings,
            Map<String, BigDecimal> balances, String quote, BigDecimal feePercent) {
    }

    /**
     * The fee a replay charges on each fill, in percent of its cost, unless the request says otherwise: Kraken's taker
     * fee at its lowest volume tier (docs/replays.md#fees). The paper exchange itself charges none.
     */
    static final BigDecimal DEFAULT_FEE_PERCENT = new BigDecimal("0.40");

    /** {@code POST /admin/replays}: 202 with the replay's id and progress; 400 naming every field that is wrong. */
    public void start(Exchange exchange) {
        byte[] body = exchange.getMessage().getBody(byte[].class);
        Request request = parse(body);
        int total = store.recorded(request.from(), request.to(), MAX_ALERTS + 1).size();
        if (total > MAX_ALERTS) {
            throw new RefusedException(Refusal.INVALID_FIELDS, "1 field problem", List.of("from / to: more than "
                    + MAX_ALERTS + " alerts in the range; replay a shorter one"));
        }
        String id = "rp-" + UUID.randomUUID().toString().substring(0, 13);
        store.create(id, new String(body, java.nio.charset.StandardCharsets.UTF_8), total);
        LOG.info("replay {} of {} alert(s) from {} to {}", id, total, request.from(), request.to());
        template.sendBody(ENDPOINT, id);
        answers.json(exchange, 202, view(store.get(id).orElseThrow()));
    }

    /** {@code GET /admin/replays/{id}}: 202 with its progress while it runs, 200 with its report once done. */
    public void read(Exchange exchange) {
        ReplayStore.Replay replay = find(exchange);
        answers.json(exchange, Answers.replayStatus(replay.state()), view(replay));
    }

    /** {@code GET /admin/replays/{id}/orders}: its orders as CSV once done; its progress (202) while it runs. */
    public void orders(Exchange exchange) {
        ReplayStore.Replay replay = find(exchange);
        if (replay.ordersCsv() == null) {
            answers.json(exchange, Answers.replayStatus(replay.state()), view(replay));
        } else {
            answers.csv(exchange, replay.ordersCsv());
        }
    }

    private ReplayStore.Replay find(Exchange exchange) {
        String id = exchange.getVariable(AdminApi.ID, String.class);
        store.failIfStalled(id == null ? "" : id, STALLED_AFTER);
        return store.get(id == null ? "" : id).orElseThrow(() -> new RefusedException(Refusal.NOT_FOUND,
                "no replay " + id));
    }

    private Map<String, Object> view(ReplayStore.Replay replay) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", replay.id());
        view.put("state", replay.state());
        view.put("progress", Map.of("done", replay.done(), "total", replay.total()));
        view.put("requested_at", replay.requestedAt());
        view.put("instance", replay.instance());
        view.put("request", tree(replay.request()));
        if (replay.report() != null) {
            view.put("report", tree(replay.report()));
        }
        if (replay.error() != null) {
            view.put("error", replay.error());
        }
        return view;
    }

    private JsonNode tree(String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            return json.getNodeFactory().textNode(text);
        }
    }

    /** The request, every problem named at once (400 invalid_fields). */
    Request parse(byte[] body) {
        JsonNode root;
        try {
            root = json.readTree(body == null ? new byte[0] : body);
        } catch (IOException e) {
            throw new RefusedException(Refusal.INVALID_JSON, "the body is not JSON", List.of());
        }
        if (root == null || !root.isObject()) {
            throw new RefusedException(Refusal.INVALID_FIELDS, "1 field problem",
                    List.of("body: a JSON object such as {\"from\": \"2026-12-06T00:00:00Z\", \"to\": "
                            + "\"2026-12-07T00:00:00Z\"}"));
        }
        List<String> problems = new ArrayList<>();
        Iterator<String> names = root.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!List.of("from", "to", "strategies", "accounts", "settings", "balances", "quote", "fee_percent")
                    .contains(name)) {
                problems.add(name + ": unknown field (known: from, to, strategies, accounts, settings, balances, quote,"
                        + " fee_percent)");
            }
        }
        Instant from = instant(root, "from", problems);
        Instant to = instant(root, "to", problems);
        if (from != null && to != null && !to.isAfter(from)) {
            problems.add("to: must be after from");
        } else if (from != null && to != null && Duration.between(from, to).compareTo(MAX_RANGE) > 0) {
            problems.add("from / to: at most " + MAX_RANGE.toDays() + " days");
        }
        List<String> strategies = names(root, "strategies", problems);
        List<String> accounts = names(root, "accounts", problems);
        if (accounts != null) {
            for (String account : accounts) {
                if (!DEFAULT.equals(account) && !namedAccounts.contains(account)) {
                    problems.add("accounts: no Kraken account '" + account + "' is configured");
                }
            }
        }
        JsonNode settings = root.get("settings");
        if (settings != null && !settings.isNull()) {
            if (!settings.isObject()) {
                problems.add("settings: the strategies file's settings, as a JSON object");
            } else {
                try {
                    List<String> known = new ArrayList<>(namedAccounts);
                    known.add(DEFAULT);
                    StrategyFile.problemIn(json.writeValueAsBytes(settings), known)
                            .ifPresent(problem -> problems.add("settings: " + problem));
                } catch (JsonProcessingException e) {
                    problems.add("settings: " + e.getOriginalMessage());
                }
            }
        } else {
            settings = null;
        }
        Map<String, BigDecimal> balances = new LinkedHashMap<>();
        JsonNode given = root.get("balances");
        if (given != null && !given.isNull()) {
            if (!given.isObject()) {
                problems.add("balances: amounts by Kraken asset code, e.g. {\"ZUSD\": 100000}");
            } else {
                given.fields().forEachRemaining(e -> {
                    if (e.getValue().isNumber() && e.getValue().decimalValue().signum() >= 0) {
                        balances.put(e.getKey(), e.getValue().decimalValue());
                    } else {
                        problems.add("balances." + e.getKey() + ": an amount of 0 or more");
                    }
                });
            }
        }
        String quote = root.path("quote").isTextual() ? root.path("quote").asText() : "ZUSD";
        BigDecimal feePercent = DEFAULT_FEE_PERCENT;
        if (root.has("fee_percent")) {
            JsonNode fee = root.get("fee_percent");
            if (!fee.isNumber() || fee.decimalValue().signum() < 0 || fee.decimalValue().compareTo(BigDecimal.TEN) > 0) {
                problems.add("fee_percent: a percent from 0 to 10");
            } else {
                feePercent = fee.decimalValue();
            }
        }
        if (!problems.isEmpty()) {
            throw new RefusedException(Refusal.INVALID_FIELDS, problems.size() == 1 ? "1 field problem"
                    : problems.size() + " field problems", problems);
        }
        return new Request(from, to, strategies, accounts, settings, balances, quote, feePercent);
    }

    private static Instant instant(JsonNode root, String field, List<String> problems) {
        JsonNode node = root.get(field);
        if (node == null || !node.isTextual()) {
            problems.add(field + ": required, a time such as 2026-12-06T00:00:00Z");
            return null;
        }
        try {
            return Instant.parse(node.asText());
        } catch (DateTimeParseException e) {
            problems.add(field + ": a time such as 2026-12-06T00:00:00Z, not '" + node.asText() + "'");
            return null;
        }
    }

    private static List<String> names(JsonNode root, String field, List<String> problems) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        List<String> names = new ArrayList<>();
        if (!node.isArray() || node.isEmpty()) {
            problems.add(field + ": a list of names");
            return null;
        }
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                problems.add(field + ": a list of names");
                return null;
            }
            names.add(item.asText());
        }
        return names;
    }

    /** The route run-replays: one replay, to its end; its report, or why it failed, in the journal database. */
    public void run(@Body String id) {
        ReplayStore.Replay replay = store.get(id).orElseThrow(() -> new IllegalStateException("no replay " + id));
        try {
            Request request = parse(replay.request().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            Result result = replay(id, request);
            store.done(id, result.alerts(), json.writeValueAsString(result.report()), result.ordersCsv());
            LOG.info("replay {} done: {} alert(s)", id, result.alerts());
        } catch (RuntimeException | IOException e) {
            LOG.warn("replay {} failed: {}", id, e.getMessage(), e);
            store.failed(id, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private record Result(int alerts, ObjectNode report, String ordersCsv) {
    }

    /** What one strategy's alerts did on one account. */
    private static final class Tally {
        int alerts;
        int executed;
        final Map<String, Integer> refused = new LinkedHashMap<>();
        final Map<String, Integer> other = new LinkedHashMap<>();
        BigDecimal fees = BigDecimal.ZERO;
    }

    /** One order line of the CSV. */
    private record Line(Instant at, String alertId, String account, String strategy, String status, String pair,
            String side, String volume, List<String> txids, String error) {
    }

    private Result replay(String id, Request request) throws IOException {
        List<ReplayStore.RecordedAlert> alerts = store.recorded(request.from(), request.to(), MAX_ALERTS);
        byte[] strategies = request.settings() != null ? json.writeValueAsBytes(request.settings())
                : strategiesFile != null ? Files.readAllBytes(strategiesFile) : null;
        Map<String, BigDecimal> balances = request.balances().isEmpty() ? paperBalances : request.balances();
        List<String> accounts = new ArrayList<>();
        accounts.add(DEFAULT);
        accounts.addAll(namedAccounts);
        try (Sandbox sandbox = Sandbox.start("replay-" + id, strategies, namedAccounts, balances)) {
            String quote = request.quote();
            Map<String, BigDecimal> startEquity = new LinkedHashMap<>();
            Map<String, ArrayNode> equity = new LinkedHashMap<>();
            for (String account : accounts) {
                startEquity.put(account, sandbox.exchange(account).equity(quote));
                equity.put(account, json.createArrayNode());
            }
            Map<String, Tally> tallies = new LinkedHashMap<>();
            List<Line> lines = new ArrayList<>();
            int done = 0;
            for (ReplayStore.RecordedAlert alert : alerts) {
                done++;
                JsonNode parsed = tree(alert.body());
                String strategy = parsed.path("strategy").isTextual() ? parsed.path("strategy").asText() : null;
                if (request.strategies() != null && !request.strategies().contains(strategy)) {
                    continue;
                }
                String body = alert.body();
                if (request.accounts() != null && parsed.isObject()) {
                    ObjectNode placed = ((ObjectNode) parsed).deepCopy();
                    placed.remove("account");
                    ArrayNode names = placed.putArray("accounts");
                    request.accounts().forEach(names::add);
                    body = json.writeValueAsString(placed);
                }
                // the market as it was when the alert was handled: every account's exchange at the recorded price
                if (alert.marketPrice() != null && parsed.path("ticker").isTextual()) {
                    Optional<String> pair = altnameOf.apply(parsed.path("ticker").asText());
                    BigDecimal price = new BigDecimal(alert.marketPrice());
                    pair.ifPresent(p -> accounts.forEach(a -> sandbox.exchange(a).movePrice(p, price)));
                }
                HttpResponse<String> answered = sandbox.send(body);
                JsonNode answer = tree(answered.body());
                if ("pending".equals(answer.path("status").asText()) && answer.path("alert_id").isTextual()) {
                    Optional<JournalEntry> row = sandbox.finished(answer.path("alert_id").asText(), Duration.ofSeconds(30));
                    if (row.isPresent() && row.get().answer() != null) {
                        answer = tree(row.get().answer());
                    }
                }
                if ("duplicate".equals(answer.path("status").asText())) {
                    // a copy of an alert in the range: nothing placed, as when it was sent
                    tallies.computeIfAbsent(tallyKey(strategy, DEFAULT), k -> new Tally())
                            .other.merge("duplicate", 1, Integer::sum);
                    recordEquity(sandbox, accounts, equity, alert.receivedAt(), quote, request.feePercent());
                    if (done % 10 == 0) {
                        store.progress(id, done);
                    }
                    continue;
                }
                String named = parsed.path("account").isTextual() ? parsed.path("account").asText() : DEFAULT;
                List<JsonNode> outcomes = new ArrayList<>();
                List<String> outcomeAccounts = new ArrayList<>();
                if (answer.has("orders")) {
                    for (JsonNode order : answer.path("orders")) {
                        outcomes.add(order);
                        outcomeAccounts.add(order.path("account").asText(DEFAULT));
                    }
                } else {
                    outcomes.add(answer);
                    outcomeAccounts.add(named);
                }
                for (int i = 0; i < outcomes.size(); i++) {
                    JsonNode outcome = outcomes.get(i);
                    String account = outcomeAccounts.get(i);
                    Tally tally = tallies.computeIfAbsent(tallyKey(strategy, account), k -> new Tally());
                    tally.alerts++;
                    String status = outcome.path("status").asText();
                    String code = outcome.path("error").path("code").asText(null);
                    if ("executed".equals(status)) {
                        tally.executed++;
                    } else if ("rejected".equals(status)) {
                        tally.refused.merge(code == null ? "rejected" : code, 1, Integer::sum);
                    } else {
                        tally.other.merge(status, 1, Integer::sum);
                    }
                    JsonNode order = outcome.path("order");
                    List<String> txids = new ArrayList<>();
                    order.path("txid").forEach(t -> txids.add(t.asText()));
                    lines.add(new Line(alert.receivedAt(), outcome.path("alert_id").asText(alert.alertId()), account,
                            strategy, status, order.path("pair").asText(""), order.path("side").asText(""),
                            order.path("volume").asText(""), txids, code == null ? "" : code));
                }
                recordEquity(sandbox, accounts, equity, alert.receivedAt(), quote, request.feePercent());
                if (done % 10 == 0) {
                    store.progress(id, done);
                }
            }
            // fees and fills as each account's exchange has them
            Map<String, PaperOrder> byTxid = new HashMap<>();
            for (String account : accounts) {
                sandbox.exchange(account).allOrders().forEach(o -> byTxid.put(o.txid(), o));
            }
            ObjectNode report = json.createObjectNode();
            report.put("from", request.from().toString());
            report.put("to", request.to().toString());
            report.put("alerts", alerts.size());
            report.put("quote", quote);
            report.put("fee_percent", request.feePercent());
            ArrayNode rows = report.putArray("by_strategy_and_account");
            StringBuilder csv = new StringBuilder("received_at,alert_id,account,strategy,status,pair,side,volume,"
                    + "avg_price,cost,fee,txid,error\n");
            for (Line line : lines) {
                PaperOrder order = line.txids().isEmpty() ? null : byTxid.get(line.txids().get(0));
                BigDecimal fee = order == null ? BigDecimal.ZERO : fee(order, request.feePercent());
                Tally tally = tallies.get(tallyKey(line.strategy(), line.account()));
                tally.fees = tally.fees.add(fee);
                csv.append(String.join(",", line.at().toString(), csvCell(line.alertId()), csvCell(line.account()),
                        csvCell(line.strategy() == null ? "" : line.strategy()), line.status(), line.pair(),
                        line.side(), line.volume(), order == null || order.averagePrice() == null ? ""
                                : order.averagePrice().toPlainString(),
                        order == null || order.cost() == null ? "" : order.cost().toPlainString(),
                        order == null ? "" : fee.toPlainString(), String.join(" ", line.txids()), line.error()))
                        .append('\n');
            }
            tallies.forEach((key, tally) -> {
                String[] parts = key.split("\u0000", 2);
                ObjectNode row = rows.addObject();
                if (!parts[0].isEmpty()) {
                    row.put("strategy", parts[0]);
                }
                row.put("account", parts[1]);
                row.put("alerts", tally.alerts);
                row.put("executed", tally.executed);
                row.set("refused", json.valueToTree(tally.refused));
                row.set("other", json.valueToTree(tally.other));
                row.put("fees", tally.fees.stripTrailingZeros().toPlainString());
            });
            ArrayNode accountRows = report.putArray("accounts");
            for (String account : accounts) {
                PaperExchange exchange = sandbox.exchange(account);
                List<PaperOrder> orders = exchange.allOrders();
                BigDecimal fees = fees(orders, request.feePercent());
                // the fees the exchange did not charge, taken off the equity it reports
                BigDecimal end = exchange.equity(quote).subtract(fees);
                ObjectNode row = accountRows.addObject();
                row.put("account", account);
                row.put("orders", orders.size());
                row.put("fees", fees.stripTrailingZeros().toPlainString());
                row.put("starting_equity", startEquity.get(account).setScale(2, RoundingMode.HALF_UP));
                row.put("ending_equity", end.setScale(2, RoundingMode.HALF_UP));
                row.put("pnl", end.subtract(startEquity.get(account)).setScale(2, RoundingMode.HALF_UP));
                ObjectNode held = row.putObject("balances");
                exchange.holdings().forEach((asset, amount) -> {
                    if (amount.signum() != 0) {
                        held.put(asset, amount.stripTrailingZeros().toPlainString());
                    }
                });
                row.set("equity", equity.get(account));
            }
            return new Result(done, report, csv.toString());
        }
    }

    /** Each account's equity after an alert: its holdings valued in {@code quote}, the fees charged so far taken off. */
    private static void recordEquity(Sandbox sandbox, List<String> accounts, Map<String, ArrayNode> equity, Instant at,
            String quote, BigDecimal feePercent) {
        for (String account : accounts) {
            ObjectNode point = equity.get(account).addObject();
            point.put("at", at.toString());
            PaperExchange exchange = sandbox.exchange(account);
            point.put("equity", exchange.equity(quote).subtract(fees(exchange.allOrders(), feePercent))
                    .setScale(2, RoundingMode.HALF_UP));
        }
    }

    /** The fee the replay charges on one order: {@code feePercent} of its cost (docs/replays.md#fees). */
    private static BigDecimal fee(PaperOrder order, BigDecimal feePercent) {
        return order.cost() == null ? BigDecimal.ZERO
                : order.cost().multiply(feePercent.movePointLeft(2)).setScale(8, RoundingMode.HALF_UP);
    }

    private static BigDecimal fees(List<PaperOrder> orders, BigDecimal feePercent) {
        return orders.stream().map(o -> fee(o, feePercent)).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    /** One strategy's (none: empty) alerts on one account, as the report's rows group them. */
    private static String tallyKey(String strategy, String account) {
        return (strategy == null ? "" : strategy) + "\u0000" + account;
    }

    private static String csvCell(String text) {
        return text.contains(",") || text.contains("\"") ? "\"" + text.replace("\"", "\"\"") + "\"" : text;
    }
}
