package io.layerwatch.sinks;

import io.layerwatch.config.ConfigException;
import io.layerwatch.config.SinksConfig;
import io.layerwatch.finding.Finding;
import io.layerwatch.sinks.aws.AwsClientSettings;
import io.layerwatch.sinks.delivery.DeadLetterDestination;
import io.layerwatch.sinks.delivery.Delivery;
import io.layerwatch.sinks.delivery.DeliveryClient;
import io.layerwatch.sinks.delivery.DeliverySink;
import io.layerwatch.sinks.delivery.EntryResult;
import io.layerwatch.sinks.delivery.FileDeadLetters;
import io.layerwatch.sinks.delivery.FindingTarget;
import io.layerwatch.sinks.delivery.RetryPolicy;
import io.layerwatch.sinks.delivery.S3DeadLetters;
import io.layerwatch.sinks.delivery.SqsDeadLetters;
import io.layerwatch.sinks.local.JsonLinesFileSink;
import io.layerwatch.sinks.ocsf.OcsfOutputs;
import io.layerwatch.sinks.ocsf.OcsfSettings;
import io.layerwatch.sinks.policy.OncePerIncident;
import io.layerwatch.sinks.policy.SuppressRepeats;
import io.layerwatch.sinks.remediation.AuditRecord;
import io.layerwatch.sinks.securityhub.SecurityHubTarget;
import io.layerwatch.sinks.sns.SnsTarget;
import io.layerwatch.sinks.webhook.WebhookTarget;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Attaches the configured sinks to the findings stream: each behind its notification policy
 * (minimum severity, rules, incidents, repeat suppression), remote ones on the shared delivery
 * layer.
 */
public final class FindingSinks {

    public static final String FINDINGS_FILE = "findings.jsonl";

    private FindingSinks() {}

    /**
     * Returns what was attached, for the user.
     *
     * @param names the sinks to attach (names of {@link SinksConfig#SINK_NAMES})
     * @param outDir where local files go (findings.jsonl, OCSF file, file dead letters); null for
     *     the working directory
     * @param dryRun print what remote sinks would send instead of sending it
     */
    public static List<String> attach(
            DataStream<Finding> findings,
            SinksConfig config,
            Set<String> names,
            Path outDir,
            boolean dryRun) {
        return attach(findings, null, config, names, outDir, dryRun);
    }

    /**
     * Attaches the configured sinks to the findings and returns their names.
     *
     * @param audit the responder's audit records for the SIEM (the ocsf sink), or null
     */
    public static List<String> attach(
            DataStream<Finding> findings,
            DataStream<AuditRecord> audit,
            SinksConfig config,
            Set<String> names,
            Path outDir,
            boolean dryRun) {
        List<String> attached = new ArrayList<>();
        for (String name : names) {
            SinksConfig.Sink sink = config.sink(name);
            if (sink == null) {
                throw new ConfigException(
                        "unknown sink '"
                                + name
                                + "' (sinks: "
                                + String.join(", ", SinksConfig.SINK_NAMES)
                                + ")");
            }
            DataStream<Finding> admitted = policy(findings, sink);
            switch (name) {
                case "jsonl" ->
                        admitted.sinkTo(findingsFile(resolve(outDir, FINDINGS_FILE), config))
                                .uid("sink-jsonl")
                                .name(FINDINGS_FILE)
                                .setParallelism(1);
                case "ocsf" ->
                        OcsfOutputs.attach(admitted, audit, ocsf(sink, config, outDir, dryRun));
                default -> {
                    FindingTarget target = target(sink, config);
                    admitted.sinkTo(
                                    new DeliverySink<>(
                                            dryRun ? new DryRun(target) : target,
                                            retry(config),
                                            deadLetters(config, outDir),
                                            config.delivery().maxTimeInBuffer().toMillis()))
                            .uid("sink-" + name)
                            .name(name + (dryRun ? " (dry run)" : ""));
                }
            }
            attached.add(name + (dryRun && !"jsonl".equals(name) ? " (dry run)" : ""));
        }
        return attached;
    }

    /**
     * findings.jsonl: one line per finding id, the latest version of those that may change written
     * at the end (the others as they come: a later version of one, e.g. marked with an incident, is
     * not written).
     */
    public static JsonLinesFileSink<Finding> findingsFile(Path file, SinksConfig config) {
        return JsonLinesFileSink.foldingBy(
                file, Finding::id, f -> config.findingsMayChange(f.ruleId()), Finding::later);
    }

    static DataStream<Finding> policy(DataStream<Finding> findings, SinksConfig.Sink sink) {
        SinksConfig.Policy policy = sink.policy();
        if (policy.equals(SinksConfig.Policy.ALL)) {
            return findings;
        }
        DataStream<Finding> admitted =
                findings.filter(f -> OncePerIncident.admits(policy, f))
                        .uid("policy-" + sink.name())
                        .name(sink.name() + " policy");
        if (policy.incidents() != SinksConfig.Incidents.ALL) {
            admitted =
                    admitted.keyBy(OncePerIncident::key, Types.STRING)
                            .process(new OncePerIncident(policy, OncePerIncident.REMEMBER))
                            .uid("incidents-" + sink.name())
                            .name(
                                    sink.name()
                                            + " incidents: "
                                            + policy.incidents().name().toLowerCase(Locale.ROOT));
        }
        Duration window = policy.suppressionWindow();
        if (window == null) {
            return admitted;
        }
        return admitted.keyBy(SuppressRepeats::key, Types.STRING)
                .process(new SuppressRepeats(window))
                .uid("suppress-" + sink.name())
                .name(sink.name() + " repeat suppression");
    }

