package io.layerwatch.sinks.ocsf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import io.layerwatch.replay.Replay;
import io.layerwatch.sinks.aws.AwsClientSettings;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.testing.FakeAws;
import io.layerwatch.testing.KinesisEmulator;
import io.layerwatch.testing.MiniClusters;
import io.layerwatch.util.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * OCSF lines through the connector's KinesisStreamsSink into a real Kinesis emulator, read back
 * with the SDK.
 */
class OcsfKinesisIT {

    @RegisterExtension static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(1);

    @RegisterExtension static final FakeAws CREDENTIALS = FakeAws.credentialsOnly();

    static KinesisEmulator kinesis;
    static AwsClientSettings aws;

    @BeforeAll
    static void start() throws Exception {
        kinesis = KinesisEmulator.start();
        aws = AwsClientSettings.DEFAULTS.withRegion("us-east-1").withEndpoint(kinesis.endpoint());
    }

    @AfterAll
    static void stop() throws Exception {
        kinesis.close();
    }

    @Test
    void findingsArriveAsOcsfRecords() throws Exception {
        List<Finding> findings = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            findings.add(
                    FindingBuilder.of(RulesConfigLoader.builtIn().rule("policy-deleted"))
                            .event(
                                    CloudTrailRecords.record("DeleteRepositoryPolicy")
                                            .repositoryName("repo-" + i)
                                            .eventId("evt-" + i)
                                            .event())
                            .title("deleted " + i)
                            .build());
        }
        try (KinesisClient client = aws.build(KinesisClient.builder())) {
            KinesisEmulator.createStream(client, "siem", 2);
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(Replay.localConfiguration());
            env.setParallelism(1);
            OcsfOutputs.attach(env.fromData(findings), OcsfSettings.kinesis("siem", aws));
            env.execute("ocsf-kinesis");

            List<JsonNode> lines = new ArrayList<>();
            for (Shard shard : client.listShards(b -> b.streamName("siem")).shards()) {
                String iterator =
                        client.getShardIterator(
                                        b ->
                                                b.streamName("siem")
                                                        .shardId(shard.shardId())
                                                        .shardIteratorType(
                                                                ShardIteratorType.TRIM_HORIZON))
                                .shardIterator();
                for (Record r : client.getRecords(b -> b.shardIterator(iterator)).records()) {
                    lines.add(Json.tree(r.data().asString(StandardCharsets.UTF_8)));
                }
            }
            assertThat(lines)
                    .hasSize(5)
                    .allSatisfy(
                            l -> {
                                assertThat(l.path("class_uid").asInt()).isEqualTo(2004);
                                assertThat(
                                                l.path("finding_info")
                                                        .path("analytic")
                                                        .path("uid")
                                                        .asText())
                                        .isEqualTo("policy-deleted");
                            });
            assertThat(lines)
                    .extracting(l -> l.path("finding_info").path("uid").asText())
                    .containsExactlyInAnyOrderElementsOf(
                            findings.stream().map(Finding::id).toList());
        }
    }
}
