package io.tvkraken.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.RunningApp;
import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.PaperExchangeHarness;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP edge through real HTTP, most of it over raw sockets because that is where the server's own answers and
 * request smuggling live (docs/answers.md#refused-by-the-http-edge, docs/operations.md#http-server-limits): every
 * answer is the service's JSON with an {@code X-Request-ID}, a body over the server's limit is refused from its
 * declared length, a request whose framing cannot be trusted is answered once and its connection closed, and slow
 * connections are cut off after the timeouts (set small here).
 */
class HttpEdgeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[01] (\\d{3}) ");

    @TempDir
    static Path data;
    static RunningApp app;
    static PaperExchangeHarness paper;

    @BeforeAll
    static void start() {
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("http.header-timeout-ms", "700");
        p.put("http.body-timeout-ms", "700");
        app = RunningApp.start(p);
        paper = PaperExchangeHarness.of(app.bean("paperExchange", PaperExchange.class));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    /** A raw HTTP exchange: what the server sent until it closed the connection or went quiet for {@code quiet}. */
    record Raw(String text, boolean closed) {

        int answers() {
            Matcher m = STATUS_LINE.matcher(text);
            int n = 0;
            while (m.find()) {
                n++;
            }
            return n;
        }

        int status() {
            Matcher m = STATUS_LINE.matcher(text);
            assertThat(m.find()).as("no status line in: %s", text).isTrue();
            return Integer.parseInt(m.group(1));
        }

        String header(String name) {
            Matcher m = Pattern.compile("(?im)^" + Pattern.quote(name) + ":\\s*(.*?)\\r?$").matcher(text);
            return m.find() ? m.group(1) : null;
        }

        JsonNode body() {
            int start = text.indexOf("\r\n\r\n");
            try {
                return JSON.readTree(text.substring(start + 4));
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + text, e);
            }
        }
    }

    static Raw exchange(byte[] request, Duration quiet) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", app.port())) {
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            return read(socket, quiet);
        }
    }

    static Raw read(Socket socket, Duration quiet) throws IOException {
        socket.setSoTimeout((int) quiet.toMillis());
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        boolean closed = false;
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                got.write(buffer, 0, n);
            }
            closed = true;
        } catch (SocketTimeoutException e) {
            closed = false;
        } catch (IOException e) {
            // a reset after the answer: the connection is closed all the same
            closed = true;
        }
        return new Raw(got.toString(StandardCharsets.ISO_8859_1), closed);
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    static void assertJsonRefusal(Raw raw, int status, String code) {
        assertThat(raw.status()).as(raw.text()).isEqualTo(status);
        assertThat(raw.header("Content-Type")).isEqualTo("application/json");
        JsonNode body = raw.body();
        assertThat(body.path("status").asText()).isEqualTo("rejected");
        assertThat(body.path("error").path("code").asText()).isEqualTo(code);
        assertThat(body.path("error").path("message").asText()).isNotBlank();
        assertThat(raw.header("X-Request-ID")).isNotBlank().isEqualTo(body.path("request_id").asText());
    }

    @Test
    void anUnknownPathIs404InJsonWithTheCallersRequestId() {
        HttpResponse<String> response = app.get("/nothing/here", Map.of("X-Request-ID", "tv-404-check"));
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.headers().firstValue("X-Request-ID")).hasValue("tv-404-check");
        assertThat(response.body()).contains("\"code\":\"not_found\"", "\"request_id\":\"tv-404-check\"");
    }

    @Test
    void aWrongMethodIs405InJsonNamingTheAllowedMethods() {
        HttpResponse<String> response = app.get("/webhook/tradingview", Map.of());
        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValue("POST");
        assertThat(response.headers().firstValue("X-Request-ID")).isPresent();
        assertThat(response.body()).contains("\"status\":\"rejected\"", "\"code\":\"method_not_allowed\"");
    }

    @Test
    void aDeclaredBodyOverTheServersLimitIsRefusedBeforeItIsSentAndTheConnectionClosed() throws IOException {
        int placed = paper.addOrderRequests().size();
        try (Socket socket = new Socket("127.0.0.1", app.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(ascii("POST /webhook/tradingview HTTP/1.1\r\nHost: edge\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 10000000\r\n\r\n"));
            // 16 KiB of the 10 MB: the answer comes without the rest
            out.write(new byte[16 * 1024]);
            out.flush();
            Raw raw = read(socket, Duration.ofSeconds(5));
            assertJsonRefusal(raw, 413, "payload_too_large");
            assertThat(raw.body().path("error").path("message").asText()).contains("10000000", "1048576");
            assertThat(raw.closed()).as("connection closed after the 413").isTrue();
        }
        assertThat(paper.addOrderRequests()).hasSize(placed);
    }

    @Test
    void aChunkedBodyOverTheServersLimitIs413InJson() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", app.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(ascii("POST /webhook/tradingview HTTP/1.1\r\nHost: edge\r\nContent-Type: text/plain\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n"));
            Thread writer = new Thread(() -> {
                byte[] chunk = new byte[64 * 1024];
                try {
                    for (int i = 0; i < 40; i++) {
                        out.write(ascii(Integer.toHexString(chunk.length) + "\r\n"));
                        out.write(chunk);
                        out.write(ascii("\r\n"));
                    }
                    out.write(ascii("0\r\n\r\n"));
                } catch (IOException closedByServer) {
                    // expected once the server has answered and closed
                }
            });
            writer.start();
            Raw raw = read(socket, Duration.ofSeconds(5));
            writer.join(5000);
            assertJsonRefusal(raw, 413, "payload_too_large");
        }
    }

    @Test
    void aRequestLineOrHeadersTooLongAre414And431InJson() throws IOException {
        Raw uri = exchange(ascii("GET /webhook/health?" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: edge\r\n\r\n"),
                Duration.ofSeconds(5));
        assertJsonRefusal(uri, 414, "uri_too_long");
        Raw headers = exchange(ascii("GET /webhook/health HTTP/1.1\r\nHost: edge\r\nX-Big: " + "b".repeat(20_000)
                + "\r\n\r\n"), Duration.ofSeconds(5));
        assertJsonRefusal(headers, 431, "headers_too_large");
    }

    @Test
    void anUnknownTransferCodingIs400AndWhatFollowsIsNeverReadAsASecondRequest() throws IOException {
        String smuggled = "GET /webhook/health HTTP/1.1\r\nHost: edge\r\n\r\n";
        Raw raw = exchange(ascii("POST /webhook/tradingview HTTP/1.1\r\nHost: edge\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: xchunked\r\n\r\n" + smuggled), Duration.ofSeconds(5));
        assertThat(raw.answers()).as(raw.text()).isEqualTo(1);
        assertJsonRefusal(raw, 400, "invalid_request");
        assertThat(raw.body().path("error").path("message").asText()).contains("xchunked");
        assertThat(raw.header("Connection")).isEqualTo("close");
        assertThat(raw.closed()).isTrue();
    }

    @Test
    void anotherCodingBeforeChunkedIs400AndALengthBesideChunkedIsIgnored() throws IOException {
        int placed = paper.addOrderRequests().size();
        String alert = "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.001\",\"id\":\"te-cl\"}";
        String chunked = Integer.toHexString(alert.length()) + "\r\n" + alert + "\r\n0\r\n\r\n";
        Raw gzip = exchange(ascii("POST /webhook/tradingview HTTP/1.1\r\nHost: edge\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: gzip, chunked\r\n\r\n" + chunked), Duration.ofSeconds(5));
        assertThat(gzip.answers()).as(gzip.text()).isEqualTo(1);
        assertJsonRefusal(gzip, 400, "invalid_request");
        assertThat(paper.addOrderRequests()).hasSize(placed);
        // both framings: the length is dropped and the body read as chunked (RFC 9112 section 6.3), once
        Raw both = exchange(ascii("POST /webhook/tradingview HTTP/1.1\r\nHost: edge\r\nContent-Type: application/json\r\n"
                + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked), Duration.ofSeconds(5));
        assertThat(both.answers()).as(both.text()).isEqualTo(1);
        assertThat(both.status()).as(both.text()).isEqualTo(200);
        assertThat(both.text()).contains("\"alert_id\":\"te-cl\"", "\"status\":\"executed\"");
    }

    @Test
    void aConnectionThatDripsItsHeadersIsClosedAfterTheHeadTimeoutWhileOthersAreServed() throws Exception {
        try (Socket slow = new Socket("127.0.0.1", app.port())) {
            OutputStream out = slow.getOutputStream();
            out.write(ascii("POST /webhook/tradingview HTTP/1.1\r\nHost: edge\r\n"));
            boolean closed = false;
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            slow.setSoTimeout(100);
            while (!closed && System.nanoTime() < until) {
                try {
                    out.write(ascii("X-Drip: 1\r\n"));
                    out.flush();
                    closed = slow.getInputStream().read() < 0;
                } catch (SocketTimeoutException stillOpen) {
                    // still open: drip on
                } catch (IOException reset) {
                    closed = true;
                }
                assertThat(app.get("/webhook/health", Map.of()).statusCode()).isEqualTo(200);
            }
            assertThat(closed).as("the slow connection was closed").isTrue();
        }
    }

    @Test
    void anIdleKeptAliveConnectionIsClosedAfterTheHeadTimeout() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", app.port())) {
            socket.getOutputStream().write(ascii("GET /webhook/health HTTP/1.1\r\nHost: edge\r\n\r\n"));
            Raw raw = read(socket, Duration.ofSeconds(10));
            assertThat(raw.status()).isEqualTo(200);
            assertThat(raw.closed()).as("closed once idle for the head timeout").isTrue();
        }
    }

    @Test
    void aBodyThatDoesNotArriveIs408AndTheConnectionClosed() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", app.port())) {
            socket.getOutputStream().write(ascii("POST /webhook/tradingview HTTP/1.1\r\nHost: edge\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"ticker\":"));
            Raw raw = read(socket, Duration.ofSeconds(10));
            assertJsonRefusal(raw, 408, "request_timeout");
            assertThat(raw.closed()).isTrue();
        }
    }

    @Test
    void aNormalAlertIsStillServedWithItsOwnRequestId() {
        HttpResponse<String> response = app.send(HttpRequest.newBuilder(app.uri("/webhook/tradingview"))
                .header("Content-Type", "application/json").header("X-Request-ID", "tv-edge-ok")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0.001\",\"id\":\"edge-ok\"}"))
                .build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Request-ID")).hasValue("tv-edge-ok");
        assertThat(response.body()).contains("\"request_id\":\"tv-edge-ok\"");
    }
}
