package io.tvkraken.order;

import java.util.List;

/** What Kraken said about an AddOrder: its description and the transaction ids (none for {@code validate=true}). */
public record OrderResult(OrderRequest order, String description, List<String> txids) {
}
