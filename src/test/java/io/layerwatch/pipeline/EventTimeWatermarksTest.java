package io.layerwatch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.event.EcrEvent;
import io.layerwatch.testing.CloudTrailRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The replay's event-time clock, operator by operator: what each emits, in which order. */
class EventTimeWatermarksTest {
    static final Duration BOUND = Duration.ofMinutes(15);
    static final long T = Instant.parse("2024-05-01T12:00:00Z").toEpochMilli();
    static final long MINUTE = 60_000L;

    /** The output as "wm:TIME" and "PAYLOAD-SOURCE@TIMESTAMP" / "EVENT-TIME@TIMESTAMP" items. */
    static <I, O> List<String> run(OneInputStreamOperator<I, O> operator, List<Object> input)
            throws Exception {
        try (OneInputStreamOperatorTestHarness<I, O> h =
                new OneInputStreamOperatorTestHarness<>(operator)) {
            h.open();
            for (Object item : input) {
                if (item instanceof Watermark w) {
                    h.processWatermark(w);
                } else {
                    @SuppressWarnings("unchecked")
                    I element = (I) item;
                    h.processElement(new StreamRecord<>(element));
                }
            }
            List<String> out = new ArrayList<>();
            for (Object o : h.getOutput()) {
                if (o instanceof Watermark w) {
                    out.add("wm:" + w.getTimestamp());
                } else if (o instanceof StreamRecord<?> r && r.getValue() instanceof Payload p) {
                    out.add(p.source());
                } else if (o instanceof StreamRecord<?> r && r.getValue() instanceof EcrEvent e) {
                    out.add(e.eventTime() + "@" + r.getTimestamp());
                }
            }
            return out;
        }
    }

    static Payload file(String name, long deliveredAt) {
        return Payload.ofFile(name, deliveredAt);
    }

    static EcrEvent event(long time) {
        return CloudTrailRecords.record("GetDownloadUrlForLayer")
                .time(Instant.ofEpochMilli(time))
                .event();
    }

    static String wm(long time) {
        return "wm:" + time;
    }

    @Test
    void fileOrderSendsEachStampMinusTheBoundAheadOfItsFile() throws Exception {
        long bound = BOUND.toMillis();
        assertThat(
                        run(
                                new FileOrderWatermarks(BOUND),
                                List.of(
                                        file("loose.jsonl", Long.MIN_VALUE),
                                        file("a", T),
                                        file("b", T),
                                        file("c", T + 5 * MINUTE),
                                        new Watermark(Long.MAX_VALUE))))
                .containsExactly(
                        "loose.jsonl",
                        wm(T - bound - 1),
                        "a",
                        "b",
                        wm(T + 5 * MINUTE - bound - 1),
                        "c",
                        wm(Long.MAX_VALUE));
    }

    @Test
    void theWatermarkFollowsTheNewestEventTimeMinusTheBound() throws Exception {
        long bound = BOUND.toMillis();
        assertThat(
                        run(
                                new BoundedLatenessWatermarks(BOUND),
                                List.of(event(T), event(T - 10 * MINUTE), event(T + 2_000))))
                .containsExactly(
                        T + "@" + T,
                        wm(T - bound - 1),
                        (T - 10 * MINUTE) + "@" + (T - 10 * MINUTE), // older: no watermark
                        (T + 2_000) + "@" + (T + 2_000),
                        wm(T + 2_000 - bound - 1));
    }

    @Test
    void theLaterOfTheFileOrderAndTheEventsSetsTheWatermark() throws Exception {
        long bound = BOUND.toMillis();
        assertThat(
                        run(
                                new BoundedLatenessWatermarks(BOUND),
                                List.of(
                                        new Watermark(
                                                T - bound
                                                        - 1), // files without ECR events: only the
                                        // file order moves time on
                                        new Watermark(T + 5 * MINUTE - bound - 1),
                                        event(T + 30 * MINUTE), // events ahead of the file stamps
                                        new Watermark(
                                                T
                                                        + 10 * MINUTE
                                                        - bound
                                                        - 1), // behind: not repeated
                                        new Watermark(Long.MAX_VALUE))))
                .containsExactly(
                        wm(T - bound - 1),
                        wm(T + 5 * MINUTE - bound - 1),
                        (T + 30 * MINUTE) + "@" + (T + 30 * MINUTE),
                        wm(T + 30 * MINUTE - bound - 1),
                        wm(Long.MAX_VALUE));
    }
}
