package io.layerwatch.pipeline;

import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.FindingBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Sorts the event stream once for every keyed rule after it (keys in place, see {@link
 * JobShape.Keying#IN_PLACE}): holds each event until the watermark passes it, then emits the held
 * events in event time (ties by event id, then arrival), and only then the watermark. Each key's
 * events thus arrive in the order CEP feeds them, and the keyed rules judge them at once instead of
 * buffering them per key under a timer each. Late events (at or behind the watermark) pass at once,
 * as they would reach the rules without it. Holds what the lateness bound holds back (in operator
 * state at checkpoints, in order).
 *
 * <p>Held events go into buckets by event time (CloudTrail's whole seconds: a bucket holds many),
 * each in arrival order; a bucket is sorted by event id (stably) when it is released. Replay input
 * is nearly sorted, so most events join the bucket the last one joined.
 *
 * <p>Drops the copies of an event (same account and event id: copies share the event time) that
 * at-least-once delivery brings, as {@link DropDuplicates} does with keys over the network: in a
 * released bucket copies are neighbours; a late copy is looked up among the ids released at its
 * time, which are kept (sorted, no events) until the watermark passes that time plus the lateness
 * bound. Those ids are not checkpointed (in place runs a replay, which does not restore).
 */
final class EventTimeOrder extends AbstractStreamOperator<EcrEvent>
        implements OneInputStreamOperator<EcrEvent, EcrEvent> {
    private static final long serialVersionUID = 1L;

    /**
     * Within one event time: {@link FindingBuilder#EVENT_ORDER}, used stably (arrival breaks ties).
     */
    private static final Comparator<EcrEvent> BY_ID = (a, b) -> a.eventId().compareTo(b.eventId());

    /** Held events by event time, each bucket in arrival order. */
    private transient TreeMap<Long, ArrayList<EcrEvent>> held;

    /** The bucket the last held event joined, and its time. */
    private transient ArrayList<EcrEvent> lastBucket;

    private transient long lastTime;
    private transient ListState<EcrEvent> checkpointed;
    private transient StreamRecord<EcrEvent> out;
    private long watermark = Long.MIN_VALUE;

    /**
     * Ids released (or passed late) by event time, until the watermark passes it plus {@link
     * #lateness}.
     */
    private transient TreeMap<Long, Released> released;

    private final long lateness;
    private transient LongCounter dropped;
    private transient Counter droppedMetric;

    EventTimeOrder(Duration maxOutOfOrderness) {
        this.lateness = maxOutOfOrderness.toMillis();
        setChainingStrategy(ChainingStrategy.ALWAYS);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        checkpointed =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        "held", TypeInformation.of(EcrEvent.class)));
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
        released = new TreeMap<>();
        dropped = getRuntimeContext().getLongCounter(Counters.DUPLICATES_DROPPED);
        droppedMetric = Counters.metrics(getMetricGroup()).counter(Counters.DUPLICATES_DROPPED);
    }

    @Override
    public void processElement(StreamRecord<EcrEvent> record) {
        EcrEvent e = record.getValue();
        if (e.eventTime() > watermark) {
            hold(e);
        } else if (e.eventTime() + lateness <= watermark) {
            output.collect(record); // beyond the bound: no longer compared
        } else if (released.computeIfAbsent(
                        e.eventTime(), t -> new Released(new String[0], new String[0]))
                .add(e)) {
            output.collect(record);
        } else {
            drop();
        }
    }

    private void drop() {
        dropped.add(1);
        droppedMetric.inc();
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
    @SuppressWarnings("ReferenceEquality") // the same bucket object
    public void processWatermark(Watermark mark) throws Exception {
        watermark = Math.max(watermark, mark.getTimestamp());
        while (!held.isEmpty() && held.firstKey() <= watermark) {
            Map.Entry<Long, ArrayList<EcrEvent>> first = held.pollFirstEntry();
            ArrayList<EcrEvent> bucket = first.getValue();
            if (bucket == lastBucket) {
                lastBucket = null;
            }
            bucket.sort(BY_ID);
            String[] ids = new String[bucket.size()];
            String[] accounts = new String[bucket.size()];
            int n = 0;
            int sameId = 0; // where the run of ids equal to this one starts among the released
            for (EcrEvent e : bucket) {
                if (n > 0 && !ids[n - 1].equals(e.eventId())) {
                    sameId = n;
                }
                if (Released.contains(accounts, sameId, n, e.accountId())) {
                    drop();
                    continue;
                }
                ids[n] = e.eventId();
                accounts[n++] = e.accountId();
                output.collect(out.replace(e, e.eventTime()));
            }
            if (first.getKey() + lateness > watermark) {
                released.put(
                        first.getKey(),
                        n == ids.length
                                ? new Released(ids, accounts)
                                : new Released(Arrays.copyOf(ids, n), Arrays.copyOf(accounts, n)));
            }
        }
        while (!released.isEmpty() && released.firstKey() + lateness <= watermark) {
            released.pollFirstEntry();
        }
        super.processWatermark(mark);
    }

    /**
     * The events released at one event time: their ids (sorted) with their accounts, and the late
     * ones that passed since.
     */
    private static final class Released {
        final String[] ids;
        final String[] accounts;
        Set<String> late;

        Released(String[] ids, String[] accounts) {
            this.ids = ids;
            this.accounts = accounts;
        }

        /** Whether {@code accounts[from..to)} holds {@code account}. */
        static boolean contains(String[] accounts, int from, int to, String account) {
            for (int i = from; i < to; i++) {
                if (Objects.equals(accounts[i], account)) {
                    return true;
                }
            }
            return false;
        }

        /** Adds a late event; false if it was seen at this time already. */
        boolean add(EcrEvent e) {
            int at = Arrays.binarySearch(ids, e.eventId());
            if (at >= 0) {
                int from = at;
                while (from > 0 && ids[from - 1].equals(e.eventId())) {
                    from--;
                }
                int to = at + 1;
                while (to < ids.length && ids[to].equals(e.eventId())) {
                    to++;
                }
                if (contains(accounts, from, to, e.accountId())) {
                    return false;
                }
            }
            if (late == null) {
                late = new HashSet<>();
            }
            return late.add(DropDuplicates.key(e));
        }
    }
}
