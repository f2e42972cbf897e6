package io.layerwatch.patterns;

import org.apache.flink.api.common.state.ValueState;

/**
 * A value state of the current key read at most once and written at most once (at the end) from
 * {@link #begin} to {@link #end}: one step of a {@link MatchLogic}. Outside a step it reads and
 * writes through.
 */
final class StepValue<S> {
    private final ValueState<S> state;
    private boolean stepping;
    private boolean loaded;
    private boolean changed;
    private S current;

    StepValue(ValueState<S> state) {
        this.state = state;
    }

    void begin() {
        stepping = true;
        loaded = false;
        changed = false;
    }

    void end() throws Exception {
        if (stepping && changed) {
            if (current == null) {
                state.clear();
            } else {
                state.update(current);
            }
        }
        stepping = false;
        loaded = false;
        current = null;
    }

    /** The value; null when there is none. */
    S get() throws Exception {
        if (!stepping) {
            return state.value();
        }
        if (!loaded) {
            current = state.value();
            loaded = true;
        }
        return current;
    }

    /**
     * @param value the new value (the same object again after changing it in place), or null: none
     */
    void set(S value) throws Exception {
        if (stepping) {
            current = value;
            loaded = true;
            changed = true;
        } else if (value == null) {
            state.clear();
        } else {
            state.update(value);
        }
    }
}
