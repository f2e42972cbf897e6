package io.layerwatch.pipeline;

import io.layerwatch.event.EcrEvent;
import java.time.Duration;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Gives each event its CloudTrail event time as the record timestamp and passes the upstream
 * watermarks (the source's: per shard, its newest arrival time minus the lateness) on. When neither
 * a record nor a newer watermark has come for {@code idleness}, event time advances with the clock:
 * a record arriving now carries events at most the lateness old, so the watermark becomes now minus
 * the lateness. A quiet stream so still expires its state and closes its episodes, and this subtask
 * is never idle.
 */
final class EventTimestamps extends AbstractStreamOperator<EcrEvent>
        implements OneInputStreamOperator<EcrEvent, EcrEvent>, ProcessingTimeCallback {
    private static final long serialVersionUID = 1L;

    /** How often the clock is looked at, at most. */
    static final long CHECK_INTERVAL = 1_000;

    private final long lateness;
    private final long idleness;

    /** Processing time of the last record or watermark advance. */
    private transient long lastInput;

    /** The last watermark passed on. */
    private transient long watermark;

    EventTimestamps(Duration lateness, Duration idleness) {
        this.lateness = lateness.toMillis();
        this.idleness = idleness.toMillis();
        setChainingStrategy(ChainingStrategy.ALWAYS);
    }

    @Override
    public void open() throws Exception {
        super.open();
        watermark = Long.MIN_VALUE;
        lastInput = getProcessingTimeService().getCurrentProcessingTime();
        scheduleCheck(lastInput);
    }

    @Override
    public void processElement(StreamRecord<EcrEvent> record) {
        lastInput = getProcessingTimeService().getCurrentProcessingTime();
        output.collect(record.replace(record.getValue(), record.getValue().eventTime()));
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        if (mark.getTimestamp() > watermark) {
            lastInput = getProcessingTimeService().getCurrentProcessingTime();
            advance(mark.getTimestamp());
        }
    }

    /** Idle shards (or none at all) do not stop this subtask's clock: it stays active. */
    @Override
    public void processWatermarkStatus(WatermarkStatus status) {}

    @Override
    public void onProcessingTime(long now) throws Exception {
        if (now - lastInput >= idleness && now - lateness - 1 > watermark) {
            advance(now - lateness - 1);
        }
        scheduleCheck(now);
    }

    private void advance(long time) throws Exception {
        watermark = time;
        super.processWatermark(new Watermark(time));
    }

    @SuppressWarnings("FutureReturnValueIgnored") // a failing timer fails the task
    private void scheduleCheck(long now) {
        getProcessingTimeService()
                .registerTimer(now + Math.max(1, Math.min(idleness, CHECK_INTERVAL)), this);
    }
}
