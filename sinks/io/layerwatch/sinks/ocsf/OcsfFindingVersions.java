package io.layerwatch.sinks.ocsf;

import io.layerwatch.finding.Finding;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Findings keyed by id to OCSF events: the first version of an id is a Create, every later one (a
 * folded episode grown, a registry seen again, a redelivered event) an Update. The finding alone
 * cannot tell (a first version may span many events; a registry-not-assessed update has one), so
 * the ids seen are kept in keyed state, checkpointed with the job and bounded by a TTL: an id with
 * no new version for {@link #REMEMBER} is forgotten and its next version is a Create again
 * (consumers upsert by finding_info.uid either way).
 */
final class OcsfFindingVersions extends KeyedProcessFunction<String, Finding, OcsfEvent> {
    private static final long serialVersionUID = 1L;

    static final Duration REMEMBER = Duration.ofDays(30);

    private transient ValueState<Boolean> seen;

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<Boolean> d =
                new ValueStateDescriptor<>("ocsf-finding-seen", Types.BOOLEAN);
        d.enableTimeToLive(StateTtlConfig.newBuilder(REMEMBER).cleanupFullSnapshot().build());
        seen = getRuntimeContext().getState(d);
    }

    @Override
    public void processElement(Finding f, Context ctx, Collector<OcsfEvent> out) throws Exception {
        boolean update = seen.value() != null;
        seen.update(true);
        out.collect(OcsfEvent.of(f, update));
    }
}
