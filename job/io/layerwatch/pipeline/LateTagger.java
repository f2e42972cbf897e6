package io.layerwatch.pipeline;

import io.layerwatch.event.EcrEvent;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Passes every event on; copies those behind the watermark to the late side output and counts them.
 */
final class LateTagger extends ProcessFunction<EcrEvent, EcrEvent> {
    private static final long serialVersionUID = 1L;
    private transient LongCounter late;
    private transient Counter lateMetric;

    @Override
    public void open(OpenContext openContext) {
        late = getRuntimeContext().getLongCounter(Counters.LATE);
        lateMetric = Counters.metrics(getRuntimeContext()).counter(Counters.LATE);
    }

    @Override
    public void processElement(EcrEvent e, Context ctx, Collector<EcrEvent> out) {
        if (e.analysed() && e.eventTime() <= ctx.timerService().currentWatermark()) {
            late.add(1);
            lateMetric.inc();
            ctx.output(LayerWatchPipeline.LATE_EVENTS, e);
        }
        out.collect(e);
    }
}
