package io.layerwatch.pipeline;

import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.FindingBuilder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
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
 *
 * <p>Held events go into buckets by event time (CloudTrail's whole seconds: a bucket holds many), each in
 * arrival order; a bucket is sorted by event id (stably) when it is released. Replay input is nearly
 * sorted, so most events join the bucket the last one joined.
 */
final class EventTimeOrder extends AbstractStreamOperator<EcrEvent> implements OneInputStreamOperator<EcrEvent, EcrEvent> {
    private static final long serialVersionUID = 1L;
    /** Within one event time: {@link FindingBuilder#EVENT_ORDER}, used stably (arrival breaks ties). */
    private static final Comparator<EcrEvent> BY_ID = (a, b) -> a.eventId().compareTo(b.eventId());

    /** Held events by event time, each bucket in arrival order. */
    private transient TreeMap<Long, ArrayList<EcrEvent>> held;
    /** The bucket the last held event joined, and its time. */
    private transient ArrayList<EcrEvent> lastBucket;
    private transient long lastTime;
    private transient ListState<EcrEvent> checkpointed;
    private transient StreamRecord<EcrEvent> out;
    private long watermark = Long.MIN_VALUE;

    EventTimeOrder() {
        setChainingStrategy(ChainingStrategy.ALWAYS);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        checkpointed = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>("held", TypeInformation.of(EcrEvent.class)));
        held = new TreeMap<>();
        for (EcrEvent e : checkpointed.get()) {
            hold(e); // in the order they were held: ties keep it
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        List<EcrEvent> all = new ArrayList<>();
        for (ArrayList<EcrEvent> bucket : held.values()) {
            List<EcrEvent> sorted = new ArrayList<>(bucket);
            sorted.sort(BY_ID);
            all.addAll(sorted);
        }
        checkpointed.update(all);
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
            hold(record.getValue());
        }
    }

    private void hold(EcrEvent e) {
        long time = e.eventTime();
        if (lastBucket == null || time != lastTime) {
            lastBucket = held.computeIfAbsent(time, t -> new ArrayList<>(4));
            lastTime = time;
        }
        lastBucket.add(e);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        watermark = Math.max(watermark, mark.getTimestamp());
        while (!held.isEmpty() && held.firstKey() <= watermark) {
            ArrayList<EcrEvent> bucket = held.pollFirstEntry().getValue();
            if (bucket == lastBucket) {
                lastBucket = null;
            }
            bucket.sort(BY_ID);
            for (EcrEvent e : bucket) {
                output.collect(out.replace(e, e.eventTime()));
            }
        }
        super.processWatermark(mark);
    }
}
