package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.RateLimitTier;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code paper.rate-limit-tier}: paper mode enforces a Starter account's Kraken rate limits unless told otherwise. */
class PaperModeRateLimitTierTest {

    @TempDir
    Path data;

    @Test
    void paperModeIsStarterByDefault() {
        try (RunningApp app = RunningApp.start(RunningApp.paperDefaults(data))) {
            assertThat(app.bean("paperExchange", PaperExchange.class).config().rateLimitTier())
                    .isEqualTo(RateLimitTier.STARTER);
        }
    }

    @Test
    void theTierIsChosenByProperty() {
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("paper.rate-limit-tier", "Pro");
        try (RunningApp app = RunningApp.start(p)) {
            assertThat(app.bean("paperExchange", PaperExchange.class).config().rateLimitTier())
                    .isEqualTo(RateLimitTier.PRO);
        }
    }

    @Test
    void anUnknownTierRefusesToStart() {
        Map<String, String> p = RunningApp.paperDefaults(data);
        p.put("paper.rate-limit-tier", "gold");
        assertThatThrownBy(() -> RunningApp.start(p).close())
                .hasStackTraceContaining("paper.rate-limit-tier must be starter, intermediate, pro or off, not 'gold'");
    }
}
