package io.tvkraken.paper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** The paper exchange as a Camel Service: the application adds it to its context, which stops it on shutdown. */
class PaperExchangeLifecycleTest {

    @Test
    void anExchangeAddedToACamelContextStopsWithIt() throws Exception {
        PaperExchange exchange = PaperExchange.start(PaperConfig.defaults());
        URI baseUrl = exchange.baseUrl();
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.addService(exchange);
            context.start();
            assertThat(exchange.isStarted()).isTrue();
            KrakenTestClient client = new KrakenTestClient(baseUrl, PaperConfig.DEFAULT_API_KEY,
                    PaperConfig.DEFAULT_API_SECRET);
            assertThat(client.publicCall("/0/public/Time").path("error")).isEmpty();

            context.stop();

            assertThat(exchange.isStopped()).isTrue();
            assertThatThrownBy(() -> client.get("/0/public/Time")).isInstanceOf(IOException.class);
        }
    }

    @Test
    void anExchangeNotStartedHasNoAddressYet() {
        PaperExchange exchange = new PaperExchange(PaperConfig.defaults(), Clock.systemUTC(), PaperExchange.Wrapper.NONE);
        assertThatThrownBy(exchange::baseUrl).isInstanceOf(IllegalStateException.class);
        exchange.start();
        try {
            assertThat(exchange.baseUrl().getPort()).isPositive();
        } finally {
            exchange.close();
        }
    }
}
