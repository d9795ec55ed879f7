package io.tvkraken.paper;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The paper exchange's HTTP side: binds the port, reads each request under {@code /0/public/} or {@code /0/private/}
 * into a {@link PaperRequest}, has the {@link PaperHandler} answer it and writes the {@link PaperReply}. Any other path
 * gets a plain 404, as from Kraken's edge.
 */
final class PaperServer {

    private static final Logger LOG = LoggerFactory.getLogger(PaperServer.class);
    private static final String PUBLIC = "/0/public/";
    private static final String PRIVATE = "/0/private/";

    private final PaperHandler handler;
    private final byte[] internalError;
    private final HttpServer server;
    private final ExecutorService executor;

    static {
        // The JDK server leaves Nagle's algorithm on: it writes headers and body as two segments, the second waits
        // for the client's delayed ACK, and every answer costs ~40 ms on loopback. Private calls are sent one at a
        // time, so that capped paper trading near 25 orders/s (WebhookBenchmark). The property is read once, when
        // the JDK's server configuration class loads - that is, before the first HttpServer in this JVM.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    /**
     * Binds {@code host:port} (0: a free port) without answering yet.
     *
     * @param threads       request threads: a request waiting (AddOrder's latency) holds one
     * @param internalError the body to answer when the handler fails
     */
    PaperServer(String host, int port, int threads, PaperHandler handler, byte[] internalError) {
        this.handler = handler;
        this.internalError = internalError.clone();
        try {
            this.server = HttpServer.create(new InetSocketAddress(host, port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind the paper exchange to " + host + ":" + port, e);
        }
        this.executor = Executors.newFixedThreadPool(threads, daemonThreads());
        server.createContext("/", this::handle);
        server.setExecutor(executor);
    }

    void start() {
        server.start();
    }

    /** E.g. {@code http://127.0.0.1:41234}. */
    URI baseUrl() {
        InetSocketAddress address = server.getAddress();
        String host = address.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + address.getPort());
    }

    /** Stops at once: a request still being answered is interrupted and gets no answer. */
    void stop() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange exchange) {
        try {
            String path = exchange.getRequestURI().getRawPath();
            boolean isPublic = path.startsWith(PUBLIC);
            if (!isPublic && !path.startsWith(PRIVATE)) {
                send(exchange, new PaperReply(404, "text/plain; charset=utf-8",
                        "Not Found\n".getBytes(StandardCharsets.US_ASCII)));
                return;
            }
            String method = path.substring(isPublic ? PUBLIC.length() : PRIVATE.length());
            byte[] body = exchange.getRequestBody().readAllBytes();
            PaperReply reply = handler.answer(new PaperRequest(method, !isPublic, exchange.getRequestMethod(),
                    exchange.getRequestURI(), exchange.getRequestHeaders(), body));
            if (reply != null) {
                send(exchange, reply);
            }
            // else: closing before sendResponseHeaders makes the JDK server drop the connection without a byte
        } catch (IOException e) {
            LOG.debug("paper exchange: client went away", e);
        } catch (RuntimeException e) {
            // A bug in the simulator, not a business answer: say it the way Kraken says an internal failure.
            LOG.warn("paper exchange: internal error", e);
            try {
                send(exchange, PaperReply.json(internalError));
            } catch (IOException ignored) {
                // the client is gone
            }
        } finally {
            exchange.close();
        }
    }

    private static void send(HttpExchange exchange, PaperReply reply) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", reply.contentType());
        exchange.sendResponseHeaders(reply.status(), reply.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(reply.body());
        }
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger number = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "paper-exchange-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
