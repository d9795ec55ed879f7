package io.tvkraken.telemetry;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Set;

/**
 * {@code LOG_FORMAT=json}: one JSON object per line, as Google Cloud Logging and an ELK pipeline read it
 * (docs/operations.md#log-fields): {@code time} (RFC 3339, UTC), {@code severity} (Cloud Logging's names),
 * {@code message}, {@code logger}, {@code thread}, the logging context's keys at the top level ({@code request_id},
 * {@code alert_id}, {@code pair}, {@code side}, {@code outcome}, see {@link RequestLog}) and the exception, if any, as
 * {@code stack_trace}. A line holds nothing the text format does not: the same message, the same stack trace.
 */
public class JsonLogEncoder extends EncoderBase<ILoggingEvent> {

    public static final String TIME = "time";
    public static final String SEVERITY = "severity";
    public static final String MESSAGE = "message";
    public static final String LOGGER = "logger";
    public static final String THREAD = "thread";
    public static final String STACK_TRACE = "stack_trace";
    /** Fields of the encoder's own: a logging context key by one of these names is left out, never written twice. */
    private static final Set<String> OWN = Set.of(TIME, SEVERITY, MESSAGE, LOGGER, THREAD, STACK_TRACE);
    private static final byte[] NOTHING = new byte[0];

    private final JsonFactory json = new JsonFactory();

    /**
     * Cloud Logging's LogSeverity names for logback's levels (docs/operations.md#log-fields): TRACE has no
     * counterpart below DEBUG, WARN is spelled WARNING.
     */
    static String severity(Level level) {
        return switch (level.toInt()) {
            case Level.ERROR_INT -> "ERROR";
            case Level.WARN_INT -> "WARNING";
            case Level.INFO_INT -> "INFO";
            case Level.DEBUG_INT, Level.TRACE_INT -> "DEBUG";
            default -> "DEFAULT";
        };
    }

    @Override
    public byte[] headerBytes() {
        return NOTHING;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        try (JsonGenerator out = json.createGenerator(line)) {
            out.writeStartObject();
            out.writeStringField(TIME, DateTimeFormatter.ISO_INSTANT.format(event.getInstant()));
            out.writeStringField(SEVERITY, severity(event.getLevel()));
            out.writeStringField(MESSAGE, event.getFormattedMessage());
            out.writeStringField(LOGGER, event.getLoggerName());
            out.writeStringField(THREAD, event.getThreadName());
            Map<String, String> mdc = event.getMDCPropertyMap();
            if (mdc != null) {
                for (String key : RequestLog.KEYS) {
                    String value = mdc.get(key);
                    if (value != null) {
                        out.writeStringField(key, value);
                    }
                }
                for (Map.Entry<String, String> other : mdc.entrySet()) {
                    if (!RequestLog.KEYS.contains(other.getKey()) && !OWN.contains(other.getKey())
                            && other.getValue() != null) {
                        out.writeStringField(other.getKey(), other.getValue());
                    }
                }
            }
            IThrowableProxy thrown = event.getThrowableProxy();
            if (thrown != null) {
                out.writeStringField(STACK_TRACE, ThrowableProxyUtil.asString(thrown));
            }
            out.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("log line could not be written as JSON", e);
        }
        line.write('\n');
        return line.toByteArray();
    }

    @Override
    public byte[] footerBytes() {
        return NOTHING;
    }
}
