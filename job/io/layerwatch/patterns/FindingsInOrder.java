package io.layerwatch.patterns;

import io.layerwatch.finding.Finding;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * A keyed step over findings that judges them as they arrive (streaming: at once) or in event-time order
 * (replay): then each waits until the watermark passes its last event, and those due together are judged in
 * {@link #ORDER}, so the result does not depend on how parallel subtasks interleave. One arriving behind the
 * watermark is judged at once.
 */
public abstract class FindingsInOrder extends KeyedProcessFunction<String, Finding, Finding> {
    private static final long serialVersionUID = 1L;

    /** By last event time, then first event time, rule, id and count (versions of one finding grow in count). */
    public static final Comparator<Finding> ORDER = Comparator.comparing(Finding::lastEventTime)
            .thenComparing(Finding::firstEventTime).thenComparing(Finding::ruleId).thenComparing(Finding::id)
            .thenComparingLong(Finding::eventCount);

    private final boolean inOrder;
    private final Duration retention;
    private transient MapState<Long, List<Finding>> pending;

    /**
     * @param inOrder judge in event-time order (false: as they arrive)
     * @param retention bounds buffered findings should the clock stall
     */
    protected FindingsInOrder(boolean inOrder, Duration retention) {
        this.inOrder = inOrder;
        this.retention = retention;
    }

    /** Judges one finding; {@code ctx} is the element's or the timer's. */
    protected abstract void judge(Finding f, Context ctx, Collector<Finding> out) throws Exception;

    /** An event-time timer of the subclass's own fired (not one of the buffer's). */
    protected void onClock(long timestamp, OnTimerContext ctx, Collector<Finding> out) throws Exception {}

    @Override
    public void open(Configuration parameters) throws Exception {
        if (inOrder) {
            MapStateDescriptor<Long, List<Finding>> d = new MapStateDescriptor<>("in-order", Types.LONG,
                    Types.LIST(TypeInformation.of(Finding.class)));
            d.enableTimeToLive(StateTtlConfig.newBuilder(retention).cleanupFullSnapshot()
                    .disableCleanupInBackground().build());
            pending = getRuntimeContext().getMapState(d);
        }
    }

    @Override
    public void processElement(Finding f, Context ctx, Collector<Finding> out) throws Exception {
        long time = f.lastEventTime().toEpochMilli();
        if (!inOrder || time <= ctx.timerService().currentWatermark()) {
            judge(f, ctx, out);
            return;
        }
        List<Finding> due = pending.get(time);
        if (due == null) {
            due = new ArrayList<>();
            ctx.timerService().registerEventTimeTimer(time);
        }
        due.add(f);
        pending.put(time, due);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Finding> out) throws Exception {
        List<Finding> due = inOrder ? pending.get(timestamp) : null;
        if (due != null) {
            pending.remove(timestamp);
            due.sort(ORDER);
            for (Finding f : due) {
                judge(f, ctx, out);
            }
        }
        onClock(timestamp, ctx, out);
    }
}
