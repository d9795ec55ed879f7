package io.tvkraken.ingress;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.tvkraken.alert.Refusal;
import io.tvkraken.alert.RefusedException;
import io.tvkraken.telemetry.RequestLog;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP edge: what the Vert.x server does before a request reaches a route, and the answers it writes itself
 * (docs/answers.md#refused-by-the-http-edge). Every answer, the server's own included, is the service's JSON with an
 * {@code X-Request-ID}; a request whose framing cannot be trusted is refused and its connection closed, so that no
 * byte of it is read as another request (request smuggling, RFC 9112 section 6.3 and 11.2); slow clients are cut off
 * by a head timeout, a body timeout and an idle timeout (docs/operations.md#http-server-limits).
 */
public final class HttpEdge {

    /** The limits of the server, from {@code http.*} and {@code camel.server.max-body-size}. */
    public record Limits(long maxBodyBytes, int headerTimeoutMs, int bodyTimeoutMs, int idleTimeoutSeconds,
            int maxHeaderBytes, int maxRequestLineBytes) {

        public Limits {
            if (maxBodyBytes < 1 || headerTimeoutMs < 1 || bodyTimeoutMs < 1 || idleTimeoutSeconds < 0
                    || maxHeaderBytes < 1024 || maxRequestLineBytes < 256) {
                throw new IllegalArgumentException("http.header-timeout-ms and http.body-timeout-ms must be at least 1, "
                        + "http.idle-timeout-seconds 0 or more, http.max-header-bytes at least 1024 and "
                        + "http.max-request-line-bytes at least 256");
            }
        }
    }

    /** An answer written by the edge: the status (decided where every status is) and the JSON body. */
    public record Reply(int status, String json) {
    }

    /** Writes the edge's answers the way every other answer is written ({@code io.tvkraken.ops.Answers}). */
    public interface Replies {
        Reply refused(String requestId, RefusedException refusal);

        Reply failed(String requestId);
    }

    /** Router failures the edge answers in JSON, and the refusal each one is. */
    private static final Map<Integer, Refusal> ROUTER_FAILURES = Map.of(
            400, Refusal.INVALID_REQUEST,
            404, Refusal.NOT_FOUND,
            405, Refusal.METHOD_NOT_ALLOWED,
            413, Refusal.PAYLOAD_TOO_LARGE,
            // vertx-web's body handler: an Expect other than 100-continue
            417, Refusal.INVALID_REQUEST);
    private static final Logger LOG = LoggerFactory.getLogger(HttpEdge.class);
    private static final String REQUEST_ID = "edgeRequestId";

    private final Limits limits;
    private final Replies replies;
    private final Map<HttpConnection, Connection> connections = new ConcurrentHashMap<>();
    private volatile Vertx vertx;

    public HttpEdge(Limits limits, Replies replies) {
        this.limits = limits;
        this.replies = replies;
    }

    public Limits limits() {
        return limits;
    }

    /** The server's options: Vert.x's defaults are no idle timeout at all. */
    public HttpServerOptions serverOptions() {
        return new HttpServerOptions()
                // HTTP/1.1 only: TradingView and reverse proxies speak it, and a cleartext upgrade to HTTP/2 (h2c)
                // is a known way to tunnel requests past a proxy's rules
                .setHttp2ClearTextEnabled(false)
                .setIdleTimeout(limits.idleTimeoutSeconds())
                .setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setMaxHeaderSize(limits.maxHeaderBytes())
                .setMaxInitialLineLength(limits.maxRequestLineBytes());
    }

    /** The edge's first handler, ahead of every route, and its answers to the router's failures. */
    public void install(Vertx vertx, Router router) {
        this.vertx = vertx;
        router.route().order(Integer.MIN_VALUE).handler(this::onRequest);
        for (Map.Entry<Integer, Refusal> failure : ROUTER_FAILURES.entrySet()) {
            router.errorHandler(failure.getKey(), ctx -> onRouterFailure(ctx, router, failure.getValue()));
        }
        router.errorHandler(500, ctx -> {
            LOG.warn("request failed in the HTTP server", ctx.failure());
            write(ctx.request(), requestIdOf(ctx), replies.failed(requestIdOf(ctx)), false);
        });
    }

    /** A new connection: it has {@code headerTimeoutMs} to send a complete request head. */
    public void onConnection(HttpConnection connection) {
        Connection state = new Connection(connection);
        connections.put(connection, state);
        connection.closeHandler(v -> {
            state.cancelTimer();
            connections.remove(connection);
        });
        state.awaitHead();
    }

    /** A request the HTTP decoder could not read: request line or headers too long, or malformed. */
    public void onInvalidRequest(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        RefusedException refusal;
        if (cause instanceof TooLongHttpLineException) {
            refusal = new RefusedException(Refusal.URI_TOO_LONG, "the request line is longer than "
                    + limits.maxRequestLineBytes() + " bytes");
        } else if (cause instanceof TooLongHttpHeaderException) {
            refusal = new RefusedException(Refusal.HEADERS_TOO_LARGE, "the request's headers are larger than "
                    + limits.maxHeaderBytes() + " bytes");
        } else {
            refusal = new RefusedException(Refusal.INVALID_REQUEST, "the request is not valid HTTP/1.1 ("
                    + (cause == null ? "unreadable" : cause.getClass().getSimpleName()) + ")");
        }
        refuse(request, requestIdOf(request.getHeader("X-Request-ID")), refusal, true);
    }

    private void onRequest(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        Connection connection = connections.get(request.connection());
        if (connection != null) {
            if (connection.condemned) {
                // a request read from the bytes of one that was refused for its framing: never served
                request.connection().close();
                return;
            }
            connection.requestArrived();
            ctx.addEndHandler(v -> connection.answered());
        }
        // when it arrived, over anything a caller sent under that name: a webhook's answer is due counted from here
        request.headers().set(IncomingRequest.ARRIVED_NANOS_HEADER, Long.toString(System.nanoTime()));
        String requestId = requestIdOf(request.getHeader("X-Request-ID"));
        ctx.put(REQUEST_ID, requestId);
        // the routes read the same id (IncomingRequest#identify), so one request has one id everywhere
        request.headers().set("X-Request-ID", requestId);
        HttpServerResponse response = ctx.response();
        ctx.addHeadersEndHandler(v -> {
            if (!response.headers().contains("X-Request-ID")) {
                response.putHeader("X-Request-ID", requestId);
            }
        });

        RefusedException framing = framingProblem(request);
        if (framing != null) {
            refuse(request, requestId, framing, true);
            return;
        }
        if (!request.isEnded()) {
            long timer = vertx.setTimer(limits.bodyTimeoutMs(), id -> {
                if (!request.isEnded() && !response.ended()) {
                    refuse(request, requestId, new RefusedException(Refusal.REQUEST_TIMEOUT,
                            "the body did not arrive within " + limits.bodyTimeoutMs() + " ms"), true);
                }
            });
            ctx.addEndHandler(v -> vertx.cancelTimer(timer));
        }
        ctx.next();
    }

    /**
     * What makes a request's body length unknowable or too large, judged from its head alone: a transfer coding other
     * than {@code chunked} alone (RFC 9112 section 6.3: the server MUST answer 400 and close when chunked is not the
     * final coding; the service decodes no other coding), or a declared length above the server's body limit, refused
     * before a byte of the body is read. A request with both {@code Transfer-Encoding: chunked} and
     * {@code Content-Length} never gets here with both: the HTTP decoder drops the length and reads the body as
     * chunked, as RFC 9112 section 6.3 says (docs/camel.md#http-server).
     */
    private RefusedException framingProblem(HttpServerRequest request) {
        List<String> codings = new ArrayList<>();
        for (String line : request.headers().getAll("Transfer-Encoding")) {
            for (String coding : line.split(",")) {
                codings.add(coding.trim().toLowerCase(Locale.ROOT));
            }
        }
        String declaredLength = request.getHeader("Content-Length");
        if (!codings.isEmpty()) {
            if (!codings.equals(List.of("chunked"))) {
                return new RefusedException(Refusal.INVALID_REQUEST, "Transfer-Encoding "
                        + String.join(", ", codings) + " is not supported: send the body with a Content-Length, or "
                        + "chunked alone");
            }
        }
        if (declaredLength != null) {
            long length;
            try {
                length = Long.parseLong(declaredLength.trim());
            } catch (NumberFormatException e) {
                return new RefusedException(Refusal.INVALID_REQUEST, "Content-Length is not a number");
            }
            if (length > limits.maxBodyBytes()) {
                return new RefusedException(Refusal.PAYLOAD_TOO_LARGE, "the body is " + length
                        + " bytes; the server takes at most " + limits.maxBodyBytes() + " bytes");
            }
        }
        return null;
    }

    private void onRouterFailure(RoutingContext ctx, Router router, Refusal refusal) {
        HttpServerRequest request = ctx.request();
        String message = switch (refusal) {
            case NOT_FOUND -> "no such path: " + request.path();
            case METHOD_NOT_ALLOWED -> request.method() + " is not allowed on " + request.path();
            case PAYLOAD_TOO_LARGE -> "the body is larger than " + limits.maxBodyBytes() + " bytes";
            default -> "the request could not be read (" + ctx.statusCode() + ")";
        };
        if (refusal == Refusal.METHOD_NOT_ALLOWED) {
            // RFC 9110 section 15.5.6: a 405 lists the methods the path has
            String allowed = String.join(", ", allowedMethods(router, request.path()));
            if (!allowed.isEmpty()) {
                ctx.response().putHeader("Allow", allowed);
            }
        }
        // a body over the limit is still arriving: the connection is closed once it is answered
        refuse(request, requestIdOf(ctx), new RefusedException(refusal, message), refusal == Refusal.PAYLOAD_TOO_LARGE);
    }

    /** The methods the routes on {@code path} accept (path parameters, {@code :id}, match any one segment). */
    static List<String> allowedMethods(Router router, String path) {
        TreeSet<String> methods = new TreeSet<>();
        for (Route route : router.getRoutes()) {
            if (route.getPath() != null && route.methods() != null && samePath(route.getPath(), path)) {
                route.methods().stream().map(HttpMethod::name).forEach(methods::add);
            }
        }
        return List.copyOf(methods);
    }

    private static boolean samePath(String pattern, String path) {
        String[] expected = pattern.split("/", -1);
        String[] actual = path.split("/", -1);
        if (expected.length != actual.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (!expected[i].startsWith(":") && !expected[i].equals(actual[i])) {
                return false;
            }
        }
        return true;
    }

    private void refuse(HttpServerRequest request, String requestId, RefusedException refusal, boolean close) {
        try (RequestLog.Scope logged = RequestLog.within(RequestLog.Context.ofRequest(requestId))) {
            LOG.info("refused by the HTTP edge: {} {} {}: {}", refusal.code(), request.method(), request.path(),
                    refusal.getMessage());
        }
        write(request, requestId, replies.refused(requestId, refusal), close);
    }

    private void write(HttpServerRequest request, String requestId, Reply reply, boolean close) {
        HttpServerResponse response = request.response();
        HttpConnection connection = request.connection();
        if (close) {
            Connection state = connections.get(connection);
            if (state != null) {
                state.condemned = true;
            }
        }
        if (response.ended() || response.headWritten()) {
            if (close) {
                connection.close();
            }
            return;
        }
        response.setStatusCode(reply.status())
                .putHeader("Content-Type", "application/json")
                .putHeader("X-Request-ID", requestId);
        if (close) {
            response.putHeader("Connection", "close");
        }
        response.end(reply.json()).onComplete(done -> {
            if (close) {
                connection.close();
            }
        });
    }

    private static String requestIdOf(RoutingContext ctx) {
        String id = ctx.get(REQUEST_ID);
        return id != null ? id : requestIdOf(ctx.request().getHeader("X-Request-ID"));
    }

    private static String requestIdOf(String callerId) {
        return IncomingRequest.saneRequestId(callerId) ? callerId : UUID.randomUUID().toString();
    }

    /**
     * One connection's head timer: armed when it opens and again after each answer, disarmed when a request's head
     * has been read. A connection that sends its head too slowly (slowloris), or stays idle between requests that
     * long, is closed.
     */
    private final class Connection {

        private final HttpConnection connection;
        private final AtomicLong timer = new AtomicLong(-1);
        /** Requests read and not yet answered: the head timer runs only while there are none. */
        private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
        /** Which arming of the timer is current: a timer armed before a request arrived never closes. */
        private final AtomicLong generation = new AtomicLong();
        volatile boolean condemned;

        Connection(HttpConnection connection) {
            this.connection = connection;
        }

        void awaitHead() {
            Vertx v = vertx;
            if (v == null) {
                return;
            }
            cancelTimer();
            long armed = generation.incrementAndGet();
            timer.set(v.setTimer(limits.headerTimeoutMs(), id -> {
                if (inFlight.get() == 0 && generation.get() == armed) {
                    LOG.debug("closing a connection that sent no complete request head within {} ms",
                            limits.headerTimeoutMs());
                    connection.close();
                }
            }));
        }

        void requestArrived() {
            inFlight.incrementAndGet();
            generation.incrementAndGet();
            cancelTimer();
        }

        /** Called on whichever thread ended the answer, possibly after the next request arrived. */
        void answered() {
            if (inFlight.decrementAndGet() == 0 && !condemned) {
                awaitHead();
            }
        }

        void cancelTimer() {
            long id = timer.getAndSet(-1);
            Vertx v = vertx;
            if (id >= 0 && v != null) {
                v.cancelTimer(id);
            }
        }
    }
}
