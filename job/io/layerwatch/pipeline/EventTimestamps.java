package io.layerwatch.pipeline;

import io.layerwatch.event.EcrEvent;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Gives each event its CloudTrail event time as the record timestamp and lets the upstream
 * watermarks (the source's, per shard) pass unchanged.
 */
final class EventTimestamps extends AbstractStreamOperator<EcrEvent> implements OneInputStreamOperator<EcrEvent, EcrEvent> {
    private static final long serialVersionUID = 1L;

    EventTimestamps() {
        setChainingStrategy(ChainingStrategy.ALWAYS);
    }

    @Override
    public void processElement(StreamRecord<EcrEvent> record) {
        output.collect(record.replace(record.getValue(), record.getValue().eventTime()));
    }
}
