package io.layerwatch.sinks.policy;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.SinksConfig;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.Incident;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * A sink's {@code policy.incidents} PAGE or ONLY: an incident goes out once, its first version;
 * members that carry an incident id never go out on their own (unless the sink excludes
 * attack-sequence: then they go out as before); with ONLY nothing else does either. Keyed by
 * finding id: the ids of incidents sent are remembered until {@link #REMEMBER} of event time passes
 * without a new version (event-time timers, as {@link SuppressRepeats}), a TTL bounds the state
 * should a timer never fire. A version after that is a new page.
 */
public final class OncePerIncident extends KeyedProcessFunction<String, Finding, Finding> {
    private static final long serialVersionUID = 1L;

    /** How long after its latest version an incident id is remembered (event time). */
    public static final Duration REMEMBER = Duration.ofDays(1);

    private final boolean only;
    private final boolean membersInIncidents;
    private final long rememberMillis;
    private transient ValueState<Long> until;

    /**
     * @param policy incidents PAGE or ONLY
     */
    public OncePerIncident(SinksConfig.Policy policy, Duration remember) {
        if (policy.incidents() == SinksConfig.Incidents.ALL) {
            throw new IllegalArgumentException("incidents: all needs no operator");
        }
        this.only = policy.incidents() == SinksConfig.Incidents.ONLY;
        this.membersInIncidents = !policy.excludeRules().contains(RuleCatalog.ATTACK_SEQUENCE);
        this.rememberMillis = remember.toMillis();
    }

    /**
     * The sink's severity and rule filters for any finding; an incident also passes includeRules
     * when one of its members' rules is listed (an incident with a repository-exposed finding
     * reaches a sink that includes repository-exposed).
     */
    public static boolean admits(SinksConfig.Policy policy, Finding f) {
        if (policy.admits(f.ruleId(), f.severity())) {
            return true;
        }
        return f.incident()
                && !policy.excludeRules().contains(f.ruleId())
                && f.severity().atLeast(policy.minSeverity())
                && Incident.of(f)
                        .map(i -> i.rules().stream().anyMatch(policy.includeRules()::contains))
                        .orElse(false);
    }

    public static String key(Finding f) {
        return f.id();
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<Long> d =
                new ValueStateDescriptor<>("incident-sent-until", Types.LONG);
        d.enableTimeToLive(
                StateTtlConfig.newBuilder(Duration.ofMillis(2 * rememberMillis))
                        .cleanupFullSnapshot()
                        .build());
        until = getRuntimeContext().getState(d);
    }

    @Override
    public void processElement(Finding f, Context ctx, Collector<Finding> out) throws Exception {
        if (!f.incident()) {
            if (!only && (f.incidentId() == null || !membersInIncidents)) {
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
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Finding> out)
            throws Exception {
        Long end = until.value();
        if (end != null && end == timestamp) {
            until.clear();
        }
    }
}
