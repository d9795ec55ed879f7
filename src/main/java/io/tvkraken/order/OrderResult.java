package io.tvkraken.order;

import java.util.List;
import java.util.Map;

/**
 * What Kraken said about an AddOrder: the parameters sent (without nonce), its description and the transaction ids
 * (none for {@code validate=true}).
 */
public record OrderResult(Map<String, String> sent, String description, List<String> txids, boolean validate) {
}
