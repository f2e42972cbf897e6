package io.layerwatch.remediation;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static io.layerwatch.remediation.Fixtures.CI_PULL;
import static io.layerwatch.remediation.Fixtures.EXISTING_POLICY;
import static io.layerwatch.remediation.Fixtures.PUBLIC_PULL;
import static io.layerwatch.remediation.Fixtures.body;
import static io.layerwatch.remediation.Fixtures.ecr;
import static io.layerwatch.remediation.Fixtures.ecrCalls;
import static io.layerwatch.remediation.Fixtures.json;
import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.config.RemediationConfig;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.replay.Replay;
import io.layerwatch.sinks.aws.AwsClientSettings;
import io.layerwatch.streaming.StreamingJob;
import io.layerwatch.streaming.StreamingOptions;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.testing.FakeAws;
import io.layerwatch.testing.KinesisEmulator;
import io.layerwatch.util.Json;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * The responder wired into the streaming job: CloudTrail and a Security Hub custom action from a
 * real Kinesis emulator, ECR at WireMock (real SDK), the audit log, the OCSF SIEM file with
 * Remediation Activities, and a failed action's remediation-failed finding in findings.jsonl.
 */
class RemediationStreamingIT {

    @RegisterExtension static final FakeAws AWS = new FakeAws();

    @TempDir Path dir;

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void theStreamingJobRunsTheResponder() throws Exception {
        RulesConfig config =
                Fixtures.config(
                        AWS,
                        dir,
                        """
                enabled: false
                rateLimit: {perHour: 10, perAccountPerHour: 10}
                rules:
                  repository-exposed: {actions: [remove-exposing-statements]}
                customActions:
                  LWQuarantine: quarantine-repository
                actions:
                  remove-exposing-statements: {dryRun: false}
                """);
        Fixtures.repositoryPolicy(AWS.server(), EXISTING_POLICY);
        AWS.server()
                .stubFor(
                        ecr("SetRepositoryPolicy")
                                .withRequestBody(containing("\"repositoryName\":\"broken-api\""))
                                .atPriority(1)
                                .willReturn(
                                        json(
                                                500,
                                                "{\"__type\":\"ServerException\",\"message\":\"boom\"}")));

        try (KinesisEmulator kinesis = KinesisEmulator.start();
                KinesisClient client =
                        AwsClientSettings.DEFAULTS
                                .withRegion("us-east-1")
                                .withEndpoint(kinesis.endpoint())
                                .build(KinesisClient.builder())) {
            KinesisEmulator.createStream(client, "events", 1);
            String publicPolicy = CloudTrailRecords.policyDocument(CI_PULL, PUBLIC_PULL);
            put(
                    client,
                    record("SetRepositoryPolicy")
                            .repositoryName("payments-api")
                            .policyText(publicPolicy)
                            .eventId("exposed-1")
                            .json());
            put(
                    client,
                    record("SetRepositoryPolicy")
                            .repositoryName("broken-api")
                            .policyText(publicPolicy)
                            .eventId("exposed-2")
                            .json());
            try (InputStream in =
                    getClass()
                            .getClassLoader()
                            .getResourceAsStream("remediation/securityhub-custom-action.json")) {
                put(client, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }

            // The runtime properties switch the responder on (the file says enabled: false) and
            // keep execution on.
            StreamingOptions options =
                    new StreamingOptions(
                            "events",
                            "us-east-1",
                            kinesis.endpoint(),
                            StreamingOptions.InitialPosition.TRIM_HORIZON,
                            null,
                            null,
                            StreamingOptions.BUILT_IN_RULES,
                            null,
                            List.of("ocsf"),
                            Map.of(),
                            Map.of("enabled", "true", "execute", "true"));
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(Replay.localConfiguration());
            env.setParallelism(2);
            env.enableCheckpointing(500);
            StreamingJob.build(env, options, "", config, dir, false);
            JobClient job = env.executeAsync("remediation-streaming-it");
            List<JsonNode> audit;
            try {
                audit =
                        await(
                                dir.resolve(config.remediation().auditLog()),
                                lines -> lines.size() >= 5);
                await(
                        dir.resolve("findings.jsonl"),
                        lines ->
                                lines.stream()
                                        .anyMatch(
                                                f ->
                                                        f.path("ruleId")
                                                                .asText()
                                                                .equals(
                                                                        RemediationConfig
                                                                                .FAILED_RULE_ID)));
                await(
                        dir.resolve("findings.ocsf.jsonl"),
                        lines ->
                                lines.stream()
                                                .filter(l -> l.path("class_uid").asInt() == 7001)
                                                .count()
                                        >= 5);
            } finally {
                job.cancel().get(30, TimeUnit.SECONDS);
            }

            List<String> outcomes = new ArrayList<>();
            audit.forEach(
                    r ->
                            outcomes.add(
                                    r.path("action").asText()
                                            + " "
                                            + r.path("target")
                                                    .asText("-")
                                                    .replaceAll(".*repository/", "")
                                            + " "
                                            + r.path("result").asText()));
            assertThat(outcomes)
                    .containsExactlyInAnyOrder(
                            "remove-exposing-statements payments-api executed",
                            "remove-exposing-statements broken-api failed",
                            "quarantine-repository payments-api dry-run",
                            "quarantine-repository orders-api dry-run",
                            "quarantine-repository - not-applicable");
            // Exactly the public statement went; the CI role's stays.
            assertThat(
                            ecrCalls(AWS.server(), "SetRepositoryPolicy").stream()
                                    .filter(
                                            r ->
                                                    body(r).path("repositoryName")
                                                            .asText()
                                                            .equals("payments-api")))
                    .singleElement()
                    .satisfies(
                            r -> {
                                String policy = body(r).path("policyText").asText();
                                assertThat(policy)
                                        .contains("AllowCiPull")
                                        .doesNotContain("PublicPull");
                            });
            List<JsonNode> ocsf = read(dir.resolve("findings.ocsf.jsonl"));
            assertThat(ocsf)
                    .anySatisfy(
                            e -> {
                                assertThat(e.path("class_uid").asInt()).isEqualTo(7001);
                                assertThat(e.path("activity_name").asText()).isEqualTo("Harden");
                                assertThat(e.path("status").asText()).isEqualTo("Success");
                            });
            assertThat(ocsf)
                    .anySatisfy(e -> assertThat(e.path("class_uid").asInt()).isEqualTo(2004));
            assertThat(read(dir.resolve("dead-letter.jsonl")))
                    .anySatisfy(
                            d ->
                                    assertThat(d.path("sink").asText())
                                            .isEqualTo("remediation:remove-exposing-statements"));
        }
    }

    static void put(KinesisClient client, String data) {
        client.putRecord(
                b -> b.streamName("events").partitionKey("k").data(SdkBytes.fromUtf8String(data)));
    }

    static List<JsonNode> await(Path file, Predicate<List<JsonNode>> done) throws Exception {
        List<JsonNode> lines = List.of();
        for (int i = 0; i < 1200; i++) {
            lines = read(file);
            if (done.test(lines)) {
                return lines;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(file.getFileName() + " never got there; it has " + lines);
    }

    /**
     * The complete lines of a file the job is still writing (a last line without its newline is
     * left out).
     */
    static List<JsonNode> read(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        if (Files.exists(file)) {
            String text = Files.readString(file);
            for (String line : text.substring(0, text.lastIndexOf('\n') + 1).split("\n")) {
                if (!line.isBlank()) {
                    out.add(Json.tree(line));
                }
            }
        }
        return out;
    }
}
