package io.layerwatch.patterns;

import io.layerwatch.event.EcrEvent;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.RuntimeContext;

/**
 * The state machine of one pattern shape for {@link PatternMatcher}: finds exactly the matches
 * Flink CEP finds for the rule's {@link CepRule#pattern} (same events, same order, same skip
 * strategy and window), in constant or linear time per event where CEP's NFA keeps one partial
 * match per event in the window (and scans them all for every event). Keeps its state in keyed
 * state of the current key.
 */
public interface MatchLogic extends Serializable {

    /**
     * Registers the keyed state.
     *
     * @param inPlace keys in place after the replay's event-time sort ({@link PatternMatcher}'s
     *     sorted input): state laid out for the heap backend of a job never restored elsewhere
     * @param prefix put before every state name, so that two copies of the logic can share an
     *     operator
     */
    void open(RuntimeContext ctx, boolean inPlace, String prefix);

    /**
     * CEP's advanceTime: partial matches that started a window or more before {@code time} time
     * out.
     */
    void advance(long time) throws Exception;

    /**
     * One event, in CEP's order (event time, then the comparator); hands each match it completes to
     * {@code matches}, in CEP's order.
     */
    void accept(EcrEvent e, Consumer<Map<String, List<EcrEvent>>> matches) throws Exception;

    /**
     * When the oldest partial match times out (Long.MAX_VALUE: none), so idle keys free their
     * state.
     */
    long nextTimeout() throws Exception;

    /**
     * Makes the current key's state a copy of {@code other}'s (the same logic, opened with another
     * prefix).
     */
    void copyFrom(MatchLogic other) throws Exception;

    /** Drops the current key's state. */
    void clear() throws Exception;

    /**
     * Before the calls of one step for the current key (the logic may keep state it reads until
     * {@link #end}).
     */
    default void begin() {}

    /** After them: writes what {@link #begin} let wait. */
    default void end() throws Exception {}

    /**
     * CEP times out a partial match when the time since its first event reaches the window; 0:
     * never.
     */
    static boolean timedOut(long time, long start, long window) {
        return window > 0 && time - start >= window;
    }
}
