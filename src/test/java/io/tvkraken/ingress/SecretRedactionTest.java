package io.tvkraken.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.TestSecrets;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecretRedactionTest {

    static final String P = TestSecrets.PASSPHRASE;
    static final ObjectMapper JSON = new ObjectMapper();
    final SecretRedaction redaction = new SecretRedaction(TestSecrets.ALL);

    String redact(String body) {
        String clean = redaction.redact(body);
        for (String secret : TestSecrets.ALL) {
            assertThat(clean).as("redacted %s", body).doesNotContain(secret);
        }
        return clean;
    }

    JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void aTopLevelPassphraseLosesItsValueAndTheBodyStaysTheSameJson() throws Exception {
        String body = "{\"ticker\": \"BTCUSD\",\n  \"action\":\"buy\", \"volume\": 0.01, \"passphrase\" : \"" + P + "\"}";
        String clean = redact(body);
        assertThat(clean).isEqualTo(body.replace(P, "[redacted]"));
        assertThat(json(clean).path("volume").decimalValue()).isEqualByComparingTo("0.01");
    }

    @Test
    void aPassphraseMemberAtAnyDepthAndOfAnyTypeLosesItsValue() throws Exception {
        String body = "{\"ticker\":\"BTCUSD\",\"close\":{\"passphrase\":\"other-secret-1\"},"
                + "\"list\":[{\"Passphrase\":{\"a\":[1,{\"b\":\"c\"}]}},{\"passphrase\":12345}],\"volume\":1}";
        JsonNode clean = json(redact(body));
        assertThat(clean.path("close").path("passphrase").asText()).isEqualTo("[redacted]");
        assertThat(clean.path("list").path(0).path("Passphrase").asText()).isEqualTo("[redacted]");
        assertThat(clean.path("list").path(1).path("passphrase").asText()).isEqualTo("[redacted]");
        assertThat(clean.path("volume").asInt()).isEqualTo(1);
        assertThat(clean.path("ticker").asText()).isEqualTo("BTCUSD");
    }

    @Test
    void aSecretInsideAnotherFieldOrAMemberNameIsReplaced() throws Exception {
        String body = "{\"comment\":\"mine is " + P + ", ok\",\"" + TestSecrets.ADMIN_TOKEN + "\":1,\"id\":\""
                + TestSecrets.KRAKEN_API_KEY + "\"}";
        JsonNode clean = json(redact(body));
        assertThat(clean.path("comment").asText()).isEqualTo("mine is [redacted], ok");
        assertThat(clean.has("[redacted]")).isTrue();
        assertThat(clean.path("id").asText()).isEqualTo("[redacted]");
    }

    @Test
    void escapesCannotHideASecret() throws Exception {
        String escaped = "\\u0070" + P.substring(1, 6) + "\\u00" + Integer.toHexString(P.charAt(6)) + P.substring(7);
        String slashes = TestSecrets.KRAKEN_API_SECRET.replace("/", "\\/");
        String body = "{\"comment\":\"" + escaped + "\",\"passphrase\":\"x\",\"userref\":\"" + slashes + "\"}";
        assertThat(JSON.readTree(body).path("comment").asText()).as("the test's escape").isEqualTo(P);
        JsonNode clean = json(redact(body));
        assertThat(clean.path("comment").asText()).isEqualTo("[redacted]");
        assertThat(clean.path("userref").asText()).doesNotContain(TestSecrets.KRAKEN_API_SECRET);
        assertThat(clean.toString()).doesNotContain(P);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"ticker\":\"BTCUSD\",\"passphrase\":\"" + TestSecrets.PASSPHRASE + "\"} trailing garbage",
        "{\"ticker\":\"BTCUSD\",\"passphrase\":\"" + TestSecrets.PASSPHRASE,
        "{\"ticker\":\"BTCUSD\",\"passphrase\":\"" + TestSecrets.PASSPHRASE + "\", \"volume\": {{strategy}}}",
        "{\"ticker\":\"BTCUSD\",\"passphrase\": " + TestSecrets.PASSPHRASE + ", \"volume\": 1}",
        "{'passphrase': '" + TestSecrets.PASSPHRASE + "'}",
        "passphrase=" + TestSecrets.PASSPHRASE + "&ticker=BTCUSD",
        "not json " + TestSecrets.PASSPHRASE + " and an \"unclosed " + TestSecrets.PASSPHRASE,
        "{\"comment\":\"a \\\"quoted\\\" " + TestSecrets.PASSPHRASE + "\", \"bad\": }",
        "buy BTCUSD " + TestSecrets.WEBHOOK_SECRET + TestSecrets.PASSPHRASE,
    })
    void aBodyThatIsNotJsonLosesEverySecretToo(String body) {
        assertThat(redact(body)).contains("[redacted]");
    }

    @Test
    void aTruncatedPassphraseValueIsRedactedEvenWhenItIsNotTheConfiguredOne() {
        assertThat(redact("{\"ticker\":\"BTCUSD\",\"passphrase\":\"someone-elses-sec"))
                .isEqualTo("{\"ticker\":\"BTCUSD\",\"passphrase\":\"[redacted]\"");
    }

    @Test
    void aBodyWithNothingToRemoveIsKeptByteForByte() {
        byte[] body = "{\"ticker\":\"BTCUSD\", \"action\":\"buy\",\"volume\":1e-8, \"comment\":\"\\u00e9 passphrase\"}"
                .getBytes(StandardCharsets.UTF_8);
        assertThat(redaction.redact(body)).isSameAs(body);
        byte[] notJson = "garbage \"passphrase".getBytes(StandardCharsets.UTF_8);
        assertThat(redaction.redact(notJson)).isSameAs(notJson);
    }

    @Test
    void redactingTwiceChangesNothingMore() {
        String once = redact("{\"passphrase\":\"" + P + "\",\"comment\":\"" + P + "\"}");
        assertThat(redaction.redact(once)).isEqualTo(once);
    }

    @Test
    void shortOrMissingSecretsAreNotSearchedForInFreeText() {
        SecretRedaction weak = new SecretRedaction(Arrays.asList("buy", null, P));
        assertThat(weak.redact("{\"action\":\"buy\",\"passphrase\":\"buy\"}"))
                .isEqualTo("{\"action\":\"buy\",\"passphrase\":\"[redacted]\"}");
        assertThat(new SecretRedaction(List.of()).redact("{\"passphrase\":\"" + P + "\"}"))
                .isEqualTo("{\"passphrase\":\"[redacted]\"}");
    }

    /**
     * The alert is taken from the tree authentication read, the journal keeps the redacted text: both must lose the
     * same things, so that what is answered and what is stored agree and neither holds a secret.
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":0.01,\"passphrase\":\"PASS\"}",
        "{\"ticker\":\"BTCUSD\",\"close\":{\"Passphrase \":[1,{\"b\":\"c\"}]},\"list\":[{\"passphrase\":12345}]}",
        "{\"comment\":\"mine is PASS, ok\",\"ADMIN\":1,\"id\":\"KEY\",\"ticker\":\"ETH\\/USD\"}",
        "{\"comment\":\"escaped \\u0070 PASS\",\"nested\":{\"deeper\":[\"KEY and PASS\"]},\"volume\":\"1e-8\"}",
        "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":1e-8,\"comment\":\"\\u00e9 passphrase\"}"
    })
    void theTreeLosesWhatTheTextLoses(String template) throws Exception {
        String body = template.replace("PASS", P).replace("ADMIN", TestSecrets.ADMIN_TOKEN)
                .replace("KEY", TestSecrets.KRAKEN_API_KEY);
        JsonNode fromTree = redaction.redact(json(body));
        JsonNode fromText = json(redact(body));
        assertThat(fromTree).isEqualTo(fromText);
        for (String secret : TestSecrets.ALL) {
            assertThat(JSON.writeValueAsString(fromTree)).doesNotContain(secret);
        }
    }

    @Test
    void aSecretInANumberLeavesNoNumberInTheTree() throws Exception {
        SecretRedaction digits = new SecretRedaction(List.of("123456789"));
        JsonNode clean = digits.redact(json("{\"volume\":123456789,\"price\":\"1\"}"));
        assertThat(clean.path("volume").asText()).isEqualTo("[redacted]");
        assertThat(clean.path("price").asText()).isEqualTo("1");
    }
}
