package io.tvkraken;

import io.tvkraken.journal.DeadLetterStore;
import io.tvkraken.ops.AdminApi;
import io.tvkraken.ops.Console;
import io.tvkraken.ops.Answers;
import io.tvkraken.ops.Operations;
import io.tvkraken.order.Replays;
import io.tvkraken.telemetry.ServiceMetrics;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyFactory;

/** Operations: metrics, answers, the dead-letter store, health and status, the admin API. */
final class OpsWiring {

    private OpsWiring() {
    }

    /** The service's metrics and Camel's routes' in the one Prometheus registry; the answers every route writes. */
    static void metricsAndAnswers(Wiring w) {
        w.deadLetterStore = new DeadLetterStore(w.database.dataSource(), w.json);
        w.metrics = new ServiceMetrics(w.meters, w.deadLetterStore::count, w.breakers);
        MicrometerRoutePolicyFactory routeMetrics = new MicrometerRoutePolicyFactory();
        routeMetrics.setMeterRegistry(w.meters);
        w.context.addRoutePolicyFactory(routeMetrics);
        w.answers = new Answers(w.json, w.mode, w.metrics);
        w.registry.bind("settings", w.settings);
        w.registry.bind("json", w.json);
        w.registry.bind(MicrometerConstants.METRICS_REGISTRY_NAME, w.meters);
        w.registry.bind("answers", w.answers);
        w.registry.bind("deadLetterStore", w.deadLetterStore);
    }

    static void bind(Wiring w) {
        w.registry.bind("operations", new Operations(w.context, w.mode, w.krakenBreakers, w.market,
                w.deadLetterStore, w.trading, w.metrics, w.answers, w.database, w.journal));
        Replays replays = new Replays(w.journal, w.deadLetterStore, w.runner, w.alertParser, w.alertAge,
                w.trading, w.json, w.clock);
        w.registry.bind("console", new Console(w.settings.adminToken(), w.answers));
        w.registry.bind("adminApi", new AdminApi(w.settings.adminToken(), w.deadLetterStore, w.journal, replays,
                w.trading, w.positions, w.answers, w.json, w.adminWrongTokens));
        // replays of recorded alerts in a sandbox of their own (docs/replays.md), run by the run-replays route
        w.registry.bind("sessionReplays", new io.tvkraken.replay.SessionReplays(
                new io.tvkraken.journal.ReplayStore(w.database.dataSource(), w.clock, w.journal.instance()), w.json,
                w.answers, w.context.createProducerTemplate(),
                w.settings.accounts().stream().map(Settings.NamedAccount::name).toList(), w.settings.strategiesFile(),
                w.settings.paper().balances(),
                ticker -> w.market.pairFor(ticker).map(io.tvkraken.kraken.AssetPair::altname)));
    }
}
