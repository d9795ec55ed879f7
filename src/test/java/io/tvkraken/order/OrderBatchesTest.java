package io.tvkraken.order;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tvkraken.kraken.KrakenReply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * AddOrderBatch's answer, one entry per order in the order sent (docs/kraken.md#addorderbatch), becomes what each
 * order's own AddOrder would have answered, which the one outcome policy reads ({@link OrderVerdict}).
 */
class OrderBatchesTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static KrakenReply reply(String body) {
        return KrakenReply.parse(200, body.getBytes(StandardCharsets.UTF_8), JSON);
    }

    @Test
    void aPartlyPlacedBatchGivesEachOrderItsOwnTxidOrItsOwnError() {
        List<KrakenReply> each = OrderBatches.split(reply("{\"error\":[],\"result\":{\"orders\":["
                + "{\"descr\":{\"order\":\"buy 0.01 XBTUSD @ limit 100\"},\"txid\":\"OAAAAA-AAAAA-AAAAAA\"},"
                + "{\"error\":\"EOrder:Insufficient funds\"},"
                + "{\"descr\":{\"order\":\"buy 0.02 XBTUSD @ limit 100\"},\"txid\":\"OBBBBB-BBBBB-BBBBBB\"}]}}"), 3);

        assertThat(each.get(0).errors()).isEmpty();
        assertThat(each.get(0).result().path("txid").get(0).asText()).isEqualTo("OAAAAA-AAAAA-AAAAAA");
        assertThat(OrderVerdict.ofAnswer(each.get(0), true).kind()).isEqualTo(OrderVerdict.Kind.PLACED);
        assertThat(each.get(1).errors()).containsExactly("EOrder:Insufficient funds");
        assertThat(OrderVerdict.ofAnswer(each.get(1), true).kind()).isEqualTo(OrderVerdict.Kind.REFUSED);
        assertThat(each.get(2).result().path("txid").isArray()).as("an array, as AddOrder answers it").isTrue();
        assertThat(each.get(2).result().path("descr").path("order").asText()).contains("0.02");
    }

    @Test
    void aRefusedBatchGivesEveryOrderTheBatchsErrors() {
        List<KrakenReply> each = OrderBatches.split(reply("{\"error\":[\"EGeneral:Invalid arguments:volume\"]}"), 2);
        assertThat(each).allSatisfy(r -> {
            assertThat(r.errors()).containsExactly("EGeneral:Invalid arguments:volume");
            assertThat(OrderVerdict.ofAnswer(r, true).kind()).isEqualTo(OrderVerdict.Kind.REFUSED);
        });
    }

    @Test
    void aRefusedNonceLooksEveryOrderUpAndAnOrderWithoutAnEntryIsInDoubt() {
        List<KrakenReply> refused = OrderBatches.split(reply("{\"error\":[\"EAPI:Invalid nonce\"]}"), 2);
        assertThat(refused).allSatisfy(r -> assertThat(OrderVerdict.ofAnswer(r, true).kind())
                .isEqualTo(OrderVerdict.Kind.IN_DOUBT));

        List<KrakenReply> short1 = OrderBatches.split(reply("{\"error\":[],\"result\":{\"orders\":["
                + "{\"descr\":{\"order\":\"buy\"},\"txid\":\"OAAAAA-AAAAA-AAAAAA\"}]}}"), 2);
        assertThat(short1.get(0)).isNotNull();
        assertThat(short1.get(1)).as("no entry: no answer, it may have been placed").isNull();
    }
}
