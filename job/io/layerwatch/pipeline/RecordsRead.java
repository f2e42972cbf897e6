package io.layerwatch.pipeline;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.metrics.Counter;

/**
 * Counts records read, and those of them the prefilter skipped, where the reading happens: the
 * accumulators of the replay summary, the metric, and the local replay's progress (null: none).
 */
final class RecordsRead {
    private final LongCounter eventsRead;
    private final LongCounter prefiltered;
    private final Counter eventsReadMetric;
    private final ReadProgress progress;

    /**
     * @param progress null: none
     */
    RecordsRead(RuntimeContext ctx, ReadProgress progress) {
        eventsRead = ctx.getLongCounter(Counters.EVENTS_READ);
        prefiltered = ctx.getLongCounter(Counters.PREFILTERED);
        eventsReadMetric = Counters.metrics(ctx).counter(Counters.EVENTS_READ);
        this.progress = progress;
    }

    void read(long records) {
        eventsRead.add(records);
        eventsReadMetric.inc(records);
        if (progress != null) {
            progress.records(records);
        }
    }

    void prefiltered(long records) {
        read(records);
        prefiltered.add(records);
    }

    void fileDone(long bytes) {
        if (progress != null) {
            progress.fileDone(bytes);
        }
    }
}
