package io.layerwatch.patterns;

import io.layerwatch.event.EcrEvent;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * {@code begin(first,
 * skipPastLastEvent).where(isFirst).followedBy(second).where(isSecond).within(window)}. CEP keeps
 * one partial match per first event in the window; a second event completes them all, and the skip
 * strategy emits the earliest and discards the rest. So: a queue of the first events in the window;
 * a second event with a non-empty queue matches its head and empties it.
 */
final class FollowedBy extends StartQueue {
    private static final long serialVersionUID = 1L;

    /** A condition CEP's SimpleCondition would test. */
    interface Condition extends Predicate<EcrEvent>, Serializable {}

    private final Condition isFirst;
    private final String second;
    private final Condition isSecond;

    FollowedBy(String first, Condition isFirst, String second, Condition isSecond, long window) {
        super(first, window);
        this.isFirst = isFirst;
        this.second = second;
        this.isSecond = isSecond;
    }

    @Override
    public void accept(EcrEvent e, Consumer<Map<String, List<EcrEvent>>> matches) throws Exception {
        if (isSecond.test(e) && !starts.isEmpty()) {
            EcrEvent head = starts.head();
            starts.clear();
            matches.accept(Map.of(first, List.of(head), second, List.of(e)));
        } else if (isFirst.test(e)) {
            starts.add(e);
        }
    }
}
