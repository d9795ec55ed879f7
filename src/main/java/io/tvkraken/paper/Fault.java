package io.tvkraken.paper;

/**
 * Failures the paper exchange can play on a request for one private or public method: the {@link PaperExchange.Tap}
 * it was started with returns one from {@link PaperExchange.Tap#arrived}. Each imitates something seen on the real
 * Kraken (https://docs.kraken.com/api/docs/guides/spot-errors) so that the application's handling of it can be tested
 * end to end.
 */
public enum Fault {
    /** HTTP 200, {@code {"error":["EService:Unavailable"]}}; nothing is done. */
    SERVICE_UNAVAILABLE,
    /** HTTP 200, {@code {"error":["EAPI:Rate limit exceeded"]}}; nothing is done. */
    RATE_LIMITED,
    /** HTTP 502 with an HTML page, as Cloudflare answers when Kraken's origin fails; nothing is done. */
    HTTP_502_HTML,
    /** Sleeps {@link PaperConfig#hangFor()} first, then handles the request normally (a client timeout first sees nothing). */
    HANG,
    /**
     * Handles the request normally (an AddOrder is placed), then sleeps {@link PaperConfig#hangFor()} before answering:
     * the "request times out but order is posted" case (docs/kraken.md, "Placing an order exactly once").
     */
    ACCEPT_THEN_HANG,
    /**
     * Handles the request normally (an AddOrder is placed), then answers HTTP 500 with a short HTML page instead of
     * the result, as an edge proxy does when the origin fails after doing the work: a 5xx on AddOrder "may or may
     * not" have reached the engine (https://docs.kraken.com/api/docs/guides/spot-errors).
     */
    ACCEPT_THEN_500,
    /**
     * Handles the request normally (an AddOrder is placed), then closes the connection without writing any byte of
     * the response, like {@link #RESET} but after the work is done. The client sees the same I/O error with no
     * status; a POST is not retried by the JDK client, a GET is, once, as described under {@link #RESET}.
     */
    ACCEPT_THEN_RESET,
    /**
     * Handles the request normally (an AddOrder is placed), then answers HTTP 200
     * {@code {"error":["EService:Unavailable"]}} instead of the result: Kraken's docs treat the outcome of
     * {@code EService:Unavailable} as unknown, so an order may exist behind it (docs/kraken.md).
     */
    ACCEPT_THEN_UNAVAILABLE,
    /**
     * Closes the TCP connection without writing any byte of a response; nothing is done. The client sees an I/O error
     * with no status: {@code java.net.http.HttpClient} throws {@code IOException: HTTP/1.1 header parser received no
     * bytes}, Apache HttpClient a {@code NoHttpResponseException}. It is an orderly close (FIN), not a TCP RST: the
     * JDK server gives no access to the socket's SO_LINGER.
     *
     * <p>Surprise: the JDK client silently retries an idempotent request (GET, so every public call) once after such
     * a close, so one RESET on {@code Ticker} is invisible to it and counts two requests; inject it twice to make the
     * failure reach the caller. POST, so every private call, is not retried.
     */
    RESET
}
