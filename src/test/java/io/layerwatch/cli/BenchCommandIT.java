package io.layerwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code layerwatch bench} on a tiny trail: the JSON contract (not the speed; timings are never
 * asserted). Tagged {@code bench-smoke}: the small functional check of the bench command, part of
 * the normal suite.
 */
@Tag("bench-smoke")
class BenchCommandIT {

    @Test
    void jsonLastLineHasBothDatasetsWithRatiosComputedFromTheRates(@TempDir Path work)
            throws Exception {
        CliTest.Run run =
                CliTest.run(
                        "bench",
                        "--events",
                        "2000",
                        "--json",
                        "--warm-ups",
                        "1",
                        "--iterations",
                        "2",
                        "--work",
                        work.toString());

        assertThat(run.code()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(1); // with --json, progress goes to standard error
        JsonNode report = Json.tree(lines.get(lines.size() - 1));
        assertThat(report).isNotNull();
        for (String dataset : List.of("ecrOnly", "mix")) {
            JsonNode d = report.path(dataset);
            assertThat(d.isObject()).as(dataset).isTrue();
            double raw = d.path("rawParsePerSec").asDouble();
            double pipeline = d.path("pipelinePerSec").asDouble();
            assertThat(raw).as(dataset).isPositive();
            assertThat(pipeline).as(dataset).isPositive();
            assertThat(d.path("ratio").asDouble())
                    .as(dataset)
                    .isCloseTo(pipeline / raw, Offset.offset(1e-4));
            JsonNode details = report.path("details").path(dataset);
            assertThat(details.path("pipelineRuns")).hasSize(2);
            assertThat(pipeline)
                    .as("the median of two runs")
                    .isCloseTo(
                            (details.path("pipelineRuns").get(0).asDouble()
                                            + details.path("pipelineRuns").get(1).asDouble())
                                    / 2,
                            Offset.offset(0.2));
            assertThat(raw)
                    .isCloseTo(
                            (details.path("rawParseRuns").get(0).asDouble()
                                            + details.path("rawParseRuns").get(1).asDouble())
                                    / 2,
                            Offset.offset(0.2));
            assertThat(report.path("details").path(dataset).path("eventsRead").asLong())
                    .isEqualTo(report.path("details").path(dataset).path("records").asLong())
                    .isGreaterThanOrEqualTo(2000);
        }
        assertThat(report.path("machine").path("cores").asInt()).isPositive();
        assertThat(report.path("machine").path("maxHeapBytes").asLong()).isPositive();
        assertThat(run.err())
                .contains("ecrOnly: raw parse", "mix: raw parse", "warm-up 1:", "run 2:");
        assertThat(report.path("iterations").asInt()).isEqualTo(2);
        try (Stream<Path> left = Files.list(work)) {
            assertThat(left).as("generated files are deleted").isEmpty();
        }
    }

    @Test
    void datasetSelectsWhatIsMeasured(@TempDir Path work) {
        CliTest.Run run =
                CliTest.run(
                        "bench",
                        "--events",
                        "1000",
                        "--json",
                        "--dataset",
                        "mix",
                        "--warm-ups",
                        "0",
                        "--iterations",
                        "1",
                        "--work",
                        work.toString());

        assertThat(run.code()).as(run.err()).isZero();
        JsonNode report = Json.tree(run.out().strip());
        assertThat(report.has("mix")).isTrue();
        assertThat(report.has("ecrOnly")).isFalse();
        assertThat(run.err()).doesNotContain("ecrOnly");
    }

    @Test
    void scalingComparesParallelismNWithOneOnTheSameTrail(@TempDir Path work) throws Exception {
        CliTest.Run run =
                CliTest.run(
                        "bench",
                        "--scaling",
                        "--events",
                        "2000",
                        "--json",
                        "--warm-ups",
                        "0",
                        "--iterations",
                        "3",
                        "--work",
                        work.toString());

        assertThat(run.code()).as(run.err()).isZero();
        JsonNode report = Json.tree(run.out().strip());
        double p1 = report.path("p1PerSec").asDouble();
        double p2 = report.path("p2PerSec").asDouble();
        assertThat(p1).isPositive();
        assertThat(p2).isPositive();
        assertThat(report.path("ratio").asDouble()).isCloseTo(p2 / p1, Offset.offset(1e-3));
        assertThat(report.path("targetMet").asBoolean()).isEqualTo(p2 / p1 >= 1.0);
        assertThat(report.path("p1Runs")).hasSize(3);
        assertThat(report.path("p2Runs")).hasSize(3);
        List<Double> runs = new ArrayList<>();
        report.path("p2Runs").forEach(r -> runs.add(r.asDouble()));
        assertThat(p2)
                .as("the median of three runs")
                .isEqualTo(runs.stream().sorted().toList().get(1));
        assertThat(report.path("parallelism").asInt()).isEqualTo(2);
        assertThat(run.err()).contains("run 3: parallelism 1", "parallelism 2", "p2/p1");
        try (Stream<Path> left = Files.list(work)) {
            assertThat(left).as("generated files are deleted").isEmpty();
        }
    }

    @Test
    void badFlagsFailWithOneLine() {
        assertThat(CliTest.run("bench", "--events", "10").err())
                .contains("--events must be at least 1000");
        assertThat(CliTest.run("bench", "--principals", "5").err())
                .contains("--principals needs --memory");
        assertThat(CliTest.run("bench", "--parallelism", "0").code()).isEqualTo(2);
        assertThat(CliTest.run("bench", "--iterations", "0").err())
                .contains("--iterations must be at least 1");
        assertThat(CliTest.run("bench", "--dataset", "s3").err()).contains("unknown dataset 's3'");
        assertThat(CliTest.run("bench", "--memory", "--dataset", "mix").err())
                .contains("--dataset is for the throughput run");
        assertThat(CliTest.run("bench", "--scaling", "--parallelism", "1").err())
                .contains("--parallelism must be at least 2 with --scaling");
        assertThat(CliTest.run("bench", "--scaling", "--memory").err())
                .contains("--scaling and --memory are separate runs");
    }
}
