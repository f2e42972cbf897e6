package io.layerwatch.pipeline;

import io.layerwatch.event.EcrEvent;
import java.time.Duration;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by {@link #key} (account and event id): passes the first sighting of each event, drops the
 * copies that at-least-once delivery (Kinesis producers, EventBridge, CloudTrail) brings while the
 * watermark has not passed the event's time plus the lateness bound, late copies included. The
 * sighting is forgotten at that point (an event-time timer); a processing-time TTL forgets it as
 * well should event time stall.
 */
final class DropDuplicates extends KeyedProcessFunction<String, EcrEvent, EcrEvent> {
    private static final long serialVersionUID = 1L;

    /** The TTL backstop is at least this long, so that it never forgets before the timer would. */
    static final Duration MIN_TTL = Duration.ofHours(1);

    private final long lateness;
    private final Duration ttl;
    private transient ValueState<Boolean> seen;
    private transient LongCounter dropped;
    private transient Counter droppedMetric;

    DropDuplicates(Duration maxOutOfOrderness) {
        this.lateness = maxOutOfOrderness.toMillis();
        Duration threeBounds = maxOutOfOrderness.multipliedBy(3);
        this.ttl = threeBounds.compareTo(MIN_TTL) > 0 ? threeBounds : MIN_TTL;
    }

    /** What makes two events the same: the account that received the call and the event id. */
    static String key(EcrEvent e) {
        return e.accountId() + "/" + e.eventId();
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<Boolean> descriptor =
                new ValueStateDescriptor<>("seen", Types.BOOLEAN);
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(ttl).build());
        seen = getRuntimeContext().getState(descriptor);
        dropped = getRuntimeContext().getLongCounter(Counters.DUPLICATES_DROPPED);
        droppedMetric = Counters.metrics(getRuntimeContext()).counter(Counters.DUPLICATES_DROPPED);
    }

    @Override
    public void processElement(EcrEvent e, Context ctx, Collector<EcrEvent> out) throws Exception {
        if (seen.value() != null) {
            dropped.add(1);
            droppedMetric.inc();
            return;
        }
        seen.update(Boolean.TRUE);
        ctx.timerService().registerEventTimeTimer(e.eventTime() + lateness);
        out.collect(e);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<EcrEvent> out) {
        seen.clear();
    }
}
