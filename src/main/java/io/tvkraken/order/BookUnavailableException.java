package io.tvkraken.order;

/**
 * A target-position alert could not be planned because its strategy's book could not be used
 * (docs/strategies.md#when-a-book-is-not-ready): another alert held it for too long ({@link #BUSY}), or an earlier
 * order of the book has an outcome still in doubt at Kraken ({@link #UNSETTLED}), so the position it left is not
 * known. Nothing was sent; the alert is dead-lettered under {@link #reason()} and may be replayed, and the strategy's
 * next alert brings the book to its target anyway.
 */
public class BookUnavailableException extends RuntimeException {

    public static final String BUSY = "book_busy";
    public static final String UNSETTLED = "book_unsettled";

    private final String reason;

    public BookUnavailableException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
