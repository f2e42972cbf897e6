package io.layerwatch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.event.EcrEvent;
import io.layerwatch.testing.CloudTrailRecords;
import java.time.Duration;
import java.util.List;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Streaming event time: the source's watermarks, and the clock once the input is quiet for the
 * idleness.
 */
class EventTimestampsTest {

    private static final Duration LATENESS = Duration.ofMinutes(15);
    private static final Duration IDLENESS = Duration.ofMinutes(1);
    private static final long NOW = 1_714_557_600_000L; // 2024-05-01T10:00:00Z

    @Test
    void eventsCarryTheirEventTimeUnderTheSourcesWatermarks() throws Exception {
        try (var h = harness()) {
            EcrEvent e = CloudTrailRecords.record("BatchGetImage").event();
            h.processElement(new StreamRecord<>(e, 42));
            h.processWatermark(new Watermark(NOW - 900_001));
            h.processWatermark(new Watermark(NOW - 950_000)); // behind: not passed on
            assertThat(h.getOutput())
                    .containsExactly(
                            new StreamRecord<>(e, e.eventTime()), new Watermark(NOW - 900_001));
        }
    }

    @Test
    void aQuietInputAdvancesWithTheClockInsteadOfGoingIdle() throws Exception {
        try (var h = harness()) {
            h.processWatermark(new Watermark(NOW - 900_001));
            h.processWatermarkStatus(WatermarkStatus.IDLE);
            h.setProcessingTime(NOW + 59_000);
            assertThat(watermarks(h))
                    .as("quiet for less than the idleness")
                    .containsExactly(NOW - 900_001);

            h.setProcessingTime(NOW + 60_000);
            assertThat(watermarks(h))
                    .as("quiet for the idleness: now minus the lateness")
                    .containsExactly(NOW - 900_001, NOW + 60_000 - 900_001);
            h.setProcessingTime(NOW + 65_000);
            assertThat(watermarks(h)).last().isEqualTo(NOW + 65_000 - 900_001);
            assertThat(h.getOutput()).noneMatch(o -> o instanceof WatermarkStatus);

            // a record restarts the idleness; the source's watermark, behind the clock's, is not
            // passed on
            h.processElement(
                    new StreamRecord<>(CloudTrailRecords.record("BatchGetImage").event(), 0));
            h.processWatermark(new Watermark(NOW - 850_000));
            h.setProcessingTime(NOW + 100_000);
            assertThat(watermarks(h)).last().isEqualTo(NOW + 65_000 - 900_001);
            h.setProcessingTime(NOW + 125_000);
            assertThat(watermarks(h)).last().isEqualTo(NOW + 125_000 - 900_001);
        }
    }

    private static OneInputStreamOperatorTestHarness<EcrEvent, EcrEvent> harness()
            throws Exception {
        var h = new OneInputStreamOperatorTestHarness<>(new EventTimestamps(LATENESS, IDLENESS));
        h.setProcessingTime(NOW);
        h.open();
        return h;
    }

    private static List<Long> watermarks(OneInputStreamOperatorTestHarness<EcrEvent, EcrEvent> h) {
        return h.getOutput().stream()
                .filter(o -> o instanceof Watermark)
                .map(o -> ((Watermark) o).getTimestamp())
                .toList();
    }
}
