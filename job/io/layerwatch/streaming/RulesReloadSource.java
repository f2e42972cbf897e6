package io.layerwatch.streaming;

import io.layerwatch.config.RulesUpdate;
import io.layerwatch.pipeline.Counters;
import java.time.Duration;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.source.RichSourceFunction;

/**
 * Polls the rules URI every interval and emits changed, valid rules for the broadcast side of the
 * pipeline. Parallelism 1; no state of its own (after a restore the rules are read afresh, and the
 * last broadcast update is in the operators' broadcast state).
 */
public final class RulesReloadSource extends RichSourceFunction<RulesUpdate> {
    private static final long serialVersionUID = 1L;

    private final RulesReloader reloader;
    private final long intervalMillis;
    private volatile boolean running = true;
    private transient Counter reloaded;
    private transient Counter rejected;
    private transient Counter restartRequired;

    public RulesReloadSource(RulesReloader reloader, Duration interval) {
        this.reloader = reloader;
        this.intervalMillis = interval.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        var metrics = Counters.metrics(getRuntimeContext());
        reloaded = metrics.counter("rulesReloaded");
        rejected = metrics.counter("rulesRejected");
        restartRequired = metrics.counter("rulesRestartRequired");
    }

    @Override
    public void run(SourceContext<RulesUpdate> ctx) throws Exception {
        // Rules are not event-time data: an idle input is left out of the rule operators' watermark, so
        // they follow the events' clock. (A final watermark instead would jump event time to the end
        // whenever the events themselves go idle.)
        ctx.markAsTemporarilyIdle();
        while (running) {
            Thread.sleep(intervalMillis);
            long rejectedBefore = reloader.rejected();
            long restartBefore = reloader.restartRequired();
            Optional<RulesUpdate> update = reloader.poll();
            rejected.inc(reloader.rejected() - rejectedBefore);
            restartRequired.inc(reloader.restartRequired() - restartBefore);
            if (update.isPresent()) {
                synchronized (ctx.getCheckpointLock()) {
                    ctx.collect(update.get());
                    ctx.markAsTemporarilyIdle();
                }
                reloaded.inc();
            }
        }
    }

    @Override
    public void cancel() {
        running = false;
    }
}
