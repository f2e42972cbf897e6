package io.layerwatch.patterns;

import io.layerwatch.config.RulesConfig;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.util.Json;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
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

    /** Restores an operator in a new harness from a snapshot. */
    interface Restore {
        KeyedOneInputStreamOperatorTestHarness<String, EcrEvent, Finding> from(
                OperatorSubtaskState snapshot) throws Exception;
    }

    /**
     * Findings as JSON, sorted, of {@code events} fed in order, the watermark {@code lag} behind
     * each; before event {@code cut} (-1: none) the harness is snapshotted, closed and restored.
     */
    static List<String> feed(
            KeyedOneInputStreamOperatorTestHarness<String, EcrEvent, Finding> h,
            List<EcrEvent> events,
            long lag,
            int cut,
            Restore restore)
            throws Exception {
        List<String> findings = new ArrayList<>();
        long watermark = Long.MIN_VALUE;
        for (int i = 0; i < events.size(); i++) {
            EcrEvent e = events.get(i);
            if (i == cut) {
                OperatorSubtaskState snapshot = h.snapshot(1, 1);
                h.extractOutputValues().forEach(f -> findings.add(Json.write(f)));
                h.close();
                h = restore.from(snapshot);
            }
            if (e.eventTime() - lag > watermark) {
                watermark = e.eventTime() - lag;
                h.processWatermark(new Watermark(watermark));
            }
            h.processElement(new StreamRecord<>(e, e.eventTime()));
        }
        h.processWatermark(new Watermark(Long.MAX_VALUE));
        h.extractOutputValues().forEach(f -> findings.add(Json.write(f)));
        h.close();
        findings.sort(null);
        return findings;
    }
}
