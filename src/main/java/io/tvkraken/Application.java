package io.tvkraken;

import io.tvkraken.ingress.EdgeHttpServer;
import java.security.NoSuchAlgorithmException;
import javax.net.ssl.SSLContext;
import org.apache.camel.main.Main;
import org.slf4j.LoggerFactory;

/**
 * Starts the service: camel-main reads {@code ./application.properties} and the YAML routes in {@code ./routes},
 * and {@link AppConfiguration} binds the beans those routes call.
 */
public final class Application {

    private Application() {
    }

    /** The Main that {@link #main} runs; tests boot the same one. */
    public static Main newMain() {
        // The configuration class and the one Java route builder named, not found: new Main(Application.class) would
        // scan every class of the package on the class path for configurations, routes and converters before
        // anything else starts (docs/operations.md#start-up-time-and-memory). There are only these two.
        Main main = new Main();
        main.configure().addConfiguration(AppConfiguration.class);
        main.configure().addRoutesBuilder(KrakenKeySenders.class);
        // ./application.properties in the working directory (the repository root, or /app in the image), not the
        // class path: operators edit it without rebuilding, like the routes beside it.
        main.setDefaultPropertyPlaceholderLocation("file:application.properties");
        // camel-main looks for its HTTP server factory before AppConfiguration runs: bound here, it makes the server
        // of camel.server.* carry the HTTP edge that AppConfiguration binds (EdgeHttpServer)
        main.bind("edgeHttpServerFactory", new EdgeHttpServer.Factory());
        return main;
    }

    public static void main(String[] args) {
        // The JDK's TLS set-up (its providers, the CA trust store read and parsed) is needed by the Kraken HTTP
        // client, which camel-http makes while the routes are made. Done here on a thread of its own, it overlaps with
        // Camel's start instead of adding to it (docs/operations.md#start-up-time-and-memory).
        Thread tls = new Thread(Application::prepareTls, "tls-warm-up");
        tls.setDaemon(true);
        tls.start();
        int exit;
        try {
            exit = newMain().run(args);
        } catch (Throwable e) {
            exit = refusal(e);
        }
        if (exit != 0) {
            // Threads that are not daemons (the journal's opening thread, Vert.x's, the paper exchange's server) would
            // keep the JVM up after a failed start: a live process that serves nothing
            // (docs/configuration.md#when-the-configuration-is-wrong)
            System.exit(exit);
        }
    }

    /**
     * The exit status of a start that failed with {@code e}, logged once: a configuration refused is one line and
     * status 2; anything else is logged with its stack trace and ends the process with status 1.
     */
    static int refusal(Throwable e) {
        // Thrown as it is by the configuration, or wrapped by Camel when it surfaces while the routes are made
        // (the journal database opens meanwhile)
        InvalidConfigurationException invalid = invalidConfiguration(e);
        if (invalid == null) {
            LoggerFactory.getLogger(Application.class).error("failed to start, exiting", e);
            return 1;
        }
        // One clear line, not a stack trace: this is the operator's to fix
        // (docs/configuration.md#when-the-configuration-is-wrong).
        LoggerFactory.getLogger(Application.class).error("refusing to start. {}", invalid.getMessage());
        return 2;
    }

    private static void prepareTls() {
        try {
            SSLContext.getDefault();
        } catch (NoSuchAlgorithmException | RuntimeException e) {
            // nothing prepared: the HTTP client reports the problem when it makes its own context
        }
    }

    private static InvalidConfigurationException invalidConfiguration(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof InvalidConfigurationException invalid) {
                return invalid;
            }
        }
        return null;
    }
}
