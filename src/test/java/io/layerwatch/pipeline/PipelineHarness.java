package io.layerwatch.pipeline;

import io.layerwatch.config.RulesConfig;
import io.layerwatch.event.DeadLetter;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.pipeline.JobShape.Keying;
import io.layerwatch.replay.Replay;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/** Runs the real pipeline on the test MiniCluster and collects what it emits. */
final class PipelineHarness {

    record Result(List<Finding> emitted, Map<String, Finding> latest, List<DeadLetter> deadLetters,
            List<EcrEvent> late, JobExecutionResult job) {

        /** Distinct finding ids per rule id. */
        Map<String, Integer> countsByRule() {
            Map<String, Integer> counts = new TreeMap<>();
            latest.values().forEach(f -> counts.merge(f.ruleId(), 1, Integer::sum));
            return counts;
        }

        List<Finding> of(String ruleId) {
            return latest.values().stream().filter(f -> f.ruleId().equals(ruleId)).toList();
        }
    }

    private PipelineHarness() {}

    /** Keyed operators as a replay at that parallelism has them: in place at parallelism 1. */
    static Result run(List<Payload> payloads, RulesConfig config, int parallelism) throws Exception {
        return run(payloads, config, parallelism,
                parallelism == 1 ? Keying.IN_PLACE : Keying.NETWORK);
    }

    static Result run(List<Payload> payloads, RulesConfig config, int parallelism, Keying keying)
            throws Exception {
        StreamExecutionEnvironment env = environment(parallelism);
        LayerWatchPipeline.Outputs out = build(env, payloads, config, keying);
        List<Finding> emitted = new ArrayList<>();
        List<DeadLetter> dead = new ArrayList<>();
        List<EcrEvent> late = new ArrayList<>();
        try (CloseableIterator<Finding> f = out.findings().collectAsync();
                CloseableIterator<DeadLetter> d = out.deadLetters().collectAsync();
                CloseableIterator<EcrEvent> l = out.lateEvents().collectAsync()) {
            JobExecutionResult job = env.execute("pipeline-test");
            f.forEachRemaining(emitted::add);
            d.forEachRemaining(dead::add);
            l.forEachRemaining(late::add);
            Map<String, Finding> latest = new LinkedHashMap<>();
            emitted.forEach(x -> latest.merge(x.id(), x, Finding::later)); // as findings.jsonl keeps them
            return new Result(emitted, latest, dead, late, job);
        }
    }

    static StreamExecutionEnvironment environment(int parallelism) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(Replay.localConfiguration());
        env.setParallelism(parallelism);
        return env;
    }

    /** The replay's pipeline (watermarks from the events, startup rules) over the payloads. */
    static LayerWatchPipeline.Outputs build(StreamExecutionEnvironment env, List<Payload> payloads, RulesConfig config,
            Keying keying) {
        return LayerWatchPipeline.build(env.fromData(payloads).rebalance(), config,
                JobShape.replay(config).withKeying(keying, keying == Keying.IN_PLACE ? 1 : 0));
    }
}
