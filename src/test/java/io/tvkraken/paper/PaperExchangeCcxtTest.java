package io.tvkraken.paper;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real client: ccxt's Kraken client, installed from npm (src/test/ccxt, pinned by its lock file), drives the paper
 * exchange through one session (src/test/ccxt/session.js): markets, ticker, order book, balance, every order type,
 * look-ups, amends, cancels, trade history, ledger, candles, margin positions, and Kraken's errors as ccxt's exception
 * classes (docs/paper-exchange.md). The report is kept in {@code target/ccxt-session.json}.
 *
 * <p>Needs Node.js and npm: without them the test is skipped, unless the system property {@value #REQUIRED} is true
 * (CI), then it fails.
 */
class PaperExchangeCcxtTest {

    static final String REQUIRED = "ccxt.required";
    static final Path SOURCE = Path.of("src", "test", "ccxt");
    static final Path CLIENT = Path.of("target", "ccxt");

    static PaperExchangeHarness exchange;
    static JsonNode report;
    static final Map<String, JsonNode> STEPS = new HashMap<>();

    @BeforeAll
    static void runTheSession() throws Exception {
        requireNode();
        install();
        exchange = PaperExchangeHarness.start(PaperConfig.withRandomKeys().withRateLimitTier(RateLimitTier.OFF)
                .withBookLevelQuote(new BigDecimal("50000")).withBalance("ZUSD", new BigDecimal("1000000"))
                .withBalance("XXBT", new BigDecimal("10")));
        Path out = Path.of("target", "ccxt-session.json");
        Process node = new ProcessBuilder("node", "session.js", exchange.baseUrl().toString().replaceAll("/$", ""),
                exchange.config().apiKey(), exchange.config().apiSecret())
                .directory(CLIENT.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectOutput(out.toFile()).start();
        assertThat(node.waitFor(180, TimeUnit.SECONDS)).as("ccxt session finished").isTrue();
        String text = Files.readString(out);
        assertThat(node.exitValue()).as(text).isZero();
        report = new ObjectMapper().readTree(text);
        report.path("steps").forEach(step -> STEPS.put(step.path("step").asText(), step));
    }

    @AfterAll
    static void stop() {
        if (exchange != null) {
            exchange.close();
        }
    }

    static JsonNode step(String name) {
        JsonNode step = STEPS.get(name);
        assertThat(step).as(name + " in " + report).isNotNull();
        return step;
    }

    @Test
    void loadsMarketsWithTheirAssetsAndReadsTickerBookAndBalance() {
        assertThat(step("loadMarkets").path("markets").asInt()).isEqualTo(14);
        assertThat(step("loadMarkets").path("btcUsd").asText()).isEqualTo("XXBTZUSD");
        assertThat(step("loadMarkets").path("amountMin").asDouble()).isEqualTo(0.00005);
        assertThat(step("loadMarkets").path("currencies").asInt()).isGreaterThan(5);
        assertThat(step("fetchTicker").path("last").asDouble()).isEqualTo(60000.0);
        assertThat(step("fetchTicker").path("ask").asDouble()).isGreaterThan(step("fetchTicker").path("bid").asDouble());
        assertThat(step("fetchOrderBook").path("asks").asInt()).isEqualTo(10);
        assertThat(step("fetchOrderBook").path("bids").asInt()).isEqualTo(10);
        assertThat(step("fetchOrderBook").path("bestAsk").asDouble())
                .isGreaterThan(step("fetchOrderBook").path("bestBid").asDouble());
        assertThat(step("fetchBalance").path("usd").asDouble()).isEqualTo(1_000_000.0);
        assertThat(step("fetchBalance").path("btc").asDouble()).isEqualTo(10.0);
    }

    @Test
    void marketOrdersFillAgainstTheBookAndALargeOneSlips() {
        JsonNode market = step("market");
        assertThat(market.path("status").asText()).isEqualTo("closed");
        assertThat(market.path("filled").asDouble()).isEqualTo(0.01);
        assertThat(market.path("average").asDouble()).isGreaterThan(60000.0);
        assertThat(market.path("slipped").asBoolean()).as(market.toString()).isTrue();
        assertThat(step("market sell").path("status").asText()).isEqualTo("closed");
    }

    @Test
    void everyOrderTypeRestsWithItsClientOrderIdAndCanBeAmendedAndCancelled() {
        JsonNode types = step("order types");
        assertThat(types.path("limit").asText()).isEqualTo("limit");
        assertThat(types.path("clientOrderId").asText()).isEqualTo("c0ffee00-0000-4000-8000-000000000001");
        assertThat(types.path("postOnly").asBoolean()).isTrue();
        for (String type : List.of("stop-loss", "take-profit", "stop-loss-limit", "take-profit-limit",
                "trailing-stop")) {
            assertThat(types.path("resting").path(type).asText()).as(type).isEqualTo(type);
        }
        assertThat(types.path("open").asInt()).isEqualTo(6);
        JsonNode amended = step("editOrder");
        assertThat(amended.path("sameId").asBoolean()).isTrue();
        assertThat(amended.path("amount").asDouble()).isEqualTo(0.02);
        assertThat(amended.path("price").asDouble()).isEqualTo(42000.0);
        assertThat(step("cancelOrder").path("status").asText()).isEqualTo("canceled");
        assertThat(step("cancelAllOrders").path("open").asInt()).isZero();
        assertThat(step("fetchClosedOrders").path("canceled").asInt()).isEqualTo(6);
    }

    @Test
    void tradesLedgerCandlesAndMarginPositionsReadBack() {
        assertThat(step("fetchMyTrades").path("trades").asInt()).isGreaterThanOrEqualTo(3);
        assertThat(step("fetchMyTrades").path("first").path("order").asBoolean()).isTrue();
        assertThat(step("fetchLedger").path("entries").asInt()).isGreaterThanOrEqualTo(6);
        assertThat(step("fetchLedger").path("currencies").toString()).contains("BTC").contains("USD");
        assertThat(step("fetchOHLCV").path("candles").asInt()).isPositive();
        JsonNode margin = step("margin");
        assertThat(margin.path("positions").asInt()).isEqualTo(1);
        assertThat(margin.path("side").asText()).isEqualTo("short");
        assertThat(margin.path("after").asInt()).isZero();
    }

    @Test
    void krakensErrorsArriveAsCcxtsExceptionClasses() {
        for (String expected : List.of("InvalidOrder", "InsufficientFunds", "AuthenticationError", "InvalidNonce")) {
            JsonNode error = step(expected);
            assertThat(error.path("matches").asBoolean()).as(error.toString()).isTrue();
        }
        assertThat(step("InvalidOrder").path("message").asText()).contains("EOrder:Order minimum not met");
        assertThat(step("InsufficientFunds").path("message").asText()).contains("EOrder:Insufficient funds");
        assertThat(step("AuthenticationError").path("message").asText()).contains("EAPI:Invalid key");
        assertThat(step("InvalidNonce").path("message").asText()).contains("EAPI:Invalid nonce");
    }

    /** Node.js and npm on the PATH, or the test is skipped ({@value #REQUIRED}: failed). */
    static void requireNode() throws IOException, InterruptedException {
        for (String tool : List.of("node", "npm")) {
            boolean found;
            try {
                found = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start().waitFor() == 0;
            } catch (IOException e) {
                found = false;
            }
            if (!found) {
                String message = tool + " is not on the PATH: ccxt's Kraken client cannot run";
                if (Boolean.getBoolean(REQUIRED)) {
                    throw new AssertionError(message + " (-D" + REQUIRED + "=true: CI runs this test)");
                }
                Assumptions.abort(message);
            }
        }
    }

    /** ccxt from npm into target/ccxt, as the lock file pins it; once, then reused. */
    static void install() throws IOException, InterruptedException {
        Files.createDirectories(CLIENT);
        for (String file : List.of("package.json", "package-lock.json", "session.js")) {
            Files.copy(SOURCE.resolve(file), CLIENT.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        if (Files.isDirectory(CLIENT.resolve("node_modules").resolve("ccxt"))) {
            return;
        }
        Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts")
                .directory(CLIENT.toFile()).redirectErrorStream(true).start();
        String output = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(npm.waitFor(300, TimeUnit.SECONDS)).as("npm ci finished").isTrue();
        assertThat(npm.exitValue()).as("npm ci: " + output).isZero();
    }
}
