package io.layerwatch.pipeline;

import io.layerwatch.event.EcrEvent;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/**
 * Bounded out-of-orderness, emitted as events arrive (at most once per second of event time)
 * rather than on a processing-time timer: which events count as late then depends only on the
 * input order, so a replay gives the same results however fast the machine is.
 */
final class BoundedLatenessWatermarks implements WatermarkGenerator<EcrEvent> {
    private static final long STEP_MILLIS = 1_000L;

    private final long boundMillis;
    private long maxTimestamp = Long.MIN_VALUE;
    private long emitted = Long.MIN_VALUE;

    BoundedLatenessWatermarks(Duration bound) {
        this.boundMillis = bound.toMillis();
    }

    @Override
    public void onEvent(EcrEvent event, long eventTimestamp, WatermarkOutput output) {
        maxTimestamp = Math.max(maxTimestamp, eventTimestamp);
        long candidate = maxTimestamp - boundMillis - 1;
        if (candidate >= emitted + STEP_MILLIS || emitted == Long.MIN_VALUE) {
            emit(candidate, output);
        }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        if (maxTimestamp != Long.MIN_VALUE) {
            emit(maxTimestamp - boundMillis - 1, output);
        }
    }

    private void emit(long watermark, WatermarkOutput output) {
        if (watermark > emitted) {
            emitted = watermark;
            output.emitWatermark(new Watermark(watermark));
        }
    }
}
