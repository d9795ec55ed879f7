package io.tvkraken.notify;

import io.tvkraken.telemetry.Notice;
import io.tvkraken.telemetry.Notices;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.camel.Body;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands a {@link Notice} to the queue of every channel that wants it (docs/notifications.md#delivery): one bounded
 * seda queue per channel, consumed by that channel's route (the route template {@code notification-channel} in
 * {@code routes/notifications.camel.yaml}). Offering never blocks: a full queue drops the notice for that channel and
 * counts it ({@code notifications_dropped_total}), so a slow or dead channel can neither hold up the order worker that
 * raised the notice nor the other channels. Nothing here throws.
 */
public class NoticeQueue implements Notices {

    private static final Logger LOG = LoggerFactory.getLogger(NoticeQueue.class);

    private final List<Channel> channels;
    private final CamelContext context;
    private final NotificationOutcomes outcomes;
    private final UnaryOperator<String> redact;
    private final int queueSize;
    private final Map<String, Endpoint> queues = new LinkedHashMap<>();
    private final ProducerTemplate template;

    /**
     * @param redact the service's secret redaction, applied to every title and text once more before they leave
     */
    public NoticeQueue(List<Channel> channels, CamelContext context, ProducerTemplate template,
            NotificationOutcomes outcomes, UnaryOperator<String> redact, int queueSize) {
        this.channels = List.copyOf(channels);
        this.context = context;
        this.template = template;
        this.outcomes = outcomes;
        this.redact = redact;
        this.queueSize = queueSize;
    }

    @Override
    public void raise(@Body Notice notice) {
        if (notice == null) {
            return;
        }
        Notice clean = null;
        for (Channel channel : channels) {
            if (!channel.wants(notice)) {
                continue;
            }
            if (clean == null) {
                clean = new Notice(notice.event(), notice.severity(), redact.apply(notice.title()),
                        redact.apply(notice.text()), notice.at());
            }
            try {
                template.sendBody(queue(channel), clean);
            } catch (RuntimeException full) {
                // seda with blockWhenFull=false throws when the queue is full; a stopping context refuses too
                outcomes.dropped(channel.name(), notice.event());
                LOG.warn("notification {} for channel {} dropped: its queue is full or closed ({})",
                        notice.event().label(), channel.name(), full.getClass().getSimpleName());
            }
        }
    }

    /**
     * The producer side of the channel's queue: the same queue (and size) as its route consumes, never waiting for
     * room or for the delivery.
     */
    private synchronized Endpoint queue(Channel channel) {
        return queues.computeIfAbsent(channel.name(), name -> context.getEndpoint("seda:" + channel.queue()
                + "?size=" + queueSize + "&blockWhenFull=false&waitForTaskToComplete=Never"));
    }
}
