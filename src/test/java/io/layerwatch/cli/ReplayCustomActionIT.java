package io.layerwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.replay.Replay;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.util.Json;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replay runs no responder: Security Hub custom-action events in its input are never dropped
 * silently.
 */
class ReplayCustomActionIT {

    @Test
    void customActionEventsAreCountedDeadLettersFailingTheRun(@TempDir Path dir) throws Exception {
        String click;
        try (InputStream in =
                getClass()
                        .getClassLoader()
                        .getResourceAsStream("remediation/securityhub-custom-action.json")) {
            click = Json.tree(new String(in.readAllBytes(), StandardCharsets.UTF_8)).toString();
        }
        Path input = dir.resolve("events.jsonl");
        Files.writeString(
                input,
                CloudTrailRecords.record("GetDownloadUrlForLayer")
                                .requestParameters(
                                        CloudTrailRecords.object(
                                                "repositoryName", "app", "layerDigest", "sha256:1"))
                                .json()
                        + "\n"
                        + click
                        + "\n");
        Path out = dir.resolve("out");

        CliTest.Run r = CliTest.run("replay", "--quiet", "--out", out.toString(), input.toString());

        assertThat(r.code()).as(r.err()).isEqualTo(ReplayCommand.CUSTOM_ACTIONS_NOT_RUN);
        assertThat(r.err().strip())
                .isEqualTo(
                        "error: 3 Security Hub custom-action event(s) not run: replay runs no"
                                + " responder; give them to `layerwatch remediate plan|apply --findings FILE` (they are in "
                                + out.resolve("dead-letter.jsonl")
                                + ")");
        assertThat(r.out()).contains("layer-download").contains("dead-lettered: 3");
        List<String> dead = Files.readAllLines(out.resolve("dead-letter.jsonl"));
        assertThat(dead)
                .hasSize(3)
                .allSatisfy(
                        l -> {
                            assertThat(Json.tree(l).path("reason").asText())
                                    .isEqualTo(Replay.CUSTOM_ACTION_NOT_RUN);
                            assertThat(
                                            Json.tree(Json.tree(l).path("payload").asText())
                                                    .path("detail-type")
                                                    .asText())
                                    .isEqualTo("Security Hub Findings - Custom Action");
                        });
        assertThat(
                        Json.tree(Files.readString(out.resolve("summary.json")))
                                .path("deadLettered")
                                .asLong())
                .isEqualTo(3);
    }
}
