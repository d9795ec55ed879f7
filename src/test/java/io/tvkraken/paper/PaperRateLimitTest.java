package io.tvkraken.paper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Kraken's rate limits as the paper exchange enforces them, through real HTTP, on a {@link TestClock} that moves only
 * when a test says so: within one test "instant" no counter decays, and each decay is exact.
 *
 * <p>REST call counter (https://docs.kraken.com/api/docs/guides/spot-rest-ratelimits): Starter 15, -0.33/s;
 * Intermediate 20, -0.5/s; Pro 20, -1/s. Trading counter per pair
 * (https://docs.kraken.com/api/docs/guides/spot-ratelimits): Starter 60, -1/s; Intermediate 125, -2.34/s;
 * Pro 180, -3.75/s.
 */
class PaperRateLimitTest {

    private static final Instant T0 = Instant.parse("2030-01-02T03:04:05Z");
    private static final String[] XBT_LIMIT_BUY = {"pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.01",
            "price=50000.0"};
    private static final String[] ETH_LIMIT_BUY = {"pair=ETHUSD", "type=buy", "ordertype=limit", "volume=0.1",
            "price=2000.00"};

    private final TestClock clock = new TestClock(T0);
    private PaperExchangeHarness exchange;
    private KrakenTestClient kraken;

    private void start(PaperConfig config) {
        exchange = PaperExchangeHarness.start(config, clock);
        kraken = new KrakenTestClient(exchange);
    }

    private void startStarter() {
        start(PaperConfig.withRandomKeys());
    }

    @AfterEach
    void stop() {
        if (exchange != null) {
            exchange.close();
        }
    }

    // ------------------------------------------------------------------ REST call counter

    @Test
    void starterIsTheDefaultTier() {
        assertThat(PaperConfig.defaults().rateLimitTier()).isEqualTo(RateLimitTier.STARTER);
        assertThat(PaperConfig.withRandomKeys().rateLimitTier()).isEqualTo(RateLimitTier.STARTER);
    }

    @Test
    void sixteenthPrivateCallWithinASecondIsRefusedAtStarter() throws Exception {
        startStarter();
        for (int i = 1; i <= 15; i++) {
            assertThat(errors(kraken.call("Balance"))).as("call %d", i).isEmpty();
        }
        HttpResponse<String> refused = kraken.send("Balance", kraken.nextNonce());
        assertThat(refused.statusCode()).isEqualTo(200);
        assertThat(errors(KrakenTestClient.json(refused))).containsExactly("EAPI:Rate limit exceeded");
        assertThat(KrakenTestClient.json(refused).has("result")).isFalse();
        assertThat(exchange.restCounter()).isEqualByComparingTo("16");
        assertThat(exchange.rateLimitRefusals("Balance")).isEqualTo(1);
        // Public methods are not on the key's counter.
        assertThat(errors(kraken.publicCall("/0/public/Ticker?pair=XBTUSD"))).isEmpty();
    }

    @Test
    void everyPrivateReadCountsOnTheSameCounter() throws Exception {
        startStarter();
        String[] methods = {"Balance", "BalanceEx", "OpenOrders", "ClosedOrders", "CancelAll"};
        for (int i = 0; i < 15; i++) {
            assertThat(errors(kraken.call(methods[i % methods.length]))).isEmpty();
        }
        assertThat(errors(kraken.call("OpenOrders"))).containsExactly("EAPI:Rate limit exceeded");
        assertThat(errors(kraken.call("QueryOrders", "txid=OAAAAA-BBBBB-CCCCCC")))
                .containsExactly("EAPI:Rate limit exceeded");
        assertThat(exchange.rateLimitRefusals("OpenOrders")).isEqualTo(1);
        assertThat(exchange.rateLimitRefusals("QueryOrders")).isEqualTo(1);
    }

    @Test
    void oneMoreCallIsAllowedOnceOneUnitHasDecayed() throws Exception {
        startStarter();
        fill15();
        // 1 / 0.33 = 3.0303... s; 3.031 s leak 1.00023.
        clock.advance(Duration.ofMillis(3031));
        assertThat(errors(kraken.call("Balance"))).isEmpty();
        assertThat(exchange.restCounter()).isEqualByComparingTo("14.99977");
        assertThat(errors(kraken.call("Balance"))).containsExactly("EAPI:Rate limit exceeded");
    }

    @Test
    void decayIsExactSoA303SecondPauseIsNotQuiteEnough() throws Exception {
        startStarter();
        fill15();
        clock.advance(Duration.ofMillis(3030)); // leaks 0.9999: the counter would end at 15.0001
        assertThat(errors(kraken.call("Balance"))).containsExactly("EAPI:Rate limit exceeded");
        assertThat(exchange.restCounter()).isEqualByComparingTo("15.0001");
    }

    @Test
    void refusedCallsCountSoCallingOnWhileLimitedKeepsTheLimit() throws Exception {
        startStarter();
        fill15();
        assertThat(errors(kraken.call("Balance"))).containsExactly("EAPI:Rate limit exceeded");
        assertThat(exchange.restCounter()).isEqualByComparingTo("16");

        // Enough for one call had the refusal not counted: 16 - 1.00023 + 1 = 15.99977.
        clock.advance(Duration.ofMillis(3031));
        assertThat(errors(kraken.call("Balance"))).containsExactly("EAPI:Rate limit exceeded");
        assertThat(exchange.restCounter()).isEqualByComparingTo("15.99977");

        // Two more units of decay: 15.99977 - 2.00046 + 1 = 14.99931.
        clock.advance(Duration.ofMillis(6062));
        assertThat(errors(kraken.call("Balance"))).isEmpty();
        assertThat(exchange.restCounter()).isEqualByComparingTo("14.99931");
        assertThat(exchange.rateLimitRefusals("Balance")).isEqualTo(2);
    }

    @Test
    void aCallRefusedForItsNonceCountsButAForgedOneDoesNot() throws Exception {
        startStarter();
        assertThat(errors(kraken.callWithNonce("Balance", 1000))).isEmpty();
        assertThat(errors(kraken.callWithNonce("Balance", 1000))).containsExactly("EAPI:Invalid nonce");
        kraken.sendBody("Balance", "2000", "nonce=2000", "AAAA"); // bad signature
        KrakenTestClient stranger = new KrakenTestClient(exchange.baseUrl(), "someone-else",
                exchange.config().apiSecret());
        assertThat(errors(stranger.call("Balance"))).containsExactly("EAPI:Invalid key");
        assertThat(exchange.restCounter()).isEqualByComparingTo("2");
    }

    @Test
    void aCallRefusedByTheLimiterDoesNotUseItsNonce() throws Exception {
        startStarter();
        fill15();
        long nonce = kraken.nextNonce();
        assertThat(errors(kraken.callWithNonce("Balance", nonce))).containsExactly("EAPI:Rate limit exceeded");
        clock.advance(Duration.ofSeconds(10));
        assertThat(errors(kraken.callWithNonce("Balance", nonce))).isEmpty();
    }

    @Test
    void addOrderAndCancelOrderDoNotCountOnTheRestCounter() throws Exception {
        startStarter();
        List<String> txids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            txids.add(txid(kraken.call("AddOrder", XBT_LIMIT_BUY)));
        }
        for (int i = 0; i < 3; i++) {
            assertThat(kraken.call("CancelOrder", "txid=" + txids.get(i)).path("result").path("count").asInt())
                    .isEqualTo(1);
        }
        assertThat(exchange.restCounter()).isEqualByComparingTo("0");
        fill15();
        assertThat(exchange.restCounter()).isEqualByComparingTo("15");
    }

    @ParameterizedTest
    @EnumSource(value = RateLimitTier.class, names = {"STARTER", "INTERMEDIATE", "PRO"})
    void restCounterMaximumAndDecayPerTier(RateLimitTier tier) throws Exception {
        start(PaperConfig.withRandomKeys().withRateLimitTier(tier));
        int maximum = tier.restMaximum().intValueExact();
        for (int i = 1; i <= maximum; i++) {
            assertThat(errors(kraken.call("Balance"))).as("%s call %d", tier, i).isEmpty();
        }
        assertThat(errors(kraken.call("Balance"))).containsExactly("EAPI:Rate limit exceeded");

        clock.advance(Duration.ofSeconds(2));
        BigDecimal expected = BigDecimal.valueOf(maximum + 1L)
                .subtract(tier.restDecayPerSecond().multiply(BigDecimal.valueOf(2)));
        assertThat(exchange.restCounter()).as(tier.name()).isEqualByComparingTo(expected);
        // Starter 16 - 0.66, Intermediate 21 - 1, Pro 21 - 2: one call fits again only at Pro.
        List<String> next = errors(kraken.call("Balance"));
        if (tier == RateLimitTier.PRO) {
            assertThat(next).isEmpty();
        } else {
            assertThat(next).containsExactly("EAPI:Rate limit exceeded");
        }
    }

    // ------------------------------------------------------------------ trading counter per pair

    @Test
    void sixtyFirstAddOrderOnOnePairWithinASecondIsRefusedAndPlacesNothingWhileAnotherPairIsUnaffected()
            throws Exception {
        startStarter();
        for (int i = 1; i <= 60; i++) {
            assertThat(errors(kraken.call("AddOrder", XBT_LIMIT_BUY))).as("AddOrder %d", i).isEmpty();
        }
        HttpResponse<String> refused = kraken.send("AddOrder", kraken.nextNonce(), XBT_LIMIT_BUY);
        assertThat(refused.statusCode()).isEqualTo(200);
        assertThat(errors(KrakenTestClient.json(refused))).containsExactly("EOrder:Rate limit exceeded");
        assertThat(exchange.orders()).hasSize(60);
        assertThat(exchange.tradingCounter("XBTUSD")).isEqualByComparingTo("61");
        assertThat(exchange.tradingCounter("XXBTZUSD")).isEqualByComparingTo("61"); // by id or altname
        assertThat(exchange.rateLimitRefusals("AddOrder")).isEqualTo(1);
        assertThat(exchange.addOrderRequests()).hasSize(61); // received, and recorded, all the same

        assertThat(errors(kraken.call("AddOrder", ETH_LIMIT_BUY))).isEmpty();
        assertThat(exchange.tradingCounter("ETHUSD")).isEqualByComparingTo("1");
        assertThat(exchange.orders()).hasSize(61);
        assertThat(exchange.restCounter()).isEqualByComparingTo("0");
    }

    @Test
    void everyAddOrderCountsOnReceiptEvenWhenValidationFailsOrItOnlyValidates() throws Exception {
        startStarter();
        for (int i = 0; i < 30; i++) {
            assertThat(errors(kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=market",
                    "volume=0.00001"))).containsExactly("EOrder:Order minimum not met");
        }
        for (int i = 0; i < 30; i++) {
            assertThat(errors(kraken.call("AddOrder", with(XBT_LIMIT_BUY, "validate=true")))).isEmpty();
        }
        assertThat(exchange.tradingCounter("XBTUSD")).isEqualByComparingTo("60");
        assertThat(errors(kraken.call("AddOrder", XBT_LIMIT_BUY))).containsExactly("EOrder:Rate limit exceeded");
        assertThat(exchange.orders()).isEmpty();
    }

    @Test
    void anAddOrderWithoutAKnownPairChargesNoPair() throws Exception {
        startStarter();
        assertThat(errors(kraken.call("AddOrder", "pair=NOPE", "type=buy", "ordertype=market", "volume=1")))
                .containsExactly("EQuery:Unknown asset pair");
        assertThat(errors(kraken.call("AddOrder", "type=buy", "ordertype=market", "volume=1"))).isNotEmpty();
        assertThat(exchange.tradingCounter("XBTUSD")).isEqualByComparingTo("0");
        assertThat(exchange.restCounter()).isEqualByComparingTo("0");
    }

    @Test
    void refusedAddOrdersCountAndTheCounterDecaysBackBelowTheThreshold() throws Exception {
        startStarter();
        for (int i = 0; i < 60; i++) {
            txid(kraken.call("AddOrder", XBT_LIMIT_BUY));
        }
        assertThat(errors(kraken.call("AddOrder", XBT_LIMIT_BUY))).containsExactly("EOrder:Rate limit exceeded");
        clock.advance(Duration.ofSeconds(1)); // 61 - 1 = 60: one more would make 61
        assertThat(errors(kraken.call("AddOrder", XBT_LIMIT_BUY))).containsExactly("EOrder:Rate limit exceeded");
        clock.advance(Duration.ofSeconds(2)); // 61 - 2 = 59
        assertThat(errors(kraken.call("AddOrder", XBT_LIMIT_BUY))).isEmpty();
        assertThat(exchange.tradingCounter("XBTUSD")).isEqualByComparingTo("60");
        assertThat(exchange.orders()).hasSize(61);
        assertThat(exchange.rateLimitRefusals("AddOrder")).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(value = RateLimitTier.class, names = {"STARTER", "INTERMEDIATE", "PRO"})
    void tradingThresholdAndDecayPerTier(RateLimitTier tier) throws Exception {
        start(PaperConfig.withRandomKeys().withRateLimitTier(tier));
        int threshold = tier.tradingThreshold().intValueExact();
        for (int i = 1; i <= threshold; i++) {
            assertThat(errors(kraken.call("AddOrder", XBT_LIMIT_BUY))).as("%s AddOrder %d", tier, i).isEmpty();
        }
        assertThat(errors(kraken.call("AddOrder", XBT_LIMIT_BUY))).containsExactly("EOrder:Rate limit exceeded");
        assertThat(exchange.orders()).hasSize(threshold);

        clock.advance(Duration.ofSeconds(1));
        assertThat(exchange.tradingCounter("XBTUSD")).as(tier.name())
                .isEqualByComparingTo(BigDecimal.valueOf(threshold + 1L).subtract(tier.tradingDecayPerSecond()));
        // Starter 61 - 1 = 60, Intermediate 126 - 2.34, Pro 181 - 3.75: room for one more above Starter.
        List<String> next = errors(kraken.call("AddOrder", XBT_LIMIT_BUY));
        if (tier == RateLimitTier.STARTER) {
            assertThat(next).containsExactly("EOrder:Rate limit exceeded");
        } else {
            assertThat(next).isEmpty();
        }
    }

    @ParameterizedTest(name = "cancel at {0} ms of age costs {1}")
    @CsvSource({"0, 8", "4999, 8", "5000, 6", "9999, 6", "10000, 5", "14999, 5", "15000, 4", "44999, 4", "45000, 2",
            "89999, 2", "90000, 1", "299999, 1", "300000, 0", "3600000, 0"})
    void cancelOrderCostsByTheAgeOfTheOrder(long ageMillis, int cost) throws Exception {
        startStarter();
        String txid = txid(kraken.call("AddOrder", XBT_LIMIT_BUY));
        clock.advance(Duration.ofMillis(ageMillis));
        BigDecimal before = exchange.tradingCounter("XBTUSD");
        assertThat(kraken.call("CancelOrder", "txid=" + txid).path("result").path("count").asInt()).isEqualTo(1);
        assertThat(exchange.tradingCounter("XBTUSD").subtract(before)).isEqualByComparingTo(BigDecimal.valueOf(cost));
    }

    @Test
    void cancelOrderOverTheThresholdIsRefusedAndCancelsNothing() throws Exception {
        startStarter();
        String first = txid(kraken.call("AddOrder", XBT_LIMIT_BUY));
        for (int i = 1; i < 60; i++) {
            txid(kraken.call("AddOrder", XBT_LIMIT_BUY));
        }
        assertThat(errors(kraken.call("CancelOrder", "txid=" + first))).containsExactly("EOrder:Rate limit exceeded");
        assertThat(exchange.orders().get(0).status()).isEqualTo("open");
        assertThat(exchange.tradingCounter("XBTUSD")).isEqualByComparingTo("68"); // charged all the same
        assertThat(exchange.rateLimitRefusals("CancelOrder")).isEqualTo(1);

        clock.advance(Duration.ofSeconds(20)); // 68 - 20 = 48, and the order is 20 s old: +4
        assertThat(kraken.call("CancelOrder", "txid=" + first).path("result").path("count").asInt()).isEqualTo(1);
        assertThat(exchange.tradingCounter("XBTUSD")).isEqualByComparingTo("52");
        assertThat(exchange.orders().get(0).status()).isEqualTo("canceled");
    }

    @Test
    void cancellingAnUnknownOrderCostsNothingOnTheTradingCounter() throws Exception {
        startStarter();
        assertThat(errors(kraken.call("CancelOrder", "txid=OAAAAA-BBBBB-CCCCCC")))
                .containsExactly("EOrder:Unknown order");
        assertThat(exchange.tradingCounter("XBTUSD")).isEqualByComparingTo("0");
    }

    @Test
    void offLimitsNothing() throws Exception {
        start(PaperConfig.withRandomKeys().withRateLimitTier(RateLimitTier.OFF));
        for (int i = 0; i < 100; i++) {
            assertThat(errors(kraken.call("Balance"))).isEmpty();
        }
        for (int i = 0; i < 100; i++) {
            assertThat(errors(kraken.call("AddOrder", XBT_LIMIT_BUY))).isEmpty();
        }
        assertThat(exchange.orders()).hasSize(100);
        assertThat(exchange.restCounter()).isEqualByComparingTo("0");
        assertThat(exchange.tradingCounter("XBTUSD")).isEqualByComparingTo("0");
        assertThat(exchange.rateLimitRefusals("AddOrder")).isZero();
    }

    @Test
    void tierParsesAsAnOperatorWritesIt() {
        assertThat(RateLimitTier.parse(" Intermediate ")).isEqualTo(RateLimitTier.INTERMEDIATE);
        assertThat(RateLimitTier.parse("off")).isEqualTo(RateLimitTier.OFF);
        assertThatThrownBy(() -> RateLimitTier.parse("gold"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gold");
    }

    // ------------------------------------------------------------------ helpers

    private void fill15() throws Exception {
        for (int i = 0; i < 15; i++) {
            assertThat(errors(kraken.call("Balance"))).isEmpty();
        }
    }

    private static String txid(JsonNode addOrderReply) {
        assertThat(errors(addOrderReply)).isEmpty();
        return addOrderReply.path("result").path("txid").get(0).asText();
    }

    private static String[] with(String[] base, String... extra) {
        List<String> all = new ArrayList<>(List.of(base));
        all.addAll(List.of(extra));
        return all.toArray(String[]::new);
    }

    private static List<String> errors(JsonNode reply) {
        List<String> errors = new ArrayList<>();
        reply.path("error").forEach(e -> errors.add(e.asText()));
        return errors;
    }
}
