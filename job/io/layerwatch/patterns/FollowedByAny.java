package io.layerwatch.patterns;

import io.layerwatch.event.EcrEvent;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.cep.pattern.conditions.IterativeCondition;

/**
 * {@code begin(first).where(isFirst).followedByAny(second).where(pairs).within(window)}, no skip
 * strategy: every first event in the window pairs with every later second event that {@code pairs}
 * accepts for it, and stays for the next one. So: a queue of the first events in the window; a
 * second event matches each of them it pairs with, oldest first (the order in which CEP emits the
 * matches of one event). With {@code reportFirst}, each first event is also a match of its own (the
 * first step only), beyond what the CEP pattern finds.
 */
final class FollowedByAny extends StartQueue {
    private static final long serialVersionUID = 1L;

    /**
     * Whether a later event completes a first event's partial match (CEP's IterativeCondition on
     * it).
     */
    interface Pairing extends Serializable {
        boolean test(EcrEvent first, EcrEvent second);
    }

    private final FollowedBy.Condition isFirst;
    private final String second;
    private final Pairing pairs;
    private final boolean reportFirst;

    FollowedByAny(
            String first, FollowedBy.Condition isFirst, String second, Pairing pairs, long window) {
        this(first, isFirst, second, pairs, window, false);
    }

    FollowedByAny(
            String first,
            FollowedBy.Condition isFirst,
            String second,
            Pairing pairs,
            long window,
            boolean reportFirst) {
        super(first, window);
        this.isFirst = isFirst;
        this.second = second;
        this.pairs = pairs;
        this.reportFirst = reportFirst;
    }

    @Override
    public void accept(EcrEvent e, Consumer<Map<String, List<EcrEvent>>> matches) throws Exception {
        if (isFirst.test(e)) {
            starts.add(e);
            if (reportFirst) {
                matches.accept(Map.of(first, List.of(e)));
            }
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

    /**
     * The CEP condition of the second step: an event {@code pairs} accepts for some event of the
     * first step.
     */
    static final class PairsWithAny extends IterativeCondition<EcrEvent> {
        private static final long serialVersionUID = 1L;
        private final String first;
        private final Pairing pairs;

        PairsWithAny(String first, Pairing pairs) {
            this.first = first;
            this.pairs = pairs;
        }

        @Override
        public boolean filter(EcrEvent e, Context<EcrEvent> ctx) throws Exception {
            for (EcrEvent start : ctx.getEventsForPattern(first)) {
                if (pairs.test(start, e)) {
                    return true;
                }
            }
            return false;
        }
    }
}
