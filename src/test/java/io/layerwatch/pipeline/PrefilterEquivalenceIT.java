package io.layerwatch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.finding.Finding;
import io.layerwatch.testing.MiniClusters;
import io.layerwatch.util.Json;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The bundled demo trail gives the same findings, dead letters and counters with the prefilter on
 * and off.
 */
class PrefilterEquivalenceIT {

    @RegisterExtension static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(2);

    private static final List<String> COUNTERS =
            List.of(
                    Counters.EVENTS_READ,
                    Counters.EVENTS_MATCHED,
                    Counters.DEAD_LETTERED,
                    Counters.LATE,
                    Counters.SCANS_FAILED,
                    Counters.SKIPPED);

    @Test
    void demoTrailGivesTheSameResultsWithAndWithoutThePrefilter() throws Exception {
        List<Payload> payloads = demoTrail();

        PipelineHarness.Result on = run(payloads, true);
        PipelineHarness.Result off = run(payloads, false);

        // Every emitted version of every finding (operators interleave them in no fixed order).
        assertThat(json(on.emitted())).isEqualTo(json(off.emitted()));
        assertThat(on.latest())
                .isEqualTo(off.latest())
                .hasSize(
                        PipelineIT.STORY_EXPECTED.values().stream()
                                .mapToInt(Integer::intValue)
                                .sum());
        assertThat(on.deadLetters()).isEqualTo(off.deadLetters()).isNotEmpty();
        assertThat(on.late()).isEqualTo(off.late());
        assertThat(counters(on)).isEqualTo(counters(off));
        // Not vacuous: the benign trail's records of other services were skipped, and still counted
        // as read (but for the first sighting of each session key, about 150, decoded as the key's
        // origin).
        long prefiltered = on.job().<Long>getAccumulatorResult(Counters.PREFILTERED);
        assertThat(prefiltered).isGreaterThanOrEqualTo(2700L);
        assertThat(off.job().<Long>getAccumulatorResult(Counters.PREFILTERED)).isIn(null, 0L);
        assertThat(counters(on).get(Counters.EVENTS_READ)).isGreaterThan(prefiltered);
    }

    private static PipelineHarness.Result run(List<Payload> payloads, boolean prefilter)
            throws Exception {
        return withPrefilter(
                prefilter, () -> PipelineHarness.run(payloads, PipelineIT.demoRules(), 1));
    }

    static <T> T withPrefilter(boolean prefilter, Callable<T> run) throws Exception {
        String before = System.getProperty(LayerWatchPipeline.PREFILTER_PROPERTY);
        System.setProperty(LayerWatchPipeline.PREFILTER_PROPERTY, Boolean.toString(prefilter));
        try {
            return run.call();
        } finally {
            if (before == null) {
                System.clearProperty(LayerWatchPipeline.PREFILTER_PROPERTY);
            } else {
                System.setProperty(LayerWatchPipeline.PREFILTER_PROPERTY, before);
            }
        }
    }

    /**
     * Every file the demo replays: 55 gzipped real CloudTrail log files and the attack story (JSON
     * lines).
     */
    static List<Payload> demoTrail() throws Exception {
        List<Payload> payloads = new ArrayList<>();
        for (String name : PipelineIT.resource("demo/index.txt").split("\n")) {
            name = name.trim();
            if (name.isEmpty() || name.startsWith("#")) {
                continue;
            }
            try (InputStream in =
                    PrefilterEquivalenceIT.class
                            .getClassLoader()
                            .getResourceAsStream("demo/" + name)) {
                payloads.add(Payload.ofBytes(name, in.readAllBytes()));
            }
        }
        assertThat(payloads).hasSize(56);
        return payloads;
    }

    private static List<String> json(List<Finding> findings) {
        return findings.stream().map(Json::write).sorted().toList();
    }

    private static Map<String, Long> counters(PipelineHarness.Result r) {
        Map<String, Long> out = new TreeMap<>();
        for (String name : COUNTERS) {
            Object v = r.job().getAllAccumulatorResults().get(name);
            out.put(name, v == null ? 0L : ((Number) v).longValue());
        }
        return out;
    }
}
