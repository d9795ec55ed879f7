package io.tvkraken;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A local stand-in for the Telegram Bot API over real HTTP on loopback: {@code POST /bot<token>/sendMessage} with
 * {@code {"chat_id", "text"}} as JSON, answered as Telegram answers (https://core.telegram.org/bots/api#making-requests:
 * {@code {"ok": true, "result": Message}}). It records every request, and can be told to hold requests until
 * released (a slow channel) or to answer them 500 (a failing one). Other paths record the request and answer 200
 * {@code ok}: a webhook receiver for a Slack-style channel.
 */
public final class FakeTelegram implements AutoCloseable {

    /** One request as received: the path's bot token, the chat, the text; or another path and its raw body. */
    public record Received(String path, String token, String chatId, String text, String body) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final List<Received> received = new ArrayList<>();
    private final AtomicInteger messageIds = new AtomicInteger();
    private volatile CountDownLatch hold = new CountDownLatch(0);
    private volatile int failWithStatus;

    private FakeTelegram(HttpServer server) {
        this.server = server;
    }

    public static FakeTelegram start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        FakeTelegram fake = new FakeTelegram(server);
        server.createContext("/", fake::handle);
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        return fake;
    }

    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Requests from now on wait until {@link #release} (a slow channel). */
    public void holdRequests() {
        hold = new CountDownLatch(1);
    }

    public void release() {
        hold.countDown();
    }

    /** Requests from now on are answered with this status (0: answered normally). */
    public void failWith(int status) {
        failWithStatus = status;
    }

    public synchronized List<Received> received() {
        return List.copyOf(received);
    }

    /** Waits until a request matching {@code wanted} has arrived; the first one. */
    public Received await(Predicate<Received> wanted, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            for (Received r : received()) {
                if (wanted.test(r)) {
                    return r;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("not received within " + within + "; received: " + received());
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String path = exchange.getRequestURI().getPath();
            Received r;
            if (path.startsWith("/bot") && path.endsWith("/sendMessage")) {
                JsonNode message = JSON.readTree(body);
                r = new Received(path, path.substring(4, path.length() - "/sendMessage".length()),
                        message.path("chat_id").asText(), message.path("text").asText(), body);
            } else {
                r = new Received(path, null, null, null, body);
            }
            synchronized (this) {
                received.add(r);
            }
            try {
                hold.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            int status = failWithStatus;
            String answer;
            if (status != 0) {
                answer = "{\"ok\":false,\"error_code\":" + status + ",\"description\":\"Internal Server Error\"}";
            } else if (r.token() != null) {
                status = 200;
                answer = "{\"ok\":true,\"result\":{\"message_id\":" + messageIds.incrementAndGet() + ",\"date\":"
                        + System.currentTimeMillis() / 1000 + ",\"chat\":{\"id\":" + JSON.writeValueAsString(r.chatId())
                        + ",\"type\":\"private\"},\"text\":" + JSON.writeValueAsString(r.text()) + "}}";
            } else {
                status = 200;
                answer = "ok";
            }
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
