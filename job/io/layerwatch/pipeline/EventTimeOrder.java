package io.layerwatch.pipeline;

import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.FindingBuilder;
import java.util.Comparator;
import java.util.PriorityQueue;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Sorts the event stream once for every keyed rule after it (keys in place, see
 * {@link LayerWatchPipeline.Keying#IN_PLACE}): holds each event until the watermark passes it, then
 * emits the held events in event time (ties by event id, then arrival), and only then the watermark.
 * Each key's events thus arrive in the order CEP feeds them, and the keyed rules judge them at once
 * instead of buffering them per key under a timer each. Late events (at or behind the watermark) pass
 * at once, as they would reach the rules without it. Holds what the lateness bound holds back, in
 * memory and not in checkpoints: for replays, which take none.
 */
final class EventTimeOrder extends AbstractStreamOperator<EcrEvent> implements OneInputStreamOperator<EcrEvent, EcrEvent> {
    private static final long serialVersionUID = 1L;
    private static final Comparator<Held> ORDER = Comparator.comparing(Held::event, FindingBuilder.EVENT_ORDER)
            .thenComparingLong(Held::arrival);

    private transient PriorityQueue<Held> held;
    private transient StreamRecord<EcrEvent> out;
    private long arrivals;
    private long watermark = Long.MIN_VALUE;

    private record Held(EcrEvent event, long arrival) {}

    EventTimeOrder() {
        setChainingStrategy(ChainingStrategy.ALWAYS);
    }

    @Override
    public void open() throws Exception {
        super.open();
        held = new PriorityQueue<>(ORDER);
        out = new StreamRecord<>(null);
    }

    @Override
    public void processElement(StreamRecord<EcrEvent> record) {
        if (record.getValue().eventTime() <= watermark) {
            output.collect(record);
        } else {
            held.add(new Held(record.getValue(), arrivals++));
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        watermark = Math.max(watermark, mark.getTimestamp());
        while (!held.isEmpty() && held.peek().event().eventTime() <= watermark) {
            EcrEvent e = held.poll().event();
            output.collect(out.replace(e, e.eventTime()));
        }
        super.processWatermark(mark);
    }
}
