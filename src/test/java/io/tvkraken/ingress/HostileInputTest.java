package io.tvkraken.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.RunningApp;
import io.tvkraken.TestSecrets;
import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.PaperExchangeHarness;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bodies that must be refused, each class through real HTTP into the real application (paper mode, both
 * authentication methods configured): a clear 400 naming what is wrong, never a 5xx, never an order.
 */
class HostileInputTest {

    private static final String ALERT = "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.001\"";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path data;
    static RunningApp app;
    static PaperExchangeHarness paper;

    @BeforeAll
    static void start() {
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("webhook.secret", TestSecrets.WEBHOOK_SECRET);
        p.put("webhook.passphrase", TestSecrets.PASSPHRASE);
        app = RunningApp.start(p);
        paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    static HttpResponse<String> post(byte[] body, boolean signed) {
        HttpRequest.Builder request = HttpRequest.newBuilder(app.uri("/webhook/tradingview"))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "text/plain; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (signed) {
            request.header("X-Signature", new SignatureVerifier(TestSecrets.WEBHOOK_SECRET).sign(body));
        }
        return app.send(request.build());
    }

    static HttpResponse<String> signed(String body) {
        return post(body.getBytes(StandardCharsets.UTF_8), true);
    }

    static HttpResponse<String> withPassphrase(String body) {
        return post(body.getBytes(StandardCharsets.UTF_8), false);
    }

