package io.tvkraken.order;

import io.tvkraken.telemetry.RequestLog;
import io.tvkraken.telemetry.ServiceMetrics;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.Variable;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a journaled alert through {@code direct:process-alert} on an order worker and answers within TradingView's
 * patience (docs/tradingview.md#answer-deadline: it gives up after 3 s): if the run has not finished when the answer is
 * due ({@code orders.answer-within-ms} after the alert arrived), the caller gets 202 {@code pending} and the run goes
 * on; its outcome lands in the journal.
 *
 * <p>The workers are a Camel-managed pool with a queue: the webhook's thread never runs an order itself, so every
 * alert is answered on time however deep the queue (202 {@code pending}). An alert that waits in the queue past its
 * send-by time is not sent ({@code too_late}, see {@link OrderLifecycle#leaving}); one still queued when the process
 * stops stays {@code received} in the journal, and the reconcile-orders route of the next instance settles it once its
 * lease has run out.
 */
public class OrderRunner {

    private static final Logger LOG = LoggerFactory.getLogger(OrderRunner.class);
    public static final String ENDPOINT = "direct:process-alert";

    private final ProducerTemplate template;
    private final String mode;
    private final ServiceMetrics metrics;
    private final long answerWithinMs;
    private final ExecutorService workers;

    /** Alerts waiting for a worker at most; beyond that an alert is dead-lettered at once (nothing sent). */
    static final int MAX_QUEUED = 10_000;

    /** @param mode {@code paper} or {@code live}, as a pending outcome says */
    public OrderRunner(CamelContext context, String mode, ServiceMetrics metrics, int workers, long answerWithinMs) {
        this.template = context.createProducerTemplate();
        this.mode = mode;
        this.metrics = metrics;
        this.answerWithinMs = answerWithinMs;
        ThreadPoolProfile profile = new ThreadPoolProfileBuilder("order-worker").poolSize(workers)
                .maxPoolSize(workers).maxQueueSize(MAX_QUEUED).rejectedPolicy(ThreadPoolRejectedPolicy.Abort).build();
        this.workers = context.getExecutorServiceManager().newThreadPool(this, "order-worker", profile);
    }

    /**
     * The hand-off (webhook step {@code hand-to-order-worker}): runs the alert on an order worker and returns its
     * outcome, or {@code pending} when it is not done by the time the answer is due.
     */
    public Outcome run(@Variable("case") AlertCase alert) {
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - alert.receivedNanos());
        long dueInMs = Math.max(0, answerWithinMs - elapsedMs);
        boolean allBusy = allBusy();
        CompletableFuture<Outcome> run = CompletableFuture.supplyAsync(() -> process(alert), workers);
        if (allBusy) {
            // Every worker is busy: waiting here would only hold one of the HTTP server's threads while later alerts
            // queue behind it, so the answer is given now.
            dueInMs = 0;
        }
        try {
            return run.get(dueInMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.info("not done when the answer was due: answering 202 pending, the outcome will be journaled");
            // the caller is answered pending (counted with the answer); the outcome is counted when it is decided
            run.thenAccept(outcome -> counted(alert, outcome));
            return Outcome.pending(alert, mode);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new RuntimeCamelException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeCamelException("interrupted while waiting for the order", e);
        }
    }

    /** True when every worker is running an alert: a new one waits in the queue. */
    private boolean allBusy() {
        return workers instanceof ThreadPoolExecutor pool && pool.getActiveCount() >= pool.getMaximumPoolSize();
    }

    /** Runs a journaled alert on an order worker; its outcome lands in the journal. */
    public void submit(AlertCase alert) {
        CompletableFuture.runAsync(() -> counted(alert, process(alert)), workers).exceptionally(failure -> {
            LOG.error("order run failed: {}", failure.getMessage(), failure);
            return null;
        });
    }

    /** Runs a journaled alert to its end on the calling thread (replays: no 3-second limit). */
    public Outcome runNow(AlertCase alert) {
        return counted(alert, process(alert));
    }

    /**
     * One account's order of an alert for several (route fan-out, docs/accounts.md#fan-out), to its end on the calling
     * thread; not counted on its own: the alert's answer, which lists it, is ({@code orders_total} counts alerts).
     */
    public Outcome runAccountOrder(@org.apache.camel.Body AlertCase alert) {
        return process(alert);
    }

    /** An outcome that no webhook answer carries is counted where it is decided. */
    private Outcome counted(AlertCase alert, Outcome outcome) {
        metrics.answered(outcome.status(), outcome.errorCode(), alert.receivedNanos());
        return outcome;
    }

    private Outcome process(AlertCase alert) {
        // the alert's lines on this worker carry its request id and alert id (its pair, side and outcome once known);
        // the worker's next alert starts from what was here before
        try (RequestLog.Scope logged = RequestLog.within(RequestLog.Context.ofAlert(alert.requestId(),
                alert.alertId()))) {
            return template.requestBody(ENDPOINT, alert, Outcome.class);
        } catch (CamelExecutionException e) {
            throw RuntimeCamelException.wrapRuntimeCamelException(e.getCause() == null ? e : e.getCause());
        }
    }
}
