package io.layerwatch.patterns;

import io.layerwatch.event.EcrEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * {@code begin(step, skipPastLastEvent).where(distinct).times(n).within(window)}, where an event is
 * taken unless its value (distinctBy; null: every event counts) already occurs among the events
 * taken.
 *
 * <p>CEP starts a partial match at every event and each takes every later event whose value is new
 * to it, so the partial match started at event i holds the first occurrence of each value from i
 * on. The earliest partial match holds the most values: it completes first, the skip strategy
 * discards the others. So: the events from the earliest partial match still in the window on, and
 * how often each value occurs among them; a match when they hold n distinct values (an event
 * without a value is a value of its own): the first occurrences, in order.
 */
final class DistinctBurst implements MatchLogic {
    private static final long serialVersionUID = 1L;

    private final String step;
    private final int n;
    private final long window;
    private final Function<EcrEvent, String> distinctBy;
    private transient EventQueue<?> events;
    private transient Counts counts;
    private transient StepValue<Integer> distinct;

    /**
     * @param distinctBy serializable, or null when every event counts
     */
    DistinctBurst(String step, int n, long window, Function<EcrEvent, String> distinctBy) {
        this.step = step;
        this.n = n;
        this.window = window;
        this.distinctBy = distinctBy;
    }

    @Override
    public void open(RuntimeContext ctx, boolean inPlace, String prefix) {
        String name = prefix + step;
        events = EventQueue.of(ctx, name, inPlace);
        counts = inPlace ? new InOneValue(ctx, name) : new Entries(ctx, name);
        distinct =
                new StepValue<>(
                        ctx.getState(new ValueStateDescriptor<>(name + "-distinct", Types.INT)));
    }

    @Override
    public void advance(long time) throws Exception {
        events.expire(time, window, this::forget);
        if (events.isEmpty()) {
            clear();
        }
    }

    @Override
    public void accept(EcrEvent e, Consumer<Map<String, List<EcrEvent>>> matches) throws Exception {
        int values = push(e);
        if (values < n) {
            distinct.set(values);
            return;
        }
        List<EcrEvent> taken = new ArrayList<>(n);
        Set<String> seen = new HashSet<>();
        for (EcrEvent x : events.all()) {
            String xv = value(x);
            if (taken.size() < n && (xv == null || seen.add(xv))) {
                taken.add(x);
            }
        }
        clear();
        matches.accept(Map.of(step, taken));
    }

    /** Queues the event and counts its value; returns the number of distinct values now queued. */
    private int push(EcrEvent e) throws Exception {
        events.add(e);
        String v = value(e);
        Integer c = v == null ? null : counts.get(v);
        if (v != null) {
            counts.put(v, c == null ? 1 : c + 1);
        }
        Integer before = distinct.get();
        return (before == null ? 0 : before) + (c == null ? 1 : 0);
    }

    /** The counts follow from the queued events: they are counted again. */
    @Override
    public void copyFrom(MatchLogic other) throws Exception {
        clear();
        for (EcrEvent e : ((DistinctBurst) other).events.all()) {
            distinct.set(push(e));
        }
    }

    @Override
    public void begin() {
        events.begin();
        counts.begin();
        distinct.begin();
    }

    @Override
    public void end() throws Exception {
        events.end();
        counts.end();
        distinct.end();
    }

    @Override
    public long nextTimeout() throws Exception {
        return events.nextTimeout(window);
    }

    /** An event leaves the window: one occurrence of its value fewer. */
    private void forget(EcrEvent e) {
        try {
            String v = value(e);
            Integer c = v == null ? null : counts.get(v);
            if (c == null || c == 1) {
                distinct.set(distinct.get() - 1);
                if (c != null) {
                    counts.remove(v);
                }
            } else {
                counts.put(v, c - 1);
            }
        } catch (Exception failure) {
            throw new IllegalStateException("keyed state of " + step, failure);
        }
    }

    private String value(EcrEvent e) {
        return distinctBy == null ? null : distinctBy.apply(e);
    }

    @Override
    public void clear() throws Exception {
        events.clear();
        counts.clear();
        distinct.set(null);
    }

    /** How often each value occurs among the queued events. */
    private interface Counts {
        Integer get(String value) throws Exception;

        void put(String value, int count) throws Exception;

        void remove(String value) throws Exception;

        void clear() throws Exception;

        default void begin() {}

        default void end() throws Exception {}
    }

    /** A map entry per value (any backend). */
    private static final class Entries implements Counts {
        private final MapState<String, Integer> counts;

        Entries(RuntimeContext ctx, String step) {
            counts =
                    ctx.getMapState(
                            new MapStateDescriptor<>(step + "-values", Types.STRING, Types.INT));
        }

        @Override
        public Integer get(String value) throws Exception {
            return counts.get(value);
        }

        @Override
        public void put(String value, int count) throws Exception {
            counts.put(value, count);
        }

        @Override
        public void remove(String value) throws Exception {
            counts.remove(value);
        }

        @Override
        public void clear() throws Exception {
            counts.clear();
        }
    }

    /**
     * Keys in place: the whole map as one value, read and written once per step (as {@link
     * EventQueue.Ring}).
     */
    private static final class InOneValue implements Counts {
        private final StepValue<Map<String, Integer>> counts;

        InOneValue(RuntimeContext ctx, String step) {
            counts =
                    new StepValue<>(
                            ctx.getState(
                                    new ValueStateDescriptor<>(
                                            step + "-value-counts",
                                            Types.MAP(Types.STRING, Types.INT))));
        }

        @Override
        public Integer get(String value) throws Exception {
            Map<String, Integer> m = counts.get();
            return m == null ? null : m.get(value);
        }

        @Override
        public void put(String value, int count) throws Exception {
            Map<String, Integer> m = counts.get();
            if (m == null) {
                m = new HashMap<>();
            }
            m.put(value, count);
            counts.set(m);
        }

        @Override
        public void remove(String value) throws Exception {
            Map<String, Integer> m = counts.get();
            if (m != null) {
                m.remove(value);
                counts.set(m.isEmpty() ? null : m);
            }
        }

        @Override
        public void clear() throws Exception {
            counts.set(null);
        }

        @Override
        public void begin() {
            counts.begin();
        }

        @Override
        public void end() throws Exception {
            counts.end();
        }
    }
}
