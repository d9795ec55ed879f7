package io.tvkraken.ops;

/**
 * How an alert ended, as the webhook caller is told it: an HTTP status and the JSON answer. Built where the outcome is
 * decided — possibly on a background worker after the caller was answered 202 {@code pending} — and journaled there.
 */
public record Outcome(int status, Answer answer) {
}
