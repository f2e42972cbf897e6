package io.layerwatch.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.event.EcrEvent;
import io.layerwatch.pipeline.RuleSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A matcher's queues survive a checkpoint: restored halfway through the stream, it finds what it
 * finds without one, in every mode and both layouts (in place, the queue is one list value that
 * comes back as a plain list; on arrival, the early copy of the logic and the matches it reported
 * come back too).
 */
class PatternMatcherRestoreTest {

    @ParameterizedTest
    @EnumSource(PatternMatcher.Mode.class)
    void restoredHalfwayEveryMatcherFindsWhatItFindsUninterrupted(PatternMatcher.Mode mode)
            throws Exception {
        List<EcrEvent> events = new ArrayList<>();
        for (int seed = 0; seed < 3; seed++) {
            events.addAll(PatternMatcherIT.stream(new Random(seed), "r" + seed));
        }
        events.sort(Comparator.comparingLong(EcrEvent::eventTime).thenComparing(EcrEvent::eventId));
        int rules = 0;
        for (CepRule rule : RuleSet.cepRules()) {
            if (rule.matchLogic(PatternMatcherIT.CONFIG) == null
                    || !rule.active(PatternMatcherIT.CONFIG)) {
                continue;
            }
            List<EcrEvent> relevant =
                    events.stream().filter(e -> rule.relevant(e, PatternMatcherIT.CONFIG)).toList();
            List<String> whole = run(rule, mode, relevant, -1);
            assertThat(whole).as(rule.id()).hasSizeGreaterThan(5);
            for (int cut : new int[] {relevant.size() / 3, relevant.size() / 2}) {
                assertThat(run(rule, mode, relevant, cut))
                        .as("%s restored at %d", rule.id(), cut)
                        .isEqualTo(whole);
            }
            rules++;
        }
        assertThat(rules).isEqualTo(7);
    }

    /**
     * Findings as JSON, sorted; with a snapshot and a new operator restored from it before event
     * {@code cut}.
     */
    private static List<String> run(
            CepRule rule, PatternMatcher.Mode mode, List<EcrEvent> events, int cut)
            throws Exception {
        // sorted: what EventTimeOrder lets through before the event; else the lateness bound behind
        // it
        long lag =
                mode == PatternMatcher.Mode.SORTED
                        ? 1
                        : PatternMatcherIT.CONFIG.maxOutOfOrderness().toMillis();
        return MatcherHarness.feed(
                MatcherHarness.matcher(rule, PatternMatcherIT.CONFIG, mode),
                events,
                lag,
                cut,
                snapshot -> MatcherHarness.matcher(rule, PatternMatcherIT.CONFIG, mode, snapshot));
    }
}
