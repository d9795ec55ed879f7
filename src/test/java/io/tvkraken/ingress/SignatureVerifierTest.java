package io.tvkraken.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SignatureVerifierTest {

    private static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.UTF_8);
    // GitHub's published vector for X-Hub-Signature-256 (docs/reliability.md#webhook-signatures): same algorithm.
    private static final String VECTOR = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    private final SignatureVerifier verifier = new SignatureVerifier("It's a Secret to Everybody");

    @Test
    void computesGithubsPublishedVector() {
        assertThat(verifier.sign(BODY)).isEqualTo(VECTOR);
    }

    @Test
    void acceptsLowercaseHexWithOrWithoutTheSha256Prefix() {
        assertThat(verifier.verify(BODY, VECTOR)).isTrue();
        assertThat(verifier.verify(BODY, "sha256=" + VECTOR)).isTrue();
        assertThat(verifier.verify(BODY, " " + VECTOR.toUpperCase() + " ")).isTrue();
    }

    @Test
    void refusesAnyChangedByteMissingHeaderOrOtherKey() {
        assertThat(verifier.verify("Hello, World?".getBytes(StandardCharsets.UTF_8), VECTOR)).isFalse();
        assertThat(verifier.verify(BODY, null)).isFalse();
        assertThat(verifier.verify(BODY, "")).isFalse();
        assertThat(new SignatureVerifier("another secret").verify(BODY, VECTOR)).isFalse();
        assertThat(verifier.toString()).doesNotContain("Secret to Everybody");
    }
}
