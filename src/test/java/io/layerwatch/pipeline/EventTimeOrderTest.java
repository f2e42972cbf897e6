package io.layerwatch.pipeline;

import static io.layerwatch.pipeline.EventTimeWatermarksTest.MINUTE;
import static io.layerwatch.pipeline.EventTimeWatermarksTest.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.event.EcrEvent;
import io.layerwatch.testing.CloudTrailRecords;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class EventTimeOrderTest {

    @Test
    void releasesHeldEventsInEventTimeThenIdThenArrivalBeforeTheWatermarkAndLateOnesAtOnce() throws Exception {
        List<String> out = new ArrayList<>();
        try (OneInputStreamOperatorTestHarness<EcrEvent, EcrEvent> h =
                new OneInputStreamOperatorTestHarness<>(new EventTimeOrder())) {
            h.open();
            for (EcrEvent e : List.of(event(2, "b", "1"), event(10, "later", ""), event(1, "z", ""),
                    event(2, "a", ""), event(2, "b", "2"))) {
                h.processElement(new StreamRecord<>(e, e.eventTime()));
            }
            assertThat(h.getOutput()).as("all held until a watermark passes them").isEmpty();
            h.processWatermark(new Watermark(T + 5 * MINUTE));
            h.processElement(new StreamRecord<>(event(3, "late", ""), T + 3 * MINUTE));
            h.processWatermark(new Watermark(T + 20 * MINUTE));
            for (Object o : h.getOutput()) {
                out.add(o instanceof Watermark w ? "wm+" + (w.getTimestamp() - T) / MINUTE
                        : ((StreamRecord<?>) o).getValue() instanceof EcrEvent e
                                ? e.eventId() + (e.sourceIp() == null ? "" : e.sourceIp()) + "@" + (((StreamRecord<?>) o).getTimestamp() - T) / MINUTE
                                : "?");
            }
        }
        assertThat(out).containsExactly("z@1", "a@2", "b1@2", "b2@2", "wm+5", "late@3", "later@10", "wm+20");
    }

    @Test
    void aCheckpointKeepsTheHeldEventsAndTheirOrder() throws Exception {
        OperatorSubtaskState snapshot;
        try (OneInputStreamOperatorTestHarness<EcrEvent, EcrEvent> h =
                new OneInputStreamOperatorTestHarness<>(new EventTimeOrder())) {
            h.open();
            for (EcrEvent e : List.of(event(4, "x", "1"), event(2, "y", ""), event(4, "x", "2"))) {
                h.processElement(new StreamRecord<>(e, e.eventTime()));
            }
            snapshot = h.snapshot(1, 1);
        }
        try (OneInputStreamOperatorTestHarness<EcrEvent, EcrEvent> h =
                new OneInputStreamOperatorTestHarness<>(new EventTimeOrder())) {
            h.initializeState(snapshot);
            h.open();
            h.processElement(new StreamRecord<>(event(3, "after", ""), T + 3 * MINUTE));
            h.processWatermark(new Watermark(T + 5 * MINUTE));
            assertThat(h.extractOutputValues()).extracting(e -> e.eventId() + (e.sourceIp() == null ? "" : e.sourceIp()))
                    .containsExactly("y", "after", "x1", "x2");
        }
    }

    /** An event at T + minutes with that id; {@code tag} in its source IP tells equal ids apart. */
    private static EcrEvent event(long minutes, String id, String tag) {
        return CloudTrailRecords.record("GetDownloadUrlForLayer").time(Instant.ofEpochMilli(T + minutes * MINUTE))
                .eventId(id).sourceIp(tag).event();
    }
}
