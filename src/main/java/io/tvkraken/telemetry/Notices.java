package io.tvkraken.telemetry;

/**
 * Where the code that decides an outcome hands a {@link Notice} for the operators' channels
 * (docs/notifications.md). It returns at once and never throws: a slow or failing channel must not delay or fail an
 * order. The delivery itself (queues, channels, retries) is in {@code io.tvkraken.notify} and the route template
 * {@code notification-channel}.
 */
@FunctionalInterface
public interface Notices {

    /** Nobody listens: the default where no channel is configured, and in unit tests. */
    Notices NONE = notice -> {
    };

    void raise(Notice notice);
}
