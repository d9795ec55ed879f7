package io.tvkraken.paper;

import com.sun.net.httpserver.Headers;
import java.net.URI;

/**
 * A request to one of Kraken's methods, as the paper exchange's server hands it to the exchange's
 * {@link PaperHandler}: the body is already read, so that whoever wraps the handler can look at it too.
 *
 * @param method     the path after {@code /0/public/} or {@code /0/private/}: {@code AddOrder}, {@code Ticker} ...
 * @param isPrivate  whether it came under {@code /0/private/}
 * @param httpMethod {@code GET}, {@code POST} ...
 * @param uri        the request URI as received, query string included
 * @param headers    the request headers; look-ups ignore case
 * @param body       the request body, empty for a GET
 */
public record PaperRequest(String method, boolean isPrivate, String httpMethod, URI uri, Headers headers, byte[] body) {

    /** The first value of a header, null when absent. */
    public String header(String name) {
        return headers.getFirst(name);
    }
}
