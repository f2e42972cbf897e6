package io.layerwatch.patterns;

import io.layerwatch.finding.Finding;
import io.layerwatch.rules.EventTimeBuffer;
import java.time.Duration;
import java.util.Comparator;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * A keyed step over findings that judges them as they arrive (streaming: at once) or in event-time
 * order (replay): then each waits until the watermark passes its last event, and those due together
 * are judged in {@link #ORDER}, so the result does not depend on how parallel subtasks interleave.
 * One arriving behind the watermark is judged at once.
 */
public abstract class FindingsInOrder extends KeyedProcessFunction<String, Finding, Finding> {
    private static final long serialVersionUID = 1L;

    /**
     * By last event time, then first event time, rule, id and count (versions of one finding grow
     * in count).
     */
    public static final Comparator<Finding> ORDER =
            Comparator.comparing(Finding::lastEventTime)
                    .thenComparing(Finding::firstEventTime)
                    .thenComparing(Finding::ruleId)
                    .thenComparing(Finding::id)
                    .thenComparingLong(Finding::eventCount);

    private final boolean inOrder;
    private final Duration retention;
    private transient EventTimeBuffer<Finding> pending;

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

    /** A finding the step leaves as it is: passed on at once, never buffered. */
    protected abstract boolean passesAsIs(Finding f);

    /** An event-time timer of the subclass's own fired (not one of the buffer's). */
    protected void onClock(long timestamp, OnTimerContext ctx, Collector<Finding> out)
            throws Exception {}

    @Override
    public void open(OpenContext openContext) throws Exception {
        if (inOrder) {
            pending =
                    new EventTimeBuffer<>(
                            getRuntimeContext(),
                            "in-order",
                            TypeInformation.of(Finding.class),
                            retention);
        }
    }

    @Override
    public void processElement(Finding f, Context ctx, Collector<Finding> out) throws Exception {
        if (passesAsIs(f)) {
            out.collect(f);
        } else if (!inOrder
                || !pending.hold(f, f.lastEventTime().toEpochMilli(), ctx.timerService())) {
            judge(f, ctx, out);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Finding> out)
            throws Exception {
        if (inOrder) {
            for (Finding f : pending.release(timestamp, ORDER)) {
                judge(f, ctx, out);
            }
        }
        onClock(timestamp, ctx, out);
    }
}
