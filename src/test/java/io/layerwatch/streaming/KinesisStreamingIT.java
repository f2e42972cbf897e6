package io.layerwatch.streaming;

import static io.layerwatch.testing.CloudTrailRecords.FOREIGN_ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.record;
import static io.layerwatch.testing.LogsPayloads.gzip;
import static io.layerwatch.testing.LogsPayloads.logsPayload;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.config.Severity;
import io.layerwatch.event.DeadLetter;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.Incident;
import io.layerwatch.pipeline.LayerWatchPipeline;
import io.layerwatch.replay.Replay;
import io.layerwatch.sinks.aws.AwsClientSettings;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.testing.FakeAws;
import io.layerwatch.testing.KinesisEmulator;
import io.layerwatch.testing.MiniClusters;
import io.layerwatch.testing.OncePerKey;
import io.layerwatch.testing.TrailFiles;
import io.layerwatch.util.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * The streaming job on a MiniCluster reading a real Kinesis emulator: every input shape, garbage
 * included. The tests of one job share its run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KinesisStreamingIT {

    @RegisterExtension static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(4);

    static KinesisEmulator kinesis;
    static KinesisClient client;

    @RegisterExtension static final FakeAws CREDENTIALS = FakeAws.credentialsOnly();

    @BeforeAll
    static void start() throws Exception {
        kinesis = KinesisEmulator.start();
        client =
                AwsClientSettings.DEFAULTS
                        .withRegion("us-east-1")
                        .withEndpoint(kinesis.endpoint())
                        .build(KinesisClient.builder());
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        kinesis.close();
    }

    static void createStream(String name, int shards) throws InterruptedException {
        KinesisEmulator.createStream(client, name, shards);
    }

    static void put(String stream, String key, byte[] data) {
        client.putRecord(
                b -> b.streamName(stream).partitionKey(key).data(SdkBytes.fromByteArray(data)));
    }

    /**
     * The streaming job under the built-in rules at parallelism 2, on a new stream of one shard.
     */
    static LayerWatchPipeline.Outputs builtInJob(StreamExecutionEnvironment env, String stream)
            throws Exception {
        createStream(stream, 1);
        env.setParallelism(2);
        return StreamingJob.build(
                env, options(stream), "", RulesConfigLoader.builtIn(), null, false);
    }

    static StreamingOptions options(String stream) {
        return new StreamingOptions(
                stream,
                "us-east-1",
                kinesis.endpoint(),
                StreamingOptions.InitialPosition.TRIM_HORIZON,
                null,
                null,
                StreamingOptions.BUILT_IN_RULES,
                null,
                List.of(),
                Map.of());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void everyShapeFromKinesisBecomesFindingsOrDeadLetters() throws Exception {
        createStream("cloudtrail", 2);
        String publicPolicy =
                "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\","
                        + "\"Action\":\"ecr:BatchGetImage\"}]}";
        put(
                "cloudtrail",
                "a",
                record("DeleteRepositoryPolicy")
                        .repositoryName("payments")
                        .eventId("raw-1")
                        .json()
                        .getBytes(StandardCharsets.UTF_8));
        put(
                "cloudtrail",
                "b",
                Json.write(
                                Map.of(
                                        "version",
                                        "0",
                                        "id",
                                        "eb-1",
                                        "detail-type",
                                        "AWS API Call via CloudTrail",
                                        "source",
                                        "aws.ecr",
                                        "account",
                                        "111122223333",
                                        "time",
                                        "2024-05-01T12:00:00Z",
                                        "region",
                                        "us-east-1",
                                        "resources",
                                        List.of(),
                                        "detail",
                                        Json.tree(
                                                record("GetDownloadUrlForLayer")
                                                        .repositoryName("payments")
                                                        .param("layerDigest", "sha256:l1")
                                                        .eventId("eb-detail-1")
                                                        .json())))
                        .getBytes(StandardCharsets.UTF_8));
        put(
                "cloudtrail",
                "c",
                gzip(
                        logsPayload(
                                "DATA_MESSAGE",
                                record("SetRepositoryPolicy")
                                        .repositoryName("payments")
                                        .policyText(publicPolicy)
                                        .eventId("cwl-1")
                                        .json(),
                                record("BatchGetImage")
                                        .repositoryName("payments")
                                        .crossAccount(FOREIGN_ACCOUNT)
                                        .eventId("cwl-2")
                                        .json())));
        put(
                "cloudtrail",
                "d",
                gzip(
                        logsPayload(
                                "CONTROL_MESSAGE",
                                "CWL CONTROL MESSAGE: Checking health of destination")));
        put("cloudtrail", "e", new byte[] {0x00, 0x01, (byte) 0xff, 0x13, 0x37});

        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(Replay.localConfiguration());
        env.setParallelism(2);
        LayerWatchPipeline.Outputs out =
                StreamingJob.build(
                        env, options("cloudtrail"), "", RulesConfigLoader.builtIn(), null, false);
        try (CloseableIterator<Finding> findings = out.findings().collectAsync();
                CloseableIterator<DeadLetter> dead = out.deadLetters().collectAsync()) {
            JobClient job = env.executeAsync("kinesis-it");
            try {
                // One principal's findings of four rules, two of them CRITICAL or HIGH: an incident
                // too.
                Set<String> rules = new TreeSet<>();
                while (rules.size() < 5 && findings.hasNext()) {
                    rules.add(findings.next().ruleId());
                }
                assertThat(rules)
                        .containsExactlyInAnyOrder(
                                "policy-deleted",
                                "layer-download",
                                "repository-exposed",
                                "untrusted-network",
                                "attack-sequence");
                DeadLetter garbage = dead.next();
                assertThat(garbage.reason()).isEqualTo("not JSON or gzip");
                assertThat(garbage.source()).startsWith("kinesis:cloudtrail/shardId-");
                assertThat(garbage.encoding()).isEqualTo("base64");
            } finally {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
        }
    }

    void burst(String stream, String role, Instant at) throws Exception {
        for (int i = 0; i < 10; i++) {
            put(
                    stream,
                    "same-shard",
                    record("BatchGetImage")
                            .repositoryName("payments")
                            .assumedRole("111122223333", role, "s")
                            .error("AccessDeniedException", "denied")
                            .time(at.plusMillis(i))
                            .eventId(role + "-denied-" + i)
                            .json()
                            .getBytes(StandardCharsets.UTF_8));
        }
        Thread.sleep(
                4500); // a later arrival (watermark = arrival - 5s) moves the shard's watermark
        // past the burst
        put(
                stream,
                "same-shard",
                record("DescribeRepositories")
                        .time(Instant.now())
                        .eventId("tick-" + role)
                        .json()
                        .getBytes(StandardCharsets.UTF_8));
    }

    /** The first and the second burst's findings. */
    record Bursts(Finding first, Finding second) {}

    /**
     * Two bursts of denials on a stream of one shard, access-denied-burst's severity changed in the
     * rules file between them.
     */
    private final OncePerKey<String, Bursts> burstsRun = new OncePerKey<>(this::bursts);

    @TempDir Path dir;

    private Bursts bursts(String stream) throws Exception {
        // One shard: the second source subtask reads nothing and is idle from the start, which must
        // not stall event time. The shard itself goes idle (2 s) between the bursts and resumes.
        // CloudTrail event times have whole seconds, so a burst stamped "1 s ago" is 1-2 s old; the
        // watermark trails arrival by 5 s, so no burst event is late however long the puts take (up
        // to 3 s) and however the consumer's polls split the burst. (With a 1 s bound, a watermark
        // taken mid-burst would make the rest late, and the CEP match would be lost.)
        createStream(stream, 1);
        Path rules = dir.resolve("rules.yaml");
        String fast = "eventTime: {maxOutOfOrderness: 5s, idleness: 2s}\n";
        Files.writeString(rules, fast);
        StreamingOptions o =
                new StreamingOptions(
                        stream,
                        "us-east-1",
                        kinesis.endpoint(),
                        StreamingOptions.InitialPosition.TRIM_HORIZON,
                        null,
                        null,
                        rules.toString(),
                        Duration.ofMillis(500),
                        List.of(),
                        Map.of());
        RulesSource source = new RulesSource(rules.toString(), null);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(Replay.localConfiguration());
        env.setParallelism(2);
        LayerWatchPipeline.Outputs out =
                StreamingJob.build(env, o, source.read(), source.load(), null, false);
        try (CloseableIterator<Finding> findings = out.findings().collectAsync()) {
            JobClient job = env.executeAsync("kinesis-cep");
            try {
                burst(stream, "intern", Instant.now().minusSeconds(1));
                Finding first = findings.next();
                Files.writeString(
                        rules, fast + "rules:\n  access-denied-burst: {severity: CRITICAL}\n");
                Thread.sleep(2000); // the reload interval is 500 ms
                burst(stream, "contractor", Instant.now().minusSeconds(1));
                return new Bursts(first, findings.next());
            } finally {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void perShardWatermarksDriveCepPastAnIdleSubtaskAndAnIdleShard() throws Exception {
        Finding first = burstsRun.get("burst").first();
        assertThat(first.ruleId()).isEqualTo("access-denied-burst");
        assertThat(first.eventCount()).isEqualTo(10);
        assertThat(first.severity()).isEqualTo(Severity.MEDIUM);
        assertThat(first.principal().arn()).isEqualTo("arn:aws:iam::111122223333:role/intern");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aLiveRuleChangeReachesTheCepRuleWithoutARestart() throws Exception {
        Finding second = burstsRun.get("burst").second();
        assertThat(second.principal().arn()).endsWith("role/contractor");
        assertThat(second.eventCount()).isEqualTo(10);
        assertThat(second.severity()).isEqualTo(Severity.CRITICAL);
    }

    /**
     * Under the built-in rules the watermark trails arrival by 15 minutes, and nothing else is put:
     * a burst and a vulnerable scan followed by a policy change are reported on the arrival of the
     * event that completes them.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void patternsAreReportedOnArrivalWithoutWaitingForTheWatermark() throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(Replay.localConfiguration());
        LayerWatchPipeline.Outputs out = builtInJob(env, "early");
        try (CloseableIterator<Finding> findings = out.findings().collectAsync()) {
            JobClient job = env.executeAsync("kinesis-early");
            try {
                Instant now = Instant.now();
                for (int i = 0; i < 10; i++) {
                    put(
                            "early",
                            "k",
                            record("BatchGetImage")
                                    .repositoryName("payments")
                                    .assumedRole("111122223333", "intern", "s")
                                    .error("AccessDeniedException", "denied")
                                    .time(now)
                                    .eventId("denied-" + i)
                                    .json()
                                    .getBytes(StandardCharsets.UTF_8));
                }
                put(
                        "early",
                        "k",
                        CloudTrailRecords.basicScan("scan-1", now, "payments", 3)
                                .getBytes(StandardCharsets.UTF_8));
                put(
                        "early",
                        "k",
                        record("SetRepositoryPolicy")
                                .repositoryName("payments")
                                .time(now.plusSeconds(1))
                                .policyText("{\"Version\":\"2012-10-17\",\"Statement\":[]}")
                                .eventId("change-1")
                                .json()
                                .getBytes(StandardCharsets.UTF_8));
                List<String> rules = new ArrayList<>();
                while (!rules.containsAll(
                        List.of("access-denied-burst", "policy-change-after-scan"))) {
                    rules.add(findings.next().ruleId());
                }
            } finally {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * An incident on the arrival of its second member, right after that member's finding: the
     * stream's watermark trails arrival by the lateness bound (15 minutes), so an incident that
     * waited for it would miss the timeout.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void anIncidentComesOnTheArrivalOfItsSecondMember() throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(Replay.localConfiguration());
        LayerWatchPipeline.Outputs out = builtInJob(env, "incident");
        try (CloseableIterator<Finding> findings = out.findings().collectAsync()) {
            JobClient job = env.executeAsync("kinesis-incident");
            try {
                Instant now = Instant.now();
                put(
                        "incident",
                        "k",
                        record("DeleteRepositoryPolicy")
                                .repositoryName("payments")
                                .assumedRole("111122223333", "developer", "mallory")
                                .time(now)
                                .eventId("step-1")
                                .json()
                                .getBytes(StandardCharsets.UTF_8));
                put(
                        "incident",
                        "k",
                        record("SetRepositoryPolicy")
                                .repositoryName("payments")
                                .assumedRole("111122223333", "developer", "mallory")
                                .time(now.plusSeconds(1))
                                .policyText(
                                        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                                                + "\"Principal\":\"*\",\"Action\":\"ecr:BatchGetImage\"}]}")
                                .eventId("step-2")
                                .json()
                                .getBytes(StandardCharsets.UTF_8));
                List<Finding> seen = new ArrayList<>();
                while (seen.stream().noneMatch(Finding::incident)) {
                    seen.add(findings.next());
                }
                Finding incident = seen.get(seen.size() - 1);
                assertThat(Incident.of(incident).orElseThrow().rules())
                        .containsExactly("policy-deleted", "repository-exposed");
                // The member that came first as it came (the two records are decoded in parallel,
                // so either), then both marked with the incident, then the incident.
                assertThat(seen).hasSize(4);
                assertThat(seen.get(0).incidentId()).isNull();
                assertThat(seen.subList(1, 3))
                        .extracting(Finding::ruleId)
                        .containsExactlyInAnyOrder("policy-deleted", "repository-exposed")
                        .contains(seen.get(0).ruleId());
                assertThat(seen.subList(1, 3))
                        .extracting(Finding::incidentId)
                        .containsOnly(incident.id());
            } finally {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * A 1 MB record inflating to 1 GiB: a dead letter; the job goes on and later records still make
     * findings.
     */
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aGzipBombRecordIsADeadLetterWhileTheJobGoesOn() throws Exception {
        createStream("bombs", 1);
        byte[] bomb = TrailFiles.gzipOfZeros(1L << 30);
        assertThat(bomb.length).as("within a Kinesis record's 1 MiB").isLessThan(1 << 20);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(Replay.localConfiguration());
        env.setParallelism(1);
        LayerWatchPipeline.Outputs out =
                StreamingJob.build(
                        env, options("bombs"), "", RulesConfigLoader.builtIn(), null, false);
        try (CloseableIterator<Finding> findings = out.findings().collectAsync();
                CloseableIterator<DeadLetter> dead = out.deadLetters().collectAsync()) {
            JobClient job = env.executeAsync("kinesis-bomb");
            try {
                Instant now = Instant.now();
                put(
                        "bombs",
                        "k",
                        record("DeleteRepositoryPolicy")
                                .repositoryName("before")
                                .time(now)
                                .eventId("before-1")
                                .json()
                                .getBytes(StandardCharsets.UTF_8));
                put("bombs", "k", bomb);
                DeadLetter dl = dead.next();
                assertThat(dl.reason())
                        .isEqualTo("inflates beyond input.maxInflatedBytes (268435456 bytes)");
                assertThat(dl.payloadBytes()).isEqualTo(bomb.length);
                assertThat(findings.next().eventIds()).containsExactly("before-1");

                put(
                        "bombs",
                        "k",
                        record("DeleteRepositoryPolicy")
                                .repositoryName("after")
                                .time(now.plusSeconds(1))
                                .eventId("after-1")
                                .json()
                                .getBytes(StandardCharsets.UTF_8));
                assertThat(findings.next().eventIds()).containsExactly("after-1");
                assertThat(job.getJobStatus().get(10, TimeUnit.SECONDS))
                        .isEqualTo(JobStatus.RUNNING);
            } finally {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * At-least-once delivery: a record put twice, and again in an EventBridge envelope, makes one
     * finding.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aRecordDeliveredThriceMakesOneFinding() throws Exception {
        createStream("twice", 1);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(Replay.localConfiguration());
        env.setParallelism(1); // one subtask each: the findings come in the order of their records
        LayerWatchPipeline.Outputs out =
                StreamingJob.build(
                        env, options("twice"), "", RulesConfigLoader.builtIn(), null, false);
        try (CloseableIterator<Finding> findings = out.findings().collectAsync()) {
            JobClient job = env.executeAsync("kinesis-twice");
            try {
                Instant now = Instant.now();
                String deleted =
                        record("DeleteRepositoryPolicy")
                                .repositoryName("payments")
                                .time(now)
                                .eventId("twice-1")
                                .json();
                put("twice", "k", deleted.getBytes(StandardCharsets.UTF_8));
                put("twice", "k", deleted.getBytes(StandardCharsets.UTF_8));
                put(
                        "twice",
                        "k",
                        Json.write(
                                        Map.of(
                                                "version",
                                                "0",
                                                "id",
                                                "eb-twice",
                                                "detail-type",
                                                "AWS API Call via CloudTrail",
                                                "source",
                                                "aws.ecr",
                                                "account",
                                                "111122223333",
                                                "time",
                                                now.toString(),
                                                "region",
                                                "us-east-1",
                                                "resources",
                                                List.of(),
                                                "detail",
                                                Json.tree(deleted)))
                                .getBytes(StandardCharsets.UTF_8));
                put(
                        "twice",
                        "k",
                        record("DeleteRepositoryPolicy")
                                .repositoryName("after")
                                .time(now.plusSeconds(1))
                                .eventId("after-1")
                                .json()
                                .getBytes(StandardCharsets.UTF_8));
                List<List<String>> seen = new ArrayList<>();
                while (!seen.contains(List.of("after-1"))) {
                    seen.add(findings.next().eventIds());
                }
                assertThat(seen).containsExactly(List.of("twice-1"), List.of("after-1"));
            } finally {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
        }
    }
}
