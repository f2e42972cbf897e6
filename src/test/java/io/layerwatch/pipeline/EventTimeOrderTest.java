package io.layerwatch.pipeline;

import static io.layerwatch.pipeline.EventTimeWatermarksTest.MINUTE;
import static io.layerwatch.pipeline.EventTimeWatermarksTest.T;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.FindingBuilder;
import io.layerwatch.testing.CloudTrailRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventTimeOrderTest {
    private static final Duration LATENESS = Duration.ofMinutes(5);

    @Test
    void releasesEachEventInEventTimeThenIdThenArrivalOrderOnceTheWatermarkPassedIt()
            throws Exception {
        List<String> out = new ArrayList<>();
        try (OneInputStreamOperatorTestHarness<EcrEvent, EcrEvent> h =
                new OneInputStreamOperatorTestHarness<>(new EventTimeOrder(LATENESS))) {
            h.open();
            for (EcrEvent e :
                    List.of(
                            event(2, "b", "1"),
                            event(10, "later", ""),
                            event(1, "z", ""),
                            event(2, "a", ""),
                            event(2, "b", "2"))) {
                h.processElement(new StreamRecord<>(e, e.eventTime()));
            }
            assertThat(h.getOutput()).as("all held until a watermark passes them").isEmpty();
            h.processWatermark(new Watermark(T + 5 * MINUTE));
            h.processElement(new StreamRecord<>(event(3, "late", ""), T + 3 * MINUTE));
            h.processWatermark(new Watermark(T + 20 * MINUTE));
            for (Object o : h.getOutput()) {
                out.add(
                        o instanceof Watermark w
                                ? "wm+" + (w.getTimestamp() - T) / MINUTE
                                : ((StreamRecord<?>) o).getValue() instanceof EcrEvent e
                                        ? e.eventId()
                                                + (e.sourceIp() == null ? "" : e.sourceIp())
                                                + "@"
                                                + (((StreamRecord<?>) o).getTimestamp() - T)
                                                        / MINUTE
                                        : "?");
            }
        }
        assertThat(out)
                .containsExactly(
                        "z@1", "a@2", "b1@2", "b2@2", "wm+5", "late@3", "later@10", "wm+20");
    }

    @Test
    void aCheckpointKeepsTheHeldEventsInOrder() throws Exception {
        OperatorSubtaskState snapshot;
        try (OneInputStreamOperatorTestHarness<EcrEvent, EcrEvent> h =
                new OneInputStreamOperatorTestHarness<>(new EventTimeOrder(LATENESS))) {
            h.open();
            for (EcrEvent e : List.of(event(4, "x", "1"), event(2, "y", ""), event(4, "x", "2"))) {
                h.processElement(new StreamRecord<>(e, e.eventTime()));
            }
            snapshot = h.snapshot(1, 1);
        }
        try (OneInputStreamOperatorTestHarness<EcrEvent, EcrEvent> h =
                new OneInputStreamOperatorTestHarness<>(new EventTimeOrder(LATENESS))) {
            h.initializeState(snapshot);
            h.open();
            h.processElement(new StreamRecord<>(event(3, "after", ""), T + 3 * MINUTE));
            h.processWatermark(new Watermark(T + 5 * MINUTE));
            assertThat(h.extractOutputValues())
                    .extracting(e -> e.eventId() + (e.sourceIp() == null ? "" : e.sourceIp()))
                    .containsExactly("y", "after", "x1", "x2");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {10, 40})
    void nearlySortedOrShuffledInputComesOutAsAFullSortWould(int back) throws Exception {
        Random random = new Random(7);
        List<String> actual = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        List<EcrEvent> waiting = new ArrayList<>();
        long watermark = Long.MIN_VALUE;
        try (OneInputStreamOperatorTestHarness<EcrEvent, EcrEvent> h =
                new OneInputStreamOperatorTestHarness<>(new EventTimeOrder(LATENESS))) {
            h.open();
            for (int i = 0; i < 3_000; i++) {
                // ascending by a minute every 3 events; some (back 10) or all (back 40) from up to
                // that far back
                long minutes =
                        i / 3 - (back > 10 || random.nextInt(8) == 0 ? random.nextInt(back) : 0);
                EcrEvent e = event(minutes, "id" + random.nextInt(3), Integer.toString(i));
                h.processElement(new StreamRecord<>(e, e.eventTime()));
                if (e.eventTime() <= watermark) {
                    expected.add(label(e));
                } else {
                    waiting.add(e);
                }
                if (i % 50 == 49) {
                    watermark = T + (i / 3 - back / 2) * MINUTE;
                    h.processWatermark(new Watermark(watermark));
                    waiting.sort(FindingBuilder.EVENT_ORDER); // stable: arrival breaks ties
                    for (Iterator<EcrEvent> it = waiting.iterator(); it.hasNext(); ) {
                        EcrEvent w = it.next();
                        if (w.eventTime() <= watermark) {
                            expected.add(label(w));
                            it.remove();
                        }
                    }
                }
            }
            for (EcrEvent e : h.extractOutputValues()) {
                actual.add(label(e));
            }
        }
        assertThat(expected).hasSizeGreaterThan(2_000);
        assertThat(actual).containsExactlyElementsOf(expected);
    }

    private static String label(EcrEvent e) {
        return e.eventId() + "#" + e.sourceIp() + "@" + (e.eventTime() - T) / MINUTE;
    }

    /**
     * An event at T + minutes with that id; {@code tag} in its source IP tells equal ids apart, and
     * in its account makes them different events.
     */
    private static EcrEvent event(long minutes, String id, String tag) {
        return event(minutes, id, tag, "1234567890" + tag);
    }

    private static EcrEvent event(long minutes, String id, String tag, String account) {
        return CloudTrailRecords.record("GetDownloadUrlForLayer")
                .time(Instant.ofEpochMilli(T + minutes * MINUTE))
                .eventId(id)
                .sourceIp(tag)
                .recipientAccount(account)
                .event();
    }

    @Test
    void dropsCopiesOfAnEventWithinTheLatenessBoundCountingThem() throws Exception {
        try (OneInputStreamOperatorTestHarness<EcrEvent, EcrEvent> h =
                new OneInputStreamOperatorTestHarness<>(new EventTimeOrder(LATENESS))) {
            h.open();
            // "a" arrives three times (copies carry another source IP here, to tell which one
            // passed), once in another account: that one is another event
            for (EcrEvent e :
                    List.of(
                            event(2, "a", "1", "111"),
                            event(2, "b", "1", "111"),
                            event(2, "a", "2", "111"),
                            event(2, "a", "3", "222"),
                            event(2, "a", "4", "111"))) {
                h.processElement(new StreamRecord<>(e, e.eventTime()));
            }
            h.processWatermark(new Watermark(T + 3 * MINUTE));
            // late copies: within the bound (2 + 5 > 3) dropped; a new late event passes, and its
            // copy does not
            for (EcrEvent e :
                    List.of(
                            event(2, "a", "5", "111"),
                            event(2, "b", "2", "111"),
                            event(2, "c", "1", "111"),
                            event(2, "c", "2", "111"),
                            event(1, "b", "3", "111"))) {
                h.processElement(new StreamRecord<>(e, e.eventTime()));
            }
            h.processWatermark(new Watermark(T + 7 * MINUTE));
            // beyond the bound (2 + 5 <= 7) nothing is remembered: passes
            EcrEvent old = event(2, "a", "6", "111");
            h.processElement(new StreamRecord<>(old, old.eventTime()));
            assertThat(h.extractOutputValues())
                    .extracting(e -> e.eventId() + e.sourceIp() + "/" + e.accountId())
                    .containsExactly("a1/111", "a3/222", "b1/111", "c1/111", "b3/111", "a6/111");
            assertThat(
                            h.getEnvironment()
                                    .getAccumulatorRegistry()
                                    .getUserMap()
                                    .get(Counters.DUPLICATES_DROPPED)
                                    .getLocalValue())
                    .isEqualTo(5L);
        }
    }
}
