package io.tvkraken.alert;

/**
 * Kraken's conditional close ({@code close[ordertype]}, {@code close[price]}, {@code close[price2]}): an order of
 * the opposite side and the same volume that Kraken places when the primary fills (docs/kraken.md#conditional-close).
 */
public record CloseOrder(OrderType orderType, Price price, Price price2) {
}
