package io.layerwatch.patterns;

import static io.layerwatch.patterns.AttackSequenceTest.T;
import static io.layerwatch.patterns.AttackSequenceTest.finding;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.Severity;
import io.layerwatch.finding.Finding;
import io.layerwatch.util.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Repeats of one-per-event findings fold into the first one's id; gap 0 keeps each; state ends with
 * the gap.
 */
class FindingFolderTest {

    static final long HOUR = 3_600_000;

    static KeyedOneInputStreamOperatorTestHarness<String, Finding, Finding> harness(boolean inOrder)
            throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new FindingFolder(
                                        Map.of(RuleCatalog.UNTRUSTED_NETWORK, HOUR),
                                        Map.of(),
                                        inOrder)),
                        FindingFolder::repeatKey,
                        Types.STRING);
        h.open();
        h.processWatermark(new Watermark(T.toEpochMilli() - HOUR));
        return h;
    }

    static Finding outside(int minutes, String repo) {
        return finding(
                RuleCatalog.UNTRUSTED_NETWORK,
                Severity.HIGH,
                "mallory",
                repo,
                "198.51.100.23",
                minutes);
    }

    static void arrive(
            KeyedOneInputStreamOperatorTestHarness<String, Finding, Finding> h, Finding f)
            throws Exception {
        h.processElement(new StreamRecord<>(f, f.lastEventTime().toEpochMilli()));
    }

    @Test
    void repeatsWithinTheWindowAreOneFindingUntilAQuietHour() throws Exception {
        try (var h = harness(false)) {
            Finding first = outside(0, "payments-api");
            arrive(h, first);
            arrive(h, outside(30, "payments-api"));
            arrive(h, outside(80, "payments-api")); // 50 minutes after the last: still the same
            arrive(h, outside(10, "billing-api")); // another repository: another finding
            List<Finding> out = h.extractOutputValues();
            assertThat(out)
                    .extracting(Finding::id)
                    .containsExactly(
                            first.id(), first.id(), first.id(), outside(10, "billing-api").id());
            Finding folded = out.get(2);
            assertThat(folded.eventCount()).isEqualTo(3);
            assertThat(folded.firstEventTime()).isEqualTo(T);
            assertThat(folded.lastEventTime()).isEqualTo(T.plusSeconds(80 * 60));
            assertThat(folded.eventIds()).hasSize(3);

            h.processWatermark(new Watermark(T.toEpochMilli() + 3 * HOUR));
            assertThat(h.numKeyedStateEntries()).as("state ends with the quiet hour").isZero();
            arrive(h, outside(200, "payments-api"));
            assertThat(h.extractOutputValues().get(4).id())
                    .as("after it, a new finding")
                    .isNotEqualTo(first.id());
        }
    }

    @Test
    void aRuleWithoutAWindowKeepsOneFindingPerEvent() throws Exception {
        try (var h = harness(false)) {
            List<Finding> downloads =
                    List.of(
                            finding(
                                    RuleCatalog.LAYER_DOWNLOAD,
                                    Severity.LOW,
                                    "mallory",
                                    "a",
                                    "198.51.100.23",
                                    0),
                            finding(
                                    RuleCatalog.LAYER_DOWNLOAD,
                                    Severity.LOW,
                                    "mallory",
                                    "a",
                                    "198.51.100.23",
                                    1));
            for (Finding f : downloads) {
                arrive(h, f);
            }
            assertThat(h.extractOutputValues()).containsExactlyElementsOf(downloads);
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void inEventTimeOrderTheFirstByTimeGivesTheIdWhateverTheArrivalOrder() throws Exception {
        List<Finding> repeats = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            repeats.add(outside(i * 5, "payments-api"));
        }
        String expected = null;
        for (int seed = 0; seed < 4; seed++) {
            List<Finding> shuffled = new ArrayList<>(repeats);
            Collections.shuffle(shuffled, new Random(seed));
            try (var h = harness(true)) {
                for (Finding f : shuffled) {
                    arrive(h, f);
                }
                h.processWatermark(new Watermark(Long.MAX_VALUE));
                List<Finding> out = h.extractOutputValues();
                assertThat(out).extracting(Finding::id).containsOnly(repeats.get(0).id());
                assertThat(out.get(out.size() - 1).eventCount()).isEqualTo(8);
                if (expected == null) {
                    expected = Json.write(out);
                }
                assertThat(Json.write(out)).isEqualTo(expected);
            }
        }
    }
}
