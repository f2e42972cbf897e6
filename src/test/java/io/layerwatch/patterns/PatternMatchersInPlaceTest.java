package io.layerwatch.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.pipeline.RuleSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every matcher in one operator finds what each finds in an operator of its own on the events its
 * rule takes, also restored from a snapshot halfway: each rule's state and timers under its own
 * names.
 */
class PatternMatchersInPlaceTest {
    private static final List<CepRule> RULES =
            RuleSet.cepRules().stream()
                    .filter(
                            r ->
                                    r.active(PatternMatcherIT.CONFIG)
                                            && r.matchLogic(PatternMatcherIT.CONFIG) != null)
                    .toList();
    private static List<EcrEvent> events;
    private static List<String> apart;

    @BeforeAll
    static void eachRuleInAnOperatorOfItsOwn() throws Exception {
        events = new ArrayList<>();
        for (int seed = 0; seed < 3; seed++) {
            events.addAll(PatternMatcherIT.stream(new Random(seed), "r" + seed));
        }
        events.sort(Comparator.comparingLong(EcrEvent::eventTime).thenComparing(EcrEvent::eventId));
        apart = new ArrayList<>();
        for (CepRule rule : RULES) {
            var h =
                    MatcherHarness.matcher(
                            rule, PatternMatcherIT.CONFIG, PatternMatcher.Mode.SORTED);
            List<EcrEvent> taken =
                    events.stream()
                            .filter(
                                    e ->
                                            rule.relevant(e, PatternMatcherIT.CONFIG)
                                                    && !PatternMatcherIT.CONFIG
                                                            .rule(rule.id())
                                                            .allowlisted(e))
                            .toList();
            apart.addAll(MatcherHarness.feed(h, taken, 1, -1, null));
        }
        apart.sort(null);
    }

    @Test
    void findsWhatEachMatcherFindsInAnOperatorOfItsOwn() throws Exception {
        assertThat(RULES).hasSize(7);
        assertThat(apart).hasSizeGreaterThan(30);
        assertThat(run(-1)).isEqualTo(apart);
    }

    @Test
    void restoredHalfwayFindsWhatItFindsUninterrupted() throws Exception {
        assertThat(run(events.size() / 3)).isEqualTo(apart);
        assertThat(run(events.size() / 2)).isEqualTo(apart);
    }

    /**
     * Findings as JSON, sorted, the watermark just behind each event (as after the replay's sort);
     * restored from a snapshot before event {@code cut} (-1: none).
     */
    private static List<String> run(int cut) throws Exception {
        return MatcherHarness.feed(
                harness(null), events, 1, cut, PatternMatchersInPlaceTest::harness);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, EcrEvent, Finding> harness(
            OperatorSubtaskState restore) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new PatternMatchersInPlace(PatternMatcherIT.CONFIG, RULES),
                        e -> "",
                        Types.STRING);
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }
}
