package io.layerwatch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.CloudWatchLogsSenders;
import io.layerwatch.event.DeadLetter;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.event.decode.PayloadDecoder;
import io.layerwatch.testing.CloudTrailRecords;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decoder on a thread of its own emits exactly what the decode function emits, in the same
 * order.
 */
class DecodeAheadTest {

    private static byte[] logFile(int records) {
        CloudTrailRecords.Builder[] b = new CloudTrailRecords.Builder[records];
        for (int i = 0; i < records; i++) {
            b[i] =
                    CloudTrailRecords.record(
                            i % 2 == 0 ? "BatchGetImage" : "GetDownloadUrlForLayer");
        }
        return CloudTrailRecords.logFile(b).getBytes(StandardCharsets.UTF_8);
    }

    private static Payload bytes(int records) {
        return Payload.ofBytes("bytes", logFile(records));
    }

    /** Records and watermarks as they came out, and the dead letters. */
    private record Out(List<Object> main, List<DeadLetter> dead) {}

    private static OneInputStreamOperatorTestHarness<Payload, EcrEvent> harness(
            OneInputStreamOperator<Payload, EcrEvent> operator) throws Exception {
        OneInputStreamOperatorTestHarness<Payload, EcrEvent> h =
                new OneInputStreamOperatorTestHarness<>(operator);
        h.open();
        return h;
    }

    private static Out out(OneInputStreamOperatorTestHarness<Payload, EcrEvent> h) {
        List<Object> main = new ArrayList<>();
        for (Object o : h.getOutput()) {
            main.add(o instanceof StreamRecord<?> r ? r.getValue() : o);
        }
        List<DeadLetter> dead = new ArrayList<>();
        var side = h.getSideOutput(LayerWatchPipeline.DEAD_LETTERS);
        if (side != null) {
            side.forEach(r -> dead.add(r.getValue()));
        }
        return new Out(main, dead);
    }

    /**
     * Feeds payloads (and watermarks, given as Longs) to the operator, ends the input, returns what
     * came out.
     */
    private static Out run(
            OneInputStreamOperator<Payload, EcrEvent> operator, List<Object> input, boolean ahead)
            throws Exception {
        try (var h = harness(operator)) {
            for (Object in : input) {
                if (in instanceof Long mark) {
                    h.processWatermark(new Watermark(mark));
                } else {
                    h.processElement(new StreamRecord<>((Payload) in));
                }
            }
            if (ahead) {
                h.endInput();
            }
            return out(h);
        }
    }

    @Test
    void emitsWhatTheDecodeFunctionEmitsInInputOrderEachWatermarkAfterThePayloadsBeforeIt(
            @TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("trail.json"), logFile(3));
        List<Object> input = new ArrayList<>();
        input.add(bytes(2));
        input.add(1_000L);
        input.add(Payload.ofBytes("garbage", "{not json".getBytes(StandardCharsets.UTF_8)));
        input.add(Payload.ofFile(file.toString()));
        input.add(Payload.ofFile(dir.resolve("missing.json").toString()));
        input.add(2_000L);
        for (int i = 0; i < DecodeAhead.IN_FLIGHT + 3; i++) {
            input.add(bytes(1 + i % 3));
            input.add(3_000L + i);
        }

        Out direct = run(new ProcessOperator<>(new DecodeFunction()), input, false);
        Out ahead = run(new DecodeAhead(new DecodeFunction()), input, true);

