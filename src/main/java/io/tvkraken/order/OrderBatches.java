package io.tvkraken.order;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tvkraken.kraken.Deadlines;
import io.tvkraken.kraken.KrakenCall;
import io.tvkraken.kraken.KrakenReply;
import io.tvkraken.kraken.KrakenUnavailableException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AddOrders of one pair waiting for the same API key, sent together in one {@code AddOrderBatch}
 * (docs/kraken.md#bursts-on-one-key). Off unless {@code kraken.batch-orders} is 2 or more.
 *
 * <p>Nothing is held back to fill a batch: an AddOrder is {@linkplain #queued registered} as it is queued for its key's
 * sender; when the sender's turn comes to one of them ({@link #gather}), it takes every order of the same pair that is
 * still waiting for that key (up to the maximum, oldest first) and sends them together. The orders taken this way are
 * still in the sender's queue: when their turn comes they send nothing and get their own entry of the batch's answer
 * ({@link #answerOf}). Each order keeps its journal row, its client order id and its worker, which decides its outcome
 * with the one policy of the service ({@link OrderOutcomes}, {@link OrderVerdict}) from its own entry:
 *
 * <ul>
 *   <li>each order's deadline is asked for on its own (an order too late fails alone, {@code too_late}); the batch
 *       carries the earliest, and every row is marked {@code sending} with it, committed, before the batch leaves;</li>
 *   <li>a batch Kraken refuses (its validation fails for the whole batch) answers every order with the batch's
 *       errors: each is rejected with them;</li>
 *   <li>a batch Kraken accepts answers each order from its own entry: placed with its txid, or refused with its
 *       error;</li>
 *   <li>a batch without a clear answer (a timeout, a reset, an outage) fails every order with that failure: each row,
 *       {@code sending}, goes to {@code reconciling} and is looked up by its own client order id.</li>
 * </ul>
 *
 * <p>Only an AddOrder with a {@code cl_ord_id} and without a conditional close is batched; the others (a
 * {@code userref} where Kraken forbids {@code cl_ord_id}) leave on their own, as do validations. The trading counter of
 * the pair has been charged per order before the order was queued ({@code RateBudget}).
 */
public class OrderBatches {

    private static final Logger LOG = LoggerFactory.getLogger(OrderBatches.class);
    /** The exchange variable that holds the batch the sender is sending. */
    public static final String BATCH_VARIABLE = "orderBatch";
    /** The exchange variable set when this order already left in another order's batch. */
    public static final String SENT_IN_BATCH_VARIABLE = "sentInBatch";
    /** How long an order that left in a batch waits for the batch's answer at most (a few HTTP timeouts). */
    static final long ANSWER_WAIT_MS = 30_000;

    private final int maxOrders;
    private final OrderLifecycle lifecycle;
    /** AddOrders queued for a key's sender and not taken yet, by journal row, oldest first. Guarded by this. */
    private final Map<Long, KrakenCall> waiting = new LinkedHashMap<>();
    /** The answers of orders that left in a batch, by journal row, until their own turn reads them. Guarded by this. */
    private final Map<Long, CompletableFuture<KrakenReply>> answers = new HashMap<>();

    /** @param maxOrders orders per AddOrderBatch at most (2 to 15); 0 or 1: every order leaves alone */
    public OrderBatches(int maxOrders, OrderLifecycle lifecycle) {
        this.maxOrders = maxOrders;
        this.lifecycle = lifecycle;
    }

    /** Whether orders are batched at all. */
    public boolean on() {
        return maxOrders >= 2;
    }

    /** Whether {@code call} may leave in an AddOrderBatch. */
    boolean batchable(KrakenCall call) {
        return on() && call.placesOrder() && !call.batch() && call.journalEntry() != null && call.keyIndex() != null
                && "AddOrder".equals(call.method()) && call.params().containsKey("cl_ord_id")
                && call.params().keySet().stream().noneMatch(name -> name.startsWith("close["));
    }

    /** Route {@code kraken-trading}, right before an AddOrder is queued for its key's sender: it may be batched. */
    public KrakenCall queued(@Body KrakenCall call) {
        if (batchable(call)) {
            synchronized (this) {
                waiting.put(call.journalEntry(), call);
            }
        }
        return call;
    }

    /**
     * The order's hand-over to its key's sender failed (the worker gave up waiting, the sender was stopping): an
     * order still waiting is withdrawn, never to leave in a batch, and the failure stands; an order that another
     * order's batch took already may have left, so its answer is waited for and returned instead.
     */
    public KrakenReply handOverFailed(@Variable("tradingCall") KrakenCall call,
            @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Throwable failure) {
        boolean taken = false;
        if (call != null && call.journalEntry() != null && batchable(call)) {
            synchronized (this) {
                taken = waiting.remove(call.journalEntry()) == null && answers.containsKey(call.journalEntry());
            }
        }
        if (taken) {
            LOG.warn("the hand-over of journal entry {} failed after a batch took it: waiting for the batch's answer",
                    call.journalEntry());
            return take(call.journalEntry());
        }
        throw failure instanceof RuntimeException runtime ? runtime : new RuntimeCamelException(failure);
    }

    /**
     * A key's sender, about to place an order: the order alone; or, with other orders of its pair waiting for the
     * same key, an AddOrderBatch of them all (the exchange variable {@value #BATCH_VARIABLE}); or, when the order
     * already left in another order's batch, the order itself with {@value #SENT_IN_BATCH_VARIABLE} set: it is not
     * sent again, its answer is read ({@link #answerOf}).
     */
    public KrakenCall gather(@Body KrakenCall call, Exchange exchange) {
        exchange.removeVariable(BATCH_VARIABLE);
        exchange.removeVariable(SENT_IN_BATCH_VARIABLE);
        if (!batchable(call)) {
            return call;
        }
        List<KrakenCall> taken = new ArrayList<>();
        synchronized (this) {
            if (answers.containsKey(call.journalEntry())) {
                exchange.setVariable(SENT_IN_BATCH_VARIABLE, true);
                return call;
            }
            waiting.remove(call.journalEntry());
            taken.add(call);
            String pair = call.params().get("pair");
            for (Iterator<KrakenCall> it = waiting.values().iterator(); it.hasNext() && taken.size() < maxOrders; ) {
                KrakenCall other = it.next();
                if (other.keyIndex().equals(call.keyIndex()) && pair.equals(other.params().get("pair"))) {
                    it.remove();
                    taken.add(other);
                }
            }
            if (taken.size() == 1) {
                return call;
            }
            for (KrakenCall order : taken) {
                answers.put(order.journalEntry(), new CompletableFuture<>());
            }
        }
        exchange.setVariable(BATCH_VARIABLE, new Batch(call, taken));
        return KrakenCall.batchOf(taken, "");
    }

    /**
     * The sender's step before the first byte leaves (after the kill switch): an order alone as
     * {@link OrderLifecycle#leaving}; for a batch, each order's deadline, the earliest for all, and each row marked
     * {@code sending} with it. An order that cannot leave (too late, its row taken over, the journal unwritable) fails
     * alone and is left out. A batch left with one order leaves as a plain AddOrder; with none, nothing leaves.
     */
    public KrakenCall leaving(@Body KrakenCall call, @Variable(BATCH_VARIABLE) Batch batch, Exchange exchange) {
        if (batch == null || !call.batch()) {
            return exchange.getVariable(SENT_IN_BATCH_VARIABLE) != null ? call : lifecycle.leaving(call);
        }
        Map<KrakenCall, Instant> deadlines = new LinkedHashMap<>();
        for (KrakenCall order : call.orders()) {
            try {
                deadlines.put(order, lifecycle.deadlineFor(order));
            } catch (RuntimeException notNow) {
                batch.fail(this, order, notNow);
            }
        }
        Instant deadline = deadlines.values().stream().min(Instant::compareTo).orElse(null);
        List<KrakenCall> leaving = new ArrayList<>();
        for (KrakenCall order : deadlines.keySet()) {
            try {
                leaving.add(lifecycle.sending(order, deadline));
            } catch (RuntimeException notSent) {
                batch.fail(this, order, notSent);
            }
        }
        // every mark is on stable storage (each commit is synced) before the first byte leaves; an order whose mark
        // failed was left out above
        batch.leaving(leaving);
        if (leaving.isEmpty()) {
            // nothing leaves: the leader reads its own failure
            exchange.setVariable(SENT_IN_BATCH_VARIABLE, true);
            return batch.leader;
        }
        if (leaving.size() == 1) {
            return leaving.get(0);
        }
        LOG.info("{} orders of {} leave together, deadline {}", leaving.size(), call.params().get("pair"),
                Deadlines.format(deadline));
        return KrakenCall.batchOf(leaving, Deadlines.format(deadline));
    }

    /**
     * Kraken answered the call the sender sent: for an order alone, its answer as it is; for a batch, each order is
     * handed its own answer ({@link #split}) and the sender's own order's is returned.
     */
    public KrakenReply answered(@Body KrakenReply reply, @Variable(BATCH_VARIABLE) Batch batch) {
        if (batch == null) {
            return reply;
        }
        List<KrakenCall> sent = batch.leaving;
        List<KrakenReply> each = sent.size() == 1 ? List.of(reply) : split(reply, sent.size());
        for (int i = 0; i < sent.size(); i++) {
            batch.answer(this, sent.get(i), each.get(i));
        }
        return take(batch.leader.journalEntry());
    }

    /** An order that left in another order's batch: its own entry of the batch's answer, or the batch's failure. */
    public KrakenReply answerOf(@Body KrakenCall call) {
        return take(call.journalEntry());
    }

    /**
     * Last step of the sender, whatever happened: an order of the batch that has no answer yet (the batch failed, or
     * never left) gets the failure, and reads it when its turn comes.
     */
    public void settled(@Variable(BATCH_VARIABLE) Batch batch, @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Throwable
            failure, Exchange exchange) {
        if (batch == null) {
            return;
        }
        Throwable why = failure != null ? failure : exchange.getException();
        RuntimeException unanswered = why == null
                ? new IllegalStateException("the AddOrderBatch this order left in got no answer for it")
                : why instanceof RuntimeException runtime ? runtime : new RuntimeCamelException(why);
        for (KrakenCall order : batch.orders) {
            CompletableFuture<KrakenReply> answer;
            synchronized (this) {
                answer = answers.get(order.journalEntry());
            }
            if (answer != null) {
                answer.completeExceptionally(unanswered);
            }
        }
        synchronized (this) {
            // the sender's own order fails with the exchange itself: its answer is not read later
            if (why != null) {
                answers.remove(batch.leader.journalEntry());
            }
        }
        exchange.removeVariable(BATCH_VARIABLE);
    }

    private KrakenReply take(long row) {
        CompletableFuture<KrakenReply> answer;
        synchronized (this) {
            answer = answers.get(row);
        }
        if (answer == null) {
            throw new IllegalStateException("journal entry " + row + " left in a batch whose answer is gone");
        }
        try {
            return answer.get(ANSWER_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException runtime ? runtime : new RuntimeCamelException(cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer for journal entry " + row + " from the batch it left in");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a batch's answer", e);
        } finally {
            if (answer.isDone()) {
                synchronized (this) {
                    answers.remove(row);
                }
            }
        }
    }

    /**
     * One reply per order from AddOrderBatch's: {@code {"error":[],"result":{"orders":[{"descr":…,"txid":"…"},
     * {"error":"EOrder:…"},…]}}}, one entry per order in the order sent (docs/kraken.md#addorderbatch). A refused batch
     * (errors, no result) gives every order the batch's errors. Each entry becomes what an AddOrder would have
     * answered: {@code txid} as a one-element array, or the entry's error. An order without a readable entry gets
     * no reply (null): it may have been placed.
     */
    static List<KrakenReply> split(KrakenReply reply, int orders) {
        List<KrakenReply> each = new ArrayList<>();
        JsonNode entries = reply.result().path("orders");
        for (int i = 0; i < orders; i++) {
            if (!reply.errors().isEmpty()) {
                each.add(new KrakenReply(reply.httpStatus(), reply.errors(), reply.warnings(), reply.result()));
                continue;
            }
            JsonNode entry = entries.path(i);
            String error = entry.path("error").asText("");
            if (!error.isEmpty()) {
                each.add(new KrakenReply(reply.httpStatus(), List.of(error), List.of(),
                        com.fasterxml.jackson.databind.node.MissingNode.getInstance()));
            } else if (entry.path("txid").isTextual()) {
                ObjectNode result = JsonNodeFactory.instance.objectNode();
                result.set("descr", entry.path("descr").isMissingNode()
                        ? JsonNodeFactory.instance.objectNode() : entry.path("descr"));
                result.putArray("txid").add(entry.path("txid").asText());
                each.add(new KrakenReply(reply.httpStatus(), List.of(), reply.warnings(), result));
            } else {
                each.add(null);
            }
        }
        return each;
    }

    /** The orders one sender took together, and which of them left. */
    public static final class Batch {
        final KrakenCall leader;
        final List<KrakenCall> orders;
        List<KrakenCall> leaving = List.of();

        Batch(KrakenCall leader, List<KrakenCall> orders) {
            this.leader = leader;
            this.orders = List.copyOf(orders);
        }

        void leaving(List<KrakenCall> sent) {
            this.leaving = List.copyOf(sent);
        }

        void fail(OrderBatches batches, KrakenCall order, RuntimeException why) {
            future(batches, order).completeExceptionally(why);
        }

        void answer(OrderBatches batches, KrakenCall order, KrakenReply reply) {
            if (reply == null) {
                future(batches, order).completeExceptionally(new KrakenUnavailableException("AddOrder",
                        "AddOrderBatch's answer has no entry for this order", true, null));
            } else {
                future(batches, order).complete(reply);
            }
        }

        private static CompletableFuture<KrakenReply> future(OrderBatches batches, KrakenCall order) {
            synchronized (batches) {
                return batches.answers.computeIfAbsent(order.journalEntry(), row -> new CompletableFuture<>());
            }
        }

        @Override
        public String toString() {
            return "Batch[" + orders.size() + " orders]";
        }
    }

    @Override
    public String toString() {
        return "OrderBatches[" + (on() ? "up to " + maxOrders + " orders" : "off") + "]";
    }
}
