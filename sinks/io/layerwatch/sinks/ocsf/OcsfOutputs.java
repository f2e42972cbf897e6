package io.layerwatch.sinks.ocsf;

import io.layerwatch.finding.Finding;
import io.layerwatch.sinks.aws.AwsClientSettings;
import io.layerwatch.sinks.delivery.DeliverySink;
import io.layerwatch.sinks.delivery.RetryPolicy;
import io.layerwatch.sinks.local.LinesSink;
import io.layerwatch.sinks.remediation.AuditRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.kinesis.sink.KinesisStreamsSink;
import org.apache.flink.connector.kinesis.sink.KinesisStreamsSinkBuilder;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.connectors.kinesis.config.AWSConfigConstants;

/**
 * How OCSF events leave the job: Detection Findings ({@link OcsfMapper}) and, when the responder
 * runs, Remediation Activities ({@link OcsfRemediation}), as JSON lines to a file, standard output,
 * a Kinesis data stream (the Flink connector's sink, partition key = finding id so the versions of
 * one finding and the actions on it stay in order) or a Firehose stream (on the shared delivery
 * layer, with retries and dead letters).
 */
public final class OcsfOutputs {

    /** How long the Firehose sink may hold a partial batch. */
    static final long FIREHOSE_MAX_BUFFER_MS = 5_000;

    private OcsfOutputs() {}

    /**
     * Sinks the findings to the configured target; the sink operator gets uid
     * "ocsf-&lt;target&gt;".
     */
    public static DataStreamSink<OcsfEvent> attach(
            DataStream<Finding> findings, OcsfSettings settings) {
        return attach(findings, null, settings);
    }

    /**
     * Sends the findings and audit records to the SIEM outputs.
     *
     * @param audit the responder's audit records, or null
     */
    public static DataStreamSink<OcsfEvent> attach(
            DataStream<Finding> findings, DataStream<AuditRecord> audit, OcsfSettings settings) {
        TypeInformation<OcsfEvent> type = TypeInformation.of(OcsfEvent.class);
        // Keyed by finding id: Create for an id's first version, Update after
        // (OcsfFindingVersions).
        DataStream<OcsfEvent> events =
                findings.keyBy(Finding::id, Types.STRING)
                        .process(new OcsfFindingVersions())
                        .returns(type)
                        .setParallelism(findings.getParallelism())
                        .uid("ocsf-findings")
                        .name("OCSF Detection Findings");
        if (audit != null) {
            // Encoded beside the responder (same parallelism: chained, order kept).
            events =
                    events.union(
                            audit.map((MapFunction<AuditRecord, OcsfEvent>) OcsfEvent::of)
                                    .returns(type)
                                    .setParallelism(audit.getParallelism())
                                    .uid("ocsf-remediation")
                                    .name("OCSF Remediation Activities"));
        }
        String target = settings.target().name().toLowerCase(Locale.ROOT);
        DataStreamSink<OcsfEvent> sink =
                events.sinkTo(sink(settings)).uid("ocsf-" + target).name("OCSF " + target);
        if (settings.target() == OcsfSettings.Target.FILE
                || settings.target() == OcsfSettings.Target.STDOUT) {
            sink.setParallelism(1);
        }
        return sink;
    }

    public static Sink<OcsfEvent> sink(OcsfSettings settings) {
        return switch (settings.target()) {
            case FILE -> LinesSink.file(Path.of(settings.path()), OcsfEvent::line);
            case STDOUT -> LinesSink.stdout(OcsfEvent::line);
            case KINESIS -> kinesis(settings);
            case FIREHOSE ->
                    new DeliverySink<>(
                            new FirehoseTarget(settings.deliveryStream(), settings.aws()),
                            RetryPolicy.DEFAULTS,
                            settings.deadLetters(),
                            FIREHOSE_MAX_BUFFER_MS);
            default ->
                    throw new IllegalArgumentException("unknown OCSF target " + settings.target());
        };
    }

    static KinesisStreamsSink<OcsfEvent> kinesis(OcsfSettings settings) {
        KinesisStreamsSinkBuilder<OcsfEvent> builder =
                KinesisStreamsSink.<OcsfEvent>builder()
                        .setKinesisClientProperties(kinesisProperties(settings.aws()))
                        .setSerializationSchema(
                                (SerializationSchema<OcsfEvent>)
                                        e -> e.line().getBytes(StandardCharsets.UTF_8))
                        .setPartitionKeyGenerator(OcsfEvent::key);
        if (settings.streamArn() != null) {
            builder.setStreamArn(settings.streamArn());
        }
        if (settings.streamName() != null) {
            builder.setStreamName(settings.streamName());
        }
        return builder.build();
    }

    /**
     * Region and endpoint for the connector's client; plain-http endpoints (emulators) get
     * HTTP/1.1.
     */
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
