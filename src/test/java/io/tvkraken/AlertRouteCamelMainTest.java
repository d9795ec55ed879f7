package io.tvkraken;

import static org.assertj.core.api.Assertions.assertThat;

import io.tvkraken.paper.PaperExchange;
import io.tvkraken.paper.PaperExchangeHarness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.EndpointInject;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

/**
 * The application booted by camel-test-main-junit5 from the same {@code application.properties} and YAML routes,
 * asserting on the exchanges the routes complete (NotifyBuilder) and on what reaches the dead-letter channel.
 */
@CamelMainTest(mainClass = Application.class,
        propertyPlaceholderLocations = "file:application.properties",
        mockEndpoints = "direct:dead-letter",
        properties = {
            "port=0",
            "camel.main.routes-reload-enabled=false",
            "data.dir=target/camel-main-test-data",
            "webhook.secret=" + TestSecrets.WEBHOOK_SECRET,
        })
class AlertRouteCamelMainTest {

    @org.apache.camel.BeanInject
    CamelContext context;

    @EndpointInject("mock:direct:dead-letter")
    MockEndpoint deadLetters;

    HttpResponse<String> post(String path, String body) throws Exception {
        int port = context.hasService(VertxPlatformHttpServer.class).getServer().actualPort();
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("X-Signature", TestSecrets.sign(body))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aSignedAlertCompletesTheIntakeTheExecuteBranchAndOneKrakenAddOrder() throws Exception {
        NotifyBuilder intake = new NotifyBuilder(context).fromRoute("tradingview-webhook").whenCompleted(1).create();
        // the order run is its own exchange, on an order worker, from route process-alert
        NotifyBuilder execute = new NotifyBuilder(context).fromRoute("process-alert").whenCompleted(1).create();
        NotifyBuilder validate = new NotifyBuilder(context).wereSentTo("direct:validate-order").whenDone(1).create();
        deadLetters.expectedMessageCount(0);

        // a new alert id each run: the journal under data.dir outlives the test
        HttpResponse<String> response = post("/webhook/tradingview",
                "{\"ticker\":\"ETHUSD\",\"action\":\"buy\",\"volume\":\"0.01\",\"id\":\""
                        + java.util.UUID.randomUUID() + "\"}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(intake.matches(5, TimeUnit.SECONDS)).isTrue();
        assertThat(execute.matches(5, TimeUnit.SECONDS)).isTrue();
        assertThat(validate.matches(200, TimeUnit.MILLISECONDS)).as("the router chose one branch").isFalse();
        deadLetters.assertIsSatisfied();
        PaperExchangeHarness paper = PaperExchangeHarness.of(
                context.getRegistry().lookupByNameAndType("paperExchange", PaperExchange.class));
        assertThat(paper.orders()).hasSize(1);
    }

    @Test
    void theRouterSendsValidationAlertsToTheValidateBranch() throws Exception {
        NotifyBuilder validate = new NotifyBuilder(context).wereSentTo("direct:validate-order").whenCompleted(1)
                .create();
        NotifyBuilder execute = new NotifyBuilder(context).wereSentTo("direct:execute-order").whenDone(1).create();

        HttpResponse<String> response = post("/webhook/tradingview",
                "{\"ticker\":\"ETHUSD\",\"action\":\"buy\",\"volume\":\"0.01\",\"validate\":true}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(validate.matches(5, TimeUnit.SECONDS)).isTrue();
        assertThat(execute.matches(200, TimeUnit.MILLISECONDS)).isFalse();
    }

    @Test
    void aRejectionIsHandledInTheRouteAndNeverReachesTheDeadLetterChannel() throws Exception {
        deadLetters.expectedMessageCount(0);
        HttpResponse<String> response = post("/webhook/tradingview", "{\"ticker\":\"ETHUSD\",\"action\":\"buy\"}");
        assertThat(response.statusCode()).isEqualTo(400);
        deadLetters.assertIsSatisfied();
    }
}
