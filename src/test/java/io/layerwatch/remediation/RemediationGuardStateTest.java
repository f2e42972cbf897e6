package io.layerwatch.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.finding.Finding;
import io.layerwatch.sinks.remediation.ActionRequest;
import io.layerwatch.sinks.remediation.AuditRecord;
import io.layerwatch.sinks.remediation.Planner;
import io.layerwatch.sinks.remediation.RemediationSettings;
import io.layerwatch.sinks.remediation.RemediationStream;
import io.layerwatch.sinks.remediation.RemediationStream.GuardFunction;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The job's guard keeps what it decided in keyed state: a restart from a snapshot never acts twice.
 */
class RemediationGuardStateTest {

    static final RemediationSettings SETTINGS =
            RemediationSettings.from(
                            RulesConfigLoader.fromYaml(
                                    """
            remediation:
              rateLimit: {perHour: 2, perAccountPerHour: 2}
              rules:
                vulnerable-image-scan: {actions: [quarantine-repository]}
              actions:
                quarantine-repository: {dryRun: false}
            """,
                                    "g.yaml"),
                            null)
                    .withClock(Clock.fixed(Fixtures.NOW, ZoneOffset.UTC));

    static KeyedOneInputStreamOperatorTestHarness<String, ActionRequest, ActionRequest> harness()
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new GuardFunction(SETTINGS)),
                new RemediationStream.ResponderKey(),
                Types.STRING);
    }

    static ActionRequest request(Finding f) {
        return Planner.forRule(f, SETTINGS.config(), Planner.ACTOR_JOB).get(0);
    }

    @Test
    void decisionsAndRateLimitsSurviveARestore() throws Exception {
        ActionRequest first = request(Fixtures.vulnerable("payments-api", "g-1"));
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            h.processElement(new StreamRecord<>(first, 1));
            h.processElement(new StreamRecord<>(first, 2));
            assertThat(h.extractOutputValues()).containsExactly(first);
            snapshot = h.snapshot(1, 3);
        }
        try (var h = harness()) {
            h.setup();
            h.initializeState(snapshot);
            h.open();
            h.processElement(new StreamRecord<>(first, 4));
            assertThat(h.extractOutputValues()).as("replayed after the restart").isEmpty();
            ActionRequest second = request(Fixtures.vulnerable("orders-api", "g-2"));
            ActionRequest third = request(Fixtures.vulnerable("users-api", "g-3"));
            h.processElement(new StreamRecord<>(second, 5));
            h.processElement(new StreamRecord<>(third, 6));
            assertThat(h.extractOutputValues()).containsExactly(second);
            List<AuditRecord> decisions =
                    h.getSideOutput(RemediationStream.DECISIONS).stream()
                            .map(StreamRecord::getValue)
                            .toList();
            assertThat(decisions)
                    .singleElement()
                    .satisfies(
                            d -> {
                                assertThat(d.result()).isEqualTo(AuditRecord.RESULT_RATE_LIMITED);
                                assertThat(d.findingId()).isEqualTo(third.findingId());
                            });
        }
    }
}
