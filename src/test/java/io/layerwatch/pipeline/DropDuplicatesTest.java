package io.layerwatch.pipeline;

import static io.layerwatch.pipeline.EventTimeWatermarksTest.MINUTE;
import static io.layerwatch.pipeline.EventTimeWatermarksTest.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.event.EcrEvent;
import io.layerwatch.testing.CloudTrailRecords;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class DropDuplicatesTest {
    private static final Duration LATENESS = Duration.ofMinutes(5);

    private static KeyedOneInputStreamOperatorTestHarness<String, EcrEvent, EcrEvent> harness(
            OperatorSubtaskState restore) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new DropDuplicates(LATENESS)),
                        DropDuplicates::key,
                        Types.STRING);
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }

    /** An event at T + minutes; {@code tag} in its source IP tells copies apart. */
    private static EcrEvent event(long minutes, String id, String account, String tag) {
        return CloudTrailRecords.record("BatchGetImage")
                .time(Instant.ofEpochMilli(T + minutes * MINUTE))
                .eventId(id)
                .recipientAccount(account)
                .sourceIp(tag)
                .event();
    }

    private static void send(
            KeyedOneInputStreamOperatorTestHarness<String, EcrEvent, EcrEvent> h, EcrEvent e)
            throws Exception {
        h.processElement(new StreamRecord<>(e, e.eventTime()));
    }

    private static long dropped(
            KeyedOneInputStreamOperatorTestHarness<String, EcrEvent, EcrEvent> h) {
        var counter =
                h.getEnvironment()
                        .getAccumulatorRegistry()
                        .getUserMap()
                        .get(Counters.DUPLICATES_DROPPED);
        return counter == null ? 0 : (Long) counter.getLocalValue();
    }

    @Test
    void remembersEachSightingUntilTheWatermarkPassesItsTimePlusLateness() throws Exception {
        try (var h = harness(null)) {
            send(h, event(2, "a", "111111111111", "1"));
            send(h, event(2, "a", "222222222222", "1")); // another account: another event
            send(h, event(2, "a", "111111111111", "2"));
            assertThat(h.numKeyedStateEntries()).isEqualTo(2);
            assertThat(h.numEventTimeTimers()).as("one timer per sighting").isEqualTo(2);

            h.processWatermark(new Watermark(T + 6 * MINUTE));
            send(h, event(2, "a", "111111111111", "3")); // late, within the bound: still a copy
            assertThat(h.numKeyedStateEntries()).isEqualTo(2);

            h.processWatermark(new Watermark(T + 7 * MINUTE)); // 2 + 5: the timers fire
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
            send(h, event(2, "a", "111111111111", "4")); // beyond the bound: no longer compared

            assertThat(h.extractOutputValues())
                    .extracting(e -> e.accountId() + "/" + e.eventId() + e.sourceIp())
                    .containsExactly("111111111111/a1", "222222222222/a1", "111111111111/a4");
            assertThat(dropped(h)).isEqualTo(2);
        }
    }

    @Test
    void aRestoredJobStillKnowsWhatItSawAndItsTimers() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(null)) {
            send(h, event(1, "x", "111111111111", "1"));
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(snapshot)) {
            send(h, event(1, "x", "111111111111", "2"));
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(dropped(h)).isEqualTo(1);
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            h.processWatermark(new Watermark(T + 6 * MINUTE));
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }
}
