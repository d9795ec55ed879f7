package io.tvkraken;

import io.tvkraken.ingress.EdgeHttpServer;
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
        Main main = new Main(Application.class);
        // ./application.properties in the working directory (the repository root, or /app in the image), not the
        // class path: operators edit it without rebuilding, like the routes beside it.
        main.setDefaultPropertyPlaceholderLocation("file:application.properties");
        // camel-main looks for its HTTP server factory before AppConfiguration runs: bound here, it makes the server
        // of camel.server.* carry the HTTP edge that AppConfiguration binds (EdgeHttpServer)
        main.bind("edgeHttpServerFactory", new EdgeHttpServer.Factory());
        return main;
    }

    public static void main(String[] args) throws Exception {
        int exit;
        try {
            exit = newMain().run(args);
        } catch (InvalidConfigurationException e) {
            // One clear line, not a stack trace: this is the operator's to fix
            // (docs/configuration.md#when-the-configuration-is-wrong).
            LoggerFactory.getLogger(Application.class).error("refusing to start. {}", e.getMessage());
            exit = 2;
        }
        if (exit != 0) {
            System.exit(exit);
        }
    }
}
