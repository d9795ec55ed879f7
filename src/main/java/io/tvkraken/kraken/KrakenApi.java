package io.tvkraken.kraken;

import io.tvkraken.alert.AlertRejectedException;
import io.tvkraken.ingress.IncomingRequest;
import org.slf4j.MDC;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.RuntimeCamelException;

/**
 * Kraken calls made from Java beans (pairs, prices, balances) go through the same route as orders,
 * {@code direct:kraken}: the same HTTP client, circuit breaker, signing and serialisation.
 */
public class KrakenApi {

    public static final String ENDPOINT = "direct:kraken";

    private final ProducerTemplate template;

    public KrakenApi(ProducerTemplate template) {
        this.template = template;
    }

    /** The {@code result} of a successful call; Kraken's refusals become a 422 that carries Kraken's strings. */
    public KrakenReply call(KrakenCall call) {
        // The alert's request id follows the call, for the log lines written on other threads.
        String requestId = MDC.get(IncomingRequest.MDC_KEY);
        Exchange done = template.request(ENDPOINT, e -> {
            e.getMessage().setBody(call);
            e.setVariable(IncomingRequest.REQUEST_ID, requestId);
        });
        Exception failure = done.getException();
        if (failure instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (failure != null) {
            throw new RuntimeCamelException(failure);
        }
        KrakenReply reply = done.getMessage().getBody(KrakenReply.class);
        if (!reply.errors().isEmpty()) {
            throw new AlertRejectedException(422, "kraken_rejected",
                    "Kraken refused the " + call.method() + " request", reply.errors());
        }
        return reply;
    }

    public KrakenReply publicCall(String method, Map<String, String> params) {
        return call(KrakenCall.publicMethod(method, params));
    }

    public KrakenReply privateCall(String method, Map<String, String> params) {
        return call(KrakenCall.privateMethod(method, params));
    }
}
