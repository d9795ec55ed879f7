package io.tvkraken.notify;

import org.apache.camel.Body;
import org.apache.camel.ProducerTemplate;

/**
 * The Telegram channel's endpoint (docs/notifications.md#telegram): sends a text through camel-telegram's
 * {@code sendMessage} and waits for Telegram's answer on the calling thread.
 *
 * <p>Why not {@code to: telegram:bots} in the route: when the Bot API answers with an error status (401 bad token, 400
 * chat not found, 429, 5xx), camel-telegram 4.18 completes the exchange first and reports the failure after, so the
 * route carries on as if it had been delivered while the error handler sees the failure on another path
 * (docs/camel.md#telegram-error-answers). Called through a producer template, the failure surfaces here as an
 * exception, and the channel's route retries it and counts it like any other.
 */
public class TelegramMessages {

    private final ProducerTemplate template;
    private final String endpointUri;

    /** @param endpointUri {@code telegram:bots?chatId=...}; the token is set on the component, not here */
    public TelegramMessages(ProducerTemplate template, String endpointUri) {
        this.template = template;
        this.endpointUri = endpointUri;
    }

    public void send(@Body String text) {
        template.requestBody(endpointUri, text);
    }
}
