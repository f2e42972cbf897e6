package io.layerwatch.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.layerwatch.pipeline.Payload;
import io.layerwatch.testing.FakeAws;
import io.layerwatch.testing.FlinkCluster;
import io.layerwatch.testing.KinesisEmulator;
import io.layerwatch.testing.LogCapture;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.streaming.api.TimeCharacteristic;
import org.apache.flink.streaming.api.functions.source.SourceFunction.SourceContext;
import org.apache.flink.streaming.api.operators.StreamSource;
import org.apache.flink.streaming.api.operators.StreamSourceContexts;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.connectors.kinesis.FlinkKinesisConsumer;
import org.apache.flink.streaming.connectors.kinesis.internals.KinesisDataFetcher;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * One subtask of the Kinesis consumer against the Kinesis emulator, run as Flink runs a legacy
 * source (Flink's own source context, which fails once closed) with a manual clock for its
 * watermark timer, next to the connector's plain FlinkKinesisConsumer under the same conditions.
 */
class KinesisFetcherIT {
    @RegisterExtension static final FakeAws CREDENTIALS = FakeAws.credentialsOnly();

    static final Duration WAIT = Duration.ofSeconds(60);
    static final String NO_ACTIVE_SHARD = "No active shard for subtask 0, marking the source idle.";

    static KinesisEmulator kinesis;
    static KinesisClient client;

    /** The emulator with one stream a test: "quiet" gets a record late, "stopped" one up front. */
    @BeforeAll
    static void start() throws Exception {
        kinesis = KinesisEmulator.start();
        client = kinesis.client();
        for (String stream : List.of("quiet", "stopped")) {
            KinesisEmulator.createStream(client, stream, 1);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        kinesis.close();
    }

    static StreamingOptions options(String stream) {
        return new StreamingOptions(
                stream,
                "us-east-1",
                kinesis.endpoint(),
                StreamingOptions.InitialPosition.TRIM_HORIZON,
                null,
                null,
                StreamingOptions.BUILT_IN_RULES,
                null,
                List.of(),
                Map.of());
    }

    /**
     * The connector's consumer as it comes, with the same schema, watermarks and settings as ours.
     */
    static FlinkKinesisConsumer<Payload> plain(String stream) {
        Duration idleness = Duration.ofMillis(1);
        FlinkKinesisConsumer<Payload> c =
                new FlinkKinesisConsumer<>(
                        stream,
                        new KinesisPayloads.Schema(),
                        KinesisPayloads.properties(options(stream), idleness));
        c.setPeriodicWatermarkAssigner(new ArrivalWatermarks(0));
        return c;
    }

    /** Ours; idleness 1 ms: a shard is idle as soon as its record is out. */
    static FlinkKinesisConsumer<Payload> ours(String stream) {
        return KinesisPayloads.consumer(options(stream), Duration.ZERO, Duration.ofMillis(1));
    }

    /** The consumer running as subtask 0 of 1 in its own thread. */
    static final class Subtask implements AutoCloseable {
        final FlinkKinesisConsumer<Payload> consumer;
        final AbstractStreamOperatorTestHarness<Payload> harness;
        final KinesisFetcherTest.Recording out = new KinesisFetcherTest.Recording();
        final SourceContext<Payload> context;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread thread;

        Subtask(FlinkKinesisConsumer<Payload> consumer) throws Exception {
            this.consumer = consumer;
            harness =
                    new AbstractStreamOperatorTestHarness<>(new StreamSource<>(consumer), 1, 1, 0);
            harness.getExecutionConfig().setAutoWatermarkInterval(200);
            harness.setup();
            harness.initializeEmptyState();
            harness.open();
            context =
                    StreamSourceContexts.getSourceContext(
                            TimeCharacteristic.EventTime,
                            harness.getProcessingTimeService(),
                            new Object(),
                            out,
                            0,
                            -1,
                            true);
            thread =
                    new Thread(
                            () -> {
                                try {
                                    consumer.run(context);
                                } catch (Throwable t) {
                                    failure.set(t);
                                }
                            },
                            "kinesis-subtask");
            thread.start();
            // The fetcher registers its watermark timer once its shard consumers run.
            FlinkCluster.await(
                    "the watermark timer",
                    WAIT,
                    () -> harness.getProcessingTimeService().getNumActiveTimers() > 0);
        }

        /** Fires the watermark timer {@code times} times, 200 ms of the manual clock apart. */
        void tick(int times) throws Exception {
            for (int i = 0; i < times; i++) {
                harness.setProcessingTime(harness.getProcessingTime() + 200);
            }
        }

        boolean received() {
            return out.elements.stream().anyMatch(e -> e instanceof StreamRecord);
        }

        /** Stops the source as stop-with-savepoint does, and waits until its run() returned. */
        void stop() throws Exception {
            consumer.cancel();
            thread.join(WAIT.toMillis());
            assertThat(thread.isAlive()).as("consumer still running").isFalse();
            assertThat(failure.get()).isNull();
        }

        @Override
        public void close() throws Exception {
            consumer.cancel();
            thread.join(WAIT.toMillis());
            harness.close();
        }
    }

    @Test
    void anIdleSubtaskSaysSoOnceNotOnEveryTick() throws Exception {
        try (LogCapture log = LogCapture.of(KinesisDataFetcher.class);
                Subtask plain = new Subtask(plain("quiet"))) {
            plain.tick(10);
            assertThat(log.messages()).filteredOn(NO_ACTIVE_SHARD::equals).hasSize(10);
        }
        try (LogCapture log = LogCapture.of(KinesisDataFetcher.class);
                Subtask ours = new Subtask(ours("quiet"))) {
            ours.tick(10);
            assertThat(log.messages()).filteredOn(NO_ACTIVE_SHARD::equals).hasSize(1);
            // A record makes the shard active again: the next tick emits its watermark.
            client.putRecord(
                    b ->
                            b.streamName("quiet")
                                    .partitionKey("k")
                                    .data(SdkBytes.fromUtf8String("{}")));
            FlinkCluster.await("the record", WAIT, ours::received);
            ours.tick(1);
            assertThat(ours.out.elements)
                    .anySatisfy(e -> assertThat(e).isInstanceOf(Watermark.class));
        }
    }

    @Test
    void noWatermarkTimerFailsTheTaskAfterAStop() throws Exception {
        client.putRecord(
                b -> b.streamName("stopped").partitionKey("k").data(SdkBytes.fromUtf8String("{}")));
        try (Subtask plain = new Subtask(plain("stopped"))) {
            FlinkCluster.await("the record", WAIT, plain::received);
            plain.stop();
            // What failed stop-with-savepoint on the cluster: the connector's timer after the
            // context closed.
            assertThatThrownBy(() -> plain.tick(1)).hasStackTraceContaining("closed already");
        }
        try (Subtask ours = new Subtask(ours("stopped"))) {
            FlinkCluster.await("the record", WAIT, ours::received);
            ours.stop();
            ours.tick(5);
        }
    }
}
