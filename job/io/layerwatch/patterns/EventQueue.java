package io.layerwatch.patterns;

import io.layerwatch.event.EcrEvent;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Events in keyed state, oldest first, by sequence number (a map entry each, so adding and dropping one
 * touches one entry also on RocksDB): the start events of a {@link MatchLogic}'s open partial matches.
 */
final class EventQueue {
    private final MapState<Long, EcrEvent> events;
    /**
     * {head, next, head's event time}: the queue is events[head..next); the time spares a lookup of the
     * head on every event (state written before it was kept has only the first two).
     */
    private final ValueState<long[]> bounds;
    private boolean stepping;
    private boolean loaded;
    private boolean changed;
    private long[] current;

    EventQueue(RuntimeContext ctx, String name) {
        events = ctx.getMapState(new MapStateDescriptor<>(name + "-events", Types.LONG, TypeInformation.of(EcrEvent.class)));
        bounds = ctx.getState(new ValueStateDescriptor<>(name + "-queue", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    boolean isEmpty() throws Exception {
        return read() == null;
    }

    EcrEvent head() throws Exception {
        long[] b = read();
        return b == null ? null : events.get(b[0]);
    }

    void add(EcrEvent e) throws Exception {
        long[] b = read();
        b = b == null ? new long[] {0, 0, e.eventTime()} : b;
        events.put(b[1]++, e);
        write(b);
    }

    /** The oldest event's time; Long.MAX_VALUE when empty. */
    private long headTime(long[] b) throws Exception {
        return b == null ? Long.MAX_VALUE : b.length > 2 ? b[2] : events.get(b[0]).eventTime();
    }

    /** Oldest first. */
    List<EcrEvent> all() throws Exception {
        long[] b = read();
        List<EcrEvent> out = new ArrayList<>();
        for (long i = b == null ? 0 : b[0]; b != null && i < b[1]; i++) {
            out.add(events.get(i));
        }
        return out;
    }

    /**
     * Drops, oldest first, the events whose partial match {@code time} times out (the bounds read and
     * written once; {@code dropped} must not touch this queue).
     */
    void expire(long time, long window, java.util.function.Consumer<EcrEvent> dropped) throws Exception {
        long[] b = read();
        if (b == null || !MatchLogic.timedOut(time, headTime(b), window)) {
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

    /** When the oldest event's partial match times out; Long.MAX_VALUE when empty or without a window. */
    long nextTimeout(long window) throws Exception {
        long head = headTime(read());
        return head == Long.MAX_VALUE || window <= 0 ? Long.MAX_VALUE : head + window;
    }

    void clear() throws Exception {
        events.clear();
        write(null);
    }

    /**
     * From here to {@link #end} (one step of the current key), the bounds are read at most once and
     * written at most once, at the end.
     */
    void begin() {
        stepping = true;
        loaded = false;
        changed = false;
    }

    void end() throws Exception {
        if (stepping && changed) {
            if (current == null) {
                bounds.clear();
            } else {
                bounds.update(current);
            }
        }
        stepping = false;
        loaded = false;
        current = null;
    }

    private long[] read() throws Exception {
        if (!stepping) {
            return bounds.value();
        }
        if (!loaded) {
            current = bounds.value();
            loaded = true;
        }
        return current;
    }

    /** @param b the new bounds, or null when the queue is empty */
    private void write(long[] b) throws Exception {
        if (stepping) {
            current = b;
            loaded = true;
            changed = true;
        } else if (b == null) {
            bounds.clear();
        } else {
            bounds.update(b);
        }
    }
}
