package io.tvkraken.order;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.tvkraken.alert.Refusal;
import io.tvkraken.alert.RefusedException;
import io.tvkraken.journal.JournalUnavailableException;
import io.tvkraken.kraken.KrakenRefusedException;
import io.tvkraken.kraken.KrakenReply;
import io.tvkraken.kraken.KrakenUnavailableException;
import io.tvkraken.order.OrderVerdict.Kind;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.camel.CamelExecutionException;
import org.junit.jupiter.api.Test;

/**
 * The decision table of docs/order-lifecycle.md#what-an-answer-or-a-failure-means, row by row: what an AddOrder's
 * answer, or the failure in its place, means. Kraken is played by its answers (the envelopes it sends) and by the
 * failures the kraken route throws in their place; the end-to-end tests (KrakenOutageTest, ExactlyOnceTest,
 * TradingOutageTest) prove the same rows through real HTTP.
 */
class OrderVerdictTest {

    private static final boolean REAL_ORDER = true;
    private static final boolean VALIDATION = false;
    private static final boolean SENT = true;
    private static final boolean NOT_SENT = false;

    private static KrakenReply answer(int status, String body) {
        return KrakenReply.parse(status, body.getBytes(StandardCharsets.UTF_8), new ObjectMapper());
    }

    /** What the kraken route throws for an outage or throttling answer (KrakenRequests#reply). */
    private static KrakenUnavailableException unavailable(KrakenReply reply) {
        return new KrakenUnavailableException("AddOrder", reply.describe(), reply.outcomeUnknown(), null);
    }

    @Test
    void anAnswerWithTxidsIsPlaced() {
        OrderVerdict verdict = OrderVerdict.ofAnswer(answer(200,
                "{\"error\":[],\"result\":{\"txid\":[\"OABC12-XYZ34-ABCDEF\"],\"descr\":{\"order\":\"buy 1 XBTUSD\"}}}"),
                REAL_ORDER);
        assertThat(verdict.kind()).isEqualTo(Kind.PLACED);
        assertThat(verdict.noAnswer()).isNull();
    }

    @Test
    void anAnswerWithKrakensErrorsIsARefusalCarryingThem() {
        OrderVerdict verdict = OrderVerdict.ofAnswer(answer(200, "{\"error\":[\"EOrder:Insufficient funds\"]}"),
                REAL_ORDER);
        assertThat(verdict.kind()).isEqualTo(Kind.REFUSED);
        assertThat(verdict.refusal().code()).isEqualTo(Refusal.KRAKEN_REJECTED.code());
        assertThat(verdict.refusal().details()).containsExactly("EOrder:Insufficient funds");
    }

    @Test
    void aTakenClientOrderIdMeansTheOrderMayExist() {
        KrakenReply taken = answer(200, "{\"error\":[\"EOrder:Duplicate cl_ord_id\"]}");
        OrderVerdict verdict = OrderVerdict.ofAnswer(taken, REAL_ORDER);
        assertThat(verdict.kind()).isEqualTo(Kind.IN_DOUBT);
        assertThat(verdict.failure().mayHaveBeenPlaced()).isTrue();
        assertThat(verdict.message()).contains("EOrder:Duplicate cl_ord_id");
        assertThat(OrderVerdict.ofAnswer(taken, VALIDATION).kind())
                .as("a validation places nothing, so nothing can exist").isEqualTo(Kind.REFUSED);
        assertThat(OrderVerdict.ofAnswer(answer(200,
                "{\"error\":[\"EGeneral:Invalid arguments:cl_ord_id\"]}"), REAL_ORDER).kind())
                .as("a malformed cl_ord_id is a plain refusal").isEqualTo(Kind.REFUSED);
    }

    @Test
    void aRefusedNonceIsLookedUpFirstNotJournaledAsARefusal() {
        assertThat(OrderVerdict.ofAnswer(answer(200, "{\"error\":[\"EAPI:Invalid nonce\"]}"), REAL_ORDER).kind())
                .isEqualTo(Kind.IN_DOUBT);
    }

    @Test
    void krakensErrorsThrownByACallerReadTheSameAsInTheAnswer() {
        assertThat(OrderVerdict.ofFailure(new KrakenRefusedException("AddOrder", List.of("EAPI:Invalid nonce")),
                SENT).kind()).isEqualTo(Kind.IN_DOUBT);
        assertThat(OrderVerdict.ofFailure(new KrakenRefusedException("AddOrder", List.of("EOrder:Unknown pair")),
                SENT).kind()).isEqualTo(Kind.REFUSED);
    }

