package io.tvkraken.paper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The paper exchange through real HTTP on loopback, signed like a Kraken client signs. */
class PaperExchangeTest {

    private PaperExchangeHarness exchange;
    private KrakenTestClient kraken;

    @BeforeEach
    void start() {
        exchange = PaperExchangeHarness.start(PaperConfig.withRandomKeys());
        exchange.setHangFor(Duration.ofMillis(400));
        kraken = new KrakenTestClient(exchange);
    }

    @AfterEach
    void stop() {
        exchange.close();
    }

    // ------------------------------------------------------------------ server

    @Test
    void bindsLoopbackOnARandomPort() {
        assertThat(exchange.baseUrl().getHost()).isEqualTo("127.0.0.1");
        assertThat(exchange.baseUrl().getPort()).isPositive();
    }

    @Test
    void randomKeysDifferAndTheSecretIs64Bytes() {
        PaperConfig one = PaperConfig.withRandomKeys();
        PaperConfig two = PaperConfig.withRandomKeys();
        assertThat(one.apiKey()).isNotEqualTo(two.apiKey());
        assertThat(java.util.Base64.getDecoder().decode(one.apiSecret())).hasSize(64);
        assertThat(one.toString()).doesNotContain(one.apiSecret());
    }

    // ------------------------------------------------------------------ public endpoints

    @Test
    void timeAndSystemStatusAnswerInKrakensEnvelope() throws Exception {
        JsonNode time = kraken.publicCall("/0/public/Time");
        assertThat(time.path("error")).isEmpty();
        assertThat(time.path("result").path("unixtime").asLong())
                .isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(5L));
        assertThat(time.path("result").path("rfc1123").asText()).matches("\\w{3}, \\d{2} \\w{3} \\d{2} \\d{2}:\\d{2}:\\d{2} \\+0000");

