package io.layerwatch.streaming;

import static io.layerwatch.testing.CloudTrailRecords.record;
import static io.layerwatch.testing.LogsPayloads.gzip;
import static io.layerwatch.testing.LogsPayloads.logsPayload;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.event.DeadLetter;
import io.layerwatch.finding.Finding;
import io.layerwatch.pipeline.LayerWatchPipeline;
import io.layerwatch.replay.Replay;
import io.layerwatch.sinks.aws.AwsClientSettings;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.testing.FakeAws;
import io.layerwatch.testing.KinesisEmulator;
import io.layerwatch.testing.MiniClusters;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * The streaming job with its CloudWatch Logs senders set by runtime properties only (the built-in
 * rules set none): a member account's forged subscription message on the stream is a dead letter
 * naming the property; the trail account's message, behind it on the same shard, yields its
 * finding.
 */
class CloudWatchLogsSendersStreamingIT {

    @RegisterExtension static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(2);

    @RegisterExtension static final FakeAws CREDENTIALS = FakeAws.credentialsOnly();

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aForgedMessageIsRejectedByTheRuntimePropertyWhileTheTrailsIsDecoded() throws Exception {
        try (KinesisEmulator kinesis = KinesisEmulator.start();
                KinesisClient client =
                        AwsClientSettings.DEFAULTS
                                .withRegion("us-east-1")
                                .withEndpoint(kinesis.endpoint())
                                .build(KinesisClient.builder())) {
            KinesisEmulator.createStream(client, "org-trail", 1);
            // LogsPayloads' messages come from owner 111122223333 (the trail account here).
            String forged =
                    logsPayload(
                                    "DATA_MESSAGE",
                                    record("DeleteRepositoryPolicy")
                                            .assumedRole(
                                                    CloudTrailRecords.TRUSTED_ACCOUNT,
                                                    "Admin",
                                                    "victim")
                                            .recipientAccount(CloudTrailRecords.TRUSTED_ACCOUNT)
                                            .repositoryName("payments")
                                            .eventId("forged-1")
                                            .json())
                            .replace(
                                    "\"owner\":\"111122223333\"",
                                    "\"owner\":\"" + CloudTrailRecords.FOREIGN_ACCOUNT + "\"");
            assertThat(forged).contains(CloudTrailRecords.FOREIGN_ACCOUNT);
            String trail =
                    logsPayload(
                            "DATA_MESSAGE",
                            record("DeleteRepositoryPolicy")
                                    .repositoryName("payments")
                                    .eventId("trail-1")
                                    .json());
            for (String message : new String[] {forged, trail}) {
                client.putRecord(
                        b ->
                                b.streamName("org-trail")
                                        .partitionKey("k")
                                        .data(SdkBytes.fromByteArray(gzip(message))));
            }
            StreamingOptions options =
                    StreamingOptions.fromProperties(
                            StreamingOptionsTest.groups(
                                    "KinesisSource",
                                    "stream.arn",
                                    "org-trail",
                                    "KinesisSource",
                                    "aws.region",
                                    "us-east-1",
                                    "KinesisSource",
                                    "endpoint",
                                    kinesis.endpoint(),
                                    "KinesisSource",
                                    "initial.position",
                                    "TRIM_HORIZON",
                                    "KinesisSource",
                                    "cloudwatch.logs.owners",
                                    "111122223333"),
                            "props");

            // Parallelism 1: one chain, so a finding of the forged message would come before the
            // trail's.
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(Replay.localConfiguration());
            env.setParallelism(1);
            LayerWatchPipeline.Outputs out =
                    StreamingJob.build(env, options, "", RulesConfigLoader.builtIn(), null, false);
            try (CloseableIterator<Finding> findings = out.findings().collectAsync();
                    CloseableIterator<DeadLetter> dead = out.deadLetters().collectAsync()) {
                JobClient job = env.executeAsync("cloudwatch-logs-senders-it");
                try {
                    DeadLetter rejected = dead.next();
                    assertThat(rejected.reason())
                            .isEqualTo(
                                    "CloudWatch Logs message from owner '"
                                            + CloudTrailRecords.FOREIGN_ACCOUNT
                                            + "', log group 'aws-cloudtrail-logs': owner not in"
                                            + " KinesisSource.cloudwatch.logs.owners");
                    Finding first = findings.next();
                    assertThat(first.ruleId()).isEqualTo("policy-deleted");
                    assertThat(first.eventIds()).containsExactly("trail-1");
                    assertThat(first.accountId()).isEqualTo(CloudTrailRecords.ACCOUNT);
                } finally {
                    job.cancel().get(30, TimeUnit.SECONDS);
                }
            }
        }
    }
}
