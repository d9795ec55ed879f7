package io.tvkraken.alert;

import io.tvkraken.ops.Answers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.DeserializationFeature;
import java.math.BigDecimal;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class AlertParserTest {

    private final AlertParser parser = new AlertParser(
            new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS));

    private Alert parse(String json) {
        return parser.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static RefusedException rejection(ThrowingCallable call) {
        try {
            call.call();
        } catch (RefusedException e) {
            return e;
        } catch (Throwable t) {
            throw new AssertionError("expected a rejection, got " + t, t);
        }
        throw new AssertionError("expected a rejection");
    }

    @Test
    void parsesAMarketAlertWithDefaults() {
        Alert alert = parse("{\"ticker\":\"BTCUSD\",\"action\":\"BUY\",\"volume\":0.01}");
        assertThat(alert.ticker()).isEqualTo("BTCUSD");
        assertThat(alert.action()).isEqualTo(Side.BUY);
        assertThat(alert.orderType()).isEqualTo(OrderType.MARKET);
        assertThat(alert.volume()).isEqualByComparingTo("0.01");
        assertThat(alert.sizing()).isEqualTo(Alert.Sizing.VOLUME);
        assertThat(alert.validate()).isFalse();
    }

    @Test
    void acceptsNumericStringsBecauseTradingViewPlaceholdersRenderAsText() {
        Alert alert = parse("{\"ticker\":\"ETHUSD\",\"action\":\"sell\",\"order_type\":\"limit\","
                + "\"volume\":\"1.5\",\"price\":\"3000.25\",\"userref\":\"42\",\"post_only\":\"true\"}");
        assertThat(alert.volume()).isEqualByComparingTo(new BigDecimal("1.5"));
        assertThat(alert.price()).isEqualTo(Price.absolute(new BigDecimal("3000.25")));
        assertThat(alert.userref()).isEqualTo(42);
        assertThat(alert.postOnly()).isTrue();
    }

    @Test
    void keepsDecimalsExactWithoutDoubles() {
        Alert alert = parse("{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":0.100000000000000005}");
        assertThat(alert.volume().toPlainString()).isEqualTo("0.100000000000000005");
    }

    @Test
    void namesEveryFieldProblemAtOnce() {
        RefusedException e = rejection(() -> parse(
                "{\"action\":\"hold\",\"volume\":-1,\"order_type\":\"limit\",\"volumee\":1}"));
        assertThat(Answers.status(e.refusal())).isEqualTo(400);
        assertThat(e.code()).isEqualTo("invalid_fields");
        assertThat(e.details()).anyMatch(d -> d.startsWith("ticker: required"))
                .anyMatch(d -> d.startsWith("action: must be 'buy' or 'sell'"))
                .anyMatch(d -> d.equals("volume: must be greater than 0"))
                .anyMatch(d -> d.startsWith("price: required for limit orders"))
                .anyMatch(d -> d.equals("volumee: unknown field (did you mean 'volume'?)"));
    }

    @Test
    void refusesUnknownFieldsInsteadOfIgnoringThem() {
        RefusedException e = rejection(() -> parse(
                "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":1,\"stop_loss\":100}"));
        assertThat(e.details()).containsExactly("stop_loss: unknown field");
    }

    @Test
    void requiresExactlyOneSizingField() {
        assertThat(rejection(() -> parse("{\"ticker\":\"BTCUSD\",\"action\":\"buy\"}")).details())
                .containsExactly("volume / cost / percent: one of the three is required");
        assertThat(rejection(() -> parse("{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":1,\"cost\":5}"))
                .details()).containsExactly("volume / cost / percent: give only one of the three");
        assertThat(rejection(() -> parse("{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"percent\":150}")).details())
                .containsExactly("percent: must be at most 100, got 150");
    }

    @Test
    void pointsAtUnreplacedPlaceholders() {
        RefusedException e = rejection(() -> parse(
                "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"{{strategy.order.contracts}}\"}"));
        assertThat(e.details()).singleElement().asString().contains("placeholder that was not replaced");
    }

    @Test
    void notJsonIsA400WithoutQuotingTheBody() {
        RefusedException e = rejection(() -> parse("buy BTCUSD passphrase=hunter2"));
        assertThat(Answers.status(e.refusal())).isEqualTo(400);
        assertThat(e.code()).isEqualTo("invalid_json");
        assertThat(e.getMessage()).doesNotContain("hunter2");
        assertThat(String.join(" ", e.details())).doesNotContain("hunter2");
        assertThat(rejection(() -> parse("")).code()).isEqualTo("invalid_json");
        assertThat(rejection(() -> parse("[1,2]")).getMessage()).contains("JSON object");
    }

    @Test
    void enforcesKrakensTrailingStopSignRules() {
        assertThat(rejection(() -> parse("{\"ticker\":\"BTCUSD\",\"action\":\"sell\",\"volume\":1,"
                + "\"order_type\":\"trailing-stop\",\"price\":\"100\"}")).details())
                .singleElement().asString().startsWith("price: a trailing stop takes a relative offset");
        Alert ok = parse("{\"ticker\":\"BTCUSD\",\"action\":\"sell\",\"volume\":1,"
                + "\"order_type\":\"trailing-stop-limit\",\"price\":\"+1.5%\",\"price2\":\"-100\"}");
        assertThat(ok.price().kraken()).isEqualTo("+1.5%");
        assertThat(ok.price2().kraken()).isEqualTo("-100");
    }

    @Test
    void knowsWhichOrderTypesTakePrice2() {
        assertThat(rejection(() -> parse("{\"ticker\":\"BTCUSD\",\"action\":\"sell\",\"volume\":1,"
                + "\"order_type\":\"stop-loss-limit\",\"price\":30000}")).details())
                .singleElement().asString().startsWith("price2: required for stop-loss-limit");
        assertThat(rejection(() -> parse("{\"ticker\":\"BTCUSD\",\"action\":\"sell\",\"volume\":1,"
                + "\"order_type\":\"limit\",\"price\":30000,\"price2\":1}")).details())
                .singleElement().asString().startsWith("price2: only");
        assertThat(rejection(() -> parse("{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":1,\"price\":1}"))
                .details()).singleElement().asString().startsWith("price: not used by market orders");
    }

    @Test
    void parsesAConditionalClose() {
        Alert alert = parse("{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":1,\"order_type\":\"limit\","
                + "\"price\":60000,\"close\":{\"order_type\":\"stop-loss-limit\",\"price\":55000,\"price2\":54900}}");
        assertThat(alert.close().orderType()).isEqualTo(OrderType.STOP_LOSS_LIMIT);
        assertThat(alert.close().price().kraken()).isEqualTo("55000");
        assertThat(rejection(() -> parse("{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":1,"
                + "\"close\":{\"order_type\":\"market\",\"price\":1,\"extra\":2}}")).details())
                .contains("close.extra: unknown field", "close.order_type: a conditional close cannot be a market order");
    }

    @Test
    void acceptsTimenowAndEpochTimesAndRejectsOthers() {
        String base = "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":1,\"time\":";
        assertThat(parse(base + "\"2026-11-21T10:00:00Z\"}").time()).isEqualTo("2026-11-21T10:00:00Z");
        assertThat(parse(base + "1763719200}").time()).isEqualTo("1763719200");
        assertThat(parse(base + "1763719200000}").time()).isEqualTo("1763719200000");
        assertThat(rejection(() -> parse(base + "\"yesterday\"}")).details()).singleElement().asString()
                .startsWith("time:");
    }

    @Test
    void goodTillDateNeedsAnExpiryAndPostOnlyNeedsALimitOrder() {
        assertThat(rejection(() -> parse("{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":1,"
                + "\"order_type\":\"limit\",\"price\":1,\"time_in_force\":\"gtd\"}")).details())
                .containsExactly("expire_time: required with time_in_force GTD");
        assertThat(rejection(() -> parse("{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":1,"
                + "\"post_only\":true}")).details()).singleElement().asString().startsWith("post_only:");
    }

    @Test
    void alertIdIsTheIdFieldOrAHashOfTheRawBody() {
        byte[] raw = "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":1}".getBytes(StandardCharsets.UTF_8);
        assertThat(AlertParser.alertId(parse("{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":1,\"id\":\"L-1\"}"),
                raw)).isEqualTo("L-1");
        assertThat(AlertParser.alertId(parser.parse(raw), raw)).startsWith("sha256:").hasSize(71);
    }

    @Test
    void userrefMustFitKrakensInt32() {
        assertThatThrownBy(() -> parse("{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":1,\"userref\":2147483648}"))
                .isInstanceOf(RefusedException.class)
                .satisfies(e -> assertThat(((RefusedException) e).details()).singleElement().asString()
                        .startsWith("userref:"));
    }

    @Test
    void nullValuesCountAsAbsentSoRequiredFieldsAreStillRequired() {
        assertThat(rejection(() -> parse("{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":null}")).details())
                .containsExactly("volume / cost / percent: one of the three is required");
        assertThat(rejection(() -> parse("{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":1,"
                + "\"order_type\":\"limit\",\"price\":null}")).details())
                .containsExactly("price: required for limit orders");
        assertThat(rejection(() -> parse("{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":1,"
                + "\"order_type\":\"stop-loss-limit\",\"price\":1,\"price2\":null}")).details())
                .singleElement().asString().startsWith("price2: required");
        assertThat(rejection(() -> parse("{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":1,"
                + "\"close\":{\"order_type\":\"stop-loss-limit\",\"price\":null,\"price2\":null}}")).details())
                .contains("close.price: required for a stop-loss-limit close",
                        "close.price2: required for a stop-loss-limit close");
    }

    @Test
    void hugeExponentsAndDigitCountsAreRefusedQuicklyWithoutEchoingThem() {
        long started = System.nanoTime();
        RefusedException e = rejection(() -> parse("{\"ticker\":\"BTCUSD\",\"action\":\"buy\","
                + "\"order_type\":\"limit\",\"volume\":1e99999,\"price\":1e300000}"));
        assertThat(e.details()).containsExactlyInAnyOrder(
                "volume: at most 15 digits before the decimal point and 18 after",
                "price: at most 15 digits before the decimal point and 18 after");
        assertThat(rejection(() -> parse("{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":\"0."
                + "0".repeat(30) + "1\"}")).details()).singleElement().asString().startsWith("volume: at most");
        assertThat(String.join(" ", e.details())).doesNotContain("99999");
        assertThat((System.nanoTime() - started) / 1_000_000).as("milliseconds").isLessThan(1000);
    }

    private static byte[] bytes(String before, byte[] middle, String after) {
        byte[] a = before.getBytes(StandardCharsets.UTF_8);
        byte[] c = after.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[a.length + middle.length + c.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(middle, 0, all, a.length, middle.length);
        System.arraycopy(c, 0, all, a.length + middle.length, c.length);
        return all;
    }

    @Test
    void onlyUtf8IsRead() {
        String alert = "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":1,\"comment\":\"";
        for (byte[] bad : new byte[][] {{(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xC0, (byte) 0xAF},
                {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xE9}}) {
            RefusedException e = rejection(() -> parser.parse(bytes(alert, bad, "\"}")));
            assertThat(e.code()).isEqualTo("invalid_json");
            assertThat(e.getMessage()).startsWith("the body is not valid UTF-8 (byte " + (alert.length() + 1) + " ");
        }
        byte[] utf32 = (alert + "x\"}").getBytes(Charset.forName("UTF-32"));
        assertThat(rejection(() -> parser.parse(utf32)).code()).isEqualTo("invalid_json");
        byte[] utf16 = (alert + "x\"}").getBytes(StandardCharsets.UTF_16LE);
        assertThat(rejection(() -> parser.parse(utf16)).code()).isEqualTo("invalid_json");
        // real UTF-8 is read as it is, a leading byte order mark included
        assertThat(parser.parse(bytes("\uFEFF" + alert, "café €".getBytes(StandardCharsets.UTF_8), "\"}"))
                .comment()).isEqualTo("café €");
    }

    @Test
    void anUnpairedSurrogateEscapeIsRefusedNamingTheField() {
        RefusedException e = rejection(() -> parse(
                "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":1,\"close\":{\"price\":\"\\udc00\"}}"));
        assertThat(e.code()).isEqualTo("invalid_json");
        assertThat(e.details()).containsExactly("close.price: not valid Unicode text");
        assertThat(parse("{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":1,\"comment\":\"\\ud83d\\ude00\"}")
                .comment()).isEqualTo("\uD83D\uDE00");
    }

    @Test
    void aFieldGivenTwiceIsRefusedNamingIt() {
        RefusedException e = rejection(() -> parse(
                "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":0.001,\"volume\":1}"));
        assertThat(Answers.status(e.refusal())).isEqualTo(400);
        assertThat(e.code()).isEqualTo("invalid_fields");
        assertThat(e.details()).singleElement().asString()
                .startsWith("volume: given more than once (line 1, column");
        assertThat(rejection(() -> parse("{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":1,"
                + "\"close\":{\"order_type\":\"stop-loss\",\"price\":1,\"price\":2}}")).details())
                .singleElement().asString().startsWith("close.price: given more than once");
    }

    @Test
    void anUnrenderedPlaceholderInAnyFieldIsRefusedTheIdFirst() {
        RefusedException e = rejection(() -> parse("{\"ticker\":\"BTCUSD\","
                + "\"action\":\"{{strategy.order.action}}\","
                + "\"volume\":1,\"comment\":\"{{strategy.order.comment}}\",\"id\":\"L-{{strategy.order.id}}\"}"));
        assertThat(e.code()).isEqualTo("invalid_fields");
        assertThat(e.details()).hasSize(3);
        assertThat(e.details().get(0)).startsWith("id: holds '{{strategy.order.id}}'").contains("duplicates");
        assertThat(e.details()).contains(
                "action: holds '{{strategy.order.action}}', a TradingView placeholder that was not replaced",
                "comment: holds '{{strategy.order.comment}}', a TradingView placeholder that was not replaced");
        // other problems are still named beside them
        assertThat(rejection(() -> parse("{\"ticker\":\"BTCUSD\",\"action\":\"hold\",\"volume\":1,"
                + "\"id\":\"{{strategy.order.id}}\"}")).details())
                .hasSize(2).first().asString().startsWith("id:");
        // the passphrase is never echoed, not even its placeholder
        assertThat(rejection(() -> parse("{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":1,"
                + "\"passphrase\":\"s3cret-{{x}}\"}")).details())
                .containsExactly("passphrase: holds a TradingView placeholder that was not replaced");
        // braces that are no placeholder are text
        assertThat(parse("{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":1,\"comment\":\"}} {{\"}")
                .comment()).isEqualTo("}} {{");
    }

    @Test
    void aTimeThatCannotBeAnEpochIsRefusedNotPassedOn() {
        String base = "{\"ticker\":\"BTCUSD\",\"action\":\"buy\",\"volume\":1,\"time\":";
        for (String time : new String[] {"-1", "\"-1\"", "12345678901234567890", "-12345678901234567890",
                "\"12345678901234567890\"", "99999999999999", "1.5", "\"1763719200.5\"", "\"12345\"", "\"\"",
                "\"+1000000001-01-01T00:00:00Z\"", "true", "{}"}) {
            assertThat(rejection(() -> parse(base + time + "}")).details()).as(time).singleElement().asString()
                    .startsWith("time:");
        }
        assertThat(parse(base + "0}").time()).isEqualTo("0");
        assertThat(parse(base + "9999999999999}").time()).isEqualTo("9999999999999");
        assertThat(parse(base + "\"2099-01-01T00:00:00Z\"}").time()).as("the future is AlertAge's to judge")
                .isEqualTo("2099-01-01T00:00:00Z");
    }

    @Test
    void aTargetPositionIsSignedAndNeedsNoActionOrSizing() {
        Alert alert = parse("{\"ticker\":\"BTCUSD\",\"strategy\":\"trend 4h\",\"position\":\"-0.50\"}");
        assertThat(alert.targetsPosition()).isTrue();
        assertThat(alert.target().position()).isEqualByComparingTo("-0.5");
        assertThat(alert.strategy()).isEqualTo("trend 4h");
        assertThat(alert.action()).isNull();
        assertThat(parse("{\"ticker\":\"BTCUSD\",\"position\":\"0\",\"action\":\"sell\"}").target().flat())
                .isTrue();
    }

    @Test
    void marketPositionTakesItsSizeFromVolumeAndFlatMayBeZero() {
        assertThat(parse("{\"ticker\":\"BTCUSD\",\"market_position\":\"short\",\"volume\":\"0.2\"}")
                .target().position()).isEqualByComparingTo("-0.2");
        assertThat(parse("{\"ticker\":\"BTCUSD\",\"market_position\":\"LONG\",\"volume\":0.2}")
                .target().position()).isEqualByComparingTo("0.2");
        // {{strategy.market_position_size}} renders 0 when flat
        assertThat(parse("{\"ticker\":\"BTCUSD\",\"market_position\":\"flat\",\"volume\":\"0\"}")
                .target().flat()).isTrue();
    }

    @Test
    void aTargetPositionRefusesWhatContradictsIt() {
        assertThat(rejection(() -> parse("{\"ticker\":\"BTCUSD\",\"position\":\"1\",\"volume\":\"1\"}"))
                .details()).anyMatch(d -> d.startsWith("volume: not used with position"));
        assertThat(rejection(() -> parse("{\"ticker\":\"BTCUSD\",\"position\":\"1\",\"cost\":\"100\"}"))
                .details()).anyMatch(d -> d.startsWith("cost / percent: not used with a target position"));
        assertThat(rejection(() -> parse("{\"ticker\":\"BTCUSD\",\"position\":\"1\","
                + "\"market_position\":\"long\"}")).details())
                .anyMatch(d -> d.startsWith("position / market_position: give only one"));
        assertThat(rejection(() -> parse("{\"ticker\":\"BTCUSD\",\"market_position\":\"long\"}")).details())
                .anyMatch(d -> d.startsWith("volume: required with market_position long"));
        assertThat(rejection(() -> parse("{\"ticker\":\"BTCUSD\",\"market_position\":\"flat\","
                + "\"volume\":\"1\"}")).details()).anyMatch(d -> d.startsWith("volume: must be 0 or absent"));
        assertThat(rejection(() -> parse("{\"ticker\":\"BTCUSD\",\"position\":\"1\","
                + "\"order_type\":\"stop-loss\",\"price\":\"50000\"}")).details())
                .anyMatch(d -> d.startsWith("order_type: a target position is reached with a market or a limit"));
        assertThat(rejection(() -> parse("{\"ticker\":\"BTCUSD\",\"position\":\"1\",\"leverage\":\"2\"}"))
                .details()).anyMatch(d -> d.startsWith("leverage: a target position is traded on spot"));
        assertThat(rejection(() -> parse("{\"ticker\":\"BTCUSD\",\"position\":\"1e3\"}")).details())
                .anyMatch(d -> d.startsWith("position: must be a number"));
    }

    @Test
    void anUnrenderedPositionPlaceholderIsNamed() {
        assertThat(rejection(() -> parse("{\"ticker\":\"BTCUSD\","
                + "\"position\":\"{{strategy.position_size}}\"}")).details())
                .anyMatch(d -> d.startsWith("position: holds '{{strategy.position_size}}'"));
    }
}
