package io.tvkraken.alert;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns the raw body of a webhook into an {@link Alert}, or a 400 that names every field problem at once
 * (docs/alerts.md, docs/tradingview.md#content-types). TradingView sends {@code text/plain} whenever the message is not
 * valid JSON and renders placeholders as text, so the body is parsed as JSON whatever the content type, and numeric
 * fields accept numbers or numeric strings. Unknown fields are refused: a typo must not be silently ignored.
 *
 * <p>The body must be exactly what it appears to be: UTF-8 only, each field once, no unpaired surrogate, and no
 * placeholder left unrendered. Anything that could be read two ways is refused rather than guessed at.
 */
public final class AlertParser {

    static final Set<String> FIELDS = Set.of("ticker", "action", "order_type", "volume", "cost", "percent", "price",
            "price2", "trigger", "leverage", "reduce_only", "post_only", "time_in_force", "expire_time", "close", "id",
            "time", "validate", "userref", "comment", "passphrase", "strategy", "position", "market_position", "account",
            "accounts");
    private static final Set<String> CLOSE_FIELDS = Set.of("order_type", "price", "price2");
    private static final Pattern DECIMAL = Pattern.compile("\\d+(\\.\\d+)?|\\.\\d+");
    private static final Pattern SIGNED_DECIMAL = Pattern.compile("[-+]?(\\d+(\\.\\d+)?|\\.\\d+)");
    private static final int MAX_STRATEGY = 64;
    private static final Pattern LEVERAGE = Pattern.compile("([1-9]\\d?)(:1)?");
    private static final Pattern EXPIRE = Pattern.compile("0|\\+?\\d{1,10}");
    /** An epoch time given as text: 9 to 13 digits (a shorter number in quotes is more likely a typo than 1973). */
    private static final Pattern EPOCH_TEXT = Pattern.compile("\\d{9,13}");
    private static final int MAX_COMMENT = 256;
    private static final int MAX_ID = 128;
    private static final int MAX_INTEGER_DIGITS = 15;
    private static final int MAX_DECIMALS = 18;

    private final ObjectMapper json;
    /** The Kraken accounts an alert may name ({@code account}, {@code accounts}; docs/accounts.md), default first. */
    private final List<String> accounts;
    /** An alert names this many accounts at most. */
    public static final int MAX_ACCOUNTS = 16;

    public AlertParser(ObjectMapper json) {
        this(json, List.of(io.tvkraken.kraken.Accounts.DEFAULT));
    }

    /** @param accounts the names of the accounts configured, the default account's first */
    public AlertParser(ObjectMapper json, List<String> accounts) {
        this.json = json;
        this.accounts = List.copyOf(accounts);
    }

    /**
     * The idempotency key of an alert: its {@code id}, or a hash of the body when it has none. The body is the one
     * without secrets: a hash of a body that holds the passphrase would let whoever reads the journal try guesses at
     * the passphrase offline.
     */
    public static String alertId(Alert alert, byte[] rawBody) {
        if (alert != null && alert.id() != null) {
            return alert.id();
        }
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(rawBody));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Raw bytes to alert: {@link #read}, then {@link #validate}. The one way a body becomes an alert, for the webhook
     * (step parse-alert), a replay and the reconcile-orders route alike; a body that is not an alert is a
     * {@link RefusedException} (400), whatever the reason.
     */
    public Alert parse(byte[] raw) {
        return validate(read(raw));
    }

    /**
     * The webhook's step parse-alert: the tree that authentication read to find the passphrase, when there is one
     * (stripped of its secrets since, by io.tvkraken.ingress.SecretRedaction#redact(JsonNode)), else the body read now:
     * a body is read once.
     */
    public Alert parse(byte[] raw, JsonNode alreadyRead) {
        return alreadyRead != null ? validate(alreadyRead) : parse(raw == null ? new byte[0] : raw);
    }

    /**
     * Raw bytes to a JSON tree, refusing (400) a body that is not UTF-8, not JSON, or gives a field more than once,
     * whatever the mapper's own settings.
     */
    public JsonNode read(byte[] raw) {
        String text = text(raw);
        ObjectReader reader = json.reader().with(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature());
        try {
            return reader.readTree(text);
        } catch (JsonProcessingException e) {
            throw unreadable(e);
        }
    }

    /**
     * The body as text, decoded strictly as UTF-8: TradingView sends UTF-8, and anything else is refused (400
     * {@code invalid_json}) rather than guessed at. A lenient decoder reads the overlong {@code C0 AF} as a real
     * {@code /} and a CESU-8 surrogate as {@code ?}; Jackson, given bytes, detects UTF-16 and UTF-32 by itself. Each
     * would make the alert mean something other than the bytes that were signed. Given this text instead of bytes,
     * Jackson has no encoding left to detect, and a UTF-16 or UTF-32 body fails on its NUL characters.
     */
    public static String text(byte[] raw) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(raw);
        // UTF-8 never decodes to more chars than it has bytes
        CharBuffer out = CharBuffer.allocate(raw.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw new RefusedException(Refusal.INVALID_JSON, "the body is not valid UTF-8 (byte "
                    + (in.position() + 1) + " of " + raw.length + "): send the alert as UTF-8 text",
                    List.of("TradingView sends the alert message as UTF-8; a body in another encoding (UTF-16, "
                            + "UTF-32, Latin-1) or with invalid UTF-8 sequences is refused"));
        }
        out.flip();
        String text = out.toString();
        // A UTF-8 byte order mark is still UTF-8 (some tools write one), but not JSON: it is skipped.
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /**
     * The 400 for a body Jackson could not read. Location only: the parser's own message quotes body text, which may
     * hold the passphrase. A field given twice is named: which of its values was meant cannot be told (one parser
     * keeps the first, another the last), so the alert is refused rather than read either way.
     */
    private static RefusedException unreadable(JsonProcessingException e) {
        String where = e.getLocation() == null || e.getLocation().getLineNr() < 1 ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        Optional<String> duplicate = duplicateField(e);
        if (duplicate.isPresent()) {
            return new RefusedException(Refusal.INVALID_FIELDS, "a field is given more than once",
                    List.of(duplicate.get() + ": given more than once" + where + "; give each field once"));
        }
        return new RefusedException(Refusal.INVALID_JSON, "the body is not valid JSON" + where,
                List.of("a TradingView placeholder that renders as text must be inside quotes, e.g. "
                        + "\"volume\": \"{{strategy.order.contracts}}\""));
    }

    /** The path of the field Jackson's duplicate detection stopped at ({@code volume}, {@code close.price}). */
    private static Optional<String> duplicateField(JsonProcessingException e) {
        String message = e.getOriginalMessage();
        if (message == null || !message.startsWith("Duplicate field '")) {
            return Optional.empty();
        }
        // Jackson's parsing contexts, innermost first: the object holding the duplicate, then its parents
        Deque<JsonStreamContext> contexts = new ArrayDeque<>();
        if (e.getProcessor() instanceof JsonParser parser) {
            for (JsonStreamContext c = parser.getParsingContext(); c != null && !c.inRoot(); c = c.getParent()) {
                contexts.addFirst(c);
            }
        }
        StringBuilder path = new StringBuilder();
        for (JsonStreamContext c : contexts) {
            if (c.inArray()) {
                path.append('[').append(c.getCurrentIndex()).append(']');
            } else {
                path.append(path.length() == 0 ? "" : ".").append(c.getCurrentName());
            }
        }
        if (path.length() == 0) {
            String prefix = "Duplicate field '";
            path.append(message, prefix.length(), Math.max(prefix.length(), message.lastIndexOf('\'')));
        }
        return Optional.of(shorten(path.toString()));
    }

    /** The alert's fields, checked all at once: a 400 names every problem. */
    public Alert validate(JsonNode root) {
        ObjectNode alert = object(root);
        unpairedSurrogates(alert, "");
        return new Fields(alert, accounts).alert();
    }

    /** The body as a JSON object, or the 400 saying why it is not one. */
    public static ObjectNode object(JsonNode root) {
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new RefusedException(Refusal.INVALID_JSON, "the body is empty: send the alert as a JSON object");
        }
        if (!root.isObject()) {
            throw new RefusedException(Refusal.INVALID_JSON, "the body must be a JSON object");
        }
        return (ObjectNode) root;
    }

    /**
     * An escaped UTF-16 surrogate without its other half is valid JSON syntax but no character at all: written back
     * out (journal, answer, database) it silently becomes {@code ?}, so two different ids could become one. Refused,
     * naming the field.
     */
    private static void unpairedSurrogates(JsonNode node, String path) {
        if (node.isTextual() && unpaired(node.textValue())) {
            throw new RefusedException(Refusal.INVALID_JSON, "the body holds an unpaired UTF-16 surrogate "
                    + "escape (\\ud800-\\udfff), which is not a character", List.of(path + ": not valid Unicode text"));
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                String name = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                if (unpaired(field.getKey())) {
                    throw new RefusedException(Refusal.INVALID_JSON, "the body holds an unpaired UTF-16 "
                            + "surrogate escape (\\ud800-\\udfff) in a field name, which is not a character");
                }
                unpairedSurrogates(field.getValue(), name);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                unpairedSurrogates(node.get(i), path + "[" + i + "]");
            }
        }
    }

    private static boolean unpaired(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /** One pass over the fields, collecting every problem. */
    private static final class Fields {
        private final ObjectNode root;
        private final List<String> problems = new ArrayList<>();

        private final List<String> accounts;

        Fields(ObjectNode root, List<String> accounts) {
            this.root = root;
            this.accounts = accounts;
        }

        Alert alert() {
            Map<String, String> placeholders = placeholders();
            unknownFields(root, FIELDS, "");
            String ticker = text("ticker", true, 40);
            String strategy = strategy();
            boolean targets = root.hasNonNull("position") || root.hasNonNull("market_position");
            Target target = targets ? target() : null;
            // a target alert's side is the difference's: an action sent with it ({{strategy.order.action}}) is read
            // for typos and otherwise left aside
            Side side = targets && !root.hasNonNull("action") ? null : side();
            OrderType type = orderType(root.get("order_type"), "order_type", OrderType.MARKET);
            BigDecimal volume = targets ? null : positive("volume");
            BigDecimal cost = positive("cost");
            BigDecimal percent = positive("percent");
            int sizes = (volume != null ? 1 : 0) + (cost != null ? 1 : 0) + (percent != null ? 1 : 0);
            if (targets) {
                targetRules(type);
            } else if (sizes == 0 && !root.hasNonNull("volume") && !root.hasNonNull("cost")
                    && !root.hasNonNull("percent")) {
                problems.add("volume / cost / percent: one of the three is required");
            } else if (sizes > 1) {
                problems.add("volume / cost / percent: give only one of the three");
            }
            if (percent != null && percent.compareTo(BigDecimal.valueOf(100)) > 0) {
                problems.add("percent: must be at most 100, got " + percent.toPlainString());
            }
            Price price = price("price");
            Price price2 = price("price2");
            if (type != null) {
                pricesFor(type, price, price2);
            }
            String trigger = enumText("trigger", Set.of("last", "index"));
            String leverage = leverage();
            boolean reduceOnly = bool("reduce_only");
            boolean postOnly = bool("post_only");
            if (postOnly && type != null && type != OrderType.LIMIT) {
                problems.add("post_only: applies to limit orders only (order_type is " + type.kraken() + ")");
            }
            String tif = enumText("time_in_force", Set.of("gtc", "ioc", "gtd"));
            tif = tif == null ? null : tif.toUpperCase(Locale.ROOT);
            String expire = expireTime();
            if ("GTD".equals(tif) && expire == null) {
                problems.add("expire_time: required with time_in_force GTD");
            }
            CloseOrder close = close();
            String id = idField();
            String time = timeField();
            boolean validate = bool("validate");
            Integer userref = userref();
            String comment = text("comment", false, MAX_COMMENT);
            // a strategy's alerts trade on each account's own books (docs/accounts.md#strategies-on-several-accounts)
            List<String> named = accounts();
            text("passphrase", false, 1024);
            if (!placeholders.isEmpty()) {
                // a field holding a placeholder is reported as that, once, instead of as a malformed value
                problems.removeIf(p -> placeholders.containsKey(p.substring(0, Math.max(0, p.indexOf(": ")))));
                problems.addAll(0, placeholders.values());
            }
            if (!problems.isEmpty()) {
                throw new RefusedException(Refusal.INVALID_FIELDS, problems.size() == 1 ? "1 field problem" : problems.size() + " field problems", problems);
            }
            return new Alert(ticker, side, type, volume, cost, percent, price, price2, trigger, leverage, reduceOnly,
                    postOnly, tif, expire, close, id, time, validate, userref, comment, strategy, target, named);
        }

        /**
         * {@code account} (one name) or {@code accounts} (a list of names, or one string of names separated by
         * commas): accounts that are configured, each once. Empty when neither is given: the default account.
         */
        private List<String> accounts() {
            if (root.hasNonNull("account") && root.hasNonNull("accounts")) {
                problems.add("account / accounts: give only one of the two");
                return List.of();
            }
            List<String> names = new ArrayList<>();
            String field = root.hasNonNull("accounts") ? "accounts" : "account";
            JsonNode node = root.get(field);
            if (node == null || node.isNull()) {
                return List.of();
            }
            if (node.isArray() && "accounts".equals(field)) {
                for (JsonNode item : node) {
                    if (!item.isTextual()) {
                        problems.add("accounts: a list of account names (strings)");
                        return List.of();
                    }
                    names.add(item.asText().trim());
                }
            } else if (node.isTextual()) {
                for (String name : node.asText().split(",", -1)) {
                    names.add(name.trim());
                }
            } else {
                problems.add(field + ": must be " + ("accounts".equals(field) ? "a list of account names"
                        : "an account name"));
                return List.of();
            }
            if (names.isEmpty() || names.size() > MAX_ACCOUNTS) {
                problems.add(field + ": 1 to " + MAX_ACCOUNTS + " account names, got " + names.size());
                return List.of();
            }
            List<String> unknown = new ArrayList<>();
            for (String name : names) {
                if (!accounts.contains(name)) {
                    unknown.add("'" + shorten(name) + "'");
                }
            }
            if (!unknown.isEmpty()) {
                problems.add(field + ": no Kraken account " + String.join(", ", unknown) + " is configured (accounts: "
                        + String.join(", ", accounts) + ")");
                return List.of();
            }
            if (new java.util.HashSet<>(names).size() != names.size()) {
                problems.add(field + ": each account once");
                return List.of();
            }
            return List.copyOf(names);
        }

        /** {@code strategy}: a name of up to 64 printable characters, e.g. TradingView's strategy title. */
        private String strategy() {
            String name = text("strategy", false, MAX_STRATEGY);
            if (name != null && name.chars().anyMatch(Character::isISOControl)) {
                problems.add("strategy: printable characters only");
                return null;
            }
            return name;
        }

        /**
         * {@code position} ({@code {{strategy.position_size}}}: signed), or {@code market_position} ({@code long},
         * {@code flat}, {@code short}) with its size in {@code volume} ({@code {{strategy.market_position_size}}},
         * 0 when flat): docs/alerts.md#target-positions.
         */
        private Target target() {
            if (root.hasNonNull("position") && root.hasNonNull("market_position")) {
                problems.add("position / market_position: give only one of the two");
                return null;
            }
            if (root.hasNonNull("position")) {
                if (root.hasNonNull("volume")) {
                    problems.add("volume: not used with position, which is the size itself "
                            + "(volume goes with market_position)");
                }
                BigDecimal position = signed("position");
                return position == null ? null : new Target(position, "position " + position.toPlainString());
            }
            String side = enumText("market_position", Set.of("long", "flat", "short"));
            BigDecimal size = signed("volume");
            if (side == null) {
                return null;
            }
            if ("flat".equals(side)) {
                if (size != null && size.signum() != 0) {
                    problems.add("volume: must be 0 or absent with market_position flat, got " + size.toPlainString());
                    return null;
                }
                return new Target(BigDecimal.ZERO, "market_position flat");
            }
            if (size == null) {
                if (!root.hasNonNull("volume")) {
                    problems.add("volume: required with market_position " + side
                            + " ({{strategy.market_position_size}})");
                }
                return null;
            }
            if (size.signum() <= 0) {
                problems.add("volume: must be greater than 0 with market_position " + side + ", got "
                        + size.toPlainString());
                return null;
            }
            return new Target("short".equals(side) ? size.negate() : size,
                    "market_position " + side + " " + size.toPlainString());
        }

        /** What a target alert cannot carry: its own sizing, an order kind other than market or limit, margin. */
        private void targetRules(OrderType type) {
            if (root.hasNonNull("cost") || root.hasNonNull("percent")) {
                problems.add("cost / percent: not used with a target position, which gives the size");
            }
            if (type != null && type != OrderType.MARKET && type != OrderType.LIMIT) {
                problems.add("order_type: a target position is reached with a market or a limit order, got "
                        + type.kraken());
            }
            if (root.hasNonNull("leverage") || root.hasNonNull("reduce_only")) {
                problems.add((root.hasNonNull("leverage") ? "leverage" : "reduce_only")
                        + ": a target position is traded on spot; margin targets are not available yet");
            }
        }

        /** A signed decimal, as a number or a numeric string ({@code {{strategy.position_size}}} renders as text). */
        private BigDecimal signed(String field) {
            BigDecimal value = decimal(field, SIGNED_DECIMAL);
            return value == null ? null : sane(value.signum() == 0 ? BigDecimal.ZERO : value.stripTrailingZeros(),
                    field);
        }

        /**
         * A field's number, given as a JSON number or as text of the form {@code text}; null when absent, or - with
         * the problem noted - when it is neither.
         */
        private BigDecimal decimal(String field, Pattern text) {
            JsonNode node = root.get(field);
            if (node == null || node.isNull()) {
                return null;
            }
            if (node.isNumber()) {
                return node.decimalValue();
            }
            if (node.isTextual() && text.matcher(node.asText().trim()).matches()) {
                return new BigDecimal(node.asText().trim());
            }
            problems.add(field + ": must be a number or a numeric string, got " + shorten(node.toString())
                    + placeholderHint(node.asText()));
            return null;
        }

        /**
         * Every known field still holding a TradingView placeholder ({@code {{...}}}), the id first. TradingView
         * renders placeholders as text and leaves one it cannot render as it is: such an alert is not what the
         * strategy meant. An unrendered {@code {{strategy.order.id}}} above all: every alert carrying it would share
         * one id, and all but the first would be answered {@code duplicate} and never placed.
         */
        private Map<String, String> placeholders() {
            Map<String, String> found = new LinkedHashMap<>();
            placeholdersIn("id", root.get("id"), found);
            for (Iterator<Map.Entry<String, JsonNode>> fields = root.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (FIELDS.contains(field.getKey()) && !"id".equals(field.getKey())) {
                    placeholdersIn(field.getKey(), field.getValue(), found);
                }
            }
            return found;
        }

        private static void placeholdersIn(String path, JsonNode node, Map<String, String> found) {
            if (node == null) {
                return;
            }
            if (node.isTextual()) {
                Optional<String> token = placeholder(node.textValue());
                if (token.isEmpty()) {
                    return;
                }
                // never echo any part of the passphrase
                String what = "passphrase".equals(path) ? "a TradingView placeholder"
                        : "'" + shorten(token.get()) + "', a TradingView placeholder";
                String why = "id".equals(path)
                        ? ": alerts sharing this id would be taken for duplicates of the first and never placed" : "";
                found.put(path, path + ": holds " + what + " that was not replaced" + why);
            } else if (node.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    placeholdersIn(path + "." + field.getKey(), field.getValue(), found);
                }
            } else if (node.isArray()) {
                for (int i = 0; i < node.size(); i++) {
                    placeholdersIn(path + "[" + i + "]", node.get(i), found);
                }
            }
        }

        private void unknownFields(JsonNode node, Set<String> known, String prefix) {
            for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!known.contains(name)) {
                    String hint = nearest(name, known).map(n -> " (did you mean '" + n + "'?)").orElse("");
                    problems.add(prefix + name + ": unknown field" + hint);
                }
            }
        }

        private String text(String field, boolean required, int maxLength) {
            JsonNode node = root.get(field);
            if (node == null || node.isNull()) {
                if (required) {
                    problems.add(field + ": required");
                }
                return null;
            }
            if (!node.isTextual()) {
                problems.add(field + ": must be a string");
                return null;
            }
            String value = node.asText().trim();
            if (value.isEmpty()) {
                if (required) {
                    problems.add(field + ": must not be empty");
                }
                return null;
            }
            if (value.length() > maxLength) {
                problems.add(field + ": at most " + maxLength + " characters, got " + value.length());
                return null;
            }
            return value;
        }

        private Side side() {
            String action = text("action", true, 16);
            if (action == null) {
                return null;
            }
            try {
                return Side.parse(action);
            } catch (IllegalArgumentException e) {
                problems.add("action: must be 'buy' or 'sell', got '" + shorten(action) + "'" + placeholderHint(action));
                return null;
            }
        }

        private OrderType orderType(JsonNode node, String field, OrderType fallback) {
            if (node == null || node.isNull()) {
                return fallback;
            }
            Optional<OrderType> type = node.isTextual() ? OrderType.parse(node.asText()) : Optional.empty();
            if (type.isEmpty()) {
                problems.add(field + ": must be one of " + OrderType.allowed() + ", got " + shorten(node.toString()));
                return null;
            }
            return type.get();
        }

        private BigDecimal positive(String field) {
            BigDecimal value = decimal(field, DECIMAL);
            if (value == null) {
                return null;
            }
            if (value.signum() <= 0) {
                problems.add(field + ": must be greater than 0");
                return null;
            }
            return sane(value.stripTrailingZeros(), field);
        }

        private Price price(String field) {
            return priceOf(root.get(field), field);
        }

        private Price priceOf(JsonNode node, String field) {
            if (node == null || node.isNull()) {
                return null;
            }
            Optional<Price> price = node.isNumber()
                    ? Optional.of(Price.absolute(node.decimalValue()))
                    : node.isTextual() ? Price.parse(node.asText()) : Optional.empty();
            if (price.isEmpty()) {
                problems.add(field + ": must be a price like 37500.5, or relative like +100, -1.5%, #50, got "
                        + shorten(node.toString()) + placeholderHint(node.asText()));
                return null;
            }
            if (price.get().absolute() && price.get().amount().signum() <= 0) {
                problems.add(field + ": must be greater than 0");
                return null;
            }
            BigDecimal amount = sane(price.get().amount().stripTrailingZeros(), field);
            return amount == null ? null : price.get().withAmount(amount);
        }

        /** Which prices each order type takes (docs/kraken.md#prices), including the trailing-stop sign rules. */
        private void pricesFor(OrderType type, Price price, Price price2) {
            String name = "price";
            if (type.needsPrice() && price == null && !root.hasNonNull("price")) {
                problems.add(name + ": required for " + type.kraken() + " orders");
            }
            if (!type.needsPrice() && price != null) {
                problems.add(name + ": not used by market orders (use order_type limit for a limit price)");
            }
            if (type.needsPrice2() && price2 == null && !root.hasNonNull("price2")) {
                problems.add(name + "2: required for " + type.kraken() + " orders (the limit price)");
            }
            if (!type.needsPrice2() && price2 != null) {
                problems.add(name + "2: only stop-loss-limit, take-profit-limit and trailing-stop-limit take price2");
            }
            // Kraken: a trailing stop's price is the trailing offset and must be given with '+'; for
            // trailing-stop-limit, price2 is the offset from the trigger to the limit, with '+' or '-'.
            if (type.trailing() && price != null && !"+".equals(price.prefix())) {
                problems.add(name + ": a trailing stop takes a relative offset starting with '+', e.g. +100 or +1.5%");
            }
            if (type == OrderType.TRAILING_STOP_LIMIT && price2 != null
                    && !"+".equals(price2.prefix()) && !"-".equals(price2.prefix())) {
                problems.add(name + "2: for trailing-stop-limit, an offset from the trigger starting with + or -");
            }
        }

        /**
         * An amount a market could have: {@code 1e300000} is valid JSON, and dividing or rounding it would hold a
         * thread for minutes; a real volume or price never needs more than 15 digits before the point or 18 after.
         */
        private BigDecimal sane(BigDecimal value, String field) {
            int integerDigits = value.precision() - value.scale();
            if (integerDigits > MAX_INTEGER_DIGITS || value.scale() > MAX_DECIMALS) {
                problems.add(field + ": at most " + MAX_INTEGER_DIGITS + " digits before the decimal point and "
                        + MAX_DECIMALS + " after");
                return null;
            }
            return value;
        }

        private String enumText(String field, Set<String> allowed) {
            String value = text(field, false, 16);
            if (value == null) {
                return null;
            }
            String lower = value.toLowerCase(Locale.ROOT);
            if (!allowed.contains(lower)) {
                problems.add(field + ": must be one of " + String.join(", ", allowed.stream().sorted().toList())
                        + ", got '" + shorten(value) + "'");
                return null;
            }
            return lower;
        }

        private String leverage() {
            JsonNode node = root.get("leverage");
            if (node == null || node.isNull()) {
                return null;
            }
            String value = node.isIntegralNumber() ? node.asText() : node.isTextual() ? node.asText().trim() : "";
            var m = LEVERAGE.matcher(value);
            if (!m.matches()) {
                problems.add("leverage: a whole number such as 2 or \"5:1\", got " + shorten(node.toString()));
                return null;
            }
            return m.group(1);
        }

        private boolean bool(String field) {
            JsonNode node = root.get(field);
            if (node == null || node.isNull()) {
                return false;
            }
            if (node.isBoolean()) {
                return node.booleanValue();
            }
            if (node.isTextual() && Set.of("true", "false").contains(node.asText().trim().toLowerCase(Locale.ROOT))) {
                return Boolean.parseBoolean(node.asText().trim());
            }
            problems.add(field + ": must be true or false, got " + shorten(node.toString()));
            return false;
        }

        private String expireTime() {
            JsonNode node = root.get("expire_time");
            if (node == null || node.isNull()) {
                return null;
            }
            String value = node.isIntegralNumber() || node.isTextual() ? node.asText().trim() : "";
            if (!EXPIRE.matcher(value).matches()) {
                problems.add("expire_time: a Unix time in seconds, or +N seconds from now, got "
                        + shorten(node.toString()));
                return null;
            }
            return value;
        }

        private CloseOrder close() {
            JsonNode node = root.get("close");
            if (node == null || node.isNull()) {
                return null;
            }
            if (!node.isObject()) {
                problems.add("close: must be an object {\"order_type\", \"price\", \"price2\"}");
                return null;
            }
            unknownFields(node, CLOSE_FIELDS, "close.");
            JsonNode typeNode = node.get("order_type");
            if (typeNode == null || typeNode.isNull()) {
                problems.add("close.order_type: required");
                return null;
            }
            OrderType type = orderType(typeNode, "close.order_type", null);
            if (type == OrderType.MARKET) {
                problems.add("close.order_type: a conditional close cannot be a market order");
                return null;
            }
            Price price = priceOf(node.get("price"), "close.price");
            Price price2 = priceOf(node.get("price2"), "close.price2");
            if (type == null) {
                return null;
            }
            if (price == null && !node.hasNonNull("price")) {
                problems.add("close.price: required for a " + type.kraken() + " close");
            }
            if (type.needsPrice2() && price2 == null && !node.hasNonNull("price2")) {
                problems.add("close.price2: required for a " + type.kraken() + " close");
            }
            if (!type.needsPrice2() && price2 != null) {
                problems.add("close.price2: not used by a " + type.kraken() + " close");
            }
            return new CloseOrder(type, price, price2);
        }

        private String idField() {
            JsonNode node = root.get("id");
            if (node == null || node.isNull()) {
                return null;
            }
            if (!node.isTextual() && !node.isIntegralNumber()) {
                problems.add("id: must be a string");
                return null;
            }
            String id = node.asText().trim();
            if (id.isEmpty() || id.length() > MAX_ID) {
                problems.add("id: 1 to " + MAX_ID + " characters");
                return null;
            }
            // '<id>/open' and '<id>/<account>' are the ids of an alert's own legs (docs/accounts.md#fan-out)
            String last = id.substring(id.lastIndexOf('/') + 1);
            if (id.contains("/") && ("open".equals(last) || accounts.contains(last))) {
                problems.add("id: must not end in '/" + last + "': that names a leg of another alert");
                return null;
            }
            return id;
        }

        /**
         * {@code {{timenow}}} renders as ISO-8601 UTC; epoch seconds or milliseconds are accepted as well. Read here
         * exactly as {@link AlertAge} will read it, so that a time that is not one (negative, 20 digits, a year
         * beyond Java's range) is a 400 naming the field, never a failure later on.
         */
        private String timeField() {
            JsonNode node = root.get("time");
            if (node == null || node.isNull()) {
                return null;
            }
            String value = node.asText().trim();
            if (node.isIntegralNumber()) {
                if (AlertAge.EPOCH.matcher(value).matches()) {
                    return value;
                }
                problems.add("time: epoch seconds or milliseconds, a whole number from 0 to "
                        + AlertAge.MAX_EPOCH + ", got " + shorten(value));
                return null;
            }
            boolean digits = !value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9');
            if (node.isTextual() && (!digits || EPOCH_TEXT.matcher(value).matches())) {
                try {
                    AlertAge.firedAt(value);
                    return value;
                } catch (DateTimeException e) {
                    // reported below
                }
            }
            problems.add("time: ISO-8601 like 2026-01-02T03:04:05Z ({{timenow}}) or epoch seconds/milliseconds, got "
                    + shorten(node.toString()) + placeholderHint(value));
            return null;
        }

        private Integer userref() {
            JsonNode node = root.get("userref");
            if (node == null || node.isNull()) {
                return null;
            }
            String value = node.isIntegralNumber() || node.isTextual() ? node.asText().trim() : "";
            try {
                return Integer.valueOf(value);
            } catch (NumberFormatException e) {
                problems.add("userref: a whole number between -2147483648 and 2147483647 (Kraken's int32), got "
                        + shorten(node.toString()));
                return null;
            }
        }
    }

    /** The first {@code {{...}}} in a value, if it holds one. */
    static Optional<String> placeholder(String value) {
        int open = value.indexOf("{{");
        int close = open < 0 ? -1 : value.indexOf("}}", open + 2);
        return close < 0 ? Optional.empty() : Optional.of(value.substring(open, close + 2));
    }

    private static String placeholderHint(String value) {
        return value != null && value.contains("{{") ? " (a TradingView placeholder that was not replaced?)" : "";
    }

    private static String shorten(String value) {
        return value.length() <= 40 ? value : value.substring(0, 37) + "...";
    }

    /** The closest known field name within two edits, to turn a typo into a hint. */
    static Optional<String> nearest(String name, Set<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String candidate : known) {
            int d = distance(name.toLowerCase(Locale.ROOT), candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return Optional.ofNullable(best);
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
