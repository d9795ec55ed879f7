package io.tvkraken.kraken;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Kraken's envelope and its error classes (docs/kraken.md#error-model). */
class KrakenReplyTest {

    static KrakenReply reply(int status, String body) {
        return KrakenReply.parse(status, body.getBytes(StandardCharsets.UTF_8), new ObjectMapper());
    }

    @Test
    void aWarningWithAResultIsASuccessNotARefusal() {
        KrakenReply r = reply(200, "{\"error\":[\"WGeneral:Something to know\"],\"result\":{\"txid\":[\"OX-1\"]}}");
        assertThat(r.ok()).isTrue();
        assertThat(r.errors()).isEmpty();
        assertThat(r.warnings()).containsExactly("WGeneral:Something to know");
        assertThat(r.unavailable()).isFalse();
    }

    @Test
    void outagesAndThrottlingWithHttp200CountAsUnavailable() {
        assertThat(reply(200, "{\"error\":[\"EService:Unavailable\"]}").unavailable()).isTrue();
        assertThat(reply(200, "{\"error\":[\"EService:Busy\"]}").outcomeUnknown()).isTrue();
        assertThat(reply(200, "{\"error\":[\"EAPI:Rate limit exceeded\"]}").unavailable()).isTrue();
        assertThat(reply(200, "{\"error\":[\"EAPI:Rate limit exceeded\"]}").outcomeUnknown())
                .as("throttled before the engine: not placed").isFalse();
        assertThat(reply(200, "{\"error\":[\"EGeneral:Internal error\"]}").outcomeUnknown()).isTrue();
    }

    @Test
    void aCloudflarePageOrAnEmptyAnswerMayHavePlacedTheOrder() {
        KrakenReply html = reply(502, "<html><body>Bad gateway</body></html>");
        assertThat(html.unavailable()).isTrue();
        assertThat(html.outcomeUnknown()).isTrue();
        assertThat(reply(200, "").outcomeUnknown()).isTrue();
    }

    @Test
    void businessRefusalsAreAnswersNotOutages() {
        KrakenReply r = reply(200, "{\"error\":[\"EOrder:Insufficient funds\"]}");
        assertThat(r.unavailable()).isFalse();
        assertThat(r.ok()).isFalse();
        assertThat(r.errors()).containsExactly("EOrder:Insufficient funds");
    }

    @Test
    void errorKindsAreBoundedForMetricLabels() {
        assertThat(KrakenRequests.errorKind("EService: Throttled: 1700000000")).isEqualTo("EService:Throttled");
        assertThat(KrakenRequests.errorKind("EGeneral:Invalid arguments:volume")).isEqualTo("EGeneral:Invalid arguments");
    }
}
