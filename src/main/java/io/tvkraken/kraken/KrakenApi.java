package io.tvkraken.kraken;

import io.tvkraken.telemetry.RequestLog;
import java.util.Map;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.RuntimeCamelException;

/**
 * Kraken calls made from Java beans (pairs, prices, balances, look-ups) go through the same route as orders,
 * {@code direct:kraken}: the same rate budget, circuit breakers, HTTP client, signing and serialisation.
 */
public class KrakenApi {

    public static final String ENDPOINT = "direct:kraken";

    private final ProducerTemplate template;

    public KrakenApi(ProducerTemplate template) {
        this.template = template;
    }

    /**
     * The reply to a call Kraken accepted.
     *
     * @throws KrakenRefusedException when Kraken answered with errors: it refused the request
     * @throws KrakenUnavailableException when Kraken could not be reached or reported an outage
     */
    public KrakenReply call(KrakenCall call) {
        KrakenReply reply = send(call);
        if (!reply.errors().isEmpty()) {
            throw new KrakenRefusedException(call.method(), reply.errors());
        }
        return reply;
    }

    /**
     * Kraken's reply as it is, its error strings included: for an AddOrder, whose errors are read by the one decision
     * table of the service (io.tvkraken.order.OrderVerdict).
     *
     * @throws KrakenUnavailableException when Kraken could not be reached or reported an outage
     */
    public KrakenReply send(KrakenCall call) {
        // the logging context of the alert this call is made for follows it onto the sender's thread
        KrakenCall sent = call.log() == null ? call.loggedAs(RequestLog.context()) : call;
        try {
            return template.requestBody(ENDPOINT, sent, KrakenReply.class);
        } catch (CamelExecutionException e) {
            Throwable failure = e.getCause() == null ? e : e.getCause();
            throw failure instanceof RuntimeException runtime ? runtime : new RuntimeCamelException(failure);
        }
    }

    public KrakenReply publicCall(String method, Map<String, String> params) {
        return call(KrakenCall.publicMethod(method, params));
    }

    public KrakenReply privateCall(String method, Map<String, String> params) {
        return call(KrakenCall.privateMethod(method, params));
    }

    /** A private call on Kraken account {@code account} (null: the default one; docs/accounts.md). */
    public KrakenReply privateCall(String account, String method, Map<String, String> params) {
        return call(KrakenCall.privateMethod(method, params).onAccount(account));
    }
}
