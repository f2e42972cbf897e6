package io.layerwatch.sinks.policy;

import io.layerwatch.config.SinksConfig;
import io.layerwatch.finding.Finding;
import java.time.Duration;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.Collector;

/**
 * A sink's {@code policy.incidents} PAGE or ONLY: an incident goes out once, its first version; members
 * that carry an incident id never go out on their own; with ONLY nothing else does either. Keyed by
 * finding id: the ids of incidents sent are remembered until {@link #REMEMBER} of event time passes
 * without a new version (event-time timers, as {@link SuppressRepeats}), a TTL bounds the state should a
 * timer never fire. A version after that is a new page.
 */
public final class OncePerIncident extends KeyedProcessFunction<String, Finding, Finding> {
    private static final long serialVersionUID = 1L;

    /** How long after its latest version an incident id is remembered (event time). */
    public static final Duration REMEMBER = Duration.ofDays(1);

    private final boolean only;
    private final long rememberMillis;
    private transient ValueState<Long> until;

    /** @param policy PAGE or ONLY */
    public OncePerIncident(SinksConfig.Incidents policy, Duration remember) {
        if (policy == SinksConfig.Incidents.ALL) {
            throw new IllegalArgumentException("incidents: all needs no operator");
        }
        this.only = policy == SinksConfig.Incidents.ONLY;
        this.rememberMillis = remember.toMillis();
    }

    public static String key(Finding f) {
        return f.id();
    }

    @Override
    public void open(Configuration parameters) {
        ValueStateDescriptor<Long> d = new ValueStateDescriptor<>("incident-sent-until", Types.LONG);
        d.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofMillis(2 * rememberMillis)).cleanupFullSnapshot().build());
        until = getRuntimeContext().getState(d);
    }

    @Override
    public void processElement(Finding f, Context ctx, Collector<Finding> out) throws Exception {
        if (!f.incident()) {
            if (!only && f.incidentId() == null) {
                out.collect(f);
            }
            return;
        }
        long time = f.lastEventTime().toEpochMilli();
        Long end = until.value();
        if (end == null || time >= end) {
            out.collect(f);
        }
        long next = Math.max(end == null ? Long.MIN_VALUE : end, time + rememberMillis);
        until.update(next);
        ctx.timerService().registerEventTimeTimer(next);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Finding> out) throws Exception {
        Long end = until.value();
        if (end != null && end == timestamp) {
            until.clear();
        }
    }
}
