package io.layerwatch.patterns;

import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.SimpleTimerService;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.KeyContext;

/**
 * A keyed timer service that does not register again an event-time timer it registered last for the
 * same key instance and that has not fired yet. Sorted input registers the same whole-minute
 * timeout for a key on each of its events: Flink's timer queue would drop the copy, but only after
 * allocating and hashing it. Remembers one timer per slot of a small direct-mapped table; what it
 * forgets is registered again, which Flink dedups as before.
 */
final class RegisteredTimers extends SimpleTimerService {
    private static final int SLOTS = 1 << 12;

    private final InternalTimerService<VoidNamespace> timers;
    private final KeyContext keys;
    private final Object[] keyOf = new Object[SLOTS];
    private final long[] timeOf = new long[SLOTS];

    RegisteredTimers(InternalTimerService<VoidNamespace> timers, KeyContext keys) {
        super(timers);
        this.timers = timers;
        this.keys = keys;
    }

    @Override
    @SuppressWarnings("ReferenceEquality") // the same key instance: the cheap, common case
    public void registerEventTimeTimer(long time) {
        Object key = keys.getCurrentKey();
        int slot = slot(key);
        // Pending while the watermark is before it: at or behind it, it has fired (or is firing).
        if (keyOf[slot] == key && timeOf[slot] == time && time > timers.currentWatermark()) {
            return;
        }
        super.registerEventTimeTimer(time);
        keyOf[slot] = key;
        timeOf[slot] = time;
    }

    @Override
    public void deleteEventTimeTimer(long time) {
        super.deleteEventTimeTimer(time);
        keyOf[slot(keys.getCurrentKey())] = null;
    }

    private static int slot(Object key) {
        int h = key.hashCode();
        return (h ^ (h >>> 16)) & (SLOTS - 1);
    }
}
