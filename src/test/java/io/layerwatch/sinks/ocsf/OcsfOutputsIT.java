package io.layerwatch.sinks.ocsf;

import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import io.layerwatch.sinks.aws.AwsClientSettings;
import io.layerwatch.sinks.delivery.DeliverySink;
import io.layerwatch.sinks.delivery.FileDeadLetters;
import io.layerwatch.sinks.local.LinesSink;
import io.layerwatch.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.kinesis.sink.KinesisStreamsSink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.connectors.kinesis.config.AWSConfigConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OcsfOutputs builds every target from its settings; the file output written by a small Flink job.
 */
class OcsfOutputsIT {

    static final AwsClientSettings EMULATOR =
            AwsClientSettings.DEFAULTS
                    .withRegion("us-east-1")
                    .withEndpoint("http://localhost:4566");

    @TempDir Path dir;

    static List<Finding> findings(int n) {
        return IntStream.range(0, n)
                .mapToObj(
                        i ->
                                FindingBuilder.of(
                                                RulesConfigLoader.builtIn()
                                                        .rule(RuleCatalog.LAYER_DOWNLOAD))
                                        .event(
                                                record("GetDownloadUrlForLayer")
                                                        .repositoryName("payments")
                                                        .param("registryId", ACCOUNT)
                                                        .param("layerDigest", "sha256:" + i)
                                                        .eventId("evt-" + i)
                                                        .event())
                                        .title("Layer download " + i)
                                        .description("d")
                                        .build())
                .toList();
    }

    List<OcsfSettings> everyTarget() {
        return List.of(
                OcsfSettings.file(dir.resolve("ocsf.jsonl")),
                OcsfSettings.stdout(),
                OcsfSettings.kinesis("layerwatch-ocsf", EMULATOR),
                OcsfSettings.firehose(
                        "layerwatch-ocsf",
                        EMULATOR,
                        new FileDeadLetters(dir.resolve("dl.jsonl").toString())));
    }

    @Test
    void everyTargetIsBuiltAndAttachedWithAStableUid() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataStream<Finding> stream = env.fromData(findings(1));
        for (OcsfSettings s : everyTarget()) {
            DataStreamSink<OcsfEvent> sink = OcsfOutputs.attach(stream, s);
            String target = s.target().name().toLowerCase();
            assertThat(sink.getTransformation().getUid()).isEqualTo("ocsf-" + target);
            assertThat(sink.getTransformation().getName()).isEqualTo("OCSF " + target);
        }
        assertThat(OcsfOutputs.sink(everyTarget().get(0))).isInstanceOf(LinesSink.class);
        assertThat(OcsfOutputs.sink(everyTarget().get(1))).isInstanceOf(LinesSink.class);
        assertThat(OcsfOutputs.sink(everyTarget().get(2))).isInstanceOf(KinesisStreamsSink.class);
        assertThat(OcsfOutputs.sink(everyTarget().get(3)))
                .isInstanceOfSatisfying(
                        DeliverySink.class,
                        d -> assertThat(d.name()).isEqualTo(FirehoseTarget.NAME));
    }

    @Test
    void kinesisIsConfiguredFromTheSettings() {
        Properties props = OcsfOutputs.kinesisProperties(EMULATOR);
        assertThat(props.getProperty(AWSConfigConstants.AWS_REGION)).isEqualTo("us-east-1");
        assertThat(props.getProperty(AWSConfigConstants.AWS_ENDPOINT))
                .isEqualTo("http://localhost:4566");
        assertThat(props.getProperty(AWSConfigConstants.HTTP_PROTOCOL_VERSION))
                .isEqualTo("HTTP1_1");
        assertThat(OcsfOutputs.kinesisProperties(AwsClientSettings.DEFAULTS)).isEmpty();
        assertThat(
                        OcsfOutputs.kinesis(
                                OcsfSettings.kinesis(
                                        "arn:aws:kinesis:us-east-1:111122223333:stream/layerwatch-ocsf",
                                        EMULATOR)))
                .isNotNull();
        OcsfSettings byArn =
                OcsfSettings.kinesis("arn:aws:kinesis:us-east-1:111122223333:stream/s", EMULATOR);
        assertThat(byArn.streamArn()).startsWith("arn:");
        assertThat(byArn.streamName()).isNull();
    }

    @Test
    void settingsNameWhatTheirTargetLacks() {
        assertThatThrownBy(
                        () ->
                                new OcsfSettings(
                                        OcsfSettings.Target.FILE,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null))
                .hasMessageContaining("path");
        assertThatThrownBy(() -> OcsfSettings.kinesis(" ", null)).hasMessageContaining("stream");
        assertThatThrownBy(() -> OcsfSettings.firehose("s", null, null))
                .hasMessageContaining("dead-letter");
        assertThat(OcsfSettings.stdout().aws()).isEqualTo(AwsClientSettings.DEFAULTS);
    }

    @Test
    void fileOutputHoldsOneOcsfLinePerFinding() throws Exception {
        Path file = dir.resolve("out/ocsf.jsonl");
        List<Finding> input = findings(3);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.getConfig().disableGenericTypes();
        OcsfOutputs.attach(env.fromData(input), OcsfSettings.file(file));
        env.execute("ocsf-file-test");

        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(3);
        for (int i = 0; i < 3; i++) {
            JsonNode e = Json.MAPPER.readTree(lines.get(i));
            assertThat(e.path("class_uid").asInt()).isEqualTo(2004);
            assertThat(e.path("finding_info").path("uid").asText()).isEqualTo(input.get(i).id());
            assertThat(lines.get(i)).isEqualTo(OcsfMapper.line(input.get(i)));
        }
    }

    @Test
    @SuppressWarnings("deprecation")
    void stdoutOutputPrintsBareLines() throws Exception {
        Finding f = findings(1).get(0);
        PrintStream saved = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (SinkWriter<Finding> writer =
                LinesSink.<Finding>stdout(OcsfMapper::line).createWriter((Sink.InitContext) null)) {
            writer.write(f, null);
            writer.flush(true);
        } finally {
            System.setOut(saved);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8)).isEqualTo(OcsfMapper.line(f) + "\n");
    }
}
