package io.tvkraken.paper;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that stands still until the test moves it, for {@link PaperExchange#start(PaperConfig, Clock)}: deadlines
 * and visibility delays can then be crossed exactly, without waiting for them.
 */
final class TestClock extends Clock {

    private Instant now;
    private Duration jumpAfterNextRead;

    TestClock(Instant start) {
        this.now = start;
    }

    synchronized Instant now() {
        return now;
    }

    synchronized void advance(Duration duration) {
        now = now.plus(duration);
    }

    /**
     * The next read still answers the current time, then the clock moves on by {@code duration}: time that passes
     * right after the exchange looks at the clock, e.g. while an AddOrder waits between its receipt and placement.
     */
    synchronized void advanceAfterNextRead(Duration duration) {
        jumpAfterNextRead = duration;
    }

    @Override
    public synchronized Instant instant() {
        Instant read = now;
        if (jumpAfterNextRead != null) {
            now = now.plus(jumpAfterNextRead);
            jumpAfterNextRead = null;
        }
        return read;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a test clock stays in UTC");
    }
}
