package io.tvkraken.paper;

/**
 * Failures the paper exchange can play for one private or public method, set with
 * {@link PaperExchange#injectFault(String, Fault, int)}. Each imitates something seen on the real Kraken
 * (kraken-rest.md §6) so that the application's handling of it can be tested end to end.
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
     * the "request times out but order is posted" case (kraken-rest.md §6).
     */
    ACCEPT_THEN_HANG,
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