        JsonNode status = kraken.publicCall("/0/public/SystemStatus");
        assertThat(status.path("result").path("status").asText()).isEqualTo("online");
    }

    @Test
    void assetPairsServesTheFixtureUnchanged() throws Exception {
        String fixture;
        try (InputStream in = getClass().getResourceAsStream("/paper/asset-pairs.json")) {
            fixture = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(kraken.get("/0/public/AssetPairs").body()).isEqualTo(fixture);
    }

    @Test
    void assetPairsFiltersByIdOrAltnameAndKeysById() throws Exception {
        JsonNode reply = kraken.publicCall("/0/public/AssetPairs?pair=XBTUSD,XETHZUSD");
        assertThat(reply.path("result").fieldNames()).toIterable().containsExactly("XXBTZUSD", "XETHZUSD");
        assertThat(reply.path("result").path("XXBTZUSD").path("ordermin").asText()).isEqualTo("0.00005");
    }

    @Test
    void assetPairsRefusesAnUnknownPair() throws Exception {
        assertThat(errors(kraken.publicCall("/0/public/AssetPairs?pair=XBTUSD,NOPE"))).containsExactly("EQuery:Unknown asset pair");
    }

    @Test
    void tickerIsKeyedByPairIdWhenAskedByAltname() throws Exception {
        JsonNode result = kraken.publicCall("/0/public/Ticker?pair=XBTUSD").path("result");
        assertThat(result.fieldNames()).toIterable().containsExactly("XXBTZUSD");
        JsonNode row = result.path("XXBTZUSD");
        assertThat(row.path("c").get(0).asText()).isEqualTo("60000.00000");
        assertThat(row.path("a").get(0).asText()).isEqualTo("60000.00000");
        assertThat(row.path("b").get(0).asText()).isEqualTo("60000.00000");
        assertThat(row.path("o").asText()).isEqualTo("60000.00000");
        assertThat(row.fieldNames()).toIterable().containsExactly("a", "b", "c", "v", "p", "t", "l", "h", "o");
    }

    @Test
    void tickerFollowsSetPrice() throws Exception {
        exchange.setPrice("XXDGZUSD", new BigDecimal("0.1234567"));
        JsonNode row = kraken.publicCall("/0/public/Ticker?pair=XDGUSD").path("result").path("XXDGZUSD");
        assertThat(row.path("c").get(0).asText()).isEqualTo("0.1234567");
    }

    @Test
    void unknownPublicMethodAndWrongVerbAreRefusedInTheEnvelope() throws Exception {
        assertThat(errors(kraken.publicCall("/0/public/Nope"))).containsExactly("EGeneral:Unknown method");
        HttpResponse<String> getPrivate = kraken.get("/0/private/Balance");
        assertThat(getPrivate.statusCode()).isEqualTo(200);
        assertThat(errors(KrakenTestClient.json(getPrivate))).containsExactly("EGeneral:Invalid arguments");
        assertThat(errors(kraken.call("Nope"))).containsExactly("EGeneral:Unknown method");
    }

    // ------------------------------------------------------------------ authentication and nonces

    @Test
    void acceptsKrakensOfficialSignatureVector() throws Exception {
        // Key, nonce, body and API-Sign verbatim from Kraken's docs (spot-rest-auth).
        String secret = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==";
        try (PaperExchangeHarness official = PaperExchangeHarness.start(PaperConfig.defaults().withApiSecret(secret))) {
            KrakenTestClient client = new KrakenTestClient(official);
            HttpResponse<String> response = client.sendBody("AddOrder", "1616492376594",
                    "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25",
                    "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==");
            JsonNode reply = KrakenTestClient.json(response);
            assertThat(errors(reply)).isEmpty();
            assertThat(reply.path("result").path("descr").path("order").asText())
                    .isEqualTo("buy 1.25000000 XBTUSD @ limit 37500.0");
            assertThat(reply.path("result").path("txid").get(0).asText()).matches("O[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{6}");
        }
    }

    @Test
    void badSignatureIsRefusedAndPlacesNothing() throws Exception {
        HttpResponse<String> response = kraken.sendBody("AddOrder", "5",
                "nonce=5&pair=XBTUSD&type=buy&ordertype=market&volume=0.01", kraken.sign("/0/private/AddOrder", "5",
                        "nonce=5&pair=XBTUSD&type=buy&ordertype=market&volume=0.02".getBytes(StandardCharsets.UTF_8)));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(errors(KrakenTestClient.json(response))).containsExactly("EAPI:Invalid signature");
        assertThat(exchange.orders()).isEmpty();
    }

    @Test
    void signatureForAnotherPathIsRefused() throws Exception {
        String body = "nonce=7";
        HttpResponse<String> response = kraken.sendBody("Balance", "7", body,
                kraken.sign("/0/private/OpenOrders", "7", body.getBytes(StandardCharsets.UTF_8)));
        assertThat(errors(KrakenTestClient.json(response))).containsExactly("EAPI:Invalid signature");
    }

    @Test
    void unknownKeyIsRefused() throws Exception {
        KrakenTestClient stranger = new KrakenTestClient(exchange.baseUrl(), "someone-else", exchange.config().apiSecret());
        assertThat(errors(stranger.call("Balance"))).containsExactly("EAPI:Invalid key");
    }

    @Test
    void repeatedNonceIsRefused() throws Exception {
        assertThat(errors(kraken.callWithNonce("Balance", 1000))).isEmpty();
        assertThat(errors(kraken.callWithNonce("Balance", 1000))).containsExactly("EAPI:Invalid nonce");
    }

    @Test
    void lowerNonceIsRefused() throws Exception {
        assertThat(errors(kraken.callWithNonce("Balance", 1000))).isEmpty();
        assertThat(errors(kraken.callWithNonce("Balance", 999))).containsExactly("EAPI:Invalid nonce");
    }

    @Test
    void refusedNonceDoesNotAdvanceTheCounter() throws Exception {
        assertThat(errors(kraken.callWithNonce("Balance", 1000))).isEmpty();
        assertThat(errors(kraken.callWithNonce("Balance", 900))).containsExactly("EAPI:Invalid nonce");
        // 901 > 900 but < 1000: still refused, because 900 did not move the counter down or anywhere.
        assertThat(errors(kraken.callWithNonce("Balance", 901))).containsExactly("EAPI:Invalid nonce");
        assertThat(errors(kraken.callWithNonce("Balance", 1001))).isEmpty();
    }

    @Test
    void badSignatureDoesNotConsumeTheNonce() throws Exception {
        kraken.sendBody("Balance", "2000", "nonce=2000", "AAAA");
        assertThat(errors(kraken.callWithNonce("Balance", 2000))).isEmpty();
    }

    @Test
    void nonceIsComparedAsAnUnsigned64BitInteger() throws Exception {
        assertThat(errors(kraken.callWithNonce("Balance", Long.MAX_VALUE))).isEmpty();
        // 2^63 + 1 is negative as a signed long but greater as Kraken's unsigned nonce.
        HttpResponse<String> response = kraken.sendBody("Balance", "9223372036854775809", "nonce=9223372036854775809", null);
        assertThat(errors(KrakenTestClient.json(response))).isEmpty();
    }

    @Test
    void concurrentSignedRequestsAcceptEachNonceAtMostOnceAndKeepBalancesWhole() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<JsonNode>> buys = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                buys.add(() -> kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=market", "volume=0.01"));
            }
            int filled = 0;
            for (Future<JsonNode> reply : pool.invokeAll(buys)) {
                List<String> errors = errors(reply.get());
                if (errors.isEmpty()) {
                    filled++;
                } else {
                    // Overtaken on the wire: a later nonce got there first (NonceGenerator's caveat).
                    assertThat(errors).containsExactly("EAPI:Invalid nonce");
                }
            }
            assertThat(filled).isPositive().isEqualTo(exchange.orders().size());
            assertThat(exchange.balances().get("XXBT")).isEqualByComparingTo(new BigDecimal("2").add(new BigDecimal("0.01").multiply(BigDecimal.valueOf(filled))));
            assertThat(exchange.balances().get("ZUSD")).isEqualByComparingTo(new BigDecimal("100000").subtract(new BigDecimal("600").multiply(BigDecimal.valueOf(filled))));
            assertThat(exchange.requestCount("AddOrder")).isEqualTo(40);
        } finally {
            pool.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ AddOrder

    @Test
    void marketBuyFillsAtTheConfiguredPriceAndMovesBalances() throws Exception {
        JsonNode reply = kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=market", "volume=0.5");
        assertThat(errors(reply)).isEmpty();
        assertThat(reply.path("result").path("descr").path("order").asText()).isEqualTo("buy 0.50000000 XBTUSD @ market");
        String txid = reply.path("result").path("txid").get(0).asText();

        assertThat(exchange.balances().get("ZUSD")).isEqualByComparingTo("70000");
        assertThat(exchange.balances().get("XXBT")).isEqualByComparingTo("2.5");
        PaperOrder order = exchange.orders().get(0);
        assertThat(order.txid()).isEqualTo(txid);
        assertThat(order.status()).isEqualTo("closed");
        assertThat(order.averagePrice()).isEqualByComparingTo("60000");

        JsonNode balance = kraken.call("Balance").path("result");
        assertThat(new BigDecimal(balance.path("ZUSD").asText())).isEqualByComparingTo("70000");
        assertThat(balance.path("ZUSD").isTextual()).isTrue();
    }

    @Test
    void balanceExAnswersKrakensExtendedShapeWithNothingHeld() throws Exception {
        JsonNode zusd = kraken.call("BalanceEx").path("result").path("ZUSD");
        assertThat(new BigDecimal(zusd.path("balance").asText())).isEqualByComparingTo("100000");
        assertThat(zusd.path("credit").asText()).isEqualTo("0");
        assertThat(zusd.path("credit_used").asText()).isEqualTo("0");
        assertThat(zusd.path("hold_trade").asText()).isEqualTo("0");
    }

    @Test
    void marketSellMovesBaseToQuote() throws Exception {
        assertThat(errors(kraken.call("AddOrder", "pair=ETHUSD", "type=sell", "ordertype=market", "volume=10"))).isEmpty();
        assertThat(exchange.balances().get("XETH")).isEqualByComparingTo("20");
        assertThat(exchange.balances().get("ZUSD")).isEqualByComparingTo("130000");
    }

    @Test
    void marketOrderBeyondTheBalanceIsRefusedAndChangesNothing() throws Exception {
        Map<String, BigDecimal> before = exchange.balances();
        assertThat(errors(kraken.call("AddOrder", "pair=XBTUSD", "type=sell", "ordertype=market", "volume=2.00000001")))
                .containsExactly("EOrder:Insufficient funds");
        assertThat(errors(kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=market", "volume=2")))
                .containsExactly("EOrder:Insufficient funds");
        assertThat(exchange.balances()).isEqualTo(before);
        assertThat(exchange.orders()).isEmpty();
    }

    @Test
    void validateTrueAnswersDescrOnlyAndPlacesNothing() throws Exception {
        JsonNode reply = kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=market", "volume=0.002",
                "validate=true");
        assertThat(errors(reply)).isEmpty();
        assertThat(reply.path("result").path("descr").path("order").asText()).isEqualTo("buy 0.00200000 XBTUSD @ market");
        assertThat(reply.path("result").has("txid")).isFalse();
        assertThat(exchange.orders()).isEmpty();
        assertThat(exchange.balances().get("ZUSD")).isEqualByComparingTo("100000");
        assertThat(exchange.addOrderRequests()).singleElement().satisfies(p -> assertThat(p).containsEntry("validate", "true"));
    }

    @Test
    void validateWithAnyOtherValuePlacesARealOrder() throws Exception {
        JsonNode reply = kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=market", "volume=0.002",
                "validate=false");
        assertThat(reply.path("result").path("txid")).hasSize(1);
        assertThat(exchange.orders()).hasSize(1);
    }

    @Test
    void limitOrderRestsOpenAndReservesNothing() throws Exception {
        JsonNode reply = kraken.call("AddOrder", "pair=XXBTZUSD", "type=buy", "ordertype=limit", "volume=1.25",
                "price=37500.0", "userref=42");
        assertThat(reply.path("result").path("descr").path("order").asText()).isEqualTo("buy 1.25000000 XBTUSD @ limit 37500.0");
        assertThat(exchange.orders()).singleElement().satisfies(o -> {
            assertThat(o.status()).isEqualTo("open");
            assertThat(o.userref()).isEqualTo(42);
            assertThat(o.price()).isEqualByComparingTo("37500");
        });
        assertThat(exchange.balances().get("ZUSD")).isEqualByComparingTo("100000");
    }

    @Test
    void unknownPairIsRefused() throws Exception {
        assertThat(errors(kraken.call("AddOrder", "pair=BTCUSD", "type=buy", "ordertype=market", "volume=1")))
                .containsExactly("EQuery:Unknown asset pair");
    }

    @Test
    void badOrdertypeTypeAndMissingFieldsAreInvalidArguments() throws Exception {
        assertThat(errors(kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=stop", "volume=1")))
                .containsExactly("EGeneral:Invalid arguments:ordertype");
        assertThat(errors(kraken.call("AddOrder", "pair=XBTUSD", "type=hold", "ordertype=market", "volume=1")))
                .containsExactly("EGeneral:Invalid arguments:type");
        assertThat(errors(kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=market")))
                .containsExactly("EGeneral:Invalid arguments:volume");
    }

    @Test
    void volumeWithMoreDecimalsThanLotDecimalsIsRefused() throws Exception {
        assertThat(errors(kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=market", "volume=0.000100001")))
                .containsExactly("EGeneral:Invalid arguments:volume");
    }

    @Test
    void volumeBelowOrderminIsRefused() throws Exception {
        assertThat(errors(kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=market", "volume=0.00004")))
                .containsExactly("EOrder:Order minimum not met");
    }

    @Test
    void costBelowCostminIsRefused() throws Exception {
        // 0.001 XBT at a 100.0 limit costs 0.1 USD, under costmin 0.5.
        assertThat(errors(kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.001",
                "price=100.0"))).containsExactly("EOrder:Cost minimum not met");
    }

    @Test
    void priceWithMoreDecimalsThanPairDecimalsIsRefusedWithKrakensMessage() throws Exception {
        assertThat(errors(kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.01",
                "price=37500.05"))).containsExactly("EOrder:Invalid price:XXBTZUSD price can only be specified up to 1 decimals");
    }

    @Test
    void priceOffTheTickIsRefused() throws Exception {
        try (PaperExchangeHarness coarse = PaperExchangeHarness.start(PaperConfig.defaults()
                .withAssetPairsResource("/paper/coarse-tick-pairs.json"))) {
            KrakenTestClient client = new KrakenTestClient(coarse);
            assertThat(errors(client.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.01",
                    "price=37500.3"))).containsExactly("EOrder:Tick size check failed");
            assertThat(errors(client.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.01",
                    "price=37500.5"))).isEmpty();
        }
    }

    @Test
    void missingPricesAreInvalidArguments() throws Exception {
        assertThat(errors(kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.01")))
                .containsExactly("EGeneral:Invalid arguments:price");
        assertThat(errors(kraken.call("AddOrder", "pair=XBTUSD", "type=sell", "ordertype=stop-loss-limit",
                "volume=0.01", "price=55000"))).containsExactly("EGeneral:Invalid arguments:price2");
    }

    @Test
    void trailingStopPriceMustBeRelativeWithPlus() throws Exception {
        assertThat(errors(kraken.call("AddOrder", "pair=XBTUSD", "type=sell", "ordertype=trailing-stop",
                "volume=0.01", "price=100"))).containsExactly("EGeneral:Invalid arguments:price");
        // '+' sent as %2B arrives as '+'; the stop trails below the market for a sell.
        assertThat(errors(kraken.call("AddOrder", "pair=XBTUSD", "type=sell", "ordertype=trailing-stop",
                "volume=0.01", "price=+100"))).isEmpty();
        assertThat(exchange.orders()).singleElement().satisfies(o -> assertThat(o.price()).isEqualByComparingTo("59900"));
    }

    @Test
    void literalPlusInAFormBodyIsASpaceAndSoAnInvalidPrice() throws Exception {
        long nonce = kraken.nextNonce();
        String body = "nonce=" + nonce + "&pair=XBTUSD&type=sell&ordertype=trailing-stop&volume=0.01&price=+100";
        JsonNode reply = KrakenTestClient.json(kraken.sendBody("AddOrder", Long.toString(nonce), body, null));
        assertThat(errors(reply)).containsExactly("EGeneral:Invalid arguments:price");
    }

    @Test
    void relativePricesResolveAgainstTheLastPrice() throws Exception {
        assertThat(errors(kraken.call("AddOrder", "pair=XBTUSD", "type=sell", "ordertype=stop-loss", "volume=0.01",
                "price=-5%"))).isEmpty();
        assertThat(errors(kraken.call("AddOrder", "pair=XBTUSD", "type=sell", "ordertype=take-profit-limit",
                "volume=0.01", "price=#1000", "price2=+900.5"))).isEmpty();
        List<PaperOrder> orders = exchange.orders();
        assertThat(orders.get(0).price()).isEqualByComparingTo("57000.0");
        assertThat(orders.get(0).description()).isEqualTo("sell 0.01000000 XBTUSD @ stop loss 57000.0");
        assertThat(orders.get(1).price()).isEqualByComparingTo("61000.0");
        assertThat(orders.get(1).price2()).isEqualByComparingTo("60900.5");
    }

    @Test
    void marketNotOnlineIsRefused() throws Exception {
        assertThat(errors(kraken.call("AddOrder", "pair=XTZUSD", "type=buy", "ordertype=market", "volume=10")))
                .containsExactly("EService:Market in cancel_only mode");
    }

    @Test
    void userrefAndClOrdIdTogetherAreRefused() throws Exception {
        assertThat(errors(kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=market", "volume=0.01",
                "userref=7", "cl_ord_id=alert-0001"))).containsExactly("EGeneral:Invalid arguments:cl_ord_id");
    }

    @Test
    void clOrdIdOfAnOpenOrderCannotBeReused() throws Exception {
        String[] order = {"pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.01", "price=50000", "cl_ord_id=alert-0002"};
        assertThat(errors(kraken.call("AddOrder", order))).isEmpty();
        assertThat(errors(kraken.call("AddOrder", order))).containsExactly("EOrder:Duplicate cl_ord_id");
    }

    @Test
    void conditionalCloseKeysAreDecodedEncodedOrNot() throws Exception {
        long nonce = kraken.nextNonce();
        String encoded = "nonce=" + nonce + "&pair=XBTUSD&type=buy&ordertype=limit&volume=0.01&price=50000"
                + "&close%5Bordertype%5D=stop-loss-limit&close%5Bprice%5D=45000&close%5Bprice2%5D=44000";
        JsonNode first = KrakenTestClient.json(kraken.sendBody("AddOrder", Long.toString(nonce), encoded, null));
        JsonNode second = kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.01",
                "price=50000", "close[ordertype]=stop-loss-limit", "close[price]=45000", "close[price2]=44000");
        for (JsonNode reply : List.of(first, second)) {
            assertThat(errors(reply)).isEmpty();
            assertThat(reply.path("result").path("descr").path("close").asText())
                    .isEqualTo("close position @ stop loss 45000.0 -> limit 44000.0");
        }
        assertThat(exchange.addOrderRequests()).allSatisfy(p -> assertThat(p).containsEntry("close[ordertype]", "stop-loss-limit"));
    }

    @Test
    void addOrderRequestsRecordsEveryAddOrderInArrivalOrder() throws Exception {
        kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=market", "volume=0.01", "validate=true");
        kraken.call("AddOrder", "pair=NOPE", "type=buy", "ordertype=market", "volume=0.01");
        kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=market", "volume=0.01");
        assertThat(exchange.addOrderRequests()).extracting(p -> p.get("pair")).containsExactly("XBTUSD", "NOPE", "XBTUSD");
        assertThat(exchange.requestCount("AddOrder")).isEqualTo(3);
        assertThat(exchange.orders()).hasSize(1);
    }

    @Test
    void addOrderLatencyDelaysTheAnswer() throws Exception {
        try (PaperExchangeHarness slow = PaperExchangeHarness.start(
                PaperConfig.defaults().withAddOrderLatency(Duration.ofMillis(300)))) {
            KrakenTestClient client = new KrakenTestClient(slow);
            long started = System.nanoTime();
            assertThat(errors(client.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=market", "volume=0.01"))).isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        }
    }

    @Test
    void jsonBodyIsSignedAndReadLikeAFormBody() throws Exception {
        // Kraken also takes JSON bodies; the signature covers the JSON bytes as sent.
        long nonce = kraken.nextNonce();
        String body = "{\"nonce\":" + nonce + ",\"pair\":\"XBTUSD\",\"type\":\"buy\",\"ordertype\":\"market\","
                + "\"volume\":\"0.01\",\"userref\":9}";
        HttpResponse<String> response = kraken.sendJson("AddOrder", Long.toString(nonce), body);
        assertThat(errors(KrakenTestClient.json(response))).isEmpty();
        assertThat(exchange.orders()).singleElement().satisfies(o -> assertThat(o.userref()).isEqualTo(9));
    }

    @Test
    void cancelAllCancelsEveryOpenOrder() throws Exception {
        kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.01", "price=50000");
        kraken.call("AddOrder", "pair=ETHUSD", "type=sell", "ordertype=limit", "volume=0.1", "price=4000");
        assertThat(kraken.call("CancelAll").path("result").path("count").asInt()).isEqualTo(2);
        assertThat(exchange.orders()).allSatisfy(o -> assertThat(o.status()).isEqualTo("canceled"));
    }

    // ------------------------------------------------------------------ order queries

    @Test
    void openAndClosedOrdersFilterByUserrefAndClOrdId() throws Exception {
        kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.01", "price=50000", "userref=1");
        kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.01", "price=50000", "cl_ord_id=open-b");
        kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=market", "volume=0.01", "userref=1");
        kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=market", "volume=0.01", "cl_ord_id=closed-d");

        assertThat(kraken.call("OpenOrders").path("result").path("open")).hasSize(2);
        JsonNode byUserref = kraken.call("OpenOrders", "userref=1").path("result").path("open");
        assertThat(byUserref).hasSize(1);
        JsonNode open = byUserref.elements().next();
        assertThat(open.path("status").asText()).isEqualTo("open");
        assertThat(open.path("userref").asInt()).isEqualTo(1);
        assertThat(open.path("descr").path("pair").asText()).isEqualTo("XBTUSD");
        assertThat(open.path("descr").path("price").asText()).isEqualTo("50000.0");
        assertThat(open.path("vol").asText()).isEqualTo("0.01000000");
        assertThat(open.path("vol_exec").asText()).isEqualTo("0.00000000");
        assertThat(kraken.call("OpenOrders", "cl_ord_id=open-b").path("result").path("open").elements().next()
                .path("cl_ord_id").asText()).isEqualTo("open-b");

        JsonNode closed = kraken.call("ClosedOrders", "cl_ord_id=closed-d").path("result");
        assertThat(closed.path("count").asInt()).isEqualTo(1);
        JsonNode fill = closed.path("closed").elements().next();
        assertThat(fill.path("status").asText()).isEqualTo("closed");
        assertThat(fill.path("cost").asText()).isEqualTo("600.00000");
        assertThat(fill.path("price").asText()).isEqualTo("60000.0");
        assertThat(kraken.call("ClosedOrders", "userref=1").path("result").path("count").asInt()).isEqualTo(1);
        assertThat(kraken.call("ClosedOrders", "cl_ord_id=open-b").path("result").path("closed")).isEmpty();
    }

    @Test
    void queryOrdersAnswersByTxid() throws Exception {
        String a = kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.01", "price=50000")
                .path("result").path("txid").get(0).asText();
        String b = kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=market", "volume=0.01")
                .path("result").path("txid").get(0).asText();
        JsonNode result = kraken.call("QueryOrders", "txid=" + a + "," + b).path("result");
        assertThat(result.fieldNames()).toIterable().containsExactly(a, b);
        assertThat(result.path(a).path("status").asText()).isEqualTo("open");
        assertThat(result.path(b).path("status").asText()).isEqualTo("closed");
        assertThat(errors(kraken.call("QueryOrders", "txid=OAAAAA-BBBBB-CCCCCC"))).containsExactly("EOrder:Invalid order");
    }

    @Test
    void cancelOrderByTxidOrClOrdIdAndUnknownOrder() throws Exception {
        String txid = kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.01", "price=50000")
                .path("result").path("txid").get(0).asText();
        kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.01", "price=50000", "cl_ord_id=to-cancel");

        assertThat(kraken.call("CancelOrder", "txid=" + txid).path("result").path("count").asInt()).isEqualTo(1);
        assertThat(kraken.call("CancelOrder", "cl_ord_id=to-cancel").path("result").path("count").asInt()).isEqualTo(1);
        assertThat(errors(kraken.call("CancelOrder", "txid=" + txid))).containsExactly("EOrder:Unknown order");
        assertThat(kraken.call("OpenOrders").path("result").path("open")).isEmpty();
        JsonNode closed = kraken.call("ClosedOrders").path("result");
        assertThat(closed.path("count").asInt()).isEqualTo(2);
        assertThat(closed.path("closed").path(txid).path("status").asText()).isEqualTo("canceled");
    }

    // ------------------------------------------------------------------ faults

    @Test
    void serviceUnavailableFaultAnswersEServiceUnavailableThenRecovers() throws Exception {
        exchange.injectFault("AddOrder", Fault.SERVICE_UNAVAILABLE, 1);
        HttpResponse<String> response = kraken.send("AddOrder", kraken.nextNonce(), "pair=XBTUSD", "type=buy",
                "ordertype=market", "volume=0.01");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(errors(KrakenTestClient.json(response))).containsExactly("EService:Unavailable");
        assertThat(exchange.orders()).isEmpty();
        assertThat(errors(kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=market", "volume=0.01"))).isEmpty();
    }

    @Test
    void rateLimitedFaultAnswersEapiRateLimitForTheGivenNumberOfTimes() throws Exception {
        exchange.injectFault("Balance", Fault.RATE_LIMITED, 2);
        assertThat(errors(kraken.call("Balance"))).containsExactly("EAPI:Rate limit exceeded");
        assertThat(errors(kraken.call("Balance"))).containsExactly("EAPI:Rate limit exceeded");
        assertThat(errors(kraken.call("Balance"))).isEmpty();
        assertThat(exchange.requestCount("Balance")).isEqualTo(3);
    }

    @Test
    void http502FaultAnswersAnHtmlPage() throws Exception {
        exchange.injectFault("Ticker", Fault.HTTP_502_HTML, 1);
        HttpResponse<String> response = kraken.get("/0/public/Ticker?pair=XBTUSD");
        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/html");
        assertThat(response.body()).contains("<title>502 Bad Gateway</title>").contains("cloudflare");
    }

    @Test
    void hangFaultAnswersNormallyAfterHangFor() throws Exception {
        exchange.injectFault("Time", Fault.HANG, 1);
        long started = System.nanoTime();
        JsonNode reply = kraken.publicCall("/0/public/Time");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        assertThat(errors(reply)).isEmpty();
    }

    @Test
    void hangFaultTimesTheClientOutBeforeAnythingIsPlaced() throws Exception {
        exchange.injectFault("AddOrder", Fault.HANG, 1);
        kraken.timeout(Duration.ofMillis(100));
        assertThatThrownBy(() -> kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=market", "volume=0.01"))
                .isInstanceOf(HttpTimeoutException.class);
        assertThat(exchange.orders()).isEmpty();
    }

    @Test
    void acceptThenHangPlacesTheOrderWhileTheClientTimesOut() throws Exception {
        exchange.injectFault("AddOrder", Fault.ACCEPT_THEN_HANG, 1);
        kraken.timeout(Duration.ofMillis(200));
        assertThatThrownBy(() -> kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=market",
                "volume=0.01", "cl_ord_id=ambiguous-1")).isInstanceOf(HttpTimeoutException.class);
        // docs/kraken.md: the order exists although the client saw no answer; a lookup finds it.
        assertThat(exchange.orders()).singleElement().satisfies(o -> assertThat(o.clOrdId()).isEqualTo("ambiguous-1"));
        kraken.timeout(Duration.ofSeconds(5));
        assertThat(kraken.call("ClosedOrders", "cl_ord_id=ambiguous-1").path("result").path("count").asInt()).isEqualTo(1);
    }

    @Test
    void resetFaultClosesTheConnectionWithoutAnAnswerAndPlacesNothing() throws Exception {
        exchange.injectFault("AddOrder", Fault.RESET, 1);
        assertThatThrownBy(() -> kraken.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=market", "volume=0.01"))
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(HttpTimeoutException.class);
        assertThat(exchange.orders()).isEmpty();
        assertThat(exchange.requestCount("AddOrder")).isEqualTo(1);
        assertThat(exchange.addOrderRequests()).hasSize(1);
    }

    @Test
    void resetOnAPublicGetIsHiddenByTheJdkClientsSingleRetry() throws Exception {
        // Fault.RESET: java.net.http retries an idempotent GET once after a close without an answer.
        exchange.injectFault("Ticker", Fault.RESET, 1);
        assertThat(errors(kraken.publicCall("/0/public/Ticker?pair=XBTUSD"))).isEmpty();
        assertThat(exchange.requestCount("Ticker")).isEqualTo(2);

        exchange.injectFault("Ticker", Fault.RESET, 2);
        assertThatThrownBy(() -> kraken.publicCall("/0/public/Ticker?pair=XBTUSD")).isInstanceOf(IOException.class);
    }

    @Test
    void clearFaultsDropsFaultsNotYetPlayed() throws Exception {
        exchange.injectFault("Balance", Fault.SERVICE_UNAVAILABLE, 5);
        exchange.clearFaults();
        assertThat(errors(kraken.call("Balance"))).isEmpty();
    }

    @Test
    void closeEndsRequestsStillHanging() throws Exception {
        PaperExchangeHarness hanging = PaperExchangeHarness.start(PaperConfig.defaults());
        hanging.setHangFor(Duration.ofSeconds(30));
        hanging.injectFault("Time", Fault.HANG, 1);
        KrakenTestClient client = new KrakenTestClient(hanging).timeout(Duration.ofSeconds(10));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<HttpResponse<String>> call = pool.submit(() -> client.get("/0/public/Time"));
            Thread.sleep(200);
            long started = System.nanoTime();
            hanging.close();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
            assertThatThrownBy(call::get).hasCauseInstanceOf(IOException.class);
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<String> errors(JsonNode reply) {
        List<String> errors = new ArrayList<>();
        reply.path("error").forEach(e -> errors.add(e.asText()));
        return errors;
    }
}
