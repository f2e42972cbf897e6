package io.layerwatch.pipeline;

import io.layerwatch.event.EcrEvent;
import java.time.Duration;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Event time from the events (replay, tests): each event's timestamp is its CloudTrail event time
 * and the watermark is the later of
 *
 * <ul>
 *   <li>the newest event time this subtask has seen minus the bound (emitted as events arrive, at
 *       most once per second of event time), and
 *   <li>the watermark from upstream: in a replay the file order's ({@link FileOrderWatermarks}),
 *       which moves every decoder on, also those whose files hold no ECR events.
 * </ul>
 *
 * No processing-time timer and no idleness: which events count as late depends only on the input
 * order, so a replay gives the same results however fast the machine is, and a decoder busy with a
 * slow file never lets the others' watermark overtake its records.
 */
final class BoundedLatenessWatermarks extends AdvancingWatermarks<EcrEvent> {
    private static final long serialVersionUID = 1L;
    private static final long STEP_MILLIS = 1_000L;

    private long maxTimestamp = Long.MIN_VALUE;

    BoundedLatenessWatermarks(Duration bound) {
        super(bound);
    }

    @Override
    public void processElement(StreamRecord<EcrEvent> record) {
        long time = record.getValue().eventTime();
        output.collect(record.replace(record.getValue(), time));
        if (time > maxTimestamp) {
            maxTimestamp = time;
            // whole seconds (CloudTrail's precision): at most one watermark per second of event
            // time, and a function of the newest event alone, so a decoder that saw fewer events is
            // never ahead
            advance(Math.floorDiv(maxTimestamp - boundMillis, STEP_MILLIS) * STEP_MILLIS - 1);
        }
    }
}
