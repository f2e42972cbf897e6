package io.layerwatch.pipeline;

import io.layerwatch.config.RulesUpdate;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/** Passes updates on; idle from its start on, whatever watermarks come in. */
final class IdleRules extends AbstractStreamOperator<RulesUpdate>
        implements OneInputStreamOperator<RulesUpdate, RulesUpdate> {
    private static final long serialVersionUID = 1L;

    @Override
    public void open() throws Exception {
        super.open();
        output.emitWatermarkStatus(WatermarkStatus.IDLE);
    }

    @Override
    public void processElement(StreamRecord<RulesUpdate> update) {
        output.collect(update);
    }

    @Override
    public void processWatermark(Watermark mark) {
        // not event-time data
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus status) {
        // stays idle
    }
}
