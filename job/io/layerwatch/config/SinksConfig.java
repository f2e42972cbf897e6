package io.layerwatch.config;

import java.io.Serializable;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code sinks:} section of the config file: which sinks deliver findings, their options, the
 * shared delivery (retry) and dead-letter settings, and each sink's notification policy. Plain
 * values only: the sinks package turns them into sinks.
 */
public final class SinksConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Sink names, a contract of the config file and of {@code --sink}. */
    public static final List<String> SINK_NAMES =
            List.of("jsonl", "sns", "securityhub", "ocsf", "webhook");

    /** The keys of {@code sinks:}, checked by the loader. */
    static final ConfigSchema SCHEMA = schema();

    public record Delivery(
            int maxAttempts, Duration baseDelay, Duration maxDelay, Duration maxTimeInBuffer)
            implements Serializable {}

    public record DeadLetter(
            String type, String path, String bucket, String prefix, String queueUrl)
            implements Serializable {}

    public record Aws(String region, String endpoint, Duration callTimeout, Duration attemptTimeout)
            implements Serializable {}

    /**
     * What a sink does with incidents (attack-sequence findings) and their members ({@code
     * policy.incidents}). ALL: every finding and every version of an incident. PAGE: page once per
     * incident: its first version goes out, members that carry its id do not, other findings as
     * usual. ONLY: incidents only, once each.
     */
    public enum Incidents {
        ALL,
        PAGE,
        ONLY;

        /**
         * PAGE for the sinks that page people (sns, webhook), ALL for the records (jsonl,
         * securityhub, ocsf).
         */
        public static Incidents defaultFor(String sink) {
            return "sns".equals(sink) || "webhook".equals(sink) ? PAGE : ALL;
        }
    }

    /** Which findings reach a sink, how repeats are folded and what happens to incidents. */
    public record Policy(
            Severity minSeverity,
            Set<String> includeRules,
            Set<String> excludeRules,
            Duration suppressionWindow,
            Incidents incidents)
            implements Serializable {

        /** Everything, every version. */
        public static final Policy ALL =
                new Policy(Severity.INFORMATIONAL, Set.of(), Set.of(), null, Incidents.ALL);

        public boolean admits(String ruleId, Severity severity) {
            return severity.atLeast(minSeverity)
                    && (includeRules.isEmpty() || includeRules.contains(ruleId))
                    && !excludeRules.contains(ruleId);
        }
    }

    /** One sink: enabled, its own options (validated against {@link #SCHEMA}) and its policy. */
    public record Sink(
            String name, boolean enabled, Map<String, Serializable> options, Policy policy)
            implements Serializable {

        public String option(String key) {
            Object v = options.get(key);
            return v == null ? null : v.toString();
        }

        public Duration duration(String key) {
            return (Duration) options.get(key);
        }

        @SuppressWarnings("unchecked")
        public Map<String, String> map(String key) {
            Object v = options.get(key);
            return v == null ? Map.of() : (Map<String, String>) v;
        }

        public Sink enabled(boolean on) {
            return new Sink(name, on, options, policy);
        }

        public Sink withPolicy(Policy p) {
            return new Sink(name, enabled, options, p);
        }

        public Sink withOption(String key, Serializable value) {
            Map<String, Serializable> copy = new LinkedHashMap<>(options);
            copy.put(key, value);
            return new Sink(name, enabled, copy, policy);
        }
    }

    private static ConfigSchema schema() {
        ConfigSchema policy =
                ConfigSchema.builder()
                        .value("minSeverity", ParamType.SEVERITY)
                        .values(ParamType.STRING_LIST, "includeRules", "excludeRules")
                        .value("suppressionWindow", ParamType.DURATION)
                        .choice("incidents", "ALL", "PAGE", "ONLY")
                        .build();
        ConfigSchema common =
                ConfigSchema.builder()
                        .value("enabled", ParamType.BOOLEAN)
                        .mapping("policy", policy)
                        .values(ParamType.STRING, "region", "endpoint")
                        .build();
        return ConfigSchema.builder()
                .mapping(
                        "delivery",
                        ConfigSchema.builder()
                                .value("maxAttempts", ParamType.COUNT)
                                .values(
                                        ParamType.DURATION,
                                        "baseDelay",
                                        "maxDelay",
                                        "maxTimeInBuffer")
                                .build())
                .mapping(
                        "deadLetter",
                        ConfigSchema.builder()
                                .choice("type", "FILE", "S3", "SQS")
                                .values(ParamType.STRING, "path", "bucket", "prefix", "queueUrl")
                                .build())
                .mapping(
                        "aws",
                        ConfigSchema.builder()
                                .values(ParamType.STRING, "region", "endpoint")
                                .values(ParamType.DURATION, "callTimeout", "attemptTimeout")
                                .build())
                .mapping("jsonl", ConfigSchema.builder().all(common).build())
                .mapping(
                        "sns",
                        ConfigSchema.builder()
                                .all(common)
                                .value("topicArn", ParamType.STRING)
                                .choice("format", "TEXT_AND_JSON", "JSON")
                                .value("reportBaseUrl", ParamType.STRING)
                                .build())
                .mapping(
                        "securityhub",
                        ConfigSchema.builder()
                                .all(common)
                                .values(ParamType.STRING, "hubAccountId", "hubRegion")
                                .value("requestsPerSecond", ParamType.COUNT)
                                .build())
                .mapping(
                        "ocsf",
                        ConfigSchema.builder()
                                .all(common)
                                .choice("target", "FILE", "STDOUT", "KINESIS", "FIREHOSE")
                                .values(
                                        ParamType.STRING,
                                        "path",
                                        "streamName",
                                        "streamArn",
                                        "deliveryStream")
                                .build())
                .mapping(
                        "webhook",
                        ConfigSchema.builder()
                                .all(common)
                                .choice("format", "SLACK", "PAGERDUTY", "GENERIC")
                                .values(ParamType.STRING, "url", "secretArn", "routingKey")
                                .value("headers", ParamType.STRING_MAP)
                                .value("template", ParamType.STRING)
                                .value("timeout", ParamType.DURATION)
                                .build())
                .build();
    }

    private final Delivery delivery;
    private final DeadLetter deadLetter;
    private final Aws aws;
    private final Map<String, Sink> sinks;
    private final Set<String> changingRules;

    /**
     * @param changingRules the rules whose findings may come again, updated, under the same id,
     *     with these rules (episodes, folded repeats, incidents); the findings file keeps their
     *     latest version
     */
    public SinksConfig(
            Delivery delivery,
            DeadLetter deadLetter,
            Aws aws,
            Map<String, Sink> sinks,
            Set<String> changingRules) {
        this.delivery = delivery;
        this.deadLetter = deadLetter;
        this.aws = aws;
        this.sinks = Collections.unmodifiableMap(new LinkedHashMap<>(sinks));
        this.changingRules = Set.copyOf(changingRules);
    }

    /**
     * A finding of this rule may come again, updated, under the same id (the findings file holds it
     * until the end); ids outside the catalog (remediation-failed, other products') may.
     */
    public boolean findingsMayChange(String ruleId) {
        return changingRules.contains(ruleId) || !RuleCatalog.exists(ruleId);
    }

    public Delivery delivery() {
        return delivery;
    }

    public DeadLetter deadLetter() {
        return deadLetter;
    }

    public Aws aws() {
        return aws;
    }

    public Sink sink(String name) {
        return sinks.get(name);
    }

    public Map<String, Sink> sinks() {
        return sinks;
    }

    /** The enabled sinks, in the order of {@link #SINK_NAMES}. */
    public Set<String> enabled() {
        Set<String> out = new LinkedHashSet<>();
        sinks.values().stream().filter(Sink::enabled).forEach(s -> out.add(s.name()));
        return out;
    }

    /** A copy with other dead-letter settings (runtime properties override the file). */
    public SinksConfig with(DeadLetter d) {
        return new SinksConfig(delivery, d, aws, sinks, changingRules);
    }

    /** A copy with {@code sink} replaced (CLI flags override the file). */
    public SinksConfig with(Sink sink) {
        Map<String, Sink> copy = new LinkedHashMap<>(sinks);
        copy.put(sink.name(), sink);
        return new SinksConfig(delivery, deadLetter, aws, copy, changingRules);
    }
}
