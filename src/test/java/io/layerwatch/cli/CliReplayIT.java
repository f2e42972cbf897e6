package io.layerwatch.cli;

import static io.layerwatch.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.cli.CliTest.Run;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI commands that run a job in a local MiniCluster (replay, demo): output files, summary,
 * findings.
 */
class CliReplayIT {

    /** One layer download from app: a layer-download finding. */
    private static final String LAYER_DOWNLOAD =
            CloudTrailRecords.record("GetDownloadUrlForLayer")
                    .requestParameters(
                            CloudTrailRecords.object(
                                    "repositoryName", "app", "layerDigest", "sha256:1"))
                    .json();

    @Test
    void replaySummaryCountsWhatTheWebhookDeadLetteredWithoutItsSecret(@TempDir Path dir)
            throws Exception {
        Path input = dir.resolve("trail.jsonl");
        Files.writeString(input, LAYER_DOWNLOAD + "\n");
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(
                rules,
                "sinks:\n  delivery: {maxAttempts: 1}\n  webhook:\n    format: slack\n"
                        + "    url: https://127.0.0.1:1/T0/hook-s3cret\n    headers: {Authorization: Bearer t0k-s3cret}\n"
                        + "    policy: {minSeverity: LOW}\n");
        Path out = dir.resolve("out");
        Run r =
                run(
                        "replay",
                        "--rules",
                        rules.toString(),
                        "--sink",
                        "webhook",
                        "--out",
                        out.toString(),
                        input.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("dead-lettered: 0   sink dead-lettered: 1");
        assertThat(
                        Json.tree(Files.readString(out.resolve("summary.json")))
                                .path("sinkDeadLettered")
                                .asLong())
                .isEqualTo(1);
        String deadLetters = Files.readString(out.resolve("sink-dead-letter.jsonl"));
        assertThat(Json.tree(deadLetters.strip()).path("sink").asText()).isEqualTo("webhook");
        assertThat(deadLetters + r.out() + r.err()).doesNotContain("s3cret");
    }

    @Test
    void replayWritesFindingsDeadLettersAndSummary(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("trail.jsonl");
        Files.writeString(input, LAYER_DOWNLOAD + "\n\n{broken\n");
        Path out = dir.resolve("out");
        Run r = run("replay", "--out", out.toString(), input.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("layer-download").contains("dead-lettered: 1");

        assertThat(Files.readAllLines(out.resolve("findings.jsonl")))
                .singleElement()
                .satisfies(
                        l ->
                                assertThat(Json.tree(l).path("ruleId").asText())
                                        .isEqualTo("layer-download"))
                .satisfies(
                        l ->
                                assertThat(Json.tree(l).path("attack"))
                                        .isEqualTo(
                                                Json.tree(
                                                        "[{\"technique\":\"T1530\",\"name\":\"Data from Cloud Storage\",\"tactic\":\"TA0009\","
                                                                + "\"tacticName\":\"Collection\"}]")));
        assertThat(Files.readAllLines(out.resolve("dead-letter.jsonl")))
                .singleElement()
                .satisfies(
                        l ->
                                assertThat(Json.tree(l).path("payload").asText())
                                        .isEqualTo("{broken"));
        JsonNode summary = Json.tree(Files.readString(out.resolve("summary.json")));
        assertThat(summary.path("eventsRead").asLong()).isEqualTo(1);
        assertThat(summary.path("eventsMatched").asLong()).isEqualTo(1);
        assertThat(summary.path("findings").path("layer-download").asLong()).isEqualTo(1);
        assertThat(summary.path("bySeverity").path("LOW").asLong()).isEqualTo(1);
        assertThat(summary.path("deadLettered").asLong()).isEqualTo(1);
        assertThat(summary.has("late")).isTrue();
    }

    @Test
    void replayHonoursTheTimeRange(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("trail.jsonl");
        Files.writeString(
                input,
                CloudTrailRecords.record("DeleteRepositoryPolicy")
                                .repositoryName("app")
                                .time(Instant.parse("2024-05-01T12:00:00Z"))
                                .json()
                        + "\n");
        Path out = dir.resolve("out");
        assertThat(
                        run(
                                        "replay",
                                        "--from",
                                        "2024-05-02",
                                        "--out",
                                        out.toString(),
                                        input.toString())
                                .code())
                .isZero();
        assertThat(Files.readAllLines(out.resolve("findings.jsonl"))).isEmpty();
        assertThat(
                        run(
                                        "replay",
                                        "--from",
                                        "2024-05-01",
                                        "--to",
                                        "2024-05-02",
                                        "--out",
                                        out.toString(),
                                        input.toString())
                                .code())
                .isZero();
        assertThat(Files.readAllLines(out.resolve("findings.jsonl"))).hasSize(1);
    }

    @Test
    void theDemoReplaysTheBundledTrailIntoFindingsAndTheReport(@TempDir Path dir) throws Exception {
        Run r = run("demo", "--out", dir.toString());
        assertThat(r.code()).as(r.err()).isZero();
        Set<String> rules = new TreeSet<>();
        List<JsonNode> outside = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("findings.jsonl"))) {
            JsonNode f = Json.tree(line);
            rules.add(f.path("ruleId").asText());
            if (f.path("ruleId").asText().equals("untrusted-network")) {
                outside.add(f);
            }
        }
        assertThat(rules).containsExactlyInAnyOrderElementsOf(RuleCatalog.ids());
        // The file keeps the latest version of folded repeats: the 35 pulls from outside in 4
        // findings, marked with their incidents.
        assertThat(outside)
                .hasSize(4)
                .allSatisfy(
                        f ->
                                assertThat(f.path("details").path("incidentId").asText())
                                        .isNotEmpty());
        assertThat(outside.stream().mapToLong(f -> f.path("eventCount").asLong()).sum())
                .isEqualTo(35);
        JsonNode summary = Json.tree(Files.readString(dir.resolve("summary.json")));
        assertThat(summary.path("incidents")).hasSize(2);
        assertThat(summary.path("incidents").get(0).path("severity").asText())
                .isEqualTo("CRITICAL");
        assertThat(r.out()).contains("incidents (2, most severe first):");
        assertThat(r.out()).contains("report: " + dir.resolve("report.html"));
        assertThat(Files.readString(dir.resolve("report.html"))).contains("registry-not-assessed");
        assertThat(
                        Json.tree(Files.readString(dir.resolve("summary.json")))
                                .path("deadLettered")
                                .asLong())
                .isEqualTo(1);
    }
}
