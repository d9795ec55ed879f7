package io.tvkraken.journal;

/**
 * The journal could not be read or written. Before an alert is stored this is answered 503 — the one answer for which
 * TradingView's resend is wanted (docs/answers.md#status-codes, docs/tradingview.md#resends) — and nothing is sent to
 * Kraken. The message names the operation, never the data or the database credentials.
 */
public class JournalUnavailableException extends RuntimeException {

    public JournalUnavailableException(String operation, Throwable cause) {
        super("journal unavailable: " + operation + " failed (" + cause.getClass().getSimpleName() + ")", cause);
    }
}
