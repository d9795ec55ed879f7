package io.tvkraken.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON line of {@code LOG_FORMAT=json}: Cloud Logging's fields, the logging context, one line per event. */
class JsonLogEncoderTest {

    private final LoggerContext logback = new LoggerContext();
    private final Logger logger = logback.getLogger("io.tvkraken.order.OrderLifecycle");
    private final ObjectMapper json = new ObjectMapper();

    private String encode(Level level, String message, Throwable thrown, Map<String, String> mdc) {
        JsonLogEncoder encoder = new JsonLogEncoder();
        encoder.setContext(logback);
        encoder.start();
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, level, message, thrown, null);
        event.setThreadName("order-worker #3");
        event.setMDCPropertyMap(mdc);
        return new String(encoder.encode(event), StandardCharsets.UTF_8);
    }

    @Test
    void aLineHasCloudLoggingsFieldsAndTheAlertsKeysAtTheTopLevel() throws Exception {
        String line = encode(Level.WARN, "order executed: \"buy\"\nsecond line", null, Map.of("request_id", "tv-1",
                "alert_id", "a-1", "pair", "XBTUSD", "side", "buy", "outcome", "executed"));
        assertThat(line).endsWith("}\n");
        assertThat(line.substring(0, line.length() - 1)).as("one line").doesNotContain("\n");
        JsonNode node = json.readTree(line);
        assertThat(node.path("severity").asText()).isEqualTo("WARNING");
        assertThat(OffsetDateTime.parse(node.path("time").asText())).isNotNull();
        assertThat(node.path("time").asText()).endsWith("Z");
        assertThat(node.path("message").asText()).isEqualTo("order executed: \"buy\"\nsecond line");
        assertThat(node.path("logger").asText()).isEqualTo("io.tvkraken.order.OrderLifecycle");
        assertThat(node.path("thread").asText()).isEqualTo("order-worker #3");
        assertThat(node.path("request_id").asText()).isEqualTo("tv-1");
        assertThat(node.path("alert_id").asText()).isEqualTo("a-1");
        assertThat(node.path("pair").asText()).isEqualTo("XBTUSD");
        assertThat(node.path("side").asText()).isEqualTo("buy");
        assertThat(node.path("outcome").asText()).isEqualTo("executed");
        assertThat(node.has("stack_trace")).isFalse();
        assertThat(node.has("level")).isFalse();
    }

    @Test
    void severityUsesCloudLoggingsNames() {
        assertThat(JsonLogEncoder.severity(Level.TRACE)).isEqualTo("DEBUG");
        assertThat(JsonLogEncoder.severity(Level.DEBUG)).isEqualTo("DEBUG");
        assertThat(JsonLogEncoder.severity(Level.INFO)).isEqualTo("INFO");
        assertThat(JsonLogEncoder.severity(Level.WARN)).isEqualTo("WARNING");
        assertThat(JsonLogEncoder.severity(Level.ERROR)).isEqualTo("ERROR");
    }

    @Test
    void anExceptionIsItsStackTraceAndAKeyNamedLikeAFieldIsNotWrittenTwice() throws Exception {
        String line = encode(Level.ERROR, "order run failed", new IllegalStateException("journal gone"),
                Map.of("request_id", "tv-2", "severity", "forged"));
        JsonNode node = json.readTree(line);
        assertThat(node.path("severity").asText()).isEqualTo("ERROR");
        assertThat(node.path("stack_trace").asText()).contains("java.lang.IllegalStateException: journal gone",
                "at io.tvkraken.telemetry.JsonLogEncoderTest");
        assertThat(line.split("\"severity\"", -1)).hasSize(2);
        assertThat(node.has("alert_id")).as("keys not set are left out").isFalse();
    }
}
