package io.tvkraken.ingress;

import io.vertx.core.Vertx;
import io.tvkraken.InvalidConfigurationException;
import io.vertx.core.http.HttpServer;
import java.net.BindException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Ordered;
import org.apache.camel.Service;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.main.DefaultMainHttpServerFactory;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.main.HttpManagementServerConfigurationProperties;
import org.apache.camel.main.HttpServerConfigurationProperties;
import org.apache.camel.main.MainHttpServerFactory;
import org.apache.camel.support.CamelContextHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * camel-main's embedded Vert.x server behind {@code platform-http}, with the {@link HttpEdge} (bound in the registry
 * by the application) in front of the routes.
 * Camel 4.18 creates its server with {@code new HttpServerOptions()} and no way to change them: no idle timeout, and
 * no handler for requests the HTTP decoder refused (docs/camel.md#http-server). This server is Camel's, with its
 * router, body handler and {@code camel.server.*} settings, except that it is created with the edge's options and
 * handlers, and that its request handler is the router the routes are added to.
 */
public final class EdgeHttpServer extends VertxPlatformHttpServer {

    private static final Logger LOG = LoggerFactory.getLogger(EdgeHttpServer.class);

    private final VertxPlatformHttpServerConfiguration configuration;
    private volatile HttpServer server;

    EdgeHttpServer(VertxPlatformHttpServerConfiguration configuration) {
        super(configuration);
        this.configuration = configuration;
    }

    @Override
    protected void startServer() throws Exception {
        CamelContext context = getCamelContext();
        HttpEdge edge = CamelContextHelper.findSingleByType(context, HttpEdge.class);
        if (edge == null) {
            throw new IllegalStateException("no HttpEdge in the registry: AppConfiguration binds it");
        }
        if (edge.limits().maxBodyBytes() != configuration.getMaxBodySize()) {
            throw new IllegalStateException("the edge's body limit differs from camel.server.max-body-size");
        }
        // Camel's server mounts this router at camel.server.path; the service serves at /, where mounting changes
        // nothing, so the router serves the connection directly
        VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context,
                VertxPlatformHttpRouter.getRouterNameFromPort(configuration.getPort()));
        edge.install(getVertx(), router);
        HttpServer created = getVertx().createHttpServer(edge.serverOptions())
                .invalidRequestHandler(edge::onInvalidRequest)
                .connectionHandler(edge::onConnection)
                .requestHandler(router);
        // Camel starts this service before the routes: a socket opened now would answer 404 to an alert (lost) and
        // to a health probe until the routes' handlers are on the router. The port opens once every route has
        // started, before the ready line (docs/camel.md#http-server).
        context.addStartupListener(new OpenWhenRoutesStarted(created));
        // until then platform-http's engine finds its port (and the routes their router) by this configuration;
        // with no server listening and none bound it would take 8080
        context.getRegistry().bind(EdgeHttpServer.class.getName() + ".configuration", configuration);
    }

    private void listen(HttpServer created) throws Exception {
        try {
            server = created.listen(configuration.getBindPort(), configuration.getBindHost())
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BindException) {
                throw new InvalidConfigurationException("PORT " + configuration.getBindPort() + " on "
                        + configuration.getBindHost() + " cannot be opened (" + e.getCause().getMessage()
                        + "): another process has it, or the address is not this machine's");
            }
            throw e;
        }
        LOG.info("Vert.x HttpServer started on {}:{}", configuration.getBindHost(), server.actualPort());
    }

    /** Opens the port when the context is fully started, first among the start-up listeners. */
    private final class OpenWhenRoutesStarted implements StartupListener, Ordered {

        private final HttpServer created;

        OpenWhenRoutesStarted(HttpServer created) {
            this.created = created;
        }

        @Override
        public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
            // the routes' consumers are not started yet here
        }

        @Override
        public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) throws Exception {
            if (server == null && isRunAllowed()) {
                listen(created);
            }
        }

        @Override
        public int getOrder() {
            return Ordered.HIGHEST;
        }
    }

    @Override
    protected void stopServer() {
        HttpServer running = server;
        if (running == null) {
            return;
        }
        try {
            getCamelContext().removeComponent("platform-http");
            running.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("the HTTP server did not close cleanly: {}", e.getMessage());
        } finally {
            server = null;
        }
    }

    @Override
    protected void stopVertx() {
        Vertx vertx = getVertx();
        // only a Vert.x this server created; one found in the registry belongs to whoever bound it
        if (vertx == null || CamelContextHelper.findSingleByType(getCamelContext(), Vertx.class) != null) {
            return;
        }
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("Vert.x did not close cleanly: {}", e.getMessage());
        }
    }

    @Override
    public HttpServer getServer() {
        return server;
    }

    @Override
    public int getPort() {
        HttpServer running = server;
        return running != null ? running.actualPort() : configuration.getBindPort();
    }

    /**
     * Bound in the registry, camel-main asks it for the server of {@code camel.server.*}: the settings are applied as
     * Camel applies them, to this server. Settings this server does not carry out (TLS, authentication, static files,
     * another path) refuse to start rather than be ignored: TLS ends at the reverse proxy.
     */
    public static final class Factory implements MainHttpServerFactory {

        private final DefaultMainHttpServerFactory camels = new DefaultMainHttpServerFactory();

        @Override
        public Service newHttpServer(CamelContext camelContext, HttpServerConfigurationProperties properties) {
            if (properties.isUseGlobalSslContextParameters() || properties.isAuthenticationEnabled()
                    || properties.isStaticEnabled() || properties.isFileUploadEnabled()
                    || !"/".equals(properties.getPath())) {
                throw new IllegalArgumentException("camel.server: TLS, authentication, static files, file uploads and "
                        + "a path other than / are not supported by the service's HTTP server");
            }
            VertxPlatformHttpServerConfiguration configuration = new VertxPlatformHttpServerConfiguration();
            configuration.setServerType("server");
            configuration.setBindHost(properties.getHost());
            configuration.setBindPort(properties.getPort());
            configuration.setPath(properties.getPath());
            configuration.setMaxBodySize(properties.getMaxBodySize() == null ? 1048576L : properties.getMaxBodySize());
            configuration.getBodyHandler().setHandleFileUploads(false);
            EdgeHttpServer server = new EdgeHttpServer(configuration);
            server.setCamelContext(camelContext);
            return server;
        }

        @Override
        public Service newHttpManagementServer(CamelContext camelContext,
                HttpManagementServerConfigurationProperties properties) {
            camels.setCamelContext(camelContext);
            return camels.newHttpManagementServer(camelContext, properties);
        }
    }
}
