package io.layerwatch.pipeline;

import java.time.Duration;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;

/**
 * A one-input operator that passes its records on and emits its own watermarks, never decreasing
 * and never behind the watermark from upstream: the common part of the replay's event-time
 * operators.
 */
abstract class AdvancingWatermarks<T> extends AbstractStreamOperator<T>
        implements OneInputStreamOperator<T, T> {
    private static final long serialVersionUID = 1L;

    /** The lateness bound (eventTime.maxOutOfOrderness). */
    protected final long boundMillis;

    private long emitted = Long.MIN_VALUE;

    AdvancingWatermarks(Duration bound) {
        this.boundMillis = bound.toMillis();
        setChainingStrategy(
                ChainingStrategy.ALWAYS); // chained to its input: no network hop of its own
    }

    @Override
    public void processWatermark(Watermark mark) {
        advance(mark.getTimestamp());
    }

    /** Emits {@code watermark} if it is later than the last one. */
    protected void advance(long watermark) {
        if (watermark > emitted) {
            emitted = watermark;
            output.emitWatermark(new Watermark(watermark));
        }
    }
}
