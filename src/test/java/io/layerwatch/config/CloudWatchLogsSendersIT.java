package io.layerwatch.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.replay.Replay;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.testing.LogsPayloads;
import io.layerwatch.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The attack of a member account subscribing its own log group to the organization's destination:
 * its forged "CloudTrail" records name another account. Replayed as Kinesis would carry them (gzip
 * subscription messages), the forged message is a counted dead letter and only the trail's own
 * record becomes a finding.
 */
class CloudWatchLogsSendersIT {
    static final String TRAIL_OWNER = CloudTrailRecords.ACCOUNT;
    static final String TRAIL_LOG_GROUP = "aws-controltower/CloudTrailLogs";
    static final String ATTACKER = CloudTrailRecords.FOREIGN_ACCOUNT;
    static final String VICTIM = CloudTrailRecords.TRUSTED_ACCOUNT;

    @TempDir Path dir;

    /**
     * A gzip subscription message from {@code owner}'s {@code logGroup} with one
     * DeleteRepositoryPolicy call in {@code account}.
     */
    private Path payload(String name, String owner, String logGroup, String account, String eventId)
            throws Exception {
        String record =
                CloudTrailRecords.record("DeleteRepositoryPolicy")
                        .assumedRole(account, "Admin", "alice")
                        .recipientAccount(account)
                        .repositoryName("app")
                        .eventId(eventId)
                        .json();
        String message =
                LogsPayloads.logsPayload("DATA_MESSAGE", record)
                        .replace("\"owner\":\"111122223333\"", "\"owner\":\"" + owner + "\"")
                        .replace(
                                "\"logGroup\":\"aws-cloudtrail-logs\"",
                                "\"logGroup\":\"" + logGroup + "\"");
        assertThat(message)
                .contains("\"owner\":\"" + owner + "\"", "\"logGroup\":\"" + logGroup + "\"");
        return Files.write(dir.resolve(name), LogsPayloads.gzip(message));
    }

    @ParameterizedTest(name = "parallelism {0}")
    @ValueSource(ints = {1, 2})
    void aForgedSubscriptionMessageIsACountedDeadLetterWhileTheTrailsYieldsItsFinding(
            int parallelism) throws Exception {
        RulesConfig config =
                RulesConfigLoader.fromYaml(
                        """
                input:
                  cloudWatchLogs:
                    owners: ["%s"]
                    logGroups: [aws-controltower/*]
                """
                                .formatted(TRAIL_OWNER),
                        "org.yaml");
        List<Path> files =
                List.of(
                        payload("forged.json.gz", ATTACKER, TRAIL_LOG_GROUP, VICTIM, "forged-1"),
                        payload(
                                "trail.json.gz",
                                TRAIL_OWNER,
                                TRAIL_LOG_GROUP,
                                TRAIL_OWNER,
                                "trail-1"));
        Path out = dir.resolve("out");

        Replay.Summary summary = Replay.run(files, config, null, null, out, parallelism);

        assertThat(summary.findings()).containsEntry(RuleCatalog.POLICY_DELETED, 1L);
        assertThat(summary.deadLettered()).isEqualTo(1);
        assertThat(summary.cloudWatchLogsRejected()).isEqualTo(1);
        assertThat(
                        Json.tree(Files.readString(out.resolve(Replay.SUMMARY)))
                                .path("cloudWatchLogsRejected")
                                .asLong())
                .isEqualTo(1);
        List<String> findings = Files.readAllLines(out.resolve(Replay.FINDINGS));
        assertThat(findings)
                .singleElement()
                .satisfies(
                        f -> {
                            assertThat(Json.tree(f).path("accountId").asText())
                                    .isEqualTo(TRAIL_OWNER);
                            assertThat(f).contains("trail-1").doesNotContain("forged-1");
                        });
        List<String> dead = Files.readAllLines(out.resolve(Replay.DEAD_LETTERS));
        assertThat(dead)
                .singleElement()
                .satisfies(
                        line -> {
                            Map<?, ?> d = Json.MAPPER.readValue(line, Map.class);
                            assertThat(d.get("reason"))
                                    .isEqualTo(
                                            "CloudWatch Logs message from owner '"
                                                    + ATTACKER
                                                    + "', log group '"
                                                    + TRAIL_LOG_GROUP
                                                    + "': owner not in input.cloudWatchLogs.owners");
                            assertThat((String) d.get("source"))
                                    .endsWith("forged.json.gz#" + TRAIL_LOG_GROUP);
                        });
    }
}
