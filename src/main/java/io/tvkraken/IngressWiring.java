package io.tvkraken;

import io.tvkraken.alert.AlertParser;
import io.tvkraken.ingress.ClientAddress;
import io.tvkraken.ingress.HttpEdge;
import io.tvkraken.ingress.IncomingRequest;
import io.tvkraken.ingress.IpAllowList;
import io.tvkraken.ingress.SecretRedaction;
import io.tvkraken.ingress.SourceRateLimit;
import io.tvkraken.ingress.WebhookAuthenticator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The HTTP edge and what every request meets before an alert is read: addresses, rate limits, authentication. */
final class IngressWiring {

    private IngressWiring() {
    }

    /** Every secret this process knows: none of them is kept in a stored alert, whichever way it got into one. */
    static SecretRedaction redaction(Settings settings, List<String> apiKeys, List<String> apiSecrets,
            java.util.Collection<String> fromSecretManager) {
        List<String> secrets = new ArrayList<>(Arrays.asList(settings.webhookPassphrase(), settings.webhookSecret(),
                settings.adminToken(), settings.dbPassword()));
        secrets.addAll(apiKeys);
        secrets.addAll(apiSecrets);
        secrets.addAll(settings.notifications().secrets());
        secrets.addAll(fromSecretManager);
        return new SecretRedaction(secrets);
    }

    static void bind(Wiring w) {
        Settings settings = w.settings;
        // the HTTP server (EdgeHttpServer) carries the edge's limits and answers (docs/operations.md#http-server-limits)
        // (Settings checked these values with the classes below: nothing here refuses them)
        Settings.Limits limits = settings.limits();
        w.registry.bind("httpEdge", new HttpEdge(settings.http().edgeLimits(), w.answers));
        ClientAddress clientAddress = new ClientAddress(settings.http().trustedProxies());
        w.registry.bind("incomingRequest", new IncomingRequest(settings.maxBodyBytes(), w.metrics, clientAddress));
        w.alertParser = new AlertParser(w.json, w.accounts.names());
        w.registry.bind("alertParser", w.alertParser);
        w.registry.bind("webhookAuthenticator", new WebhookAuthenticator(new IpAllowList(settings.allowedIps()),
                settings.webhookSecret(), settings.webhookPassphrase(), w.redaction, w.alertParser));
        // per source address, in this process's memory (docs/operations.md#rate-limits)
        w.registry.bind("webhookRateLimit", new SourceRateLimit("webhook", limits.webhookRateLimit(),
                Duration.ofSeconds(limits.webhookRateLimitPeriodSeconds())));
        // on the admin API only wrong or missing tokens count: an operator's polling is never limited
        w.adminWrongTokens = new SourceRateLimit("admin authentication failure", limits.adminAuthFailureLimit(),
                Duration.ofSeconds(limits.adminAuthFailurePeriodSeconds()));
        w.registry.bind("adminRateLimit", w.adminWrongTokens);
        // platform-http runs each request on a Vert.x worker thread (20 by default). A webhook thread may wait for
        // its order up to orders.answer-within-ms, but only while an order worker is free to run it: with more HTTP
        // threads than order workers, a burst still finds threads to be answered on.
        w.registry.bind("vertxOptions", new io.vertx.core.VertxOptions()
                .setWorkerPoolSize(Math.max(20, 2 * settings.orders().workers() + 16)));
    }
}
