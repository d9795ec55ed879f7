package io.tvkraken.kraken;

import io.tvkraken.alert.Refusal;
import io.tvkraken.alert.RefusedException;
import java.util.List;

/**
 * Kraken answered a call with errors (docs/kraken.md#error-model): it refused it, and for an AddOrder nothing was
 * placed. The trader is told Kraken's own strings ({@link Refusal#KRAKEN_REJECTED}).
 */
public class KrakenRefusedException extends RefusedException {

    public KrakenRefusedException(String method, List<String> errors) {
        super(Refusal.KRAKEN_REJECTED, "Kraken refused the " + ("AddOrder".equals(method) ? "order" : method
                + " request"), errors);
    }
}
