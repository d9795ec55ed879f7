package io.tvkraken.paper;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Failures a test makes the paper exchange play on a request for one private or public method, through the
 * {@link RecordingTap} that wraps the exchange's handler ({@link PaperExchangeHarness#injectFault}). Each imitates
 * something seen on the real Kraken (https://docs.kraken.com/api/docs/guides/spot-errors) so that the application's
 * handling of it can be tested end to end.
 */
public enum Fault {
    /** HTTP 200, {@code {"error":["EService:Unavailable"]}}; nothing is done. */
    SERVICE_UNAVAILABLE,
    /** HTTP 200, {@code {"error":["EAPI:Rate limit exceeded"]}}; nothing is done. */
    RATE_LIMITED,
    /** HTTP 502 with an HTML page, as Cloudflare answers when Kraken's origin fails; nothing is done. */
    HTTP_502_HTML,
    /**
     * Sleeps {@link PaperExchangeHarness#setHangFor hangFor} first, then handles the request normally (a client timeout
     * first sees nothing).
     */
    HANG,
    /**
     * Handles the request normally (an AddOrder is placed), then sleeps {@link PaperExchangeHarness#setHangFor hangFor}
     * before answering:
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
    RESET;

    /** {@link #before}'s answer for a request the exchange is to handle, as if no fault played yet. */
    static final PaperReply HANDLE = new PaperReply(0, "", new byte[0]);

    private static final Replies REPLIES = new Replies(new ObjectMapper());
    private static final String CLOUDFLARE_502 = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n"
            + "<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n"
            + "</body>\r\n</html>\r\n";
    private static final String EDGE_500 = "<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n"
            + "<body>\r\n<center><h1>500 Internal Server Error</h1></center>\r\n<hr><center>cloudflare</center>\r\n"
            + "</body>\r\n</html>\r\n";

    /**
     * Plays the fault before the exchange sees the request.
     *
     * @return {@link #HANDLE} to let the exchange handle it, the reply to send instead, or null to close the connection
     *         without a byte (as the exchange's {@link PaperHandler} contract allows)
     */
    PaperReply before(Duration hangFor) {
        switch (this) {
            case SERVICE_UNAVAILABLE:
                return PaperReply.json(REPLIES.error("EService:Unavailable"));
            case RATE_LIMITED:
                return PaperReply.json(REPLIES.error("EAPI:Rate limit exceeded"));
            case HTTP_502_HTML:
                return new PaperReply(502, "text/html", CLOUDFLARE_502.getBytes(StandardCharsets.US_ASCII));
            case RESET:
                return null;
            case HANG:
                return pause(hangFor) ? HANDLE : null;
            default:
                return HANDLE; // the ACCEPT_THEN_* faults play after the request is handled
        }
    }

    /**
     * Plays the {@code ACCEPT_THEN_*} faults once the exchange has handled the request (an AddOrder placed) and its
     * reply is ready.
     *
     * @return the reply to send, {@code handled} or another, or null to close the connection without a byte
     */
    PaperReply after(PaperReply handled, Duration hangFor) {
        switch (this) {
            case ACCEPT_THEN_HANG:
                return pause(hangFor) ? handled : null;
            case ACCEPT_THEN_500:
                return new PaperReply(500, "text/html", EDGE_500.getBytes(StandardCharsets.US_ASCII));
            case ACCEPT_THEN_RESET:
                return null; // no byte written, as for RESET
            case ACCEPT_THEN_UNAVAILABLE:
                return PaperReply.json(REPLIES.error("EService:Unavailable"));
            default:
                return handled;
        }
    }

    /** @return false if interrupted, by the exchange stopping: then no answer is sent */
    private static boolean pause(Duration duration) {
        if (duration.isZero() || duration.isNegative()) {
            return true;
        }
        try {
            Thread.sleep(duration.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
