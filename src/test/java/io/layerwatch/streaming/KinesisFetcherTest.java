package io.layerwatch.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.layerwatch.pipeline.Payload;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.streaming.api.TimeCharacteristic;
import org.apache.flink.streaming.api.functions.source.SourceFunction.SourceContext;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.api.operators.StreamSourceContexts;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.LatencyMarker;
import org.apache.flink.streaming.runtime.streamrecord.RecordAttributes;
import org.apache.flink.streaming.runtime.streamrecord.StreamElement;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

/**
 * The source context the Kinesis consumer runs with, around Flink's own source context of a legacy
 * source.
 */
class KinesisFetcherTest {
    final Recording recording = new Recording();
    final List<StreamElement> out = recording.elements;
    final SourceContext<Payload> flink =
            StreamSourceContexts.getSourceContext(
                    TimeCharacteristic.EventTime,
                    new TestProcessingTimeService(),
                    new Object(),
                    recording,
                    0,
                    -1,
                    true);
    final KinesisFetcher.Context context = new KinesisFetcher.Context(flink);

    /** What a source context passes downstream, in order. */
    static final class Recording implements Output<StreamRecord<Payload>> {
        final List<StreamElement> elements = new CopyOnWriteArrayList<>();

        @Override
        public void collect(StreamRecord<Payload> record) {
            elements.add(record);
        }

        @Override
        public void emitWatermark(Watermark mark) {
            elements.add(mark);
        }

        @Override
        public void emitWatermarkStatus(WatermarkStatus status) {
            elements.add(status);
        }

        @Override
        public <X> void collect(OutputTag<X> tag, StreamRecord<X> record) {
            throw new AssertionError(
                    "a source context has no side outputs, yet got one for " + tag);
        }

        @Override
        public void emitLatencyMarker(LatencyMarker marker) {}

        @Override
        public void emitRecordAttributes(RecordAttributes attributes) {}

        @Override
        public void close() {}
    }

    static Payload payload() {
        return Payload.received("kinesis:s/shard-0/1", "{}".getBytes(), 7);
    }

    @Test
    void quietFromAnIdleMarkUntilTheNextRecord() {
        assertThat(context.quiet()).isFalse();
        context.markAsTemporarilyIdle();
        assertThat(context.quiet()).isTrue();
        Payload record = payload();
        context.collectWithTimestamp(record, 7);
        assertThat(context.quiet()).isFalse();
        context.emitWatermark(new Watermark(3));
        assertThat(context.quiet()).isFalse();
        assertThat(out)
                .containsExactly(
                        WatermarkStatus.IDLE,
                        WatermarkStatus.ACTIVE,
                        new StreamRecord<>(record, 7),
                        new Watermark(3));
    }

    @Test
    void noWatermarkNorIdleMarkReachesAClosedContext() {
        context.emitWatermark(new Watermark(5));
        context.close();
        // What the connector's watermark timer hit after stop-with-savepoint closed the context.
        assertThatThrownBy(flink::markAsTemporarilyIdle).hasMessageContaining("closed already");
        context.markAsTemporarilyIdle();
        context.emitWatermark(new Watermark(9));
        assertThat(out).containsExactly(new Watermark(5));
        assertThat(context.quiet()).isTrue();
    }

    @Test
    void aStoppedFetcherEmitsNothingMoreWhileRecordsStillPass() {
        context.stop();
        context.emitWatermark(new Watermark(5));
        context.markAsTemporarilyIdle();
        context.collectWithTimestamp(payload(), 7);
        assertThat(context.quiet()).isTrue();
        assertThat(out).singleElement().isInstanceOf(StreamRecord.class);
    }
}
