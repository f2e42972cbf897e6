package io.layerwatch.pipeline;

import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.FindingBuilder;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.stream.Stream;
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
 * <p>Replay input is nearly sorted already: files in time order, each sorted, a few overlapping (accounts,
 * regions). An event joins the first of a few plain queues ({@code runs}) whose last event is not after
 * it; only the others go to a priority queue. Release takes the smallest head of them all.
 */
final class EventTimeOrder extends AbstractStreamOperator<EcrEvent> implements OneInputStreamOperator<EcrEvent, EcrEvent> {
    private static final long serialVersionUID = 1L;
    /** {@link FindingBuilder#EVENT_ORDER}, then arrival: written out, it is most of the sorting's cost. */
    private static final Comparator<Held> ORDER = (a, b) -> {
        int c = Long.compare(a.event.eventTime(), b.event.eventTime());
        if (c == 0) {
            c = a.event.eventId().compareTo(b.event.eventId());
        }
        return c != 0 ? c : Long.compare(a.arrival, b.arrival);
    };

    private static final int RUNS = 8;

    /** Held events in arrival order that are also in {@link #ORDER}: in each, none before the one ahead of it. */
    private transient ArrayDeque<Held>[] runs;
    /** The other held events. */
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
        runs = newRuns();
        held = new PriorityQueue<>(ORDER);
        for (EcrEvent e : checkpointed.get()) {
            hold(e); // in the order they were held: ties keep it
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        checkpointed.update(Stream.concat(Arrays.stream(runs).flatMap(ArrayDeque::stream), held.stream()).sorted(ORDER)
                .map(Held::event).toList());
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

    @SuppressWarnings("unchecked")
    private static ArrayDeque<Held>[] newRuns() {
        ArrayDeque<Held>[] runs = new ArrayDeque[RUNS];
        Arrays.setAll(runs, i -> new ArrayDeque<>());
        return runs;
    }

    private void hold(EcrEvent e) {
        Held h = new Held(e, arrivals++);
        for (ArrayDeque<Held> run : runs) {
            if (run.isEmpty() || ORDER.compare(run.peekLast(), h) <= 0) {
                run.addLast(h);
                return;
            }
        }
        held.add(h);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        watermark = Math.max(watermark, mark.getTimestamp());
        while (true) {
            Held next = held.peek();
            ArrayDeque<Held> from = null;
            for (ArrayDeque<Held> run : runs) {
                Held head = run.peekFirst();
                if (head != null && (next == null || ORDER.compare(head, next) < 0)) {
                    next = head;
                    from = run;
                }
            }
            if (next == null || next.event.eventTime() > watermark) {
                break;
            }
            (from == null ? held : from).poll();
            output.collect(out.replace(next.event, next.event.eventTime()));
        }
        super.processWatermark(mark);
    }
}
