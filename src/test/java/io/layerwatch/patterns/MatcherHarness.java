package io.layerwatch.patterns;

import io.layerwatch.config.RulesConfig;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/** A {@link PatternMatcher} in a keyed operator harness, as the pipeline builds it. */
final class MatcherHarness {

    private MatcherHarness() {}

    /** {@code rule}'s matcher (ties by event id), open in a keyed operator harness. */
    static KeyedOneInputStreamOperatorTestHarness<String, EcrEvent, Finding> matcher(
            CepRule rule, RulesConfig config, PatternMatcher.Mode mode) throws Exception {
        return matcher(rule, config, mode, null);
    }

    /** The same, restored from {@code restore} first unless it is null. */
    static KeyedOneInputStreamOperatorTestHarness<String, EcrEvent, Finding> matcher(
            CepRule rule,
            RulesConfig config,
            PatternMatcher.Mode mode,
            OperatorSubtaskState restore)
            throws Exception {
        PatternMatcher matcher =
                new PatternMatcher(
                        rule,
                        config.rule(rule.id()),
                        rule.matchLogic(config),
                        new ByEventId(),
                        mode);
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(matcher), rule::key, Types.STRING);
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }

    /** Hands {@code e} to the harness at its event time. */
    static void arrive(
            KeyedOneInputStreamOperatorTestHarness<String, EcrEvent, Finding> h, EcrEvent e) {
        try {
            h.processElement(new StreamRecord<>(e, e.eventTime()));
        } catch (Exception failure) {
            throw new IllegalStateException(failure);
        }
    }
}