    static FindingTarget target(SinksConfig.Sink sink, SinksConfig config) {
        AwsClientSettings aws = aws(sink, config);
        switch (sink.name()) {
            case "sns" -> {
                String topic = required(sink, "topicArn");
                return new SnsTarget(
                        new SnsTarget.Settings(
                                topic,
                                aws,
                                SnsTarget.MessageFormat.valueOf(
                                        sink.option("format") == null
                                                ? "TEXT_AND_JSON"
                                                : sink.option("format")),
                                sink.option("reportBaseUrl")));
            }
            case "securityhub" -> {
                Object rps = sink.options().get("requestsPerSecond");
                return new SecurityHubTarget(
                        new SecurityHubTarget.Settings(
                                aws,
                                sink.option("hubAccountId"),
                                sink.option("hubRegion"),
                                null,
                                rps == null ? 10 : ((Number) rps).doubleValue()));
            }
            case "webhook" -> {
                if (sink.option("url") == null && sink.option("secretArn") == null) {
                    throw new ConfigException("sinks.webhook: needs url or secretArn");
                }
                return new WebhookTarget(
                        new WebhookTarget.Settings(
                                "webhook",
                                WebhookTarget.Format.valueOf(
                                        sink.option("format") == null
                                                ? "GENERIC"
                                                : sink.option("format")),
                                sink.option("url"),
                                sink.option("secretArn"),
                                sink.option("routingKey"),
                                sink.map("headers"),
                                sink.option("template"),
                                sink.duration("timeout") == null
                                        ? Duration.ofSeconds(10)
                                        : sink.duration("timeout"),
                                aws));
            }
            default ->
                    throw new ConfigException("sink '" + sink.name() + "' is not a delivery sink");
        }
    }

    static OcsfSettings ocsf(
            SinksConfig.Sink sink, SinksConfig config, Path outDir, boolean dryRun) {
        String target =
                dryRun ? "STDOUT" : sink.option("target") == null ? "FILE" : sink.option("target");
        String path = sink.option("path") == null ? "findings.ocsf.jsonl" : sink.option("path");
        return new OcsfSettings(
                OcsfSettings.Target.valueOf(target),
                resolve(outDir, path).toString(),
                sink.option("streamName"),
                sink.option("streamArn"),
                sink.option("deliveryStream"),
                aws(sink, config),
                deadLetters(config, outDir));
    }

    public static RetryPolicy retry(SinksConfig config) {
        SinksConfig.Delivery d = config.delivery();
        return new RetryPolicy(Math.max(1, d.maxAttempts()), d.baseDelay(), d.maxDelay());
    }

    public static DeadLetterDestination deadLetters(SinksConfig config, Path outDir) {
        SinksConfig.DeadLetter d = config.deadLetter();
        AwsClientSettings aws = aws(null, config);
        switch (d.type()) {
            case "S3" -> {
                if (d.bucket() == null) {
                    throw new ConfigException("sinks.deadLetter: type s3 needs bucket");
                }
                return new S3DeadLetters(d.bucket(), d.prefix(), aws);
            }
            case "SQS" -> {
                if (d.queueUrl() == null) {
                    throw new ConfigException("sinks.deadLetter: type sqs needs queueUrl");
                }
                return new SqsDeadLetters(d.queueUrl(), aws);
            }
            default -> {
                return new FileDeadLetters(
                        resolve(outDir, d.path() == null ? "sink-dead-letter.jsonl" : d.path())
                                .toString());
            }
        }
    }

    /**
     * The sink's own region/endpoint over the shared AWS settings; unset values follow the SDK's
     * defaults.
     */
    public static AwsClientSettings aws(SinksConfig.Sink sink, SinksConfig config) {
        SinksConfig.Aws a = config.aws();
        String region =
                sink != null && sink.option("region") != null ? sink.option("region") : a.region();
        String endpoint =
                sink != null && sink.option("endpoint") != null
                        ? sink.option("endpoint")
                        : a.endpoint();
        return new AwsClientSettings(region, endpoint, a.callTimeout(), a.attemptTimeout());
    }

    private static String required(SinksConfig.Sink sink, String key) {
        String v = sink.option(key);
        if (v == null || v.isBlank()) {
            throw new ConfigException(
                    "sinks." + sink.name() + "." + key + ": required when the sink is enabled");
        }
        return v;
    }

    private static Path resolve(Path outDir, String path) {
        Path p = Paths.get(path);
        return outDir == null || p.isAbsolute() ? p : outDir.resolve(p);
    }

    /** Encodes as for real, then prints instead of sending. */
    static final class DryRun implements FindingTarget {
        private static final long serialVersionUID = 1L;
        private final FindingTarget target;

        DryRun(FindingTarget target) {
            this.target = target;
        }

        @Override
        public String name() {
            return target.name();
        }

        @Override
        public Limits limits() {
            return target.limits();
        }

        @Override
        public String encode(Finding finding) {
            return target.encode(finding);
        }

        @Override
        public DeliveryClient connect() {
            String name = target.name();
            return batch -> {
                List<EntryResult> results = new ArrayList<>();
                for (Delivery d : batch) {
                    synchronized (System.out) {
                        System.out.println(
                                "[dry-run " + name + "] " + d.payload().replace('\n', ' '));
                    }
                    results.add(EntryResult.DELIVERED);
                }
                return results;
            };
        }
    }
}
