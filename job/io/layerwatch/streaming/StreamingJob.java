package io.layerwatch.streaming;

import static io.layerwatch.streaming.RuntimeProperties.*;

import com.amazonaws.services.kinesisanalytics.runtime.KinesisAnalyticsRuntime;
import io.layerwatch.config.RemediationConfig;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesUpdate;
import io.layerwatch.config.SinksConfig;
import io.layerwatch.event.DeadLetter;
import io.layerwatch.finding.Finding;
import io.layerwatch.pipeline.JobShape;
import io.layerwatch.pipeline.LayerWatchPipeline;
import io.layerwatch.pipeline.Payload;
import io.layerwatch.sinks.FindingSinks;
import io.layerwatch.sinks.local.JsonLinesFileSink;
import io.layerwatch.sinks.local.LogSink;
import io.layerwatch.sinks.remediation.AuditLogSink;
import io.layerwatch.sinks.remediation.AuditRecord;
import io.layerwatch.sinks.remediation.RemediationSettings;
import io.layerwatch.sinks.remediation.RemediationStream;
import io.layerwatch.sinks.remediation.S3AuditSink;
import io.layerwatch.util.AwsPartition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streaming job: Kinesis -> the LayerWatch pipeline -> sinks, with the rules re-read live. The
 * main class of target/layerwatch-msf.jar (Managed Service for Apache Flink); {@code layerwatch
 * run} builds the same job locally.
 */
public final class StreamingJob {
    private static final Logger LOG = LoggerFactory.getLogger(StreamingJob.class);

    /** Local runs read the runtime properties from this file, as the AWS samples do. */
    public static final String DEV_PROPERTIES = "flink-application-properties-dev.json";

    /** Key prefix of audit records in the Remediation group's audit.bucket. */
    public static final String AUDIT_PREFIX = "remediation-audit";

