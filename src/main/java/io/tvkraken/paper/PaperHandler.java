package io.tvkraken.paper;

/**
 * Answers the requests that reach the paper exchange's server under {@code /0/public/} and {@code /0/private/}.
 * The server calls it on its request threads, concurrently.
 *
 * <p>The exchange's own handler always answers. A handler that wraps it ({@link PaperExchange.Wrapper}) may also
 * return null: the server then closes the connection without writing a byte, as a connection cut by the network.
 * An exception that escapes is answered as Kraken answers an internal failure, {@code EGeneral:Internal error}.
 */
@FunctionalInterface
public interface PaperHandler {

    PaperReply answer(PaperRequest request);
}
