package io.tvkraken.order;

import io.tvkraken.ops.Answers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.fail;

import io.tvkraken.alert.Alert;
import io.tvkraken.alert.RefusedException;
import io.tvkraken.alert.CloseOrder;
import io.tvkraken.alert.OrderType;
import io.tvkraken.alert.Price;
import io.tvkraken.alert.Side;
import io.tvkraken.kraken.AssetPair;
import io.tvkraken.kraken.AssetPairsFixture;
import java.math.BigDecimal;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OrderPlannerTest {

    private static final AssetPair XBTUSD = AssetPairsFixture.pair("XXBTZUSD");
    private static final AssetPair XDGUSD = AssetPairsFixture.pair("XXDGZUSD");
    private static final AssetPair ETHXBT = AssetPairsFixture.pair("XETHXXBT");
    private static final AssetPair XTZUSD = AssetPairsFixture.pair("XTZUSD");

    private final OrderPlanner planner = new OrderPlanner();

    // --- sizing -------------------------------------------------------------------------------------------------

    @Test
    void volumeSizingSendsTheVolumeRoundedDownToLotDecimals() {
        OrderRequest order = planner.plan(alert(Side.BUY, OrderType.LIMIT).volume("0.123456789").price("37500.06")
                .build(), XBTUSD, noLastPrice(), noBalances());

        assertThat(order.volume()).isEqualByComparingTo("0.12345678");
        assertThat(order.addOrderParams()).contains(entry("volume", "0.12345678"), entry("price", "37500"));
    }

    @Test
    void costSizingDividesByTheAlertsAbsolutePriceWithoutAskingForTheLastPrice() {
        OrderRequest order = planner.plan(alert(Side.BUY, OrderType.LIMIT).cost("1000").price("40000").build(),
                XBTUSD, noLastPrice(), noBalances());

        assertThat(order.volume()).isEqualByComparingTo("0.025");
        assertThat(order.estimatedCost()).isEqualByComparingTo("1000");
    }

    @Test
    void costSizingOfAMarketOrderDividesByTheLastPriceAskedForOnce() {
        Counted<BigDecimal> lastPrice = counted(new BigDecimal("30000"));

        OrderRequest order = planner.plan(alert(Side.BUY, OrderType.MARKET).cost("100").build(), XBTUSD, lastPrice,
                noBalances());

        assertThat(order.volume()).isEqualByComparingTo("0.00333333");
        assertThat(order.estimatedCost()).isEqualByComparingTo("99.9999");
        assertThat(lastPrice.calls()).isEqualTo(1);
    }

    @Test
    void costSizingOfARelativePriceUsesTheLastPrice() {
        OrderRequest order = planner.plan(alert(Side.BUY, OrderType.LIMIT).cost("300").price("-1%").build(), XBTUSD,
                () -> new BigDecimal("30000"), noBalances());

        assertThat(order.volume()).isEqualByComparingTo("0.01");
        assertThat(order.addOrderParams()).containsEntry("price", "-1%");
    }

    @Test
    void percentBuySpendsThatShareOfTheQuoteBalanceAtTheLimitPrice() {
        OrderRequest order = planner.plan(alert(Side.BUY, OrderType.LIMIT).percent("50").price("25000").build(),
                XBTUSD, noLastPrice(), () -> Map.of("ZUSD", new BigDecimal("1000"), "XXBT", new BigDecimal("9")));

        assertThat(order.volume()).isEqualByComparingTo("0.02");
    }

    @Test
    void percentBuyOfAMarketOrderUsesTheLastPrice() {
        OrderRequest order = planner.plan(alert(Side.BUY, OrderType.MARKET).percent("10").build(), XBTUSD,
                () -> new BigDecimal("30000"), () -> Map.of("ZUSD", new BigDecimal("1000")));

        assertThat(order.volume()).isEqualByComparingTo("0.00333333");
    }

    @Test
    void percentSellSellsThatShareOfTheBaseBalance() {
        Counted<BigDecimal> lastPrice = counted(new BigDecimal("30000"));

        OrderRequest order = planner.plan(alert(Side.SELL, OrderType.MARKET).percent("33.3").build(), XBTUSD,
                lastPrice, () -> Map.of("XXBT", new BigDecimal("0.5"), "ZUSD", new BigDecimal("1000")));

        assertThat(order.volume()).isEqualByComparingTo("0.1665");
        // The last price is still needed, once, for the costmin check of an order without a price.
        assertThat(lastPrice.calls()).isEqualTo(1);
    }

    @Test
    void percentSellOfAllTheBaseBalanceRoundsDownNeverAboveWhatIsThere() {
        OrderRequest order = planner.plan(alert(Side.SELL, OrderType.LIMIT).percent("100").price("3000").build(),
                AssetPairsFixture.pair("XETHZUSD"), noLastPrice(),
                () -> Map.of("XETH", new BigDecimal("1.234567891")));

        assertThat(order.volume()).isEqualByComparingTo("1.23456789");
    }

    @Test
    void percentBuyWithoutAQuoteBalanceIsRefusedNamingTheAsset() {
        assertThatThrownBy(() -> planner.plan(alert(Side.BUY, OrderType.LIMIT).percent("50").price("30000").build(),
                XBTUSD, noLastPrice(), () -> Map.of("XXBT", BigDecimal.ONE)))
                .isInstanceOfSatisfying(RefusedException.class, e -> {
                    assertThat(Answers.status(e.refusal())).isEqualTo(422);
                    assertThat(e.code()).isEqualTo("insufficient_balance");
                    assertThat(e.getMessage()).isEqualTo(
                            "no USD balance (Kraken asset ZUSD) to buy XBT with on XBTUSD: percent 50 of it is 0");
                });
    }

    @Test
    void percentSellWithAZeroBaseBalanceIsRefusedNamingTheAsset() {
        assertThatThrownBy(() -> planner.plan(alert(Side.SELL, OrderType.MARKET).percent("50").build(),
                XBTUSD, noLastPrice(), () -> Map.of("XXBT", BigDecimal.ZERO, "ZUSD", BigDecimal.TEN)))
                .isInstanceOfSatisfying(RefusedException.class, e -> {
                    assertThat(e.code()).isEqualTo("insufficient_balance");
                    assertThat(e.getMessage())
                            .isEqualTo("no XBT balance (Kraken asset XXBT) to sell on XBTUSD: percent 50 of it is 0");
                });
    }

    // --- lazy suppliers -----------------------------------------------------------------------------------------

    @Test
    void aLimitOrderSizedByVolumeAsksForNeitherLastPriceNorBalances() {
        OrderRequest order = planner.plan(alert(Side.SELL, OrderType.STOP_LOSS_LIMIT).volume("0.01").price("35000")
                .price2("34900").build(), XBTUSD, noLastPrice(), noBalances());

        assertThat(order.estimatedCost()).isEqualByComparingTo("350");
    }

    @Test
    void aMarketOrderSizedByVolumeAsksForTheLastPriceOnlyToCheckCostmin() {
        Counted<BigDecimal> lastPrice = counted(new BigDecimal("30000"));

        OrderRequest order = planner.plan(alert(Side.BUY, OrderType.MARKET).volume("0.01").build(), XBTUSD, lastPrice,
                noBalances());

        assertThat(lastPrice.calls()).isEqualTo(1);
        assertThat(order.estimatedCost()).isEqualByComparingTo("300");
    }

    @Test
    void withoutACostminAMarketOrderSizedByVolumeNeedsNoLastPrice() {
        AssetPair noCostMin = AssetPairsFixture.withMinimums(XBTUSD, XBTUSD.orderMin(), BigDecimal.ZERO);

        OrderRequest order = planner.plan(alert(Side.BUY, OrderType.MARKET).volume("0.01").build(), noCostMin,
                noLastPrice(), noBalances());

        assertThat(order.estimatedCost()).isNull();
    }

    @Test
    void aTrailingStopIsSizedAndCheckedAtTheLastPrice() {
        Counted<BigDecimal> lastPrice = counted(new BigDecimal("30000"));

        OrderRequest order = planner.plan(alert(Side.SELL, OrderType.TRAILING_STOP).cost("300").price("+100")
                .build(), XBTUSD, lastPrice, noBalances());

        assertThat(order.volume()).isEqualByComparingTo("0.01");
        assertThat(order.addOrderParams()).containsEntry("price", "+100");
        assertThat(lastPrice.calls()).isEqualTo(1);
    }

    @Test
    void aMissingLastPriceIsAnErrorNotAZeroPrice() {
        assertThatThrownBy(() -> planner.plan(alert(Side.BUY, OrderType.MARKET).cost("100").build(), XBTUSD,
                () -> null, noBalances()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("no usable last price for XBTUSD: null");
    }

    // --- rounding -----------------------------------------------------------------------------------------------

    @Test
    void roundsTriggersToTheNearestTickAndLimitsInTheTradersFavour() {
        OrderRequest sell = planner.plan(alert(Side.SELL, OrderType.STOP_LOSS_LIMIT).volume("0.01")
                .price("37500.06").price2("37499.91").build(), XBTUSD, noLastPrice(), noBalances());
        // trigger: nearest; sell limit: up, so the sale never takes less than asked
        assertThat(sell.addOrderParams()).contains(entry("price", "37500.1"), entry("price2", "37500"));

        OrderRequest buy = planner.plan(alert(Side.BUY, OrderType.LIMIT).volume("0.01").price("37500.09").build(),
                XBTUSD, noLastPrice(), noBalances());
        // buy limit: down, so the purchase never pays more than asked
        assertThat(buy.addOrderParams()).containsEntry("price", "37500");
    }

    @Test
    void roundsDogePricesToSevenDecimals() {
        OrderRequest order = planner.plan(alert(Side.BUY, OrderType.TAKE_PROFIT_LIMIT).volume("100")
                .price("0.123456789").price2("0.12345674").build(), XDGUSD, noLastPrice(), noBalances());

        assertThat(order.addOrderParams()).contains(entry("price", "0.1234568"), entry("price2", "0.1234567"));
    }

    @ParameterizedTest(name = "{0} at tick 0.5 -> {1}")
    @CsvSource({"37500.2,37500", "37500.25,37500.5", "37500.3,37500.5", "37500.74,37500.5", "37500.75,37501"})
    void roundsATriggerPriceToTheNearestTickWhenTheTickIsCoarserThanTheDecimals(String sent, String sentToKraken) {
        AssetPair halfDollarTicks = AssetPairsFixture.withTickSize(XBTUSD, new BigDecimal("0.5"));

        OrderRequest order = planner.plan(alert(Side.SELL, OrderType.STOP_LOSS).volume("0.01").price(sent).build(),
                halfDollarTicks, noLastPrice(), noBalances());

        assertThat(order.addOrderParams()).containsEntry("price", sentToKraken);
    }

    @ParameterizedTest(name = "{0} limit {1} at tick 0.5 -> {2}")
    @CsvSource({"BUY,37500.2,37500", "BUY,37500.74,37500.5", "BUY,37500.5,37500.5",
        "SELL,37500.2,37500.5", "SELL,37500.74,37501", "SELL,37500.5,37500.5"})
    void roundsALimitPriceOntoCoarseTicksInTheTradersFavour(Side side, String sent, String sentToKraken) {
        AssetPair halfDollarTicks = AssetPairsFixture.withTickSize(XBTUSD, new BigDecimal("0.5"));

        OrderRequest order = planner.plan(alert(side, OrderType.LIMIT).volume("0.01").price(sent).build(),
                halfDollarTicks, noLastPrice(), noBalances());

        assertThat(order.addOrderParams()).containsEntry("price", sentToKraken);
    }

    @Test
    void aRelativeOffsetThatWouldRoundToZeroIsRefusedButPlusZeroIsKept() {
        assertThatThrownBy(() -> planner.plan(alert(Side.SELL, OrderType.TRAILING_STOP).volume("0.01")
                .price("+0.04").build(), XBTUSD, () -> new BigDecimal("30000"), noBalances()))
                .isInstanceOfSatisfying(RefusedException.class, e -> {
                    assertThat(e.code()).isEqualTo("invalid_price");
                    assertThat(e.getMessage()).isEqualTo("price offset +0.04 rounds to 0 at the 1 price decimals of XBTUSD");
                });
        OrderRequest order = planner.plan(alert(Side.SELL, OrderType.TRAILING_STOP_LIMIT).volume("0.01")
                .price("+100").price2("+0").build(), XBTUSD, () -> new BigDecimal("30000"), noBalances());
        assertThat(order.addOrderParams()).containsEntry("price2", "+0");
    }

    @Test
    void roundsARelativeAmountToPairDecimalsAndLeavesAPercentOffsetAlone() {
        OrderRequest order = planner.plan(alert(Side.BUY, OrderType.TRAILING_STOP_LIMIT).volume("0.01")
                .price("+100.06").price2("-0.123%").build(), XBTUSD, () -> new BigDecimal("30000"), noBalances());

        assertThat(order.addOrderParams()).contains(entry("price", "+100.1"), entry("price2", "-0.123%"));
    }

    @Test
    void roundsTheConditionalClosePrices() {
        Alert alert = alert(Side.BUY, OrderType.LIMIT).volume("0.01").price("30000")
                .close(new CloseOrder(OrderType.STOP_LOSS_LIMIT, price("28000.04"), price("27999.96"))).build();

        OrderRequest order = planner.plan(alert, XBTUSD, noLastPrice(), noBalances());

        assertThat(order.addOrderParams()).contains(entry("close[ordertype]", "stop-loss-limit"),
                entry("close[price]", "28000"), entry("close[price2]", "28000"));
    }

    @Test
    void anAbsolutePriceThatRoundsToZeroIsRefused() {
        assertThatThrownBy(() -> planner.plan(alert(Side.BUY, OrderType.LIMIT).volume("1").price("0.04").build(),
                XBTUSD, noLastPrice(), noBalances()))
                .isInstanceOfSatisfying(RefusedException.class, e -> {
                    assertThat(e.code()).isEqualTo("invalid_price");
                    assertThat(e.getMessage()).isEqualTo("price 0.04 rounds to 0 at the tick size 0.1 of XBTUSD");
                });
    }

    // --- minimums -----------------------------------------------------------------------------------------------

    @Test
    void aVolumeBelowOrderminIsRefusedBeforeAnythingIsSent() {
        assertThatThrownBy(() -> planner.plan(alert(Side.BUY, OrderType.LIMIT).volume("0.00001").price("40000")
                .build(), XBTUSD, noLastPrice(), noBalances()))
                .isInstanceOfSatisfying(RefusedException.class, e -> {
                    assertThat(Answers.status(e.refusal())).isEqualTo(422);
                    assertThat(e.code()).isEqualTo("below_minimum");
                    assertThat(e.getMessage())
                            .isEqualTo("volume 0.00001 is below the minimum order size 0.00005 XBT for XBTUSD");
                    assertThat(e.details()).contains("ordermin: 0.00005 XBT");
                });
    }

    @Test
    void aVolumeThatRoundsToZeroIsBelowTheMinimum() {
        assertThatThrownBy(() -> planner.plan(alert(Side.BUY, OrderType.LIMIT).volume("0.000000009").price("40000")
                .build(), XBTUSD, noLastPrice(), noBalances()))
                .isInstanceOfSatisfying(RefusedException.class, e -> {
                    assertThat(e.code()).isEqualTo("below_minimum");
                    assertThat(e.getMessage()).startsWith("volume 0 is below the minimum order size 0.00005 XBT");
                    assertThat(e.details()).contains("volume: 0.000000009 XBT as sent, rounded down to 8 decimals");
                });
    }

    @Test
    void aCostTooSmallForOrderminIsRefusedSayingHowTheVolumeCameAbout() {
        assertThatThrownBy(() -> planner.plan(alert(Side.BUY, OrderType.LIMIT).cost("1").price("40000").build(),
                XBTUSD, noLastPrice(), noBalances()))
                .isInstanceOfSatisfying(RefusedException.class, e -> {
                    assertThat(e.getMessage())
                            .isEqualTo("volume 0.000025 is below the minimum order size 0.00005 XBT for XBTUSD");
                    assertThat(e.details())
                            .contains("volume: cost 1 USD / price 40000, rounded down to 8 decimals");
                });
    }

    @Test
    void anEstimatedCostBelowCostminIsRefusedNamingCostmin() {
        assertThatThrownBy(() -> planner.plan(alert(Side.BUY, OrderType.LIMIT).volume("0.002").price("0.005")
                .build(), ETHXBT, noLastPrice(), noBalances()))
                .isInstanceOfSatisfying(RefusedException.class, e -> {
                    assertThat(Answers.status(e.refusal())).isEqualTo(422);
                    assertThat(e.code()).isEqualTo("below_minimum");
                    assertThat(e.getMessage()).isEqualTo("estimated cost 0.00001 XBT (volume 0.002 x price 0.005) "
                            + "is below the minimum order cost (costmin) 0.00002 XBT for ETHXBT");
                    assertThat(e.details()).contains("costmin: 0.00002 XBT");
                });
    }

    @Test
    void aMarketOrderBelowCostminAtTheLastPriceIsRefused() {
        assertThatThrownBy(() -> planner.plan(alert(Side.SELL, OrderType.MARKET).volume("0.00005").build(), XBTUSD,
                () -> new BigDecimal("9000"), noBalances()))
                .isInstanceOfSatisfying(RefusedException.class, e -> {
                    assertThat(e.getMessage()).startsWith("estimated cost 0.45 USD (volume 0.00005 x price 9000)");
                    assertThat(e.details()).contains("price: 9000 USD (last trade on Kraken)");
                });
    }

    // --- pair status --------------------------------------------------------------------------------------------

    @Test
    void aCancelOnlyPairTakesNoOrderAndCostsNoCall() {
        assertThatThrownBy(() -> planner.plan(alert(Side.BUY, OrderType.MARKET).percent("10").build(), XTZUSD,
                noLastPrice(), noBalances()))
                .isInstanceOfSatisfying(RefusedException.class, e -> {
                    assertThat(Answers.status(e.refusal())).isEqualTo(422);
                    assertThat(e.code()).isEqualTo("pair_unavailable");
                    assertThat(e.getMessage())
                            .isEqualTo("XTZUSD is in status cancel_only on Kraken, which accepts no new orders");
                    assertThat(e.details()).containsExactly("status: cancel_only");
                });
    }

    @ParameterizedTest(name = "{0}: {1} post_only={2} reduce_only={3} accepted={4}")
    @CsvSource({
            "post_only,   LIMIT,      true,  false, true",
            "post_only,   LIMIT,      false, false, false",
            "post_only,   MARKET,     false, false, false",
            "limit_only,  LIMIT,      false, false, true",
            "limit_only,  STOP_LOSS,  false, false, false",
            "limit_only,  MARKET,     false, false, false",
            "reduce_only, MARKET,     false, true,  true",
            "reduce_only, LIMIT,      false, false, false",
            "maintenance, LIMIT,      true,  true,  false",
            "online,      STOP_LOSS,  false, false, true",
    })
    void aRestrictedPairAcceptsOnlyTheOrdersItsStatusAllows(String status, OrderType type, boolean postOnly,
                                                            boolean reduceOnly, boolean accepted) {
        AssetPair pair = AssetPairsFixture.withStatus(XBTUSD, status);
        AlertDraft draft = alert(Side.SELL, type).volume("0.01");
        if (type != OrderType.MARKET) {
            draft.price("30000");
        }
        Alert alert = draft.postOnly(postOnly).reduceOnly(reduceOnly).build();
        Supplier<BigDecimal> lastPrice = () -> new BigDecimal("30000");

        if (accepted) {
            assertThat(planner.plan(alert, pair, lastPrice, noBalances()).pair()).isEqualTo(pair);
        } else {
            assertThatThrownBy(() -> planner.plan(alert, pair, lastPrice, noBalances()))
                    .isInstanceOfSatisfying(RefusedException.class, e -> {
                        assertThat(e.code()).isEqualTo("pair_unavailable");
                        assertThat(e.getMessage()).contains("status " + status);
                    });
        }
    }

    // --- passed through -----------------------------------------------------------------------------------------

    @Test
    void carriesValidateUserrefAndTheOrderOptionsIntoTheRequest() {
        Alert alert = alert(Side.BUY, OrderType.LIMIT).volume("0.01").price("30000").validate().userref(7)
                .postOnly(true).build();

        OrderRequest order = planner.plan(alert, XBTUSD, noLastPrice(), noBalances());

        assertThat(order.addOrderParams()).containsExactly(entry("pair", "XBTUSD"), entry("type", "buy"),
                entry("ordertype", "limit"), entry("volume", "0.01"), entry("price", "30000"),
                entry("oflags", "post"), entry("userref", "7"), entry("validate", "true"));
    }

    @Test
    void aLiveOrderCarriesNoValidateParameter() {
        OrderRequest order = planner.plan(alert(Side.BUY, OrderType.LIMIT).volume("0.01").price("30000").build(),
                XBTUSD, noLastPrice(), noBalances());

        assertThat(order.validate()).isFalse();
        assertThat(order.addOrderParams()).doesNotContainKey("validate");
    }

    // --- test data ----------------------------------------------------------------------------------------------

    private static Supplier<BigDecimal> noLastPrice() {
        return () -> fail("the last price was asked for, but this order does not need it");
    }

    private static Supplier<Map<String, BigDecimal>> noBalances() {
        return () -> fail("the balances were asked for, but this order does not need them");
    }

    private static <T> Counted<T> counted(T value) {
        return new Counted<>(value);
    }

    private static final class Counted<T> implements Supplier<T> {
        private final T value;
        private final AtomicInteger calls = new AtomicInteger();

        Counted(T value) {
            this.value = value;
        }

        @Override
        public T get() {
            calls.incrementAndGet();
            return value;
        }

        int calls() {
            return calls.get();
        }
    }

    private static Price price(String text) {
        return Price.parse(text).orElseThrow();
    }

    private static AlertDraft alert(Side side, OrderType type) {
        return new AlertDraft(side, type);
    }

    /** An alert under construction, so each test names only what it is about. */
    private static final class AlertDraft {
        private final Side side;
        private final OrderType type;
        private BigDecimal volume;
        private BigDecimal cost;
        private BigDecimal percent;
        private Price price;
        private Price price2;
        private boolean reduceOnly;
        private boolean postOnly;
        private CloseOrder close;
        private boolean validate;
        private Integer userref;

        AlertDraft(Side side, OrderType type) {
            this.side = side;
            this.type = type;
        }

        AlertDraft volume(String value) {
            volume = new BigDecimal(value);
            return this;
        }

        AlertDraft cost(String value) {
            cost = new BigDecimal(value);
            return this;
        }

        AlertDraft percent(String value) {
            percent = new BigDecimal(value);
            return this;
        }

        AlertDraft price(String value) {
            price = OrderPlannerTest.price(value);
            return this;
        }

        AlertDraft price2(String value) {
            price2 = OrderPlannerTest.price(value);
            return this;
        }

        AlertDraft reduceOnly(boolean value) {
            reduceOnly = value;
            return this;
        }

        AlertDraft postOnly(boolean value) {
            postOnly = value;
            return this;
        }

        AlertDraft close(CloseOrder value) {
            close = value;
            return this;
        }

        AlertDraft validate() {
            validate = true;
            return this;
        }

        AlertDraft userref(int value) {
            userref = value;
            return this;
        }

        Alert build() {
            return new Alert("KRAKEN:BTCUSD", side, type, volume, cost, percent, price, price2, null, null,
                    reduceOnly, postOnly, null, null, close, null, null, validate, userref, null, null, null, null);
        }
    }
}
