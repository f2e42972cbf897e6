package io.layerwatch.patterns;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.pipeline.RuleSet;
import io.layerwatch.testing.CloudTrailRecords;
import java.time.Instant;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An idle key's partial match frees its state when it times out: at the exact timeout when the
 * matcher buffers its input (also while it judges on arrival), by the next whole minute on sorted
 * input (timers shared by a key's events).
 */
class PatternMatcherTimeoutTest {

    private static final Instant CALL = Instant.parse("2024-05-01T10:00:30Z");
    private static final long TIMEOUT =
            CALL.toEpochMilli() + 20 * 60_000; // credential-network-hop: 20m

    @ParameterizedTest
    @EnumSource(PatternMatcher.Mode.class)
    void anIdleKeysStateIsGoneOnceItsPartialMatchTimesOut(PatternMatcher.Mode mode)
            throws Exception {
        boolean sorted = mode == PatternMatcher.Mode.SORTED;
        CepRule rule =
                RuleSet.cepRules().stream()
                        .filter(r -> r.id().equals(CredentialNetworkHop.ID))
                        .findFirst()
                        .orElseThrow();
        try (KeyedOneInputStreamOperatorTestHarness<String, EcrEvent, Finding> h =
                MatcherHarness.matcher(rule, PatternMatcherIT.CONFIG, mode)) {
            EcrEvent trusted =
                    CloudTrailRecords.record("BatchGetImage")
                            .assumedRole("123456789012", "ci", "s1")
                            .time(CALL)
                            .sourceIp("10.0.0.1")
                            .event();
            assertThat(rule.relevant(trusted, PatternMatcherIT.CONFIG)).isTrue();
            h.processElement(new StreamRecord<>(trusted, trusted.eventTime()));
            h.processWatermark(new Watermark(CALL.toEpochMilli()));
            assertThat(h.numKeyedStateEntries())
                    .as("the trusted call waits for a hop")
                    .isPositive();

            h.processWatermark(new Watermark(TIMEOUT));
            if (sorted) {
                assertThat(h.numKeyedStateEntries()).as("at the exact timeout").isPositive();
            } else {
                assertThat(h.numKeyedStateEntries()).as("at the exact timeout").isZero();
            }
            h.processWatermark(new Watermark(TIMEOUT + 30_000)); // 10:21:00
            assertThat(h.numKeyedStateEntries()).as("by the next whole minute").isZero();
            assertThat(h.extractOutputValues()).isEmpty();
        }
    }
}