        assertThat(direct.main()).hasSizeGreaterThan(20);
        assertThat(ahead.main()).containsExactlyElementsOf(direct.main());
        assertThat(direct.dead()).hasSize(2);
        assertThat(ahead.dead()).containsExactlyElementsOf(direct.dead());
    }

    @Test
    void theDecoderStaysAFixedNumberOfPayloadsAheadOfTheOutput() throws Exception {
        try (var h = harness(new DecodeAhead(new DecodeFunction()))) {
            int extra = 3;
            for (int i = 0; i < DecodeAhead.IN_FLIGHT + extra; i++) {
                h.processElement(new StreamRecord<>(bytes(2)));
            }
            assertThat(h.getOutput()).as("the oldest payloads' events").hasSize(2 * extra);
            h.endInput();
            assertThat(h.getOutput()).hasSize(2 * (DecodeAhead.IN_FLIGHT + extra));
        }
    }

    /** Payloads of 40 events each, three times as many as the decoder may run ahead. */
    private static List<Object> overBudget() {
        List<Object> input = new ArrayList<>();
        for (int i = 0; i < 3 * DecodeAhead.IN_FLIGHT; i++) {
            input.add(bytes(40));
        }
        return input;
    }

    @Test
    void pastItsByteBudgetTheDecoderEmitsWhatTheDecodeFunctionEmits() throws Exception {
        List<Object> input = overBudget();
        Out ahead = run(new DecodeAhead(new DecodeFunction(), 1), input, true);
        Out direct = run(new ProcessOperator<>(new DecodeFunction()), input, false);
        assertThat(ahead.main())
                .hasSize(40 * input.size())
                .containsExactlyElementsOf(direct.main());
    }

    @Test
    void pastItsByteBudgetTheDecoderWaitsForTheOutput() throws Exception {
        List<Object> input = overBudget();
        DecodeAhead tight = new DecodeAhead(new DecodeFunction(), 1);
        run(tight, input, true);
        DecodeFunction alone = new DecodeFunction();
        alone.openDecoder();
        long largest = 0;
        for (Object payload : input) {
            DecodeAhead.Recorded one = new DecodeAhead.Recorded();
            alone.decode((Payload) payload, one);
            largest = Math.max(largest, one.bytes());
        }
        assertThat(tight.peakHeld())
                .as("one payload's results per decoder at most, not IN_FLIGHT payloads'")
                .isPositive()
                .isLessThanOrEqualTo(DecodeAhead.DECODERS * largest);
    }

    /** A file that cannot be read until {@link #RELEASE} opens: it keeps a decoder busy. */
    private static final class HeldFile implements FileReader.Remote {
        private static final long serialVersionUID = 1L;
        static final CountDownLatch RELEASE = new CountDownLatch(1);

        @Override
        public boolean holds(String location) {
            return location.startsWith("held://");
        }

        @Override
        public byte[] read(String location, long maxBytes) throws IOException {
            try {
                RELEASE.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            return logFile(0);
        }

        @Override
        public void close() {}
    }

    @Test
    void aDecoderWhosePayloadIsNextToGoOutDoesNotWaitForRoom() throws Exception {
        // Payload 0 holds the first decoder (a file it cannot read yet); the second decodes
        // payload 1 (no records) and payload 3, which fills the budget. Payload 2, the first
        // decoder's next, is then the next to go out once 0 and 1 are: waiting for room, which
        // only emitting 3 makes, it would wait for ever, and the task's thread for it.
        DecodeAhead ahead =
                new DecodeAhead(
                        new DecodeFunction(
                                new HeldFile(),
                                ReadProgress.Locator.NONE,
                                true,
                                CloudWatchLogsSenders.ANY,
                                PayloadDecoder.DEFAULT_MAX_INFLATED_BYTES),
                        1);
        var h = harness(ahead);
        h.processElement(new StreamRecord<>(Payload.ofFile("held://0")));
        h.processElement(new StreamRecord<>(bytes(0)));
        h.processElement(new StreamRecord<>(bytes(2)));
        h.processElement(new StreamRecord<>(bytes(3)));
        while (ahead.peakHeld() == 0) {
            Thread.sleep(10); // payload 3 decoded
        }
        HeldFile.RELEASE.countDown();
        // On a thread of its own, so that a deadlock fails the test instead of hanging it.
        ExecutorService ending =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread t = new Thread(r);
                            t.setDaemon(true);
                            return t;
                        });
        ending.submit(
                        () -> {
                            h.endInput();
                            return null;
                        })
                .get(60, TimeUnit.SECONDS);
        ending.shutdown();
        assertThat(out(h).main().stream().filter(EcrEvent.class::isInstance)).hasSize(2 + 3);
        h.close();
    }

    @Test
    void nothingStaysInFlightAcrossACheckpointBarrier() throws Exception {
        try (var h = harness(new DecodeAhead(new DecodeFunction()))) {
            h.processElement(new StreamRecord<>(bytes(2)));
            h.processWatermark(new Watermark(5));
            h.processElement(new StreamRecord<>(bytes(3)));
            assertThat(h.getOutput()).isEmpty();

            h.prepareSnapshotPreBarrier(1);

            List<Object> out = out(h).main();
            assertThat(out).hasSize(6);
            assertThat(out.get(2)).isEqualTo(new Watermark(5));
            assertThat(out.stream().filter(EcrEvent.class::isInstance).count()).isEqualTo(5);
        }
    }

    @Test
    void eventsKeepThePayloadsTimestampAsTheFunctionsCollectorDoes() throws Exception {
        Function<OneInputStreamOperator<Payload, EcrEvent>, List<Long>> stamps =
                operator -> {
                    try (var h = harness(operator)) {
                        h.processElement(new StreamRecord<>(bytes(1), 42));
                        h.processElement(new StreamRecord<>(bytes(1)));
                        h.endInput();
                        List<Long> out = new ArrayList<>();
                        for (Object o : h.getOutput()) {
                            StreamRecord<?> r = (StreamRecord<?>) o;
                            out.add(r.hasTimestamp() ? r.getTimestamp() : null);
                        }
                        return out;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                };
        List<Long> ahead = stamps.apply(new DecodeAhead(new DecodeFunction()));
        assertThat(ahead).containsExactly(42L, null);
        assertThat(ahead).isEqualTo(stamps.apply(new ProcessOperator<>(new DecodeFunction())));
    }
}
