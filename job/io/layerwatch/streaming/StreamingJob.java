package io.layerwatch.streaming;

import static io.layerwatch.streaming.RuntimeProperties.*;

import com.amazonaws.services.kinesisanalytics.runtime.KinesisAnalyticsRuntime;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesUpdate;
import io.layerwatch.config.SinksConfig;
import io.layerwatch.event.DeadLetter;
import io.layerwatch.finding.Finding;
import io.layerwatch.pipeline.LayerWatchPipeline;
import io.layerwatch.pipeline.Payload;
import io.layerwatch.sinks.FindingSinks;
import io.layerwatch.sinks.local.JsonLinesFileSink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streaming job: Kinesis -> the LayerWatch pipeline -> sinks, with the rules re-read live. The
 * main class of target/layerwatch-msf.jar (Managed Service for Apache Flink); {@code layerwatch run}
 * builds the same job locally.
 */
public final class StreamingJob {
    private static final Logger LOG = LoggerFactory.getLogger(StreamingJob.class);
    /** Local runs read the runtime properties from this file, as the AWS samples do. */
    public static final String DEV_PROPERTIES = "flink-application-properties-dev.json";

    private StreamingJob() {}

    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Map<String, Properties> groups;
        String origin;
        if (env instanceof org.apache.flink.streaming.api.environment.LocalStreamEnvironment) {
            Path dev = Paths.get(args.length > 0 ? args[0] : DEV_PROPERTIES);
            groups = KinesisAnalyticsRuntime.getApplicationProperties(dev.toString());
            origin = dev.toString();
        } else {
            groups = KinesisAnalyticsRuntime.getApplicationProperties();
            origin = "runtime properties";
        }
        StreamingOptions options = StreamingOptions.fromProperties(groups, origin);
        RulesSource rules = new RulesSource(options.rulesUri(), options.region());
        String yaml = rules.read();
        RulesConfig config = rules.parse(yaml);
        build(env, options, yaml, config, null, false);
        LOG.info("LayerWatch streaming from {} with rules {}", options.stream(), config.source());
        env.execute("LayerWatch");
    }

    /**
     * Wires source, pipeline and sinks into {@code env}.
     *
     * @param localOut for CLI runs: DIR/findings.jsonl and DIR/dead-letter.jsonl (appended); null on MSF
     */
    public static LayerWatchPipeline.Outputs build(StreamExecutionEnvironment env, StreamingOptions options,
            String rulesYaml, RulesConfig config, Path localOut, boolean dryRun) throws IOException {
        DataStream<Payload> payloads = env.addSource(KinesisPayloads.consumer(options, config.maxOutOfOrderness(),
                        config.idleness()))
                .uid("source-kinesis").name("Kinesis " + KinesisPayloads.streamName(options.stream()));
        DataStream<RulesUpdate> updates = null;
        if (options.reloadInterval() != null) {
            RulesReloader reloader = new RulesReloader(new RulesSource(options.rulesUri(), options.region()), rulesYaml,
                    config);
            updates = env.addSource(new RulesReloadSource(reloader, options.reloadInterval()))
                    .uid("rules-reload").name("Rules reload (" + options.rulesUri() + ")").setParallelism(1);
        }
        LayerWatchPipeline.Outputs out = LayerWatchPipeline.build(payloads, config, updates, null, null,
                LayerWatchPipeline.Watermarks.FROM_SOURCE);
        SinksConfig sinks = withOverrides(config.sinks(), options.sinkOverrides());
        Set<String> names = new LinkedHashSet<>(options.sinks());
        if (localOut != null) {
            Files.createDirectories(localOut);
            out.findings().sinkTo(JsonLinesFileSink.appending(localOut.resolve(FindingSinks.FINDINGS_FILE)))
                    .uid("sink-local-findings").name("findings.jsonl").setParallelism(1);
            names.remove("jsonl");
        }
        out.deadLetters().sinkTo(localOut != null
                        ? JsonLinesFileSink.<DeadLetter>appending(localOut.resolve("dead-letter.jsonl"))
                        : new io.layerwatch.sinks.local.LogSink<>("dead letter"))
                .uid("sink-dead-letters").name("dead letters").setParallelism(1);
        if (!names.isEmpty()) {
            FindingSinks.attach(out.findings(), sinks, names, localOut, dryRun);
        }
        return out;
    }

    /** Runtime properties of the Sinks group override the rules file's sinks: section. */
    static SinksConfig withOverrides(SinksConfig sinks, Map<String, String> o) {
        SinksConfig s = sinks;
        s = option(s, "sns", "topicArn", o.get(SNS_TOPIC_ARN));
        s = option(s, "ocsf", "target", o.get(OCSF_TARGET) == null ? null : o.get(OCSF_TARGET).toUpperCase());
        s = option(s, "ocsf", "streamArn", o.get(OCSF_STREAM_ARN));
        s = option(s, "ocsf", "deliveryStream", o.get(OCSF_FIREHOSE_NAME));
        s = option(s, "webhook", "secretArn", o.get(WEBHOOK_SECRET_ARN));
        if (o.containsKey(DEADLETTER_TYPE)) {
            SinksConfig.DeadLetter d = s.deadLetter();
            s = s.with(new SinksConfig.DeadLetter(o.get(DEADLETTER_TYPE).toUpperCase(), d.path(),
                    o.getOrDefault(DEADLETTER_BUCKET, d.bucket()), o.getOrDefault(DEADLETTER_PREFIX, d.prefix()),
                    o.getOrDefault(DEADLETTER_QUEUE_URL, d.queueUrl())));
        }
        return s;
    }

    private static SinksConfig option(SinksConfig s, String sink, String key, String value) {
        return value == null ? s : s.with(s.sink(sink).withOption(key, value));
    }
}
