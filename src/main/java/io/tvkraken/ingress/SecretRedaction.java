package io.tvkraken.ingress;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Takes the service's secrets out of an alert's body. It runs once, as soon as the alert is authenticated
 * ({@link WebhookAuthenticator}): from then on the body is journaled, dead-lettered, hashed into the alert id, quoted
 * in refusals, served by the admin API and replayed, and none of these may carry a secret. The webhook passphrase is
 * the secret that bodies carry by design (TradingView cannot send it any other way); any other configured secret
 * pasted into an alert goes the same way.
 *
 * <p>A body can have any shape: TradingView sends whatever the alert message renders to, valid JSON or not, and a
 * signed body need not be JSON at all. So the body is read as text, one JSON string literal at a time, without
 * needing the whole to parse:
 *
 * <ul>
 *   <li>the value of every {@code passphrase} member, at any depth and of any type, becomes {@code "[redacted]"};</li>
 *   <li>a string literal (member name or value) whose decoded text contains a secret is written again with the
 *       secret replaced, so that an escape such as {@code \u0070} or {@code \/} cannot hide one;</li>
 *   <li>outside string literals (plain text, numbers, the tail of a truncated body) every occurrence of a secret is
 *       replaced.</li>
 * </ul>
 *
 * Valid JSON stays valid JSON with the same members, so that a replay can parse it again; a body with nothing to
 * remove is kept byte for byte, so that its alert id (a hash of the body when it has no {@code id}) does not change.
 */
public final class SecretRedaction {

    public static final String REDACTED = "[redacted]";
    /**
     * Secrets shorter than this are not searched for in free text: removing every "buy" or "BTCUSD" from a body would
     * break alerts rather than protect anything. The {@code passphrase} member's value is redacted whatever its length.
     */
    static final int SHORTEST_SECRET = 6;

    private static final String PASSPHRASE = "passphrase";
    private static final String QUOTED_REDACTED = "\"" + REDACTED + "\"";

    /** Longest first, so that a secret that contains another one is replaced whole. */
    private final List<String> secrets;
    /** Each secret as it can be written inside a JSON string without decoding: JSON-escaped, {@code /} as {@code \/}. */
    private final List<String> writtenForms;

    public SecretRedaction(Collection<String> secrets) {
        this.secrets = secrets.stream().filter(Objects::nonNull).filter(s -> s.length() >= SHORTEST_SECRET)
                .distinct().sorted(Comparator.comparingInt(String::length).reversed()).toList();
        Set<String> forms = new LinkedHashSet<>();
        for (String secret : this.secrets) {
            String escaped = new String(JsonStringEncoder.getInstance().quoteAsString(secret));
            forms.add(secret);
            forms.add(escaped);
            forms.add(escaped.replace("/", "\\/"));
        }
        this.writtenForms = List.copyOf(forms);
    }

