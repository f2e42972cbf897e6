package io.layerwatch.sinks.delivery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.finding.Finding;
import io.layerwatch.replay.Replay;
import io.layerwatch.sinks.aws.AwsClientSettings;
import io.layerwatch.sinks.webhook.WebhookTarget;
import io.layerwatch.testing.FakeAws;
import io.layerwatch.testing.MiniClusters;
import io.layerwatch.util.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.restartstrategy.RestartStrategies;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failure in the middle of a checkpointed job loses no finding at the sink (repeats keep their
 * id).
 */
class DeliveryRecoveryIT {

    @RegisterExtension static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(2);

    /**
     * At 40 a second the job runs 3 s: long enough for a checkpoint to complete on a loaded
     * machine.
     */
    static final int COUNT = 120;

    static final AtomicBoolean FAILED = new AtomicBoolean();

    @RegisterExtension static final FakeAws HTTP = new FakeAws();

    @TempDir Path dir;

    @BeforeEach
    void start() {
        HTTP.server().stubFor(post("/hook").willReturn(aResponse().withStatus(200)));
        FAILED.set(false);
    }

    @Test
    void noFindingIsLostAcrossAFailureAndRestore() throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(Replay.localConfiguration());
        env.setParallelism(1);
        env.enableCheckpointing(100);
        env.setRestartStrategy(RestartStrategies.fixedDelayRestart(2, 100));
        DataGeneratorSource<Finding> source =
                new DataGeneratorSource<>(
                        DeliveryRecoveryIT::finding,
                        COUNT,
                        RateLimiterStrategy.perSecond(40),
                        TypeInformation.of(Finding.class));
        WebhookTarget target =
                new WebhookTarget(
                        new WebhookTarget.Settings(
                                "webhook",
                                WebhookTarget.Format.GENERIC,
                                HTTP.endpoint() + "/hook",
                                null,
                                null,
                                Map.of(),
                                "{\"id\":\"{{id}}\"}",
                                Duration.ofSeconds(5),
                                AwsClientSettings.DEFAULTS));
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "findings")
                .uid("source")
                .map(new FailOnceAfterACheckpoint())
                .uid("fail-once")
                .sinkTo(
                        new DeliverySink<>(
                                target,
                                RetryPolicy.DEFAULTS,
                                new FileDeadLetters(dir.resolve("dl.jsonl").toString()),
                                20))
                .uid("sink");
        env.execute("recovery");

        assertThat(FAILED).isTrue();
        List<String> ids =
                HTTP.server().getAllServeEvents().stream()
                        .map(e -> Json.tree(e.getRequest().getBodyAsString()).path("id").asText())
                        .toList();
        Set<String> distinct = new HashSet<>(ids);
        assertThat(distinct).hasSize(COUNT);
        for (long i = 0; i < COUNT; i++) {
            assertThat(distinct).contains(finding(i).id());
        }
    }

    static Finding finding(long i) {
        return Json.read(
                "{\"id\":\"f-"
                        + i
                        + "\",\"ruleId\":\"layer-download\",\"severity\":\"LOW\",\"title\":\"t\","
                        + "\"principal\":{\"arn\":\"arn:aws:iam::111122223333:role/r\"},\"firstEventTime\":\"2024-05-01T12:00:00Z\","
                        + "\"lastEventTime\":\"2024-05-01T12:00:00Z\",\"eventCount\":1,\"eventIds\":[\"e"
                        + i
                        + "\"],"
                        + "\"details\":{},\"evidence\":[]}",
                Finding.class);
    }

    /** Throws once, after a checkpoint has completed and more elements have passed. */
    static final class FailOnceAfterACheckpoint extends RichMapFunction<Finding, Finding>
            implements CheckpointListener {
        private boolean checkpointed;
        private int seen;

        @Override
        public Finding map(Finding f) {
            seen++;
            if (checkpointed && seen > 10 && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure");
            }
            return f;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpointed = true;
        }
    }
}
