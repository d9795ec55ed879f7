package io.tvkraken.paper;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several API keys of one account on the paper exchange, through real HTTP, on a {@link TestClock} that stands still
 * (no counter decays): each key has its own nonce stream and its own REST call counter; all of them trade the one
 * account, see its orders and share its trading counter per pair (docs/kraken.md#key-pool).
 */
class PaperExchangeKeysTest {

    private static final String[] XBT_LIMIT_BUY = {"pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.01",
            "price=50000.0"};

    private final TestClock clock = new TestClock(Instant.parse("2030-01-02T03:04:05Z"));
    private final PaperConfig.ApiKey first = PaperConfig.ApiKey.random();
    private final PaperConfig.ApiKey second = PaperConfig.ApiKey.random();
    private PaperExchangeHarness exchange;
    private KrakenTestClient a;
    private KrakenTestClient b;

    @BeforeEach
    void start() {
        exchange = PaperExchangeHarness.start(PaperConfig.defaults().withApiKeys(List.of(first, second)), clock);
        a = new KrakenTestClient(exchange.baseUrl(), first.key(), first.secret());
        b = new KrakenTestClient(exchange.baseUrl(), second.key(), second.secret());
    }

    @AfterEach
    void stop() {
        exchange.close();
    }

    @Test
    void eachKeyHasItsOwnNonceStream() throws Exception {
        assertThat(errors(a.callWithNonce("Balance", 1_000))).isEmpty();
        // lower than key a's last nonce, but key b's first: accepted
        assertThat(errors(b.callWithNonce("Balance", 500))).isEmpty();
        assertThat(errors(a.callWithNonce("Balance", 1_000))).containsExactly("EAPI:Invalid nonce");
        assertThat(errors(a.callWithNonce("Balance", 999))).containsExactly("EAPI:Invalid nonce");
        assertThat(errors(b.callWithNonce("Balance", 500))).containsExactly("EAPI:Invalid nonce");
        assertThat(errors(b.callWithNonce("Balance", 501))).isEmpty();
        assertThat(errors(a.callWithNonce("Balance", 1_001))).isEmpty();
        assertThat(exchange.refusals("EAPI:Invalid nonce")).isEqualTo(3);
        assertThat(exchange.privateCalls()).extracting(RecordingTap.PrivateCall::apiKey)
                .containsExactly(first.key(), second.key(), first.key(), first.key(), second.key(), second.key(),
                        first.key());
    }

    @Test
    void eachKeyHasItsOwnRestCounter() throws Exception {
        for (int i = 1; i <= 15; i++) {
            assertThat(errors(a.call("Balance"))).as("call %d", i).isEmpty();
        }
        assertThat(errors(a.call("Balance"))).containsExactly("EAPI:Rate limit exceeded");
        // key a is limited, key b is not
        assertThat(errors(b.call("OpenOrders"))).isEmpty();
        assertThat(exchange.restCounter(first.key())).isEqualByComparingTo("16");
        assertThat(exchange.restCounter(second.key())).isEqualByComparingTo("1");
        assertThat(exchange.restCounter()).as("the first key's").isEqualByComparingTo("16");
    }

    @Test
    void theTradingCounterIsPerPairForTheAccountWhicheverKeyTrades() throws Exception {
        for (int i = 1; i <= 30; i++) {
            assertThat(errors(a.call("AddOrder", XBT_LIMIT_BUY))).as("AddOrder %d with key a", i).isEmpty();
            assertThat(errors(b.call("AddOrder", XBT_LIMIT_BUY))).as("AddOrder %d with key b", i).isEmpty();
        }
        assertThat(errors(b.call("AddOrder", XBT_LIMIT_BUY))).containsExactly("EOrder:Rate limit exceeded");
        assertThat(errors(a.call("AddOrder", XBT_LIMIT_BUY))).containsExactly("EOrder:Rate limit exceeded");
        assertThat(exchange.tradingCounter("XBTUSD")).isEqualByComparingTo("62");
        assertThat(exchange.orders()).hasSize(60);
    }

    @Test
    void everyKeySeesTheAccountsOrders() throws Exception {
        JsonNode placed = a.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.01",
                "price=50000.0", "cl_ord_id=key-pool-1");
        assertThat(errors(placed)).isEmpty();
        String txid = placed.path("result").path("txid").get(0).asText();
        assertThat(b.call("OpenOrders").path("result").path("open").has(txid)).isTrue();
        // the client order id is the account's: another key cannot place a second open order with it
        assertThat(errors(b.call("AddOrder", "pair=XBTUSD", "type=buy", "ordertype=limit", "volume=0.01",
                "price=50000.0", "cl_ord_id=key-pool-1"))).hasSize(1);
        assertThat(errors(b.call("CancelOrder", "txid=" + txid))).isEmpty();
        assertThat(a.call("ClosedOrders").path("result").path("closed").has(txid)).isTrue();
    }

    @Test
    void aKeyWithAnotherKeysSecretOrAnUnknownKeyIsRefused() throws Exception {
        KrakenTestClient mixed = new KrakenTestClient(exchange.baseUrl(), first.key(), second.secret());
        assertThat(errors(mixed.call("Balance"))).containsExactly("EAPI:Invalid signature");
        PaperConfig.ApiKey stranger = PaperConfig.ApiKey.random();
        assertThat(errors(new KrakenTestClient(exchange.baseUrl(), stranger.key(), stranger.secret()).call("Balance")))
                .containsExactly("EAPI:Invalid key");
        assertThat(exchange.config().toString()).doesNotContain(first.secret()).doesNotContain(second.secret());
    }

    private static List<String> errors(JsonNode reply) {
        List<String> errors = new ArrayList<>();
        reply.path("error").forEach(e -> errors.add(e.asText()));
        return errors;
    }
}
