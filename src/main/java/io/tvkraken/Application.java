package io.tvkraken;

import org.apache.camel.main.Main;

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
        return main;
    }

    public static void main(String[] args) throws Exception {
        int exit = newMain().run(args);
        if (exit != 0) {
            System.exit(exit);
        }
    }
}
