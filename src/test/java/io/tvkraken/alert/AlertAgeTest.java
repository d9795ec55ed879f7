package io.tvkraken.alert;

import io.tvkraken.ops.Answers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class AlertAgeTest {

    private static final Instant NOW = Instant.parse("2026-05-02T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private static Alert firedAt(String time) {
        return new Alert("BTCUSD", Side.BUY, OrderType.MARKET, java.math.BigDecimal.ONE, null, null, null, null, null,
                null, false, false, null, null, null, null, time, false, null, null, null, null, null);
    }

    private static RefusedException refusal(AlertAge age, String time) {
        return catchThrowableOfType(RefusedException.class, () -> age.check(firedAt(time)));
    }

    @Test
    void aTimeWithinTheAgeAndTheClockSkewPasses() {
        AlertAge age = new AlertAge(CLOCK, 60, 5);
        for (String time : new String[] {"2026-05-02T11:59:30Z", "2026-05-02T12:00:05Z",
                String.valueOf(NOW.getEpochSecond() - 10), String.valueOf(NOW.toEpochMilli() + 4_000)}) {
            assertThatCode(() -> age.check(firedAt(time))).as(time).doesNotThrowAnyException();
        }
        assertThatCode(() -> age.check(firedAt(null))).doesNotThrowAnyException();
    }

    @Test
    void aTimeInTheFutureBeyondTheClockSkewIs400NamingTime() {
        AlertAge age = new AlertAge(CLOCK, 60, 5);
        for (String time : new String[] {"2026-05-02T12:00:06Z", "2099-01-01T00:00:00Z",
                String.valueOf(Instant.parse("2099-01-01T00:00:00Z").getEpochSecond()), "9999999999999"}) {
            RefusedException e = refusal(age, time);
            assertThat(e).as(time).isNotNull();
            assertThat(Answers.status(e.refusal())).isEqualTo(400);
            assertThat(e.code()).isEqualTo("invalid_fields");
            assertThat(e.details()).singleElement().asString().startsWith("time: " + time).contains("ahead");
        }
        // with the stale check off, the future is still refused
        assertThat(Answers.status(refusal(new AlertAge(CLOCK, 0, 5), "2099-01-01T00:00:00Z").refusal())).isEqualTo(400);
    }

    @Test
    void anOldAlertIsStillA422StaleAlert() {
        RefusedException e = refusal(new AlertAge(CLOCK, 60, 5), "2026-05-02T11:58:00Z");
        assertThat(Answers.status(e.refusal())).isEqualTo(422);
        assertThat(e.code()).isEqualTo("stale_alert");
        assertThat(refusal(new AlertAge(CLOCK, 60, 5), "0").code()).isEqualTo("stale_alert");
        assertThatCode(() -> new AlertAge(CLOCK, 0, 5).check(firedAt("2026-05-01T00:00:00Z")))
                .doesNotThrowAnyException();
    }

    @Test
    void aTimeThatIsNoTimeIsA400NotAFailure() {
        for (String time : new String[] {"-1", "12345678901234567890", "soon"}) {
            RefusedException e = refusal(new AlertAge(CLOCK, 60, 5), time);
            assertThat(e).as(time).isNotNull();
            assertThat(Answers.status(e.refusal())).isEqualTo(400);
            assertThat(e.details()).singleElement().asString().startsWith("time:");
        }
    }
}
