package io.layerwatch.patterns;

import io.layerwatch.config.RuleSettings;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.IterativeCondition;

/**
 * At least N events of one kind by one principal within a window; with a distinct-by function, N
 * events with distinct values. One match per burst (skip past the last event); the folder then
 * folds further matches of the same episode into the same finding.
 */
abstract class BurstRule implements CepRule {
    private static final long serialVersionUID = 1L;
    static final String STEP = "burst";

    private final String thresholdKey;

    BurstRule(String thresholdKey) {
        this.thresholdKey = thresholdKey;
    }

    /** The events that count. */
    abstract boolean counts(EcrEvent e);

    /** Values that must be distinct across a match, or null when any repetition counts. */
    abstract Function<EcrEvent, String> distinctBy();

    abstract Finding describe(FindingBuilder builder, List<EcrEvent> events, RuleSettings settings);

    @Override
    public boolean relevant(EcrEvent e, RulesConfig config) {
        return counts(e);
    }

    @Override
    public String key(EcrEvent e) {
        return e.principal().arn();
    }

    int threshold(RuleSettings settings) {
        return Math.max(1, settings.count(thresholdKey));
    }

    @Override
    public Duration foldGap(RuleSettings settings) {
        return settings.duration("window");
    }

    @Override
    public Pattern<EcrEvent, ?> pattern(RulesConfig config) {
        RuleSettings s = config.rule(id());
        return Pattern.<EcrEvent>begin(STEP, AfterMatchSkipStrategy.skipPastLastEvent())
                .where(new Step(distinctBy()))
                .times(threshold(s))
                .within(s.duration("window"));
    }

    @Override
    public MatchLogic matchLogic(RulesConfig config) {
        RuleSettings s = config.rule(id());
        return new DistinctBurst(STEP, threshold(s), s.duration("window").toMillis(), distinctBy());
    }

    @Override
    public Finding toFinding(Map<String, List<EcrEvent>> match, RuleSettings settings) {
        List<EcrEvent> events = match.get(STEP);
        return describe(
                FindingBuilder.of(settings).events(events).key(events.get(0).principal().arn()),
                events,
                settings);
    }

    /**
     * {@link FindingFolder#mergeDefault}, then {@code countKey} set to the size of the merged list
     * {@code listKey} (the event count once the list is capped: an upper bound).
     */
    static Finding mergeCounting(Finding current, Finding next, String listKey, String countKey) {
        Finding merged = FindingFolder.mergeDefault(current, next);
        Object values = merged.details().get(listKey);
        if (values instanceof List && ((List<?>) values).size() < FindingFolder.MAX_LIST) {
            merged.details().put(countKey, ((List<?>) values).size());
        } else {
            merged.details().put(countKey, merged.eventCount());
        }
        return merged;
    }

    static List<String> distinct(List<EcrEvent> events, Function<EcrEvent, String> f) {
        Set<String> out = new LinkedHashSet<>();
        for (EcrEvent e : events) {
            String v = f.apply(e);
            if (v != null) {
                out.add(v);
            }
        }
        return new ArrayList<>(out);
    }

    /** Accepts an event unless its distinct-by value already occurs in the partial match. */
    private static final class Step extends IterativeCondition<EcrEvent> {
        private static final long serialVersionUID = 1L;
        private final Function<EcrEvent, String> distinctBy;

        Step(Function<EcrEvent, String> distinctBy) {
            this.distinctBy = distinctBy;
        }

        @Override
        public boolean filter(EcrEvent e, Context<EcrEvent> ctx) throws Exception {
            if (distinctBy == null) {
                return true;
            }
            String value = distinctBy.apply(e);
            for (EcrEvent prior : ctx.getEventsForPattern(STEP)) {
                if (value != null && value.equals(distinctBy.apply(prior))) {
                    return false;
                }
            }
            return true;
        }
    }
}
