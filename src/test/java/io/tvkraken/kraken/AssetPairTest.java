package io.tvkraken.kraken;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class AssetPairTest {

    @Test
    void aZeroTickSizeCountsAsNoneSoPricesStayRoundable() throws Exception {
        var row = new ObjectMapper().readTree("{\"altname\":\"XBTUSD\",\"wsname\":\"XBT/USD\",\"base\":\"XXBT\","
                + "\"quote\":\"ZUSD\",\"pair_decimals\":1,\"lot_decimals\":8,\"ordermin\":\"0.00005\","
                + "\"costmin\":\"0.5\",\"tick_size\":\"0\"}");
        AssetPair pair = AssetPair.fromKraken("XXBTZUSD", row);
        assertThat(pair.tickSize()).isEqualByComparingTo("0.1");
        assertThat(pair.status()).isEqualTo(AssetPair.ONLINE);
    }
}
