package io.layerwatch.sinks.ocsf;

import io.layerwatch.finding.Finding;
import io.layerwatch.sinks.aws.AwsClientSettings;
import io.layerwatch.sinks.delivery.DeliverySink;
import io.layerwatch.sinks.delivery.RetryPolicy;
import io.layerwatch.sinks.local.LinesSink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.kinesis.sink.KinesisStreamsSink;
import org.apache.flink.connector.kinesis.sink.KinesisStreamsSinkBuilder;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.connectors.kinesis.config.AWSConfigConstants;

/**
 * How OCSF Detection Findings ({@link OcsfMapper} lines) leave the job: a JSON-lines file, standard
 * output, a Kinesis data stream (the Flink connector's sink, partition key = finding id so the
 * versions of one finding stay in order) or a Firehose stream (on the shared delivery layer, with
 * retries and dead letters). Each sink consumes findings directly: no extra operator.
 */
public final class OcsfOutputs {

    /** How long the Firehose sink may hold a partial batch. */
    static final long FIREHOSE_MAX_BUFFER_MS = 5_000;

    private OcsfOutputs() {}

    /** Sinks the findings to the configured target; the sink operator gets uid "ocsf-&lt;target&gt;". */
    public static DataStreamSink<Finding> attach(DataStream<Finding> findings, OcsfSettings settings) {
        String target = settings.target().name().toLowerCase(Locale.ROOT);
        DataStreamSink<Finding> sink = findings.sinkTo(sink(settings)).uid("ocsf-" + target).name("OCSF " + target);
        if (settings.target() == OcsfSettings.Target.FILE || settings.target() == OcsfSettings.Target.STDOUT) {
            sink.setParallelism(1);
        }
        return sink;
    }

    public static Sink<Finding> sink(OcsfSettings settings) {
        switch (settings.target()) {
            case FILE:
                return LinesSink.file(Path.of(settings.path()), OcsfMapper::line);
            case STDOUT:
                return LinesSink.stdout(OcsfMapper::line);
            case KINESIS:
                return kinesis(settings);
            case FIREHOSE:
                return new DeliverySink(new FirehoseTarget(settings.deliveryStream(), settings.aws()),
                        RetryPolicy.DEFAULTS, settings.deadLetters(), FIREHOSE_MAX_BUFFER_MS);
            default:
                throw new IllegalArgumentException("unknown OCSF target " + settings.target());
        }
    }

    static KinesisStreamsSink<Finding> kinesis(OcsfSettings settings) {
        KinesisStreamsSinkBuilder<Finding> builder = KinesisStreamsSink.<Finding>builder()
                .setKinesisClientProperties(kinesisProperties(settings.aws()))
                .setSerializationSchema((SerializationSchema<Finding>) f -> OcsfMapper.line(f)
                        .getBytes(StandardCharsets.UTF_8))
                .setPartitionKeyGenerator(Finding::id);
        if (settings.streamArn() != null) {
            builder.setStreamArn(settings.streamArn());
        }
        if (settings.streamName() != null) {
            builder.setStreamName(settings.streamName());
        }
        return builder.build();
    }

    /** Region and endpoint for the connector's client; plain-http endpoints (emulators) get HTTP/1.1. */
    static Properties kinesisProperties(AwsClientSettings aws) {
        Properties props = new Properties();
        if (aws.region() != null && !aws.region().isBlank()) {
            props.setProperty(AWSConfigConstants.AWS_REGION, aws.region());
        }
        if (aws.endpoint() != null && !aws.endpoint().isBlank()) {
            props.setProperty(AWSConfigConstants.AWS_ENDPOINT, aws.endpoint());
            if (aws.endpoint().startsWith("http://")) {
                props.setProperty(AWSConfigConstants.HTTP_PROTOCOL_VERSION, "HTTP1_1");
            }
        }
        return props;
    }
}