    /** The body without secrets; the very same array when there was nothing to remove. */
    public byte[] redact(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        String clean = redact(text);
        return clean.equals(text) ? body : clean.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The same for a body already read as JSON (authentication read it for the passphrase): a copy of the tree with the
     * value of every {@code passphrase} member, and every member name, string or number that holds a secret, replaced
     * by {@code "[redacted]"}, as {@link #redact(byte[])} does to the text. The alert is taken from this tree, the
     * journal keeps that text: neither holds a secret.
     */
    public JsonNode redact(JsonNode tree) {
        if (tree.isObject()) {
            ObjectNode clean = JsonNodeFactory.instance.objectNode();
            tree.fields().forEachRemaining(member -> {
                String name = member.getKey();
                clean.set(containsSecret(name) ? replaceSecrets(name) : name,
                        name.trim().equalsIgnoreCase(PASSPHRASE) ? TextNode.valueOf(REDACTED)
                                : redact(member.getValue()));
            });
            return clean;
        }
        if (tree.isArray()) {
            ArrayNode clean = JsonNodeFactory.instance.arrayNode();
            tree.forEach(element -> clean.add(redact(element)));
            return clean;
        }
        if (tree.isTextual()) {
            return containsSecret(tree.textValue()) ? TextNode.valueOf(replaceSecrets(tree.textValue())) : tree;
        }
        // a number or a literal: a secret in its digits makes it no number at all
        return containsSecret(tree.asText()) ? TextNode.valueOf(REDACTED) : tree;
    }

    public String redact(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(text.length());
        int plainFrom = 0;
        // A "passphrase" member name was just read; then its colon too: the next value is the passphrase.
        boolean afterName = false;
        boolean valueDue = false;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (valueDue && !Character.isWhitespace(c)) {
                out.append(plain(text.substring(plainFrom, i)));
                out.append(QUOTED_REDACTED);
                i = plainFrom = endOfValue(text, i);
                valueDue = false;
                continue;
            }
            if (c == '"') {
                out.append(plain(text.substring(plainFrom, i)));
                int close = closingQuote(text, i);
                int end = close < 0 ? text.length() : close + 1;
                String decoded = decode(text, i + 1, close < 0 ? end : close);
                out.append(containsSecret(decoded) ? quote(replaceSecrets(decoded)) : text.substring(i, end));
                afterName = decoded.trim().equalsIgnoreCase(PASSPHRASE);
                i = plainFrom = end;
                continue;
            }
            if (afterName && c == ':') {
                valueDue = true;
            }
            if (!Character.isWhitespace(c)) {
                afterName = false;
            }
            i++;
        }
        out.append(plain(text.substring(plainFrom)));
        // Last, the written forms anywhere: a secret that itself holds a quote can straddle the literals read above.
        String clean = out.toString();
        for (String form : writtenForms) {
            clean = clean.replace(form, REDACTED);
        }
        return clean;
    }

    /** Text outside string literals: structure and numbers in JSON, anything at all in other bodies. */
    private String plain(String segment) {
        String clean = replaceSecrets(segment);
        // Escapes mean nothing outside a string, but a reader could still decode them.
        return containsSecret(decode(clean, 0, clean.length())) ? REDACTED : clean;
    }

    private boolean containsSecret(String text) {
        for (String secret : secrets) {
            if (text.contains(secret)) {
                return true;
            }
        }
        return false;
    }

    private String replaceSecrets(String text) {
        for (String secret : secrets) {
            text = text.replace(secret, REDACTED);
        }
        return text;
    }

    private static String quote(String text) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + "\"";
    }

    /** Where the string literal that opens at {@code start} closes; -1 if it never does (a truncated body). */
    private static int closingQuote(String text, int start) {
        for (int i = start + 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i;
            }
        }
        return -1;
    }

    /** The index after the string literal that opens at {@code start}; the end of the text if it is never closed. */
    private static int endOfString(String text, int start) {
        int close = closingQuote(text, start);
        return close < 0 ? text.length() : close + 1;
    }

    /**
     * The index after the value that starts at {@code start}: a string, an object or array (brackets balanced outside
     * strings), or a bare token up to the next separator. Unfinished: the end of the text.
     */
    private static int endOfValue(String text, int start) {
        char first = text.charAt(start);
        if (first == '"') {
            return endOfString(text, start);
        }
        if (first == '{' || first == '[') {
            int depth = 0;
            for (int i = start; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '"') {
                    i = endOfString(text, i) - 1;
                } else if (c == '{' || c == '[') {
                    depth++;
                } else if ((c == '}' || c == ']') && --depth == 0) {
                    return i + 1;
                }
            }
            return text.length();
        }
        int i = start;
        while (i < text.length() && ",}]\r\n\t ".indexOf(text.charAt(i)) < 0) {
            i++;
        }
        return Math.max(i, start + 1);
    }

    /** JSON string escapes decoded, leniently: an escape that is not one is kept as the character it escapes. */
    private static String decode(String text, int from, int to) {
        if (text.indexOf('\\', from) < 0 || text.indexOf('\\', from) >= to) {
            return text.substring(from, to);
        }
        StringBuilder out = new StringBuilder(to - from);
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c != '\\' || i + 1 >= to) {
                out.append(c);
                continue;
            }
            char e = text.charAt(++i);
            switch (e) {
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (i + 4 < to && isHex(text, i + 1, i + 5)) {
                        out.append((char) Integer.parseInt(text.substring(i + 1, i + 5), 16));
                        i += 4;
                    } else {
                        out.append(e);
                    }
                }
                default -> out.append(e);
            }
        }
        return out.toString();
    }

    private static boolean isHex(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            if (Character.digit(text.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }
}
