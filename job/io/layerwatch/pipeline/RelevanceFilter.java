package io.layerwatch.pipeline;

import io.layerwatch.event.EcrEvent;
import io.layerwatch.event.EventKind;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFilterFunction;
import org.apache.flink.metrics.Counter;

/**
 * Only ECR calls, scans and image actions in the requested time range, accounts and regions go on,
 * and the session origins there (for workload-credentials-outside; not counted as matched).
 */
final class RelevanceFilter extends RichFilterFunction<EcrEvent> {
    private static final long serialVersionUID = 1L;
    private final InputScope scope;
    private transient LongCounter matched;
    private transient LongCounter scansFailed;
    private transient Counter matchedMetric;

    RelevanceFilter(InputScope scope) {
        this.scope = scope;
    }

    @Override
    public void open(OpenContext openContext) {
        matched = getRuntimeContext().getLongCounter(Counters.EVENTS_MATCHED);
        scansFailed = getRuntimeContext().getLongCounter(Counters.SCANS_FAILED);
        matchedMetric = Counters.metrics(getRuntimeContext()).counter(Counters.EVENTS_MATCHED);
    }

    @Override
    public boolean filter(EcrEvent e) {
        if (e.kind() == EventKind.SESSION_ORIGIN) {
            return scope.keeps(e);
        }
        if (!e.analysed() || !scope.keeps(e)) {
            return false;
        }
        if (e.kind() == EventKind.IMAGE_SCAN && "FAILED".equals(e.scanStatus())) {
            scansFailed.add(1);
        }
        matched.add(1);
        matchedMetric.inc();
        return true;
    }
}
