package io.tvkraken.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.tvkraken.alert.CloseOrder;
import io.tvkraken.alert.OrderType;
import io.tvkraken.alert.Price;
import io.tvkraken.alert.Side;
import io.tvkraken.kraken.AssetPair;
import io.tvkraken.kraken.AssetPairsFixture;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OrderRequestTest {

    private static final AssetPair XBTUSD = AssetPairsFixture.pair("XXBTZUSD");
    private static final AssetPair LTCUSD = AssetPairsFixture.pair("XLTCZUSD");

    @ParameterizedTest(name = "{0}")
    @MethodSource("orderTypes")
    void sendsThePricesEachOrderTypeNeeds(OrderType type, String price, String price2, Map<String, String> expected) {
        OrderRequest order = order(XBTUSD, Side.BUY, type, "0.5", price, price2).build();

        assertThat(order.addOrderParams()).containsExactlyEntriesOf(expected);
    }

    static Stream<Arguments> orderTypes() {
        return Stream.of(
                Arguments.of(OrderType.MARKET, null, null, params("market")),
                Arguments.of(OrderType.LIMIT, "37500.1", null, params("limit", "price", "37500.1")),
                Arguments.of(OrderType.STOP_LOSS, "35000", null, params("stop-loss", "price", "35000")),
                Arguments.of(OrderType.TAKE_PROFIT, "40000", null, params("take-profit", "price", "40000")),
                Arguments.of(OrderType.STOP_LOSS_LIMIT, "35000", "34900",
                        params("stop-loss-limit", "price", "35000", "price2", "34900")),
                Arguments.of(OrderType.TAKE_PROFIT_LIMIT, "40000", "40100",
                        params("take-profit-limit", "price", "40000", "price2", "40100")),
                Arguments.of(OrderType.TRAILING_STOP, "+100", null, params("trailing-stop", "price", "+100")),
                Arguments.of(OrderType.TRAILING_STOP_LIMIT, "+100", "-100",
                        params("trailing-stop-limit", "price", "+100", "price2", "-100")),
                Arguments.of(OrderType.LIMIT, "-1.5%", null, params("limit", "price", "-1.5%")),
                Arguments.of(OrderType.LIMIT, "#2", null, params("limit", "price", "#2")));
    }

    /**
     * ccxt's static request cases for Kraken (docs/kraken.md#ccxt-request-cases), bodies verbatim: an encoder written
     * by someone else must agree with ours on every key and value. {@code nonce} is the client's, {@code pair} is
     * spelled differently (ccxt sends an id or the altname of another pair), so both are left out of the comparison.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("ccxtCases")
    void agreesWithCcxtsAddOrderRequests(String caseName, OrderRequest order, String ccxtBody) {
        Map<String, String> ccxt = decode(ccxtBody);
        ccxt.remove("nonce");
        ccxt.remove("pair");
        Map<String, String> ours = new LinkedHashMap<>(order.addOrderParams());
        ours.remove("pair");

        assertThat(ours).containsExactlyInAnyOrderEntriesOf(ccxt);
    }

    static Stream<Arguments> ccxtCases() {
        return Stream.of(
                Arguments.of("LTC/USDT market buy 0.1",
                        order(LTCUSD, Side.BUY, OrderType.MARKET, "0.1", null, null).build(),
                        "nonce=1698834065549&pair=LTCUSDT&type=buy&ordertype=market&volume=0.1"),
                Arguments.of("LTC/USDT market sell 0.1",
                        order(LTCUSD, Side.SELL, OrderType.MARKET, "0.1", null, null).build(),
                        "nonce=1698834105321&pair=LTCUSDT&type=sell&ordertype=market&volume=0.1"),
                Arguments.of("BTC/USD stop-loss-limit, leverage 5, reduce only",
                        order(XBTUSD, Side.SELL, OrderType.STOP_LOSS_LIMIT, "0.00012", "35000", "34000")
                                .leverage("5").reduceOnly().build(),
                        "nonce=1702704715667&pair=XXBTZUSD&type=sell&ordertype=stop-loss-limit&volume=0.00012"
                                + "&price=35000&price2=34000&reduce_only=true&leverage=5"),
                Arguments.of("BTC/USD take-profit-limit, leverage 5, reduce only",
                        order(XBTUSD, Side.SELL, OrderType.TAKE_PROFIT_LIMIT, "0.0001", "45000", "46000")
                                .leverage("5").reduceOnly().build(),
                        "nonce=1703055164304&pair=XXBTZUSD&type=sell&ordertype=take-profit-limit&volume=0.0001"
                                + "&price=45000&price2=46000&reduce_only=true&leverage=5"),
                Arguments.of("BTC/USD trailing-stop +100",
                        order(XBTUSD, Side.SELL, OrderType.TRAILING_STOP, "0.0002", "+100", null)
                                .trigger("last").leverage("5").reduceOnly().build(),
                        "nonce=1703236727221&pair=XXBTZUSD&type=sell&ordertype=trailing-stop&volume=0.0002"
                                + "&trigger=last&price=%2B100&reduce_only=true&leverage=5"),
                Arguments.of("BTC/USD trailing-stop-limit +100 / -100",
                        order(XBTUSD, Side.SELL, OrderType.TRAILING_STOP_LIMIT, "0.0002", "+100", "-100")
                                .trigger("last").leverage("5").reduceOnly().build(),
                        "nonce=1703236604802&pair=XXBTZUSD&type=sell&ordertype=trailing-stop-limit&volume=0.0002"
                                + "&trigger=last&price=%2B100&price2=-100&reduce_only=true&leverage=5"),
                Arguments.of("LTC/USDT stop-loss",
                        order(LTCUSD, Side.SELL, OrderType.STOP_LOSS, "0.1", "55", null).build(),
                        "nonce=1705242635875&pair=LTCUSDT&type=sell&ordertype=stop-loss&volume=0.1&price=55"),
                Arguments.of("LTC/USDT stop-loss-limit",
                        order(LTCUSD, Side.SELL, OrderType.STOP_LOSS_LIMIT, "0.1", "55", "54").build(),
                        "nonce=1705242679268&pair=LTCUSDT&type=sell&ordertype=stop-loss-limit&volume=0.1"
                                + "&price=55&price2=54"),
                Arguments.of("LTC/USDT take-profit-limit",
                        order(LTCUSD, Side.SELL, OrderType.TAKE_PROFIT_LIMIT, "0.1", "120", "110").build(),
                        "nonce=1705242729895&pair=LTCUSDT&type=sell&ordertype=take-profit-limit&volume=0.1"
                                + "&price=120&price2=110"),
                Arguments.of("LTC/USDT take-profit",
                        order(LTCUSD, Side.SELL, OrderType.TAKE_PROFIT, "0.1", "120", null).build(),
                        "nonce=1705242796801&pair=LTCUSDT&type=sell&ordertype=take-profit&volume=0.1&price=120"),
                // ccxt's case also sends oflags=fcib, which alerts cannot ask for; the post flag is the same.
                Arguments.of("LTC/USDT post-only limit",
                        order(LTCUSD, Side.BUY, OrderType.LIMIT, "0.1", "50", null).postOnly().build(),
                        "nonce=1715945544767&pair=LTCUSDT&type=buy&ordertype=limit&volume=0.1&price=50&oflags=post"));
    }

    @Test
    void sendsTheAltnameAsThePair() {
        assertThat(order(XBTUSD, Side.BUY, OrderType.MARKET, "1", null, null).build().addOrderParams())
                .containsEntry("pair", "XBTUSD");
    }

    @Test
    void sendsValidateTrueWhenValidatingAndNothingOtherwise() {
        assertThat(order(XBTUSD, Side.BUY, OrderType.MARKET, "1", null, null).validate().build().addOrderParams())
                .containsEntry("validate", "true");
        assertThat(order(XBTUSD, Side.BUY, OrderType.MARKET, "1", null, null).build().addOrderParams())
                .doesNotContainKey("validate");
    }

    @Test
    void sendsReduceOnlyAndPostOnlyOnlyWhenAskedFor() {
        Map<String, String> plain = order(XBTUSD, Side.BUY, OrderType.LIMIT, "1", "30000", null).build()
                .addOrderParams();

        assertThat(plain).doesNotContainKeys("reduce_only", "oflags", "leverage", "trigger", "timeinforce",
                "expiretm", "userref", "close[ordertype]", "close[price]", "close[price2]", "price2");
    }

    @Test
    void sendsTheConditionalCloseWithItsPrices() {
        CloseOrder close = new CloseOrder(OrderType.STOP_LOSS_LIMIT, price("22000"), price("21000"));

        Map<String, String> params = order(XBTUSD, Side.BUY, OrderType.LIMIT, "2.1234", "25000.1", null)
                .leverage("2").close(close).build().addOrderParams();

        assertThat(params).contains(entry("close[ordertype]", "stop-loss-limit"), entry("close[price]", "22000"),
                entry("close[price2]", "21000"));
    }

    @Test
    void leavesOutAnAbsentClosePrice2() {
        CloseOrder close = new CloseOrder(OrderType.TAKE_PROFIT, price("+5%"), null);

        Map<String, String> params = order(XBTUSD, Side.BUY, OrderType.MARKET, "1", null, null).close(close).build()
                .addOrderParams();

        assertThat(params).contains(entry("close[ordertype]", "take-profit"), entry("close[price]", "+5%"))
                .doesNotContainKey("close[price2]");
    }

    @Test
    void sendsEveryParameterInAFixedOrder() {
        OrderRequest order = new OrderRequest(XBTUSD, Side.SELL, OrderType.STOP_LOSS_LIMIT, new BigDecimal("1"),
                price("35000"), price("34000"), "index", "3", true, true, "GTD", "+3600",
                new CloseOrder(OrderType.TAKE_PROFIT_LIMIT, price("30000"), price("30010")), 42, true, null);

        assertThat(order.addOrderParams()).containsExactly(
                entry("pair", "XBTUSD"), entry("type", "sell"), entry("ordertype", "stop-loss-limit"),
                entry("volume", "1"), entry("price", "35000"), entry("price2", "34000"), entry("trigger", "index"),
                entry("leverage", "3"), entry("reduce_only", "true"), entry("oflags", "post"),
                entry("timeinforce", "GTD"), entry("expiretm", "+3600"), entry("close[ordertype]", "take-profit-limit"),
                entry("close[price]", "30000"), entry("close[price2]", "30010"), entry("userref", "42"),
                entry("validate", "true"));
    }

    @Test
    void sendsTheUserref() {
        assertThat(order(XBTUSD, Side.BUY, OrderType.MARKET, "1", null, null).userref(-7).build().addOrderParams())
                .containsEntry("userref", "-7");
    }

    @Test
    void writesTheVolumeWithoutExponentOrTrailingZeros() {
        assertThat(order(XBTUSD, Side.BUY, OrderType.MARKET, "0.12345000", null, null).build().addOrderParams())
                .containsEntry("volume", "0.12345");
        OrderRequest tens = new OrderRequest(XBTUSD, Side.BUY, OrderType.MARKET, new BigDecimal("1E+1"), null, null,
                null, null, false, false, null, null, null, null, false, null);
        assertThat(tens.addOrderParams()).containsEntry("volume", "10");
        OrderRequest tiny = new OrderRequest(XBTUSD, Side.BUY, OrderType.MARKET, new BigDecimal("1E-8"), null, null,
                null, null, false, false, null, null, null, null, false, null);
        assertThat(tiny.addOrderParams()).containsEntry("volume", "0.00000001");
    }

    private static Map<String, String> params(String ordertype, String... prices) {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("pair", "XBTUSD");
        expected.put("type", "buy");
        expected.put("ordertype", ordertype);
        expected.put("volume", "0.5");
        for (int i = 0; i < prices.length; i += 2) {
            expected.put(prices[i], prices[i + 1]);
        }
        return expected;
    }

    private static Map<String, String> decode(String body) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            String[] kv = pair.split("=", 2);
            params.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        return params;
    }

    private static Price price(String text) {
        return text == null ? null : Price.parse(text).orElseThrow();
    }

    private static Draft order(AssetPair pair, Side side, OrderType type, String volume, String price,
                               String price2) {
        return new Draft(pair, side, type, new BigDecimal(volume), price(price), price(price2));
    }

    /** An OrderRequest under construction, so each test names only what it is about. */
    private static final class Draft {
        private final AssetPair pair;
        private final Side side;
        private final OrderType type;
        private final BigDecimal volume;
        private final Price price;
        private final Price price2;
        private String trigger;
        private String leverage;
        private boolean reduceOnly;
        private boolean postOnly;
        private CloseOrder close;
        private Integer userref;
        private boolean validate;

        Draft(AssetPair pair, Side side, OrderType type, BigDecimal volume, Price price, Price price2) {
            this.pair = pair;
            this.side = side;
            this.type = type;
            this.volume = volume;
            this.price = price;
            this.price2 = price2;
        }

        Draft trigger(String value) {
            trigger = value;
            return this;
        }

        Draft leverage(String value) {
            leverage = value;
            return this;
        }

        Draft reduceOnly() {
            reduceOnly = true;
            return this;
        }

        Draft postOnly() {
            postOnly = true;
            return this;
        }

        Draft close(CloseOrder value) {
            close = value;
            return this;
        }

        Draft userref(int value) {
            userref = value;
            return this;
        }

        Draft validate() {
            validate = true;
            return this;
        }

        OrderRequest build() {
            return new OrderRequest(pair, side, type, volume, price, price2, trigger, leverage, reduceOnly, postOnly,
                    null, null, close, userref, validate, null);
        }
    }
}
