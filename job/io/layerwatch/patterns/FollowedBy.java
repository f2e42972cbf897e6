package io.layerwatch.patterns;

import io.layerwatch.event.EcrEvent;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.flink.api.common.functions.RuntimeContext;

/**
 * {@code begin(first, skipPastLastEvent).where(isFirst).followedBy(second).where(isSecond).within(window)}.
 * CEP keeps one partial match per first event in the window; a second event completes them all, and the
 * skip strategy emits the earliest and discards the rest. So: a queue of the first events in the window;
 * a second event with a non-empty queue matches its head and empties it.
 */
final class FollowedBy implements MatchLogic {
    private static final long serialVersionUID = 1L;

    /** A condition CEP's SimpleCondition would test. */
    interface Condition extends Predicate<EcrEvent>, Serializable {}

    private final String first;
    private final Condition isFirst;
    private final String second;
    private final Condition isSecond;
    private final long window;
    private transient EventQueue<?> starts;

    FollowedBy(String first, Condition isFirst, String second, Condition isSecond, long window) {
        this.first = first;
        this.isFirst = isFirst;
        this.second = second;
        this.isSecond = isSecond;
        this.window = window;
    }

    @Override
    public void open(RuntimeContext ctx, boolean inPlace, String prefix) {
        starts = EventQueue.of(ctx, prefix + first, inPlace);
    }

    @Override
    public void advance(long time) throws Exception {
        starts.expire(time, window, e -> { });
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

    @Override
    public void copyFrom(MatchLogic other) throws Exception {
        starts.copyFrom(((FollowedBy) other).starts);
    }

    @Override
    public void clear() throws Exception {
        starts.clear();
    }

    @Override
    public void begin() {
        starts.begin();
    }

    @Override
    public void end() throws Exception {
        starts.end();
    }

    @Override
    public long nextTimeout() throws Exception {
        return starts.nextTimeout(window);
    }
}
