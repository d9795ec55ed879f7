package io.tvkraken.paper;

/**
 * A request the paper exchange refuses the way Kraken does: HTTP 200 and {@code {"error":["<error>"]}}
 * (https://docs.kraken.com/api/docs/guides/spot-errors). Thrown from validation, caught once by
 * {@link PaperExchange}; it carries no stack trace because it is an answer, not a failure of the simulator.
 */
final class KrakenReject extends RuntimeException {

    KrakenReject(String error) {
        super(error, null, false, false);
    }

    String error() {
        return getMessage();
    }

    static KrakenReject invalidArguments(String field) {
        return new KrakenReject("EGeneral:Invalid arguments:" + field);
    }
}
