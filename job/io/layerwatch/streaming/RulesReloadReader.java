package io.layerwatch.streaming;

import io.layerwatch.config.RulesUpdate;
import io.layerwatch.pipeline.Counters;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.FlinkRuntimeException;

/**
 * Polls the rules URI every interval on a timer thread of its own (a read may wait on S3) and emits
 * the changed, valid rules from the task's thread. Idle throughout: the rules are not event-time
 * data, so the rule operators leave this input out of their watermark and follow the events' clock.
 */
final class RulesReloadReader implements SourceReader<RulesUpdate, RulesReloadSplit> {
    private final RulesReloader reloader;
    private final long intervalMillis;
    private final ScheduledExecutorService timer;
    private final Counter reloaded;
    private final Counter rejected;
    private final Counter restartRequired;

    /** Filled by the timer thread, drained by the task's. */
    private final Queue<Polled> polled = new ConcurrentLinkedQueue<>();

    private final Object lock = new Object();
    private CompletableFuture<Void> available = new CompletableFuture<>();
    private volatile Throwable failure;

    /** The rules YAML in force downstream; null until the split comes. */
    private String inForce;

    /**
     * What one poll found: an update to emit, and how many files it rejected or found needing a
     * restart.
     */
    private record Polled(Optional<RulesUpdate> update, long rejected, long restartRequired) {}

    RulesReloadReader(
            RulesReloader reloader,
            Duration interval,
            MetricGroup operatorMetrics,
            ScheduledExecutorService timer) {
        this.reloader = reloader;
        this.intervalMillis = interval.toMillis();
        this.timer = timer;
        MetricGroup metrics = Counters.metrics(operatorMetrics);
        reloaded = metrics.counter("rulesReloaded");
        rejected = metrics.counter("rulesRejected");
        restartRequired = metrics.counter("rulesRestartRequired");
    }

    @Override
    public void start() {
        // the enumerator assigns the split when this reader registers
    }

    @Override
    @SuppressWarnings("FutureReturnValueIgnored") // reload() hands its failure to pollNext
    public void addSplits(List<RulesReloadSplit> splits) {
        if (inForce != null || splits.size() != 1) {
            throw new IllegalStateException("the one rules split comes once; got " + splits);
        }
        inForce = splits.get(0).inForce();
        reloader.resume(inForce);
        timer.scheduleWithFixedDelay(
                this::reload, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    /** On the timer thread: one poll of the rules URI. */
    private void reload() {
        try {
            long rejectedBefore = reloader.rejected();
            long restartBefore = reloader.restartRequired();
            Optional<RulesUpdate> update = reloader.poll();
            Polled p =
                    new Polled(
                            update,
                            reloader.rejected() - rejectedBefore,
                            reloader.restartRequired() - restartBefore);
            if (update.isPresent() || p.rejected() > 0 || p.restartRequired() > 0) {
                polled.add(p);
                signal();
            }
        } catch (Throwable t) {
            failure = t;
            signal();
            throw t;
        }
    }

    private void signal() {
        CompletableFuture<Void> waiting;
        synchronized (lock) {
            waiting = available;
        }
        waiting.complete(null);
    }

    @Override
    public InputStatus pollNext(ReaderOutput<RulesUpdate> output) {
        output.markIdle();
        Throwable failed = failure;
        if (failed != null) {
            throw new FlinkRuntimeException("rules reload failed", failed);
        }
        Polled p = polled.poll();
        if (p == null) {
            return InputStatus.NOTHING_AVAILABLE;
        }
        rejected.inc(p.rejected());
        restartRequired.inc(p.restartRequired());
        if (p.update().isPresent()) {
            output.collect(p.update().get());
            inForce = p.update().get().yaml();
            reloaded.inc();
        }
        return polled.isEmpty() ? InputStatus.NOTHING_AVAILABLE : InputStatus.MORE_AVAILABLE;
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
        synchronized (lock) {
            if (available.isDone()) {
                available = new CompletableFuture<>();
            }
            if (!polled.isEmpty() || failure != null) {
                available.complete(null);
            }
            return available;
        }
    }

    @Override
    public List<RulesReloadSplit> snapshotState(long checkpointId) {
        return inForce == null ? List.of() : List.of(new RulesReloadSplit(inForce));
    }

    @Override
    public void notifyNoMoreSplits() {
        // the one split polls until the job ends
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
