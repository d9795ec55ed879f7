package io.tvkraken.paper;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The paper exchange on its own, as a Kraken-compatible server to rehearse live mode against: the service in
 * {@code KRAKEN_MODE=live} pointed at it signs, nonces and places orders exactly as it would on Kraken.
 * <pre>
 *   PAPER_API_KEY=demo-key PAPER_API_SECRET="$(head -c 64 /dev/urandom | base64 -w0)" \
 *     java -cp target/tradingview-kraken-webhook.jar io.tvkraken.paper.PaperExchangeServer 18090
 * </pre>
 * The key and secret come from the environment and are never printed. Comma lists of equal length give the exchange
 * several keys of one account, key {@code i} with secret {@code i}, to rehearse a key pool (docs/kraken.md#key-pool).
 * {@code PAPER_RATE_LIMIT_TIER} ({@code starter},
 * the default, {@code intermediate}, {@code pro} or {@code off}) chooses whose Kraken rate limits it enforces.
 * {@code PAPER_BOOK_LEVEL_QUOTE} (50000 by default) is what each level of the simulated order book holds in the quote
 * currency: market orders walk it and slip; 0 fills them at the last price. {@code PAPER_BALANCES} and
 * {@code PAPER_PRICES} ({@code ZUSD=100000,XXBT=2}, {@code XXBTZUSD=60000}) change the starting balances and prices.
 * How to point ccxt, or any Kraken client, at it: docs/paper-exchange.md.
 */
public final class PaperExchangeServer {

    /** What a level of the stand-alone exchange's order book holds by default, in the quote currency. */
    static final BigDecimal DEFAULT_BOOK_LEVEL_QUOTE = new BigDecimal("50000");

    private PaperExchangeServer() {
    }

    /** {@code NAME=123.45,...} from an environment variable; empty when it is not set. */
    static Map<String, BigDecimal> amounts(String variable) {
        String text = System.getenv(variable);
        Map<String, BigDecimal> amounts = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return amounts;
        }
        for (String entry : text.split(",")) {
            String[] parts = entry.split("=", 2);
            try {
                amounts.put(parts[0].trim(), new BigDecimal(parts[1].trim()));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(variable + " entry '" + entry.trim() + "' must look like NAME=123.45");
            }
        }
        return amounts;
    }

    public static void main(String[] args) throws InterruptedException {
        String key = System.getenv("PAPER_API_KEY");
        String secret = System.getenv("PAPER_API_SECRET");
        if (key == null || key.isBlank() || secret == null || secret.isBlank()) {
            System.err.println("PAPER_API_KEY and PAPER_API_SECRET (base64) must be set");
            System.exit(2);
        }
        String[] keys = key.split(",", -1);
        String[] secrets = secret.split(",", -1);
        java.util.List<PaperConfig.ApiKey> apiKeys = new java.util.ArrayList<>();
        for (int i = 0; i < keys.length && i < secrets.length; i++) {
            if (!keys[i].isBlank() && !secrets[i].isBlank()) {
                apiKeys.add(new PaperConfig.ApiKey(keys[i].trim(), secrets[i].trim()));
            }
        }
        if (keys.length != secrets.length || apiKeys.size() != keys.length) {
            System.err.println("PAPER_API_KEY and PAPER_API_SECRET must list as many entries, none empty");
            System.exit(2);
        }
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 18090;
        String tierText = System.getenv("PAPER_RATE_LIMIT_TIER");
        RateLimitTier tier;
        try {
            tier = tierText == null || tierText.isBlank() ? RateLimitTier.STARTER : RateLimitTier.parse(tierText);
        } catch (IllegalArgumentException e) {
            System.err.println("PAPER_RATE_LIMIT_TIER: " + e.getMessage());
            System.exit(2);
            return;
        }
        PaperConfig config = PaperConfig.defaults().withApiKeys(apiKeys).withPort(port).withRateLimitTier(tier);
        try {
            String level = System.getenv("PAPER_BOOK_LEVEL_QUOTE");
            config = config.withBookLevelQuote(level == null || level.isBlank() ? DEFAULT_BOOK_LEVEL_QUOTE
                    : new BigDecimal(level.trim()));
            for (Map.Entry<String, BigDecimal> balance : amounts("PAPER_BALANCES").entrySet()) {
                config = config.withBalance(balance.getKey(), balance.getValue());
            }
            for (Map.Entry<String, BigDecimal> price : amounts("PAPER_PRICES").entrySet()) {
                config = config.withPrice(price.getKey(), price.getValue());
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        PaperExchange exchange = PaperExchange.start(config);
        System.out.println("Kraken-compatible paper exchange at " + exchange.baseUrl()
                + " (Ctrl-C to stop); set KRAKEN_API_URL to it; rate limits: "
                + tier.name().toLowerCase(java.util.Locale.ROOT) + "; API keys: " + apiKeys.size()
                + "; order book levels of " + config.bookLevelQuote().toPlainString() + " quote");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            exchange.close();
            stopped.countDown();
        }));
        stopped.await();
    }
}
