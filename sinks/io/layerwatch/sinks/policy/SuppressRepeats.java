package io.layerwatch.sinks.policy;

import io.layerwatch.finding.Finding;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Folds repeats into one notification: the first finding of a (rule, principal, repository) passes
 * at once; further ones within the window are held back and counted, and when the window closes the
 * latest of them goes out once, marked with the number of repeats. Event time, so replays fold like
 * live traffic. Keyed by {@link #key(Finding)}.
 */
public final class SuppressRepeats extends KeyedProcessFunction<String, Finding, Finding> {
    private static final long serialVersionUID = 1L;

    private final long windowMillis;
    private transient ValueState<Long> windowEnd;
    private transient ValueState<Integer> repeats;
    private transient ValueState<Finding> latest;

    public SuppressRepeats(Duration window) {
        this.windowMillis = window.toMillis();
    }

    /**
     * Rule, principal and repository; an incident's versions by its id (two incidents are never
     * repeats).
     */
    public static String key(Finding f) {
        if (f.incident()) {
            return f.ruleId() + "|" + f.id();
        }
        return f.ruleId()
                + "|"
                + f.principal().arn()
                + "|"
                + (f.repository() == null ? "" : f.repository().name());
    }

    @Override
    public void open(OpenContext openContext) {
        // Timers clear the state; the TTL bounds it should a timer never fire (idle key, lost
        // watermark).
        StateTtlConfig ttl =
                StateTtlConfig.newBuilder(Duration.ofMillis(Math.max(2 * windowMillis, 3_600_000L)))
                        .cleanupFullSnapshot()
                        .build();
        windowEnd =
                getRuntimeContext()
                        .getState(
                                withTtl(new ValueStateDescriptor<>("window-end", Types.LONG), ttl));
        repeats =
                getRuntimeContext()
                        .getState(withTtl(new ValueStateDescriptor<>("repeats", Types.INT), ttl));
        latest =
                getRuntimeContext()
                        .getState(
                                withTtl(
                                        new ValueStateDescriptor<>(
                                                "latest", TypeInformation.of(Finding.class)),
                                        ttl));
    }

    private static <T> ValueStateDescriptor<T> withTtl(
            ValueStateDescriptor<T> d, StateTtlConfig ttl) {
        d.enableTimeToLive(ttl);
        return d;
    }

    @Override
    public void processElement(Finding f, Context ctx, Collector<Finding> out) throws Exception {
        long time = f.lastEventTime().toEpochMilli();
        Long end = windowEnd.value();
        if (end != null && time >= end) {
            close(out); // the window is over in event time even if its timer has not fired yet
            end = null;
        }
        if (end == null) {
            out.collect(f);
            windowEnd.update(time + windowMillis);
            ctx.timerService().registerEventTimeTimer(time + windowMillis);
            return;
        }
        repeats.update(repeats.value() == null ? 1 : repeats.value() + 1);
        latest.update(f);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Finding> out)
            throws Exception {
        Long end = windowEnd.value();
        if (end != null && end == timestamp) {
            close(out);
        }
    }

    private void close(Collector<Finding> out) throws Exception {
        Integer n = repeats.value();
        Finding last = latest.value();
        windowEnd.clear();
        repeats.clear();
        latest.clear();
        if (n != null && last != null) {
            out.collect(digest(last, n));
        }
    }

    /** The latest repeat, marked with how many were folded into it. */
    static Finding digest(Finding f, int repeats) {
        Map<String, Object> details = new LinkedHashMap<>(f.details());
        details.put("suppressedRepeats", repeats);
        return new Finding(
                f.id(),
                f.ruleId(),
                f.severity(),
                "(" + repeats + " repeat" + (repeats == 1 ? "" : "s") + ") " + f.title(),
                f.description(),
                f.accountId(),
                f.region(),
                f.principal(),
                f.repository(),
                f.sourceIp(),
                f.userAgent(),
                f.firstEventTime(),
                f.lastEventTime(),
                f.eventCount(),
                f.key(),
                f.eventIds(),
                details,
                f.evidence(),
                f.attack());
    }
}
