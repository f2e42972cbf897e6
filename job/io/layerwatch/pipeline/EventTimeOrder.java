package io.layerwatch.pipeline;

import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.FindingBuilder;
import java.util.Comparator;
import java.util.PriorityQueue;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
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
 * at once, as they would reach the rules without it. Holds what the lateness bound holds back (in
 * operator state at checkpoints, in order).
 */
final class EventTimeOrder extends AbstractStreamOperator<EcrEvent> implements OneInputStreamOperator<EcrEvent, EcrEvent> {
    private static final long serialVersionUID = 1L;
    private static final Comparator<Held> ORDER = Comparator.comparing(Held::event, FindingBuilder.EVENT_ORDER)
            .thenComparingLong(Held::arrival);

    private transient PriorityQueue<Held> held;
    private transient ListState<EcrEvent> checkpointed;
    private transient StreamRecord<EcrEvent> out;
    private long arrivals;
    private long watermark = Long.MIN_VALUE;

    private record Held(EcrEvent event, long arrival) {}

    EventTimeOrder() {
        setChainingStrategy(ChainingStrategy.ALWAYS);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        checkpointed = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>("held", TypeInformation.of(EcrEvent.class)));
        held = new PriorityQueue<>(ORDER);
        for (EcrEvent e : checkpointed.get()) {
            held.add(new Held(e, arrivals++)); // in the order they were held: ties keep it
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        checkpointed.update(held.stream().sorted(ORDER).map(Held::event).toList());
    }

    @Override
    public void open() throws Exception {
        super.open();
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
