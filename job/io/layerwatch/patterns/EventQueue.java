package io.layerwatch.patterns;

import io.layerwatch.event.EcrEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Events in keyed state, oldest first: the start events of a {@link MatchLogic}'s open partial
 * matches. Two layouts: {@link Entries} for any backend and parallelism, {@link Ring} for keys in
 * place.
 *
 * <p>Between {@link #begin} and {@link #end} (one step of the current key) the state is read at
 * most once and written at most once, at the end ({@link StepValue}).
 */
abstract class EventQueue<S> {
    private final StepValue<S> state;

    EventQueue(ValueState<S> state) {
        this.state = new StepValue<>(state);
    }

    /**
     * @param inPlace a replay's keys in place (heap state, never restored elsewhere): the {@link
     *     Ring} layout
     */
    static EventQueue<?> of(RuntimeContext ctx, String name, boolean inPlace) {
        return inPlace ? new Ring(ctx, name) : new Entries(ctx, name);
    }

    abstract boolean isEmpty() throws Exception;

    abstract EcrEvent head() throws Exception;

    abstract void add(EcrEvent e) throws Exception;

    /** Oldest first. */
    abstract List<EcrEvent> all() throws Exception;

    /**
     * Drops, oldest first, the events whose partial match {@code time} times out ({@code dropped}
     * must not touch this queue).
     */
    abstract void expire(long time, long window, Consumer<EcrEvent> dropped) throws Exception;

    /** The oldest event's time; Long.MAX_VALUE when empty. */
    abstract long headTime() throws Exception;

    /**
     * When the oldest event's partial match times out; Long.MAX_VALUE when empty or without a
     * window.
     */
    final long nextTimeout(long window) throws Exception {
        long head = headTime();
        return head == Long.MAX_VALUE || window <= 0 ? Long.MAX_VALUE : head + window;
    }

    abstract void clear() throws Exception;

    /** Makes this queue hold the events of {@code other}, in its order. */
    final void copyFrom(EventQueue<?> other) throws Exception {
        clear();
        for (EcrEvent e : other.all()) {
            add(e);
        }
    }

    final void begin() {
        state.begin();
    }

    final void end() throws Exception {
        state.end();
    }

    /** The state value (null: empty queue). */
    final S read() throws Exception {
        return state.get();
    }

    /**
     * @param value the new state value, or null when the queue is empty
     */
    final void write(S value) throws Exception {
        state.set(value);
    }

    /**
     * A map entry per event by sequence number, so adding or dropping one touches one entry also on
     * RocksDB; the state value is {head, next, head's event time}: the queue is events[head..next),
     * and the time spares a lookup of the head on every event (state written before it was kept has
     * only the first two).
     */
    static final class Entries extends EventQueue<long[]> {
        private final MapState<Long, EcrEvent> events;

        Entries(RuntimeContext ctx, String name) {
            super(
                    ctx.getState(
                            new ValueStateDescriptor<>(
                                    name + "-queue",
                                    PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO)));
            events =
                    ctx.getMapState(
                            new MapStateDescriptor<>(
                                    name + "-events",
                                    Types.LONG,
                                    TypeInformation.of(EcrEvent.class)));
        }

        @Override
        boolean isEmpty() throws Exception {
            return read() == null;
        }

        @Override
        EcrEvent head() throws Exception {
            long[] b = read();
            return b == null ? null : events.get(b[0]);
        }

        @Override
        void add(EcrEvent e) throws Exception {
            long[] b = read();
            b = b == null ? new long[] {0, 0, e.eventTime()} : b;
            events.put(b[1]++, e);
            write(b);
        }

        @Override
        long headTime() throws Exception {
            long[] b = read();
            return b == null ? Long.MAX_VALUE : b.length > 2 ? b[2] : events.get(b[0]).eventTime();
        }

        @Override
        List<EcrEvent> all() throws Exception {
            long[] b = read();
            List<EcrEvent> out = new ArrayList<>();
            for (long i = b == null ? 0 : b[0]; b != null && i < b[1]; i++) {
                out.add(events.get(i));
            }
            return out;
        }

        @Override
        void expire(long time, long window, Consumer<EcrEvent> dropped) throws Exception {
            long[] b = read();
            if (b == null || !MatchLogic.timedOut(time, headTime(), window)) {
                return;
            }
            long head = b[0];
            EcrEvent next = null;
            while (head < b[1]) {
                EcrEvent e = events.get(head);
                if (!MatchLogic.timedOut(time, e.eventTime(), window)) {
                    next = e;
                    break;
                }
                events.remove(head++);
                dropped.accept(e);
            }
            if (next == null) {
                clear();
            } else {
                write(new long[] {head, b[1], next.eventTime()});
            }
        }

        @Override
        void clear() throws Exception {
            events.clear();
            write(null);
        }
    }

    /**
     * The whole queue as one value, an {@link EventRing}: one state lookup per step instead of one
     * per event added or dropped. For keys in place only: on RocksDB every step would write the
     * whole queue, and its state names differ from {@link Entries}'.
     */
    static final class Ring extends EventQueue<List<EcrEvent>> {
        Ring(RuntimeContext ctx, String name) {
            super(
                    ctx.getState(
                            new ValueStateDescriptor<>(
                                    name + "-ring",
                                    Types.LIST(TypeInformation.of(EcrEvent.class)))));
        }

        /**
         * The ring, if the state holds a list of another kind (restored, or copied during a
         * snapshot) as one.
         */
        private EventRing ring() throws Exception {
            List<EcrEvent> value = read();
            if (value == null || value instanceof EventRing) {
                return (EventRing) value;
            }
            EventRing ring = new EventRing(value);
            write(ring);
            return ring;
        }

        @Override
        boolean isEmpty() throws Exception {
            return ring() == null;
        }

        @Override
        EcrEvent head() throws Exception {
            EventRing r = ring();
            return r == null ? null : r.get(0);
        }

        @Override
        void add(EcrEvent e) throws Exception {
            EventRing r = ring();
            if (r == null) {
                r = new EventRing();
            }
            r.add(e);
            write(r);
        }

        @Override
        long headTime() throws Exception {
            EventRing r = ring();
            return r == null ? Long.MAX_VALUE : r.get(0).eventTime();
        }

        @Override
        List<EcrEvent> all() throws Exception {
            EventRing r = ring();
            return r == null ? new ArrayList<>() : new ArrayList<>(r);
        }

        @Override
        void expire(long time, long window, Consumer<EcrEvent> dropped) throws Exception {
            EventRing r = ring();
            if (r == null || !MatchLogic.timedOut(time, r.get(0).eventTime(), window)) {
                return; // nothing to drop: nothing to write
            }
            do {
                dropped.accept(r.removeFirst());
            } while (!r.isEmpty() && MatchLogic.timedOut(time, r.get(0).eventTime(), window));
            write(r.isEmpty() ? null : r);
        }

        @Override
        void clear() throws Exception {
            write(null);
        }
    }
}
