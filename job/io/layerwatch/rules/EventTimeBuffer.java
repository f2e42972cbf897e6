package io.layerwatch.rules;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;

/**
 * Inputs held in keyed state until the watermark passes their event time, then handed out in a
 * given order: how a keyed step judges in event-time order whatever the arrival order ({@link
 * OrderedRule}, the finding steps of patterns). One event-time timer per distinct time drains it.
 */
public final class EventTimeBuffer<I> {
    private final MapState<Long, List<I>> pending;

    /**
     * @param retention the state's time to live, which only bounds a stalled clock (the timers
     *     drain it)
     */
    public EventTimeBuffer(
            RuntimeContext ctx, String name, TypeInformation<I> type, Duration retention) {
        MapStateDescriptor<Long, List<I>> d =
                new MapStateDescriptor<>(name, Types.LONG, Types.LIST(type));
        // No background cleanup: on the heap backend it deep-copies a key's whole buffer on every
        // access (quadratic for busy keys).
        d.enableTimeToLive(
                StateTtlConfig.newBuilder(retention)
                        .cleanupFullSnapshot()
                        .disableCleanupInBackground()
                        .build());
        pending = ctx.getMapState(d);
    }

    /**
     * Holds {@code in} until the watermark passes {@code time}; false when it has already (judge it
     * now).
     */
    public boolean hold(I in, long time, TimerService timers) throws Exception {
        if (time <= timers.currentWatermark()) {
            return false;
        }
        List<I> due = pending.get(time);
        if (due == null) {
            due = new ArrayList<>();
            timers.registerEventTimeTimer(time);
        }
        due.add(in);
        pending.put(time, due);
        return true;
    }

    /**
     * What was held for {@code timestamp} (a fired timer's), in {@code order}, and no longer held;
     * maybe none.
     */
    public List<I> release(long timestamp, Comparator<? super I> order) throws Exception {
        List<I> due = pending.get(timestamp);
        if (due == null) {
            return List.of();
        }
        pending.remove(timestamp);
        due.sort(order);
        return due;
    }
}
