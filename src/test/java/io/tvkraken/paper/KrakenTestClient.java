package io.tvkraken.paper;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.kraken.KrakenSigner;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The test side of the wire: builds form bodies, signs them with {@link KrakenSigner} the way a Kraken client does
 * (https://docs.kraken.com/api/docs/guides/spot-rest-auth) and sends them with {@link HttpClient}. Nonces come from
 * a counter so tests control them.
 */
final class KrakenTestClient {

    static final ObjectMapper JSON = new ObjectMapper();

    private final URI baseUrl;
    private final String apiKey;
    private final KrakenSigner signer;
    /**
     * HTTP/1.1, as Kraken's clients speak it: the JDK client's default asks every new cleartext connection for an h2c
     * upgrade, which the paper exchange's server (the JDK's HttpServer, HTTP/1.1 only) never takes.
     */
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final AtomicLong nonces = new AtomicLong(1_700_000_000_000_000L);
    private Duration timeout = Duration.ofSeconds(5);

    KrakenTestClient(PaperExchange exchange) {
        this(exchange.baseUrl(), exchange.config().apiKey(), exchange.config().apiSecret());
    }

    KrakenTestClient(PaperExchangeHarness exchange) {
        this(exchange.exchange());
    }

    KrakenTestClient(URI baseUrl, String apiKey, String apiSecret) {
        this.baseUrl = baseUrl;
        this.apiKey = apiKey;
        this.signer = new KrakenSigner(apiSecret);
    }

    KrakenTestClient timeout(Duration value) {
        this.timeout = value;
        return this;
    }

    long nextNonce() {
        return nonces.incrementAndGet();
    }

    /**
     * Signed POST with a fresh nonce first in the body, as ccxt does. Each parameter is
     * {@code "key=value"} unencoded; the value is encoded on the way out.
     */
    JsonNode call(String method, String... parameters) throws IOException, InterruptedException {
        return json(send(method, nextNonce(), parameters));
    }

    JsonNode callWithNonce(String method, long nonce, String... parameters) throws IOException, InterruptedException {
        return json(send(method, nonce, parameters));
    }

    HttpResponse<String> send(String method, long nonce, String... parameters) throws IOException, InterruptedException {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("nonce", Long.toString(nonce));
        for (String param : parameters) {
            int eq = param.indexOf('=');
            params.put(param.substring(0, eq), param.substring(eq + 1));
        }
        return sendBody(method, Long.toString(nonce), form(params), null);
    }

    /** Sends exactly {@code body}, signed for {@code nonce}; {@code apiSign} overrides the signature when not null. */
    HttpResponse<String> sendBody(String method, String nonce, String body, String apiSign)
            throws IOException, InterruptedException {
        String path = "/0/private/" + method;
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(baseUrl.resolve(path))
                .timeout(timeout)
                .header("API-Key", apiKey)
                .header("API-Sign", apiSign != null ? apiSign : signer.sign(path, nonce, bytes))
                .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
                .header("User-Agent", "paper-exchange-test")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** A JSON body, signed over its bytes. */
    HttpResponse<String> sendJson(String method, String nonce, String body) throws IOException, InterruptedException {
        String path = "/0/private/" + method;
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(baseUrl.resolve(path))
                .timeout(timeout)
                .header("API-Key", apiKey)
                .header("API-Sign", signer.sign(path, nonce, bytes))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(baseUrl.resolve(pathAndQuery)).timeout(timeout).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    JsonNode publicCall(String pathAndQuery) throws IOException, InterruptedException {
        return json(get(pathAndQuery));
    }

    String sign(String path, String nonce, byte[] body) {
        return signer.sign(path, nonce, body);
    }

    /** Values RFC 3986-encoded ({@code +} as {@code %2B}), keys as given, like ccxt. */
    static String form(Map<String, String> params) {
        StringJoiner body = new StringJoiner("&");
        params.forEach((k, v) -> body.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20")));
        return body.toString();
    }

    static JsonNode json(HttpResponse<String> response) throws IOException {
        if (response.statusCode() != 200) {
            throw new AssertionError("HTTP " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }
}
