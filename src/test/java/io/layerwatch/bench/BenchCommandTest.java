package io.layerwatch.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.cli.CliTest;
import io.layerwatch.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code layerwatch bench} on a tiny trail: the JSON contract (not the speed; timings are never asserted).
 * Tagged {@code bench-smoke}: the small functional check of the bench command, part of the normal suite.
 */
@Tag("bench-smoke")
class BenchCommandTest {

    @Test
    void jsonLastLineHasBothDatasetsWithRatiosComputedFromTheRates(@TempDir Path work) throws Exception {
        CliTest.Run run = CliTest.run("bench", "--events", "2000", "--json", "--work", work.toString());

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
            assertThat(d.path("ratio").asDouble()).as(dataset).isCloseTo(pipeline / raw, org.assertj.core.data.Offset.offset(1e-4));
            assertThat(report.path("details").path(dataset).path("eventsRead").asLong())
                    .isEqualTo(report.path("details").path(dataset).path("records").asLong()).isGreaterThanOrEqualTo(2000);
        }
        assertThat(report.path("machine").path("cores").asInt()).isPositive();
        assertThat(report.path("machine").path("maxHeapBytes").asLong()).isPositive();
        assertThat(run.err()).contains("ecrOnly: raw parse", "mix: raw parse");
        try (Stream<Path> left = Files.list(work)) {
            assertThat(left).as("generated files are deleted").isEmpty();
        }
    }

    @Test
    void badFlagsFailWithOneLine() {
        assertThat(CliTest.run("bench", "--events", "10").err()).contains("--events must be at least 1000");
        assertThat(CliTest.run("bench", "--principals", "5").err()).contains("--principals needs --memory");
        assertThat(CliTest.run("bench", "--parallelism", "0").code()).isEqualTo(2);
    }
}
