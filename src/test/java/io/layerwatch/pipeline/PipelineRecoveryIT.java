package io.layerwatch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RulesConfig;
import io.layerwatch.finding.Finding;
import io.layerwatch.replay.Replay;
import io.layerwatch.testing.MiniClusters;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.restartstrategy.RestartStrategies;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The attack story streamed record by record with checkpoints: a failure in the middle and a
 * restore from the last checkpoint give the same finding ids as a run without failure; nothing is
 * lost.
 */
class PipelineRecoveryIT {

    @RegisterExtension static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(4);

    static final AtomicBoolean FAILED = new AtomicBoolean();
    static final AtomicBoolean INJECT = new AtomicBoolean();

    static Map<String, Finding> run(boolean fail) throws Exception {
        List<String> lines = List.of(PipelineIT.resource("demo/attack-story.jsonl").split("\n"));
        RulesConfig rules = PipelineIT.demoRules();
        FAILED.set(false);
        INJECT.set(fail);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(Replay.localConfiguration());
        env.setParallelism(2);
        env.enableCheckpointing(50);
        env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 100));
        DataGeneratorSource<Payload> source =
                new DataGeneratorSource<>(
                        i ->
                                Payload.ofBytes(
                                        "story#" + i,
                                        lines.get(i.intValue()).getBytes(StandardCharsets.UTF_8)),
                        // slow enough for checkpoints to complete mid-story also on a busy machine
                        lines.size(),
                        RateLimiterStrategy.perSecond(40),
                        TypeInformation.of(Payload.class));
        DataStream<Payload> payloads =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "story")
                        .uid("story-source")
                        .setParallelism(1)
                        .map(new FailOnceAfterACheckpoint())
                        .uid("fail-once")
                        .setParallelism(1);
        LayerWatchPipeline.Outputs out =
                LayerWatchPipeline.build(payloads, rules, JobShape.replay(rules));
        Map<String, Finding> latest = new LinkedHashMap<>();
        try (CloseableIterator<Finding> it = out.findings().executeAndCollect("recovery")) {
            it.forEachRemaining(
                    f -> latest.merge(f.id(), f, Finding::later)); // as findings.jsonl keeps them
        }
        assertThat(FAILED.get()).isEqualTo(fail);
        return latest;
    }

    @Test
    void aRestoredRunFindsExactlyWhatAnUninterruptedRunFinds() throws Exception {
        Map<String, Finding> clean = run(false);
        Map<String, Finding> restored = run(true);

        assertThat(clean)
                .hasSize(
                        PipelineIT.STORY_EXPECTED.values().stream()
                                .mapToInt(Integer::intValue)
                                .sum());
        assertThat(restored.keySet()).containsExactlyInAnyOrderElementsOf(clean.keySet());
        clean.forEach(
                (id, f) ->
                        assertThat(restored.get(id).eventCount())
                                .as(f.ruleId())
                                .isEqualTo(f.eventCount()));
    }

    /** Throws once, after a checkpoint has completed and more records have passed. */
    static final class FailOnceAfterACheckpoint extends RichMapFunction<Payload, Payload>
            implements CheckpointListener {
        private boolean checkpointed;
        private int seen;

        @Override
        public Payload map(Payload p) {
            seen++;
            if (INJECT.get() && checkpointed && seen > 20 && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure");
            }
            return p;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpointed = true;
        }
    }
}
