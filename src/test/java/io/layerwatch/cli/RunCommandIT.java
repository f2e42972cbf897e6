package io.layerwatch.cli;

import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.sinks.aws.AwsClientSettings;
import io.layerwatch.testing.FakeAws;
import io.layerwatch.testing.KinesisEmulator;
import io.layerwatch.util.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/** {@code layerwatch run --stream ... --stop-after ...} against a real Kinesis emulator. */
class RunCommandIT {

    @RegisterExtension static final FakeAws CREDENTIALS = FakeAws.credentialsOnly();

    @TempDir Path dir;

    @Test
    void runReadsTheStreamUntilItStopsCleanly() throws Exception {
        try (KinesisEmulator kinesis = KinesisEmulator.start();
                KinesisClient client =
                        AwsClientSettings.DEFAULTS
                                .withRegion("us-east-1")
                                .withEndpoint(kinesis.endpoint())
                                .build(KinesisClient.builder())) {
            client.createStream(b -> b.streamName("trail").shardCount(1));
            for (int i = 0;
                    i < 200
                            && client.describeStreamSummary(b -> b.streamName("trail"))
                                            .streamDescriptionSummary()
                                            .streamStatus()
                                    != StreamStatus.ACTIVE;
                    i++) {
                Thread.sleep(50);
            }
            client.putRecord(
                    b ->
                            b.streamName("trail")
                                    .partitionKey("k")
                                    .data(
                                            SdkBytes.fromUtf8String(
                                                    record("DeleteRepositoryPolicy")
                                                            .repositoryName("payments")
                                                            .eventId("run-1")
                                                            .json())));
            client.putRecord(
                    b ->
                            b.streamName("trail")
                                    .partitionKey("k")
                                    .data(SdkBytes.fromUtf8String("{broken")));

            Path out = dir.resolve("out");
            StringWriter stdout = new StringWriter();
            StringWriter stderr = new StringWriter();
            int code =
                    LayerWatchCli.execute(
                            new PrintWriter(stdout),
                            new PrintWriter(stderr),
                            "run",
                            "--stream",
                            "trail",
                            "--region",
                            "us-east-1",
                            "--endpoint",
                            kinesis.endpoint(),
                            "--initial-position",
                            "TRIM_HORIZON",
                            "--out",
                            out.toString(),
                            "--stop-after",
                            "12s",
                            "--state-backend",
                            "rocksdb");

            assertThat(code).as(stderr.toString()).isZero();
            assertThat(stdout.toString())
                    .contains("LayerWatch streaming from trail")
                    .contains("stopped after 12s");
            assertThat(Files.readAllLines(out.resolve("findings.jsonl")))
                    .singleElement()
                    .satisfies(
                            l ->
                                    assertThat(Json.tree(l).path("ruleId").asText())
                                            .isEqualTo("policy-deleted"));
            assertThat(Files.readAllLines(out.resolve("dead-letter.jsonl")))
                    .singleElement()
                    .satisfies(
                            l ->
                                    assertThat(Json.tree(l).path("payload").asText())
                                            .isEqualTo("{broken"));
        }
    }

    @Test
    void badFlagsAreOneLineErrors() {
        StringWriter err = new StringWriter();
        int code =
                LayerWatchCli.execute(
                        new PrintWriter(new StringWriter()),
                        new PrintWriter(err),
                        "run",
                        "--stream",
                        "s",
                        "--initial-position",
                        "AT_TIMESTAMP");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString())
                .startsWith(
                        "error: KinesisSource.initial.timestamp: required with initial.position AT_TIMESTAMP");
    }
}
