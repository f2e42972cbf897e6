package io.layerwatch.sinks.delivery;

import io.layerwatch.util.Json;
import io.layerwatch.util.SafeText;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriter;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.ElementConverter;
import org.apache.flink.connector.base.sink.writer.ResultHandler;
import org.apache.flink.connector.base.sink.writer.config.AsyncSinkWriterConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends batches off the task thread, paces requests, retries with backoff, dead-letters the rest.
 */
final class DeliverySinkWriter<T> extends AsyncSinkWriter<T, Delivery> {
    private static final Logger LOG = LoggerFactory.getLogger(DeliverySinkWriter.class);

    private final DeliveryTarget<T> target;
    private final RetryPolicy retry;
    private final DeliveryClient client;
    private final DeadLetterDestination.Writer deadLetters;
    private final ExecutorService sender;
    private final ScheduledExecutorService backoff;
    private final long pauseNanos;
    private long nextSendNanos;
    private final SinkMetrics metrics;

    DeliverySinkWriter(
            ElementConverter<T, Delivery> converter,
            Sink.InitContext context,
            DeliverySink<T> sink,
            Collection<BufferedRequestState<Delivery>> states) {
        super(
                converter,
                context,
                AsyncSinkWriterConfiguration.builder()
                        .setMaxBatchSize(sink.maxBatchSize())
                        .setMaxBatchSizeInBytes(sink.maxBatchBytes())
                        .setMaxInFlightRequests(sink.maxInFlight())
                        .setMaxBufferedRequests(sink.maxBuffered())
                        .setMaxTimeInBufferMS(sink.maxTimeInBuffer())
                        .setMaxRecordSizeInBytes(sink.maxRecordBytes())
                        .build(),
                states);
        this.target = sink.target();
        this.retry = sink.retry();
        this.client = target.connect();
        try {
            this.deadLetters = sink.deadLetters().open();
        } catch (Exception e) {
            throw new IllegalStateException(
                    "cannot open the dead-letter destination of sink " + target.name(), e);
        }
        double rps = target.limits().requestsPerSecond();
        this.pauseNanos = rps > 0 ? (long) (1_000_000_000L / rps) : 0L;
        this.sender =
                Executors.newSingleThreadExecutor(
                        r -> daemon(r, "layerwatch-" + target.name() + "-send"));
        this.backoff =
                Executors.newSingleThreadScheduledExecutor(
                        r -> daemon(r, "layerwatch-" + target.name() + "-retry"));
        this.metrics = SinkMetrics.register(context.metricGroup(), target.name());
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    protected void submitRequestEntries(List<Delivery> entries, ResultHandler<Delivery> handler) {
        List<Delivery> batch = new ArrayList<>();
        try {
            for (Delivery d : entries) {
                if (d.problem() != null) {
                    deadLetter(d.retried(), d.problem());
                } else {
                    batch.add(d);
                }
            }
        } catch (Exception e) {
            handler.completeExceptionally(e);
            return;
        }
        if (batch.isEmpty()) {
            handler.complete();
            return;
        }
        sender.execute(() -> settle(batch, send(batch), handler));
    }

    /** One result per entry: the client's, or the classified failure of the whole request. */
    private List<EntryResult> send(List<Delivery> batch) {
        try {
            pace();
            List<EntryResult> results = client.send(batch);
            if (results.size() != batch.size()) {
                throw new IllegalStateException(
                        target.name()
                                + " returned "
                                + results.size()
                                + " results for "
                                + batch.size()
                                + " entries");
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Collections.nCopies(batch.size(), EntryResult.retry("interrupted"));
        } catch (Exception e) {
            return Collections.nCopies(batch.size(), ErrorClassifier.classify(e));
        }
    }

    @SuppressWarnings("FutureReturnValueIgnored") // the retry only queues the entries again
    private void settle(
            List<Delivery> batch, List<EntryResult> results, ResultHandler<Delivery> handler) {
        try {
            List<Delivery> again = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                Delivery d = batch.get(i).retried();
                EntryResult r = results.get(i);
                switch (r.status()) {
                    case DELIVERED -> metrics.delivered().inc();
                    case REJECTED -> deadLetter(d, r.error());
                    default -> {
                        if (d.attempts() >= retry.maxAttempts()) {
                            deadLetter(
                                    d, "gave up after " + d.attempts() + " attempts: " + r.error());
                        } else {
                            again.add(d);
                        }
                    }
                }
            }
            if (again.isEmpty()) {
                handler.complete();
                return;
            }
            metrics.retried().inc(again.size());
            long wait = retry.backoff(again.get(0).attempts()).toMillis();
            backoff.schedule(() -> handler.retryForEntries(again), wait, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // The dead-letter destination itself failed: fail the job so it restarts from the last
            // checkpoint with these entries still buffered, rather than losing them.
            handler.completeExceptionally(e);
        }
    }

    private void pace() throws InterruptedException {
        if (pauseNanos == 0) {
            return;
        }
        long now = System.nanoTime();
        if (nextSendNanos > now) {
            TimeUnit.NANOSECONDS.sleep(nextSendNanos - now);
            now = nextSendNanos;
        }
        nextSendNanos = now + pauseNanos;
    }

    private void deadLetter(Delivery d, String error) throws Exception {
        metrics.deadLettered();
        LOG.warn(
                "sink {}: finding {} dead-lettered after {} attempt(s): {}",
                target.name(),
                SafeText.escape(d.findingId()),
                d.attempts(),
                SafeText.escape(error));
        deadLetters.write(
                new SinkDeadLetter(
                        target.name(),
                        d.findingId(),
                        error,
                        d.attempts(),
                        Instant.now().toString(),
                        Json.tree(d.finding())));
    }

    @Override
    protected long getSizeInBytes(Delivery entry) {
        return entry.sizeInBytes();
    }

    @Override
    public void close() {
        super.close();
        sender.shutdownNow();
        backoff.shutdownNow();
        try {
            client.close();
            deadLetters.close();
        } catch (Exception e) {
            LOG.warn("closing sink {}: {}", target.name(), e.toString());
        }
    }
}
