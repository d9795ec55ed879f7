package io.tvkraken;

import io.tvkraken.kraken.KeyPool;
import org.apache.camel.builder.RouteBuilder;

/**
 * One serial sender route per API key of the pool (docs/kraken.md#key-pool): the route template
 * {@code kraken-key-sender} of {@code routes/kraken.camel.yaml}, instantiated once per key as
 * {@code kraken-private-serial-<i>}, consuming {@code seda:kraken-private-<i>} with one consumer. The flow is the
 * template's; only the count lives here, because it is the number of keys configured, which YAML cannot loop over.
 *
 * <p>{@link Application} names this builder to camel-main, which makes its routes after {@link AppConfiguration}
 * has bound the {@code keyPool}, and adds templated routes after every route and template has been loaded, so the
 * template is there. Node ids get the prefix {@code key-<i>-} ({@code key-0-order-leaving}): ids must be unique among
 * all routes.
 */
public class KrakenKeySenders extends RouteBuilder {

    static final String TEMPLATE = "kraken-key-sender";

    @Override
    public void configure() {
        KeyPool pool = getContext().getRegistry().lookupByNameAndType("keyPool", KeyPool.class);
        if (pool == null) {
            throw new IllegalStateException("no keyPool bound: AppConfiguration binds it before routes are added");
        }
        // each account's calls behind its own two breakers: the default account's routes keep their names
        for (io.tvkraken.kraken.Accounts.Account account : pool.accounts().all()) {
            String suffix = account.isDefault() ? "" : "-" + account.name();
            var trading = templatedRoute("kraken-trading-calls").routeId("kraken-trading" + suffix)
                    .parameter("account", account.name()).parameter("breaker", "krakenTradingBreaker" + suffix);
            var query = templatedRoute("kraken-query-calls").routeId("kraken-query" + suffix)
                    .parameter("account", account.name()).parameter("breaker", "krakenQueryBreaker" + suffix);
            if (!account.isDefault()) {
                trading.prefixId(account.name() + "-");
                query.prefixId(account.name() + "-");
            }
        }
        for (int key = 0; key < pool.size(); key++) {
            templatedRoute(TEMPLATE)
                    .routeId("kraken-private-serial-" + key)
                    .prefixId("key-" + key + "-")
                    .parameter("key", Integer.toString(key))
                    .parameter("consumers", Integer.toString(pool.inFlightPerKey()));
        }
    }
}
