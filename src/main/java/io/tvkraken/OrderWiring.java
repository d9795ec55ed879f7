package io.tvkraken;

import io.tvkraken.alert.AlertAge;
import io.tvkraken.journal.Books;
import io.tvkraken.journal.JobLeases;
import io.tvkraken.journal.RiskLedger;
import io.tvkraken.journal.TradingSetting;
import io.tvkraken.order.AlertIntake;
import io.tvkraken.order.DeadLetters;
import io.tvkraken.order.FanOut;
import io.tvkraken.order.OrderDesk;
import io.tvkraken.order.OrderBatches;
import io.tvkraken.order.OrderLifecycle;
import io.tvkraken.order.OrderOutcomes;
import io.tvkraken.order.OrderPlanner;
import io.tvkraken.order.OrderRunner;
import io.tvkraken.order.Reconciler;
import io.tvkraken.order.TradingSwitch;
import io.tvkraken.strategy.EntryStops;
import io.tvkraken.strategy.Positions;
import io.tvkraken.strategy.RiskLimits;
import io.tvkraken.strategy.StrategyFile;
import io.tvkraken.strategy.BookOrders;
import java.time.Duration;

/** Orders: the kill switch, an alert's intake, its order's lifecycle, the workers, reconciliation, dead letters. */
final class OrderWiring {

    private OrderWiring() {
    }

    /** The kill switch lives in the journal database, shared by every instance; TRADING_ENABLED only seeds it. */
    static void tradingSwitch(Wiring w) {
        w.trading = new TradingSwitch(new TradingSetting(w.database.dataSource(), w.clock,
                w.journal.instance()),
                w.clock, w.notices);
        w.metrics.tradingSwitch(w.trading::enabled);
        w.registry.bind("tradingSwitch", w.trading);
    }

    static void bind(Wiring w) {
        Settings.Orders orders = w.settings.orders();
        OrderPlanner planner = new OrderPlanner();
        // the strategies file, its risk limits and stops (docs/strategies.md#the-strategies-file), and each account's
        // sizing (docs/accounts.md#sizing-and-limits)
        StrategyFile strategies = new StrategyFile(w.settings.strategiesFile(), w.accounts.names());
        OrderDesk desk = new OrderDesk(w.market, planner, w.journal, w.json,
                account -> strategies.settings().sizingOf(account));
        w.registry.bind("orderDesk", desk);
        w.deadLetters = new DeadLetters(w.deadLetterStore, w.clock);
        w.registry.bind("deadLetters", w.deadLetters);
        w.alertAge = new AlertAge(w.clock, w.settings.maxAlertAgeSeconds(), w.settings.alertClockSkewSeconds());
        w.registry.bind("alertAge", w.alertAge);
        // the one owner of an order's journal transitions; an order in doubt is first looked up after the grace
        // that a just-placed order may need to show up in Kraken's lists
        w.lifecycle = new OrderLifecycle(w.journal, w.deadLetters, w.json, w.mode, w.answers::status, w.deadlines,
                w.clock, orders.maxAttempts(), Duration.ofMillis(orders.reconcileGraceMs()), w.notices,
                alert -> w.market.seenPrice(alert.ticker()));
        w.registry.bind("orderLifecycle", w.lifecycle);
        // orders of one pair waiting for the same key leave together in one AddOrderBatch
        // (docs/kraken.md#bursts-on-one-key)
        w.registry.bind("orderBatches", new OrderBatches(w.settings.kraken().batchOrders(), w.lifecycle));
        // an alert for several accounts: one order per account, each on its own (docs/accounts.md#fan-out)
        FanOut fanOut = new FanOut(w.journal, w.lifecycle, w.json, w.mode);
        w.registry.bind("fanOut", fanOut);
        // as many per account as order workers: a hanging account can hold its own share, never the others'
        int fanOutWorkers = orders.workers() * w.accounts.all().size();
        w.registry.bind("fanOutWorkers", w.context.getExecutorServiceManager().newThreadPool(fanOut, "fan-out",
                new org.apache.camel.builder.ThreadPoolProfileBuilder("fan-out").poolSize(fanOutWorkers)
                        .maxPoolSize(fanOutWorkers).maxQueueSize(10_000).build()));
        w.registry.bind("alertIntake", new AlertIntake(w.journal, w.lifecycle, w.alertAge, w.json, w.mode, fanOut,
                strategy -> strategies.settings().strategy(strategy).accounts()));
        // what an AddOrder's answer or failure means, for the first send, a re-send and a replay alike
        OrderOutcomes outcomes = new OrderOutcomes(w.journal, w.lifecycle, w.metrics, w.market::balancesChanged);
        w.registry.bind("orderOutcomes", outcomes);
        w.runner = new OrderRunner(w.context, w.mode, w.metrics, orders.workers(), orders.answerWithinMs());
        w.registry.bind("orderRunner", w.runner);
        // target positions on the strategies' books (docs/strategies.md); a book is held like an alert in flight
        Books books = new Books(w.database.dataSource(), w.clock, w.journal.instance(),
                Duration.ofSeconds(orders.leaseSeconds()));
        w.registry.bind("books", books);
        w.positions = new Positions(books, w.market, w.budget, new JobLeases(w.database.dataSource(), w.clock,
                w.journal.instance()), w.notices, w.clock);
        w.registry.bind("positions", w.positions);
        w.registry.bind("strategyFile", strategies);
        w.registry.bind("riskLimits", new RiskLimits(strategies, new RiskLedger(w.database.dataSource(), w.clock),
                w.market));
        w.registry.bind("entryStops", new EntryStops(strategies, books));
        w.registry.bind("bookOrders", new BookOrders(w.market, desk, planner, books, w.kraken, w.budget,
                w.lifecycle, Duration.ofSeconds(2L * orders.leaseSeconds()), strategies));
        w.registry.bind("reconciler", new Reconciler(w.kraken, w.runner, w.alertParser, w.budget, w.journal,
                w.lifecycle, outcomes, w.json, w.clock, new Reconciler.Rules(orders.reconcilePollMs(),
                        orders.reconcileGraceMs(), orders.reconcileGiveUpSeconds(), orders.maxAttempts()), w.accounts));
    }
}