    @Test
    void aRefusalOfOursIsARefusal() {
        RefusedException off = new RefusedException(Refusal.TRADING_DISABLED, "trading is disabled");
        OrderVerdict verdict = OrderVerdict.ofFailure(new CamelExecutionException("wrapped", null, off), NOT_SENT);
        assertThat(verdict.kind()).isEqualTo(Kind.REFUSED);
        assertThat(verdict.refusal()).isSameAs(off);
    }

    @Test
    void aTimeoutAfterSendingMayHavePlacedTheOrder() {
        OrderVerdict verdict = OrderVerdict.ofFailure(new SocketTimeoutException("Read timed out"), SENT);
        assertThat(verdict.kind()).isEqualTo(Kind.IN_DOUBT);
        assertThat(verdict.reason()).isEqualTo("kraken_unavailable");
        assertThat(verdict.noAnswer()).isEqualTo("no answer: SocketTimeoutException");
        assertThat(OrderVerdict.ofFailure(new SocketTimeoutException("Read timed out"), NOT_SENT).kind())
                .isEqualTo(Kind.NOT_PLACED);
    }

    @Test
    void aRefusedConnectionCarriedNothing() {
        OrderVerdict verdict = OrderVerdict.ofFailure(new ConnectException("Connection refused"), SENT);
        assertThat(verdict.kind()).isEqualTo(Kind.NOT_PLACED);
        assertThat(verdict.noAnswer()).isEqualTo("no answer: ConnectException");
    }

    @Test
    void anOutageAnswerAfterSendingMayHavePlacedTheOrder() {
        for (KrakenReply outage : List.of(answer(200, "{\"error\":[\"EService:Unavailable\"]}"),
                answer(200, "{\"error\":[\"EService:Busy\"]}"), answer(502, "<html>Bad gateway</html>"))) {
            assertThat(OrderVerdict.ofFailure(unavailable(outage), SENT).kind()).as(outage.describe())
                    .isEqualTo(Kind.IN_DOUBT);
            assertThat(OrderVerdict.ofFailure(unavailable(outage), NOT_SENT).kind()).as(outage.describe())
                    .isEqualTo(Kind.NOT_PLACED);
        }
    }

    @Test
    void aRateLimitPlacedNothing() {
        // Kraken's own counter, answered before the engine
        OrderVerdict kraken = OrderVerdict.ofFailure(unavailable(answer(200,
                "{\"error\":[\"EAPI:Rate limit exceeded\"]}")), SENT);
        assertThat(kraken.kind()).isEqualTo(Kind.NOT_PLACED);
        assertThat(kraken.reason()).isEqualTo("kraken_unavailable");
        // ours: no room in the counter in time, nothing sent (RateBudget#take)
        assertThat(OrderVerdict.ofFailure(new KrakenUnavailableException("AddOrder",
                "not sent: Kraken's trading counter for XBTUSD has no room", false, null), NOT_SENT).kind())
                .isEqualTo(Kind.NOT_PLACED);
    }

    @Test
    void anOpenBreakerSentNothing() {
        CallNotPermittedException open = CallNotPermittedException.createCallNotPermittedException(
                CircuitBreaker.ofDefaults("kraken-trading"));
        OrderVerdict verdict = OrderVerdict.ofFailure(new CamelExecutionException("wrapped", null, open), NOT_SENT);
        assertThat(verdict.kind()).isEqualTo(Kind.NOT_PLACED);
        assertThat(verdict.reason()).isEqualTo("circuit_open");
    }

    @Test
    void anOrderTooLateToLeaveWasNotSent() {
        OrderVerdict verdict = OrderVerdict.ofFailure(new TooLateException("could not leave before 12:00:00"),
                NOT_SENT);
        assertThat(verdict.kind()).isEqualTo(Kind.NOT_PLACED);
        assertThat(verdict.reason()).isEqualTo("too_late");
        assertThat(verdict.failure().mayHaveBeenPlaced()).isFalse();
    }

    @Test
    void aFailureOfOursAfterSendingMayHavePlacedTheOrder() {
        JournalUnavailableException disk = new JournalUnavailableException("record the outcome",
                new java.sql.SQLException("disk full"));
        assertThat(OrderVerdict.ofFailure(disk, SENT).kind()).isEqualTo(Kind.IN_DOUBT);
        OrderVerdict before = OrderVerdict.ofFailure(new IllegalStateException("no usable last price"), NOT_SENT);
        assertThat(before.kind()).isEqualTo(Kind.NOT_PLACED);
        assertThat(before.reason()).isEqualTo("internal_error");
    }
}
