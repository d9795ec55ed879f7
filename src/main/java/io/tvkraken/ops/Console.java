package io.tvkraken.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import io.tvkraken.alert.Refusal;
import io.tvkraken.alert.RefusedException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The web console under {@code /console} (docs/operations.md#console): a page of plain HTML, CSS and JavaScript from
 * the jar, no build step and nothing fetched from elsewhere, that reads and acts through the admin API. Every path is
 * behind the one admin guard; a browser logs in by sending the token once ({@code POST /console/session} with
 * {@code Authorization: Bearer}), and gets it back as an HttpOnly, SameSite=Strict cookie that the guard reads as it
 * reads the header. A browser asking for a console page without it is answered 401 with the log-in page
 * ({@link Answers#write}).
 */
public class Console {

    /** The session cookie: the admin token, for the browser to send back; never readable by the page's scripts. */
    static final String COOKIE = "tvk_admin";
    /** The variable that says a browser asked for a console page (GET /console). */
    static final String PAGE_REQUEST = "consolePage";
    /** The variable holding the asset asked for ({@code /console/assets/{name}}). */
    static final String ASSET = "consoleAsset";
    /** What the console serves: its page's script and style sheet. Anything else is 404. */
    private static final Map<String, String> ASSETS = Map.of("console.js", "text/javascript; charset=utf-8",
            "console.css", "text/css; charset=utf-8");
    /** The console page runs only its own script and style, and shows in no frame. */
    private static final String PAGE_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    /** The log-in page's one inline script, which posts the token: nothing else runs or loads. */
    private static final String LOGIN_POLICY = "default-src 'none'; script-src 'unsafe-inline'; "
            + "style-src 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";

    private static final byte[] LOGIN = resource("login.html");

    private final byte[] page = resource("index.html");
    private final String token;
    private final Answers answers;

    /** @param adminToken {@code ADMIN_TOKEN}, which the session cookie holds; null: the console is off (404) */
    public Console(String adminToken, Answers answers) {
        this.token = adminToken;
        this.answers = answers;
    }

    /**
     * The token in a {@code Cookie} header's {@value #COOKIE}, or null. The cookie holds it base64url-encoded: a token
     * may hold characters a cookie value may not (RFC 6265, section 4.1.1).
     */
    static String sessionToken(String cookieHeader) {
        if (cookieHeader == null) {
            return null;
        }
        for (String part : cookieHeader.split(";")) {
            String trimmed = part.trim();
            if (trimmed.startsWith(COOKIE + "=")) {
                try {
                    return new String(Base64.getUrlDecoder().decode(trimmed.substring(COOKIE.length() + 1)),
                            StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
        }
        return null;
    }

    /**
     * A browser's GET of the console page (not of an asset, not of the session): one that accepts HTML. Any other
     * client is answered in JSON, as by every admin endpoint.
     */
    static boolean isPageRequest(String method, String uri, String accept) {
        return "GET".equalsIgnoreCase(method) && uri != null && (uri.equals("/console") || uri.equals("/console/"))
                && accept != null && accept.contains("text/html");
    }

    /** {@code GET /console}: the console page. */
    public void page(Exchange exchange) {
        html(exchange, 200, page, PAGE_POLICY);
    }

    /** {@code GET /console/assets/{name}}: the page's script or style sheet; 404 for anything else. */
    public void asset(Exchange exchange) {
        String name = exchange.getVariable(ASSET, String.class);
        String type = name == null ? null : ASSETS.get(name);
        if (type == null) {
            throw new RefusedException(Refusal.NOT_FOUND, "not found");
        }
        Message message = exchange.getMessage();
        message.getHeaders().clear();
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        message.setHeader(Exchange.CONTENT_TYPE, type);
        message.setHeader("X-Content-Type-Options", "nosniff");
        message.setBody(resource(name));
    }

    /**
     * {@code POST /console/session}: the token was right (the guard checked it), so the browser gets it back as the
     * session cookie. It lasts for the browser's session, is sent back only to this service's own pages
     * ({@code SameSite=Strict}) and is never readable by scripts ({@code HttpOnly}).
     */
    public void openSession(Exchange exchange) {
        String value = Base64.getUrlEncoder().withoutPadding().encodeToString(token.getBytes(StandardCharsets.UTF_8));
        answerWithCookie(exchange, COOKIE + "=" + value + "; Path=/; HttpOnly; SameSite=Strict");
    }

    /** {@code DELETE /console/session}: the cookie is dropped. */
    public void closeSession(Exchange exchange) {
        answerWithCookie(exchange, COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    }

    /** 200 {@code {"status":"ok"}}, written where every operations answer is, with the cookie set. */
    private void answerWithCookie(Exchange exchange, String setCookie) {
        answers.json(exchange, 200, Map.of("status", "ok"));
        exchange.getMessage().setHeader("Set-Cookie", setCookie);
    }

    /** The log-in page, as the 401 of a console page asked for without the token. */
    static void login(Exchange exchange, int status) {
        html(exchange, status, LOGIN, LOGIN_POLICY);
    }

    private static void html(Exchange exchange, int status, byte[] body, String policy) {
        Message message = exchange.getMessage();
        message.getHeaders().clear();
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        message.setHeader(Exchange.CONTENT_TYPE, "text/html; charset=utf-8");
        message.setHeader("Content-Security-Policy", policy);
        message.setHeader("X-Content-Type-Options", "nosniff");
        message.setBody(body);
    }

    private static byte[] resource(String name) {
        try (InputStream in = Console.class.getResourceAsStream("/console/" + name)) {
            if (in == null) {
                throw new IllegalStateException("console resource missing: " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