    private StreamingJob() {}

    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Map<String, Properties> groups;
        String origin;
        if (env instanceof LocalStreamEnvironment) {
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
     * @param localOut for CLI runs: DIR/findings.jsonl and DIR/dead-letter.jsonl (appended); null
     *     on MSF
     */
    public static LayerWatchPipeline.Outputs build(
            StreamExecutionEnvironment env,
            StreamingOptions options,
            String rulesYaml,
            RulesConfig file,
            Path localOut,
            boolean dryRun)
            throws IOException {
        // Read here, once: a reload of the rules file does not change whose CloudWatch Logs
        // messages are decoded.
        RulesConfig config = file.withCloudWatchLogs(options.cloudWatchLogs(file.cloudWatchLogs()));
        LOG.info("CloudWatch Logs messages accepted from {}", config.cloudWatchLogs());
        DataStream<Payload> payloads =
                env.addSource(
                                KinesisPayloads.consumer(
                                        options, config.maxOutOfOrderness(), config.idleness()))
                        .uid("source-kinesis")
                        .name("Kinesis " + KinesisPayloads.streamName(options.stream()));
        DataStream<RulesUpdate> updates = null;
        if (options.reloadInterval() != null) {
            RulesReloader reloader =
                    new RulesReloader(
                            new RulesSource(options.rulesUri(), options.region()), rulesYaml, file);
            updates =
                    env.fromSource(
                                    new RulesReloadSource(reloader, options.reloadInterval()),
                                    WatermarkStrategy.noWatermarks(),
                                    "Rules reload (" + options.rulesUri() + ")")
                            .uid("rules-reload")
                            .setParallelism(1);
        }
        LayerWatchPipeline.Outputs out =
                LayerWatchPipeline.build(payloads, config, JobShape.streaming(config, updates));
        SinksConfig sinks = withOverrides(config.sinks(), options.sinkOverrides());
        Set<String> names = new LinkedHashSet<>(options.sinks());
        DataStream<Finding> findings = out.findings();
        DataStream<AuditRecord> audit = null;
        RemediationConfig remediation = remediation(config.remediation(), options, dryRun);
        if (remediation.enabled()) {
            RemediationStream.Outputs responder =
                    RemediationStream.attach(
                            out.findings(),
                            out.customActions(),
                            RemediationSettings.from(config.withSinks(sinks), localOut)
                                    .withConfig(remediation));
            audit = responder.audit();
            auditLog(audit, remediation, options, sinks, localOut);
            findings = findings.union(responder.failures());
        }
        if (localOut != null) {
            Files.createDirectories(localOut);
            findings.sinkTo(
                            JsonLinesFileSink.appending(
                                    localOut.resolve(FindingSinks.FINDINGS_FILE)))
                    .uid("sink-local-findings")
                    .name("findings.jsonl")
                    .setParallelism(1);
            names.remove("jsonl");
        }
        out.deadLetters()
                .sinkTo(
                        localOut != null
                                ? JsonLinesFileSink.<DeadLetter>appending(
                                        localOut.resolve("dead-letter.jsonl"))
                                : new LogSink<>("dead letter"))
                .uid("sink-dead-letters")
                .name("dead letters")
                .setParallelism(1);
        if (!names.isEmpty()) {
            FindingSinks.attach(findings, audit, sinks, names, localOut, dryRun);
        }
        return out;
    }

    /**
     * The rules file's remediation: section with the Remediation property group on top: {@code
     * enabled} switches the responder, {@code execute=false} (and a CLI --dry-run) makes every
     * action a dry run ({@code true} leaves each action's dryRun as the file says), {@code
     * assume.role.name} is the role assumed in each account, {@code revoke.role.name} the one
     * revoke-sessions assumes there.
     */
    static RemediationConfig remediation(
            RemediationConfig file, StreamingOptions options, boolean dryRun) {
        Map<String, String> p = options.remediation();
        RemediationConfig c = file;
        if (p.containsKey(REMEDIATION_ENABLED)) {
            c = c.withEnabled(Boolean.parseBoolean(p.get(REMEDIATION_ENABLED)));
        }
        if (dryRun || "false".equalsIgnoreCase(p.get(REMEDIATION_EXECUTE))) {
            c = c.allDryRun();
        }
        if (p.containsKey(REMEDIATION_ROLE_NAME)) {
            c =
                    c.withDefaultRole(
                            "arn:"
                                    + AwsPartition.of(options.region())
                                    + ":iam::"
                                    + RemediationConfig.ACCOUNT_PLACEHOLDER
                                    + ":role/"
                                    + p.get(REMEDIATION_ROLE_NAME),
                            null);
        }
        if (p.containsKey(REMEDIATION_REVOKE_ROLE_NAME)) {
            c =
                    c.withActionOption(
                            RemediationConfig.REVOKE_SESSIONS,
                            "assumeRole",
                            p.get(REMEDIATION_REVOKE_ROLE_NAME));
        }
        return c;
    }

    /**
     * Audit records to DIR/&lt;auditLog&gt; locally, else to the audit bucket, else to the log
     * (CloudWatch Logs).
     */
    private static void auditLog(
            DataStream<AuditRecord> audit,
            RemediationConfig remediation,
            StreamingOptions options,
            SinksConfig sinks,
            Path localOut) {
        String bucket = options.remediation().get(REMEDIATION_AUDIT_BUCKET);
        Sink<AuditRecord> sink;
        if (localOut != null) {
            sink = new AuditLogSink(localOut.resolve(remediation.auditLog()).toString());
        } else if (bucket != null) {
            sink = new S3AuditSink(bucket, AUDIT_PREFIX, FindingSinks.aws(null, sinks));
        } else {
            sink = new LogSink<>("remediation audit");
        }
        audit.sinkTo(sink)
                .uid("remediation-audit-log")
                .name("Remediation audit log")
                .setParallelism(1);
    }

    /** Runtime properties of the Sinks group override the rules file's sinks: section. */
    static SinksConfig withOverrides(SinksConfig sinks, Map<String, String> o) {
        SinksConfig s = sinks;
        s = option(s, "sns", "topicArn", o.get(SNS_TOPIC_ARN));
        s =
                option(
                        s,
                        "ocsf",
                        "target",
                        o.get(OCSF_TARGET) == null
                                ? null
                                : o.get(OCSF_TARGET).toUpperCase(Locale.ROOT));
        s = option(s, "ocsf", "streamArn", o.get(OCSF_STREAM_ARN));
        s = option(s, "ocsf", "deliveryStream", o.get(OCSF_FIREHOSE_NAME));
        s = option(s, "webhook", "secretArn", o.get(WEBHOOK_SECRET_ARN));
        // Also what the responder trusts as LayerWatch's own findings (RemediationSettings reads
        // these sinks).
        s = option(s, "securityhub", "hubAccountId", o.get(SECURITYHUB_HUB_ACCOUNT_ID));
        s = option(s, "securityhub", "hubRegion", o.get(SECURITYHUB_HUB_REGION));
        if (o.containsKey(DEADLETTER_TYPE)) {
            SinksConfig.DeadLetter d = s.deadLetter();
            s =
                    s.with(
                            new SinksConfig.DeadLetter(
                                    o.get(DEADLETTER_TYPE).toUpperCase(Locale.ROOT),
                                    d.path(),
                                    o.getOrDefault(DEADLETTER_BUCKET, d.bucket()),
                                    o.getOrDefault(DEADLETTER_PREFIX, d.prefix()),
                                    o.getOrDefault(DEADLETTER_QUEUE_URL, d.queueUrl())));
        }
        return s;
    }

    private static SinksConfig option(SinksConfig s, String sink, String key, String value) {
        return value == null ? s : s.with(s.sink(sink).withOption(key, value));
    }
}
