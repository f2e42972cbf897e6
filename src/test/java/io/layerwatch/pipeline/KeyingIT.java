package io.layerwatch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.generate.Generator;
import io.layerwatch.generate.GeneratorOptions;
import io.layerwatch.pipeline.JobShape.Keying;
import io.layerwatch.replay.InputFile;
import io.layerwatch.replay.InputFiles;
import io.layerwatch.testing.KeyedRuleFixtures;
import io.layerwatch.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyed operators in the decoder's task (parallelism 1) find exactly what they find behind a keyBy.
 */
class KeyingIT {

    @Test
    void inPlaceAndNetworkKeyingEmitTheSameFindingsForEveryRule(@TempDir Path dir)
            throws Exception {
        Path trail = dir.resolve("trail");
        Generator.write(trail, GeneratorOptions.of(12_000, 7).withInjections(2).withEcrShare(0.3));
        RulesConfig rules = RulesConfigLoader.load(trail.resolve(Generator.RULES));
        List<Payload> payloads = new ArrayList<>();
        try (Stream<Path> files = Files.walk(trail)) {
            // in delivery order, as replay reads them: out of order only within the lateness bound
            for (InputFile f :
                    InputFiles.local(
                            files.filter(Files::isRegularFile)
                                    .filter(f -> !InputFiles.skipped(f.getFileName().toString()))
                                    .toList())) {
                payloads.add(
                        Payload.ofBytes(f.location(), Files.readAllBytes(Path.of(f.location()))));
            }
        }

        PipelineHarness.Result inPlace = PipelineHarness.run(payloads, rules, 1, Keying.IN_PLACE);
        PipelineHarness.Result network = PipelineHarness.run(payloads, rules, 1, Keying.NETWORK);

        assertThat(inPlace.countsByRule().keySet()).containsAll(RuleCatalog.ids());
        assertThat(json(inPlace)).isEqualTo(json(network));
        assertThat(inPlace.late()).hasSameSizeAs(network.late());
    }

    @Test
    void inPlaceRunsThePatternMatchersInOneOperatorAndFirstSeenInTheDecodersTask() {
        StreamExecutionEnvironment env = PipelineHarness.environment(1);
        PipelineHarness.build(
                        env,
                        List.of(Payload.ofBytes("x", new byte[0])),
                        KeyedRuleFixtures.NETWORKS,
                        Keying.IN_PLACE)
                .findings()
                .print();
        List<String> vertices = new ArrayList<>();
        for (JobVertex v : env.getStreamGraph().getJobGraph().getVertices()) {
            vertices.add(v.getName());
        }
        assertThat(vertices)
                .filteredOn(n -> n.startsWith("Decode payloads"))
                .singleElement()
                .asString()
                .contains(
                        "Pattern matchers in place: ",
                        RuleCatalog.LAYER_DOWNLOAD_BURST,
                        RuleCatalog.CREDENTIAL_NETWORK_HOP,
                        RuleCatalog.FIRST_SEEN_PULLER + " (by repository)")
                .doesNotContain(" (matcher)");
        assertThat(vertices).noneMatch(n -> n.startsWith("Rules (static)"));
    }

    @Test
    void inPlaceKeyingRefusesAParallelismAboveOne() {
        StreamExecutionEnvironment env = PipelineHarness.environment(2);
        assertThatThrownBy(
                        () ->
                                PipelineHarness.build(
                                        env,
                                        List.of(Payload.ofBytes("x", new byte[0])),
                                        RulesConfigLoader.builtIn(),
                                        Keying.IN_PLACE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("parallelism 1");
    }

    /** Every emission (an episode may be emitted more than once), as JSON, in a stable order. */
    private static List<String> json(PipelineHarness.Result r) throws Exception {
        List<String> out = new ArrayList<>();
        for (var f : r.emitted()) {
            out.add(Json.MAPPER.writeValueAsString(f));
        }
        out.sort(null);
        return out;
    }
}
