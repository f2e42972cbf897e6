package io.layerwatch.patterns;

import io.layerwatch.event.EcrEvent;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.RuntimeContext;

/**
 * {@code begin(first).where(isFirst).followedByAny(second).where(pairs).within(window)}, no skip strategy:
 * every first event in the window pairs with every later second event that {@code pairs} accepts for it, and
 * stays for the next one. So: a queue of the first events in the window; a second event matches each of them
 * it pairs with, oldest first (the order in which CEP emits the matches of one event).
 */
final class FollowedByAny implements MatchLogic {
    private static final long serialVersionUID = 1L;

    /** Whether a later event completes a first event's partial match (CEP's IterativeCondition on it). */
    interface Pairing extends Serializable {
        boolean test(EcrEvent first, EcrEvent second);
    }

    private final String first;
    private final FollowedBy.Condition isFirst;
    private final String second;
    private final Pairing pairs;
    private final long window;
    private transient EventQueue<?> starts;

    FollowedByAny(String first, FollowedBy.Condition isFirst, String second, Pairing pairs, long window) {
        this.first = first;
        this.isFirst = isFirst;
        this.second = second;
        this.pairs = pairs;
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
        if (isFirst.test(e)) {
            starts.add(e);
            return;
        }
        if (starts.isEmpty()) {
            return;
        }
        for (EcrEvent start : starts.all()) {
            if (pairs.test(start, e)) {
                matches.accept(Map.of(first, List.of(start), second, List.of(e)));
            }
        }
    }

    @Override
    public void copyFrom(MatchLogic other) throws Exception {
        starts.copyFrom(((FollowedByAny) other).starts);
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
