package io.tvkraken.paper;

/**
 * What the paper exchange's server sends back for a {@link PaperRequest}.
 *
 * @param status      HTTP status: 200 for every Kraken answer, refusals included
 * @param contentType the {@code Content-Type} header
 * @param body        the bytes of the body
 */
public record PaperReply(int status, String contentType, byte[] body) {

    private static final String JSON = "application/json; charset=utf-8";

    /** HTTP 200 with a Kraken envelope, as Kraken answers results and refusals alike. */
    public static PaperReply json(byte[] envelope) {
        return new PaperReply(200, JSON, envelope);
    }
}
