package io.tvkraken.kraken;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class PairCatalogTest {

    private final PairCatalog catalog = AssetPairsFixture.catalog();

    @ParameterizedTest(name = "\"{0}\" resolves to {1}")
    @CsvSource(delimiter = '|', ignoreLeadingAndTrailingWhitespace = false, value = {
            "BTCUSD|XXBTZUSD",
            "KRAKEN:XBTUSD|XXBTZUSD",
            "KRAKEN:BTCUSD|XXBTZUSD",
            "BTC/USD|XXBTZUSD",
            "XBT/USD|XXBTZUSD",
            "XXBTZUSD|XXBTZUSD",
            "XBTUSD|XXBTZUSD",
            "btcusd|XXBTZUSD",
            "kraken:btc/usd|XXBTZUSD",
            "  BTCUSD\t|XXBTZUSD",
            "BTC-USD|XXBTZUSD",
            "DOGEUSD|XXDGZUSD",
            "XDGUSD|XXDGZUSD",
            "XXDGZUSD|XXDGZUSD",
            "DOGE/USD|XXDGZUSD",
            "BTCUSDT|XBTUSDT",
            "KRAKEN:XBTUSDT|XBTUSDT",
            "ETHBTC|XETHXXBT",
            "ETH/BTC|XETHXXBT",
            "ETHXBT|XETHXXBT",
            "ETHUSD|XETHZUSD",
            "BTCEUR|XXBTZEUR",
            "XTZUSD|XTZUSD",
            "XRPUSD|XXRPZUSD",
            "USDTUSD|USDTZUSD",
            "RENDER/USD|RENDERUSD",
            "SOLUSD|SOLUSD",
    })
    void resolvesEveryTradingViewAndKrakenSpellingToTheSpotPair(String ticker, String id) {
        assertThat(catalog.resolve(ticker)).map(AssetPair::id).contains(id);
    }

    @ParameterizedTest(name = "\"{0}\" does not resolve")
    @NullAndEmptySource
    @ValueSource(strings = {
            "   ",
            "BINANCE:BTCUSDT",
            "COINBASE:BTCUSD",
            "BINANCE:XBTUSD",
            "BTCUSD.P",
            "KRAKEN:BTCUSD.P",
            "XBTUSD.P",
            "KRAKEN:",
            "KRAKEN:KRAKEN:BTCUSD",
            "BTC USD",
            "BTC/USD/EUR",
            "/BTCUSD",
            "BTCUSD/",
            "BTC",
            "FOOBAR",
            "BTCJPY",
    })
    void refusesOtherExchangesDerivativesAndUnknownPairs(String ticker) {
        assertThat(catalog.resolve(ticker)).isEmpty();
    }

    @Test
    void holdsEveryRowOfTheAssetPairsResult() {
        assertThat(catalog.size()).isEqualTo(AssetPairsFixture.result().size()).isEqualTo(14);
        assertThat(catalog.pairs()).extracting(AssetPair::id).contains("XXBTZUSD", "XTZUSD", "RENDERUSD");
    }

    @Test
    void readsEveryFieldOfAKrakenRow() {
        AssetPair xbtusd = catalog.resolve("XBTUSD").orElseThrow();

        assertThat(xbtusd).isEqualTo(new AssetPair("XXBTZUSD", "XBTUSD", "XBT/USD", "XXBT", "ZUSD", 1, 8, 5,
                new BigDecimal("0.00005"), new BigDecimal("0.5"), new BigDecimal("0.1"), "online"));
        assertThat(catalog.resolve("XTZUSD").orElseThrow().status()).isEqualTo("cancel_only");
    }

    @Test
    void aRowWithoutTickSizeStatusOrMinimumsGetsKrakensImpliedDefaults() throws Exception {
        var row = (ObjectNode) new ObjectMapper().readTree(
                "{\"altname\":\"NEWUSD\",\"base\":\"NEW\",\"quote\":\"ZUSD\",\"pair_decimals\":3,\"lot_decimals\":8}");

        AssetPair pair = AssetPair.fromKraken("NEWUSD", row);

        assertThat(pair.tickSize()).isEqualByComparingTo("0.001");
        assertThat(pair.status()).isEqualTo("online");
        assertThat(pair.orderMin()).isZero();
        assertThat(pair.costMin()).isZero();
        assertThat(pair.wsname()).isNull();
        assertThat(pair.costDecimals()).isEqualTo(3);
    }

    @Test
    void aRowWithoutAnAltnameIsRefusedNamingThePairAndTheField() throws Exception {
        var row = new ObjectMapper().readTree(
                "{\"base\":\"NEW\",\"quote\":\"ZUSD\",\"pair_decimals\":3,\"lot_decimals\":8}");

        assertThatThrownBy(() -> AssetPair.fromKraken("NEWUSD", row))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("AssetPairs row NEWUSD has no altname");
    }

    @ParameterizedTest(name = "{0} reads as {1}")
    @CsvSource({"XXBT,XBT", "ZUSD,USD", "XETH,ETH", "XXDG,XDG", "XTZ,XTZ", "XRP,XRP", "USDT,USDT", "DOT,DOT",
            "RENDER,RENDER"})
    void dropsTheClassPrefixOnlyFromFourLetterCodesStartingWithXOrZ(String code, String symbol) {
        assertThat(AssetPair.symbol(code)).isEqualTo(symbol);
    }

    @Test
    void anExactIdOrAltnameWinsOverADerivedSpelling() {
        AssetPair bitcoin = AssetPairsFixture.pair("XXBTZUSD");
        // A hypothetical pair whose altname is what TradingView calls Kraken's XBT/USD.
        AssetPair other = new AssetPair("OTHER", "BTCUSD", null, "OTH", "ZUSD", 2, 8, 5,
                BigDecimal.ONE, BigDecimal.ONE, new BigDecimal("0.01"), "online");

        PairCatalog both = PairCatalog.of(List.of(bitcoin, other));

        assertThat(both.resolve("BTCUSD")).contains(other);
        assertThat(both.resolve("XBTUSD")).contains(bitcoin);
        assertThat(both.resolve("BTC/USD")).contains(other);
    }

    @Test
    void aDerivedSpellingClaimedByTwoPairsResolvesToNeither() {
        AssetPair legacy = new AssetPair("AAA", "LEGACY", null, "XXBT", "ZUSD", 1, 8, 5,
                BigDecimal.ONE, BigDecimal.ONE, new BigDecimal("0.1"), "online");
        AssetPair modern = new AssetPair("BBB", "MODERN", null, "XBT", "USD", 1, 8, 5,
                BigDecimal.ONE, BigDecimal.ONE, new BigDecimal("0.1"), "online");

        PairCatalog both = PairCatalog.of(List.of(legacy, modern));

        assertThat(both.resolve("XBTUSD")).isEmpty();
        assertThat(both.resolve("BTCUSD")).isEmpty();
        assertThat(both.resolve("LEGACY")).contains(legacy);
        assertThat(both.resolve("BBB")).contains(modern);
    }

    @Test
    void anAmbiguousSpellingDoesNotFallThroughToALessExactOne() {
        AssetPair first = pair("ONE", "ONEALT", "FOO/BAR", "AAA", "ZUSD");
        AssetPair second = pair("TWO", "TWOALT", "FOO/BAR", "BBB", "ZUSD");
        AssetPair third = pair("THREE", "THREEALT", null, "FOO", "BAR");

        PairCatalog catalog = PairCatalog.of(List.of(first, second, third));

        assertThat(catalog.resolve("FOO/BAR")).isEmpty();
        assertThat(catalog.resolve("THREEALT")).contains(third);
    }

    @Test
    void aTickerContainingBtcInsideAnAssetNameKeepsThatAsset() {
        AssetPair wrapped = pair("WBTCUSD", "WBTCUSD", "WBTC/USD", "WBTC", "ZUSD");
        PairCatalog catalog = PairCatalog.of(List.of(AssetPairsFixture.pair("XXBTZUSD"), wrapped));

        assertThat(catalog.resolve("WBTCUSD")).contains(wrapped);
        assertThat(catalog.resolve("KRAKEN:WBTC/USD")).contains(wrapped);
        assertThat(catalog.resolve("BTCUSD")).map(AssetPair::id).contains("XXBTZUSD");
    }

    private static AssetPair pair(String id, String altname, String wsname, String base, String quote) {
        return new AssetPair(id, altname, wsname, base, quote, 2, 8, 5, BigDecimal.ONE, BigDecimal.ONE,
                new BigDecimal("0.01"), "online");
    }
}