    static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            byte[] b = part instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : (byte[]) part;
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    static JsonNode error(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body()).path("error");
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    /** A 400 with this code, and nothing sent to the exchange while answering it. */
    static JsonNode refused400(String code, java.util.function.Supplier<HttpResponse<String>> call) {
        int sent = paper.addOrderRequests().size();
        HttpResponse<String> response = call.get();
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.body()).contains("\"status\":\"rejected\"").doesNotContain(TestSecrets.PASSPHRASE);
        assertThat(error(response).path("code").asText()).as(response.body()).isEqualTo(code);
        assertThat(paper.addOrderRequests()).as("AddOrder calls").hasSize(sent);
        return error(response);
    }

    @Test
    void aBodyThatIsNotUtf8IsRefusedAsInvalidJson() {
        byte[] cesuSurrogate = {(byte) 0xED, (byte) 0xA0, (byte) 0x80};
        byte[] overlongSlash = {(byte) 0xC0, (byte) 0xAF};
        for (byte[] bad : new byte[][] {cesuSurrogate, overlongSlash, {(byte) 0xFF}}) {
            JsonNode error = refused400("invalid_json",
                    () -> post(bytes(ALERT, ",\"comment\":\"a", bad, "b\"}"), true));
            assertThat(error.path("message").asText()).contains("not valid UTF-8");
        }
        // with a secret in it too: taking the secret out must not repair the encoding into an order
        byte[] secretAndBadByte = bytes(ALERT, ",\"passphrase\":\"", TestSecrets.PASSPHRASE, "\",\"comment\":\"a",
                cesuSurrogate, "b\"}");
        assertThat(refused400("invalid_json", () -> post(secretAndBadByte, true)).path("message").asText())
                .contains("not valid UTF-8");
        // a whole alert in UTF-32 after its byte order mark: Jackson would detect the encoding and read it
        byte[] utf32 = bytes(new byte[] {0, 0, (byte) 0xFE, (byte) 0xFF},
                (ALERT + "}").getBytes(Charset.forName("UTF-32BE")));
        assertThat(refused400("invalid_json", () -> post(utf32, true)).path("message").asText())
                .contains("not valid UTF-8");
        // UTF-16 without a byte order mark is valid UTF-8 byte by byte, but JSON with NUL characters: not JSON
        refused400("invalid_json", () -> post((ALERT + "}").getBytes(StandardCharsets.UTF_16LE), true));
        // an escaped surrogate without its other half is no character either
        assertThat(refused400("invalid_json", () -> signed(ALERT + ",\"id\":\"x\\ud800\"}")).path("details")
                .toString()).contains("id:");
    }

    @Test
    void underPassphraseAuthenticationABodyThatIsNotUtf8IsA400NotA401() {
        JsonNode error = refused400("invalid_json", () -> post(bytes(ALERT, ",\"comment\":\"",
                new byte[] {(byte) 0xC0, (byte) 0xAF}, "\",\"passphrase\":\"" + TestSecrets.PASSPHRASE + "\"}"),
                false));
        assertThat(error.path("message").asText()).contains("passphrase could not be read", "not valid UTF-8");
    }

    @Test
    void aTimeThatIsNoEpochIsA400NamingTime() {
        for (String time : new String[] {"-1", "\"-1\"", "12345678901234567890", "-12345678901234567890",
                "\"12345678901234567890\"", "99999999999999", "1.7e9", "\"+1000000001-01-01T00:00:00Z\""}) {
            JsonNode error = refused400("invalid_fields", () -> signed(ALERT + ",\"time\":" + time + "}"));
            assertThat(error.path("details").get(0).asText()).as(time).startsWith("time:");
        }
    }

    @Test
    void aTimeInTheFutureIsA400NamingTime() {
        long in2099 = Instant.parse("2099-01-01T00:00:00Z").getEpochSecond();
        String aMinuteAhead = Instant.now().plusSeconds(60).toString();
        for (String time : new String[] {"\"2099-01-01T00:00:00Z\"", String.valueOf(in2099),
                String.valueOf(in2099 * 1000), "\"" + aMinuteAhead + "\""}) {
            JsonNode error = refused400("invalid_fields", () -> signed(ALERT + ",\"time\":" + time + "}"));
            assertThat(error.path("details").get(0).asText()).as(time).startsWith("time:").contains("ahead");
        }
    }

    @Test
    void anUnrenderedPlaceholderIsA400NamingTheFieldTheIdFirst() {
        JsonNode first = refused400("invalid_fields",
                () -> signed(ALERT + ",\"id\":\"{{strategy.order.id}}\",\"comment\":\"one\"}"));
        assertThat(first.path("details").get(0).asText()).startsWith("id:").contains("{{strategy.order.id}}");
        // a second, different alert with the same unrendered id is refused the same way, not taken for a duplicate
        JsonNode second = refused400("invalid_fields", () -> signed(
                "{\"ticker\":\"ETHUSD\",\"action\":\"sell\",\"volume\":\"0.01\",\"id\":\"{{strategy.order.id}}\"}"));
        assertThat(second.path("details").get(0).asText()).startsWith("id:");
        // in another field; with several, each is named once and the id comes first
        JsonNode several = refused400("invalid_fields", () -> signed("{\"ticker\":\"{{ticker}}\",\"action\":\"buy\","
                + "\"volume\":\"{{strategy.order.contracts}}\",\"id\":\"{{strategy.order.id}}-{{timenow}}\"}"));
        assertThat(several.path("details")).hasSize(3);
        assertThat(several.path("details").get(0).asText()).startsWith("id:");
        assertThat(several.path("details").toString()).contains("ticker: holds '{{ticker}}'",
                "volume: holds '{{strategy.order.contracts}}'");
        JsonNode nested = refused400("invalid_fields", () -> signed(ALERT + ",\"order_type\":\"limit\",\"price\":1,"
                + "\"close\":{\"order_type\":\"stop-loss\",\"price\":\"{{plot_0}}\"}}"));
        assertThat(nested.path("details").get(0).asText()).startsWith("close.price: holds '{{plot_0}}'");
        // under passphrase authentication too, and the passphrase is never echoed
        refused400("invalid_fields", () -> withPassphrase(ALERT + ",\"comment\":\"{{strategy.order.comment}}\","
                + "\"passphrase\":\"" + TestSecrets.PASSPHRASE + "\"}"));
    }

    @Test
    void aFieldGivenTwiceIsA400NamingIt() {
        JsonNode error = refused400("invalid_fields",
                () -> signed("{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":0.001,\"volume\":1}"));
        assertThat(error.path("details").get(0).asText()).startsWith("volume: given more than once");
        assertThat(refused400("invalid_fields", () -> signed(ALERT + ",\"order_type\":\"limit\",\"price\":1,"
                + "\"close\":{\"order_type\":\"stop-loss\",\"price\":1,\"price\":2}}")).path("details").get(0).asText())
                .startsWith("close.price: given more than once");
        // the passphrase twice: neither value is taken for authentication
        JsonNode twice = refused400("invalid_fields", () -> withPassphrase(ALERT + ",\"passphrase\":\"wrong\","
                + "\"passphrase\":\"" + TestSecrets.PASSPHRASE + "\"}"));
        assertThat(twice.path("message").asText()).contains("passphrase could not be read");
        assertThat(twice.path("details").get(0).asText()).startsWith("passphrase: given more than once");
    }

    @Test
    void underPassphraseAuthenticationABodyThatIsNotJsonIsA400SayingThePassphraseCouldNotBeRead() {
        // a placeholder that rendered as nothing, unquoted: what TradingView then sends as text/plain
        JsonNode error = refused400("invalid_json", () -> withPassphrase(
                "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":,\"passphrase\":\"" + TestSecrets.PASSPHRASE
                        + "\"}"));
        assertThat(error.path("message").asText()).contains("passphrase could not be read", "not valid JSON",
                "line 1, column");
        assertThat(refused400("invalid_json", () -> withPassphrase("buy BTCUSD 0.001")).path("message").asText())
                .contains("passphrase could not be read");
        assertThat(refused400("invalid_json", () -> withPassphrase("[\"" + TestSecrets.PASSPHRASE + "\"]"))
                .path("message").asText()).contains("passphrase could not be read", "JSON object");
        // a JSON body with a wrong passphrase is still 401
        int sent = paper.addOrderRequests().size();
        assertThat(withPassphrase(ALERT + ",\"passphrase\":\"wrong\"}").statusCode()).isEqualTo(401);
        assertThat(paper.addOrderRequests()).hasSize(sent);
    }

    @Test
    void theSameAlertWellFormedIsExecuted() {
        HttpResponse<String> response = signed(ALERT + ",\"id\":\"hostile-control\",\"time\":\""
                + Instant.now().toString() + "\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"status\":\"executed\"");
    }

    /**
     * Signed, mutated bodies (seeded, so a failure can be replayed): whatever the mutations, never a 5xx, never a dead
     * letter, and nothing executed that is not valid UTF-8 or still holds a placeholder.
     */
    @Test
    void mutatedBodiesAreAnsweredWithoutFailureAndOnlyCleanOnesAreExecuted() {
        Random random = new Random(20260502L);
        byte[][] inserts = {{(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xFF},
                {0}, {'-'}, {'9'}, {'"'}, {','}, {'{', '{'}, {'}', '}'}, "\\ud800".getBytes(StandardCharsets.US_ASCII),
                "{{strategy.order.id}}".getBytes(StandardCharsets.US_ASCII),
                "99999999999999999999".getBytes(StandardCharsets.US_ASCII), {(byte) 0xE2, (byte) 0x82}};
        Map<String, Integer> outcomes = new java.util.TreeMap<>();
        for (int i = 0; i < 300; i++) {
            byte[] body = ("{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.001\",\"id\":\"m-" + i
                    + "\",\"time\":" + Instant.now().getEpochSecond() + ",\"comment\":\"café\"}")
                    .getBytes(StandardCharsets.UTF_8);
            for (int m = 0, mutations = 1 + random.nextInt(2); m < mutations; m++) {
                int at = random.nextInt(body.length);
                int resume = random.nextBoolean() ? at : at + 1;
                body = bytes(Arrays.copyOfRange(body, 0, at), inserts[random.nextInt(inserts.length)],
                        Arrays.copyOfRange(body, resume, body.length));
            }
            byte[] mutated = body;
            HttpResponse<String> response = post(mutated, true);
            String what = i + ": " + new String(mutated, StandardCharsets.ISO_8859_1) + " -> " + response.body();
            assertThat(response.statusCode()).as(what).isLessThan(500);
            assertThat(response.body()).as(what).doesNotContain("dead_lettered", "internal_error");
            if (response.body().contains("\"status\":\"executed\"")) {
                assertThat(strictUtf8(mutated)).as(what).isTrue();
                assertThat(new String(mutated, StandardCharsets.UTF_8)).as(what)
                        .doesNotContainPattern("\\{\\{.*\\}\\}");
            }
            outcomes.merge(response.statusCode() + " " + error(response).path("code").asText(), 1, Integer::sum);
        }
        // the mutations reach both sides: some bodies are still good alerts, most are refused
        assertThat(outcomes).as(outcomes.toString()).containsKeys("200 ", "400 invalid_json", "400 invalid_fields");
    }

    private static boolean strictUtf8(byte[] body) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
