package io.tvkraken.alert;

import java.util.Arrays;
import java.util.Locale;

/**
 * Why an alert (or an operations request) is refused: the reason code a trader reads in the answer's
 * {@code error.code}. Nothing is sent to Kraken for a refused alert. The HTTP status of each reason is decided in one
 * place, where answers are written ({@code io.tvkraken.ops.Answers#status}); docs/answers.md lists them.
 */
public enum Refusal {
    /** Not JSON, not UTF-8, not an object, or empty. */
    INVALID_JSON,
    /** JSON, but fields are missing, of the wrong kind or out of range; the details name each one. */
    INVALID_FIELDS,
    /** A form or multipart body: its raw bytes, which the signature covers, are gone once decoded. */
    UNSUPPORTED_MEDIA_TYPE,
    PAYLOAD_TOO_LARGE,
    /** The source address is not in {@code ALLOWED_IPS}. */
    FORBIDDEN,
    /** Neither the signature nor the passphrase matches (or, for the admin API, the bearer token). */
    UNAUTHORIZED,
    /** The alert is older than {@code MAX_ALERT_AGE_SECONDS}. */
    STALE_ALERT,
    /** The ticker is not a Kraken spot pair. */
    UNKNOWN_PAIR,
    /** The pair exists but Kraken does not trade it now (status other than online). */
    PAIR_UNAVAILABLE,
    /** Kraken's Ticker has no last trade price to size or check the order with. */
    NO_LAST_PRICE,
    /** Below the pair's minimum volume or cost. */
    BELOW_MINIMUM,
    INVALID_PRICE,
    INSUFFICIENT_BALANCE,
    /** A sell larger than what the strategy's book holds: a strategy sells only what its own orders bought. */
    EXCEEDS_BOOK,
    /** A risk limit of the strategies file would be passed (docs/strategies.md#risk-limits); the details name it. */
    RISK_LIMIT,
    /** A short target position, for a strategy that does not trade on margin. */
    MARGIN_REQUIRED,
    /** Kraken refused the order; its error strings are the details. */
    KRAKEN_REJECTED,
    /** The kill switch is off. */
    TRADING_DISABLED,
    /** An admin resource that does not exist (or the admin API, while no token is set), or no such path. */
    NOT_FOUND,
    /** The path exists, not for this HTTP method. */
    METHOD_NOT_ALLOWED,
    /** Too many requests from one source address in the period (docs/operations.md#rate-limits). */
    RATE_LIMITED,
    /**
     * The HTTP request itself cannot be read safely: a transfer coding other than {@code chunked}, a malformed
     * request line or header (docs/answers.md#refused-by-the-http-edge).
     */
    INVALID_REQUEST,
    /** The request's body did not arrive within the server's body timeout. */
    REQUEST_TIMEOUT,
    /** The request line (method, path and query) is longer than the server reads. */
    URI_TOO_LONG,
    /** The request's headers are larger than the server reads. */
    HEADERS_TOO_LARGE;

    /** The code as answered: {@code stale_alert}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Refusal ofCode(String code) {
        return Arrays.stream(values()).filter(r -> r.code().equals(code)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no refusal " + code));
    }
}
