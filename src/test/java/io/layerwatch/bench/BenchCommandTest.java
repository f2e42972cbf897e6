package io.layerwatch.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.cli.LayerWatchCli;
import io.layerwatch.util.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The bench command's contract (not its speed): both datasets measured, rates consistent, the JSON last line. */
class BenchCommandTest {

    @Test
    void benchPrintsRatesRatiosAndOneJsonObjectLast() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = LayerWatchCli.execute(new PrintWriter(out), new PrintWriter(err), "bench", "--events", "3000", "--json");
        assertThat(code).as(err.toString()).isZero();
        String[] lines = out.toString().strip().split("\n");
        assertThat(lines[0]).startsWith("LayerWatch bench: 3,000 records per dataset");
        JsonNode last = Json.tree(lines[lines.length - 1]);
        for (String dataset : new String[] {"ecrOnly", "mix"}) {
            JsonNode d = last.path(dataset);
            assertThat(d.path("rawParsePerSec").asDouble()).as(dataset).isPositive();
            assertThat(d.path("pipelinePerSec").asDouble()).as(dataset).isPositive();
            assertThat(d.path("ratio").asDouble()).as(dataset).isCloseTo(
                    d.path("pipelinePerSec").asDouble() / d.path("rawParsePerSec").asDouble(),
                    org.assertj.core.data.Offset.offset(0.01));
            // the records counted by the parser, read by the pipeline and written by the generator agree
            assertThat(d.path("records").asLong()).as(dataset).isBetween(2_900L, 3_100L);
            // benign generated traffic under the generated organization's rules: quiet
            assertThat(d.path("findings").asLong()).as(dataset).isZero();
        }
        assertThat(last.path("machine").path("cores").asInt()).isPositive();
        assertThat(out.toString()).contains("ecr-only").contains("mix");
    }

    @Test
    void tooFewEventsIsAUsageError() {
        StringWriter err = new StringWriter();
        int code = LayerWatchCli.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), "bench", "--events", "10");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--events 10: at least 1000");
    }
}
