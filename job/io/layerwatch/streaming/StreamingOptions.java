package io.layerwatch.streaming;

import static io.layerwatch.streaming.RuntimeProperties.*;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import io.layerwatch.config.CloudWatchLogsSenders;
import io.layerwatch.config.ConfigException;
import io.layerwatch.config.ParamType;
import io.layerwatch.config.RemediationConfig;
import io.layerwatch.sinks.securityhub.SecurityHubTarget;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The validated settings of a streaming run, from runtime property groups (MSF) or CLI flags.
 *
 * @param stream the Kinesis stream name or ARN
 * @param rulesUri "classpath:" (the built-in rules), a local path or s3://bucket/key
 * @param reloadInterval how often the rules URI is re-read (null: never)
 * @param sinks remote sinks to deliver to (besides the local files of a CLI run)
 * @param remediation the Remediation property group (validated), empty when absent
 * @param cloudWatchLogsOwners accounts whose CloudWatch Logs messages are accepted; empty: as the
 *     rules file says
 * @param cloudWatchLogsLogGroups log groups (globs) whose messages are accepted; empty: as the
 *     rules file says
 */
public record StreamingOptions(
        String stream,
        String region,
        String endpoint,
        InitialPosition initialPosition,
        Instant initialTimestamp,
        String efoConsumerName,
        String rulesUri,
        Duration reloadInterval,
        List<String> sinks,
        Map<String, String> sinkOverrides,
        Map<String, String> remediation,
        List<String> cloudWatchLogsOwners,
        List<String> cloudWatchLogsLogGroups)
        implements Serializable {

    public enum InitialPosition {
        LATEST,
        TRIM_HORIZON,
        AT_TIMESTAMP
    }

    public static final String BUILT_IN_RULES = "classpath:";

    public StreamingOptions {
        if (stream == null || stream.isBlank()) {
            throw new ConfigException(KINESIS_SOURCE + "." + STREAM_ARN + ": required");
        }
        if (initialPosition == InitialPosition.AT_TIMESTAMP && initialTimestamp == null) {
            throw new ConfigException(
                    KINESIS_SOURCE
                            + "."
                            + INITIAL_TIMESTAMP
                            + ": required with "
                            + INITIAL_POSITION
                            + " AT_TIMESTAMP");
        }
        sinks = List.copyOf(sinks);
        sinkOverrides = securityHub(sinkOverrides);
        remediation = Map.copyOf(remediation);
        cloudWatchLogsOwners = List.copyOf(cloudWatchLogsOwners);
        cloudWatchLogsLogGroups = List.copyOf(cloudWatchLogsLogGroups);
        for (String key : List.of(REMEDIATION_ENABLED, REMEDIATION_EXECUTE)) {
            String v = remediation.get(key);
            if (v != null
                    && !v.trim().equalsIgnoreCase("true")
                    && !v.trim().equalsIgnoreCase("false")) {
                throw new ConfigException(
                        REMEDIATION + "." + key + ": '" + v + "' is not true or false");
            }
        }
        for (String key : List.of(REMEDIATION_ROLE_NAME, REMEDIATION_REVOKE_ROLE_NAME)) {
            String v = remediation.get(key);
            if (v != null && !RemediationConfig.isRoleName(v)) {
                throw new ConfigException(
                        REMEDIATION + "." + key + ": '" + v + "' is not an IAM role name");
            }
        }
    }

    /** CloudWatch Logs senders as the rules file says. */
    public StreamingOptions(
            String stream,
            String region,
            String endpoint,
            InitialPosition initialPosition,
            Instant initialTimestamp,
            String efoConsumerName,
            String rulesUri,
            Duration reloadInterval,
            List<String> sinks,
            Map<String, String> sinkOverrides,
            Map<String, String> remediation) {
        this(
                stream,
                region,
                endpoint,
                initialPosition,
                initialTimestamp,
                efoConsumerName,
                rulesUri,
                reloadInterval,
                sinks,
                sinkOverrides,
                remediation,
                List.of(),
                List.of());
    }

    /** The Sinks overrides with the Security Hub keys trimmed (blank: unset) and checked. */
    private static Map<String, String> securityHub(Map<String, String> overrides) {
        Map<String, String> out = new LinkedHashMap<>(overrides);
        check(
                out,
                SECURITYHUB_HUB_ACCOUNT_ID,
                SecurityHubTarget.ACCOUNT_ID,
                "a 12-digit account id");
        check(
                out,
                SECURITYHUB_HUB_REGION,
                SecurityHubTarget.REGION,
                "an AWS region like us-east-1");
        return Map.copyOf(out);
    }

    private static void check(
            Map<String, String> overrides, String key, Pattern valid, String what) {
        String v = overrides.remove(key);
        if (v == null || v.isBlank()) {
            return;
        }
        if (!valid.matcher(v.trim()).matches()) {
            throw new ConfigException(SINKS + "." + key + ": '" + v + "' is not " + what);
        }
        overrides.put(key, v.trim());
    }

    /** Without a Remediation group (CLI runs: the rules file's remediation: section decides). */
    public StreamingOptions(
            String stream,
            String region,
            String endpoint,
            InitialPosition initialPosition,
            Instant initialTimestamp,
            String efoConsumerName,
            String rulesUri,
            Duration reloadInterval,
            List<String> sinks,
            Map<String, String> sinkOverrides) {
        this(
                stream,
                region,
                endpoint,
                initialPosition,
                initialTimestamp,
                efoConsumerName,
                rulesUri,
                reloadInterval,
                sinks,
                sinkOverrides,
                Map.of());
    }

    /** From MSF runtime property groups (validated: missing groups and keys are named). */
    public static StreamingOptions fromProperties(Map<String, Properties> groups, String origin) {
        RuntimeProperties.validate(groups, origin);
        Properties source = groups.get(KINESIS_SOURCE);
        Properties lw = groups.getOrDefault(LAYERWATCH, new Properties());
        Properties sinks = groups.getOrDefault(SINKS, new Properties());
        try {
            List<String> enabled = new ArrayList<>();
            for (String s : sinks.getProperty(SINKS_ENABLED, "").split(",", -1)) {
                if (!s.isBlank()) {
                    enabled.add(s.trim().toLowerCase(Locale.ROOT));
                }
            }
            Map<String, String> overrides = new LinkedHashMap<>();
            for (String key : sinks.stringPropertyNames()) {
                if (!SINKS_ENABLED.equals(key)) {
                    overrides.put(key, sinks.getProperty(key));
                }
            }
            return new StreamingOptions(
                    source.getProperty(STREAM_ARN),
                    blankToNull(source.getProperty(AWS_REGION)),
                    blankToNull(source.getProperty(ENDPOINT)),
                    position(source.getProperty(INITIAL_POSITION, "LATEST"), origin),
                    timestamp(source.getProperty(INITIAL_TIMESTAMP), origin),
                    blankToNull(source.getProperty(EFO_CONSUMER_NAME)),
                    lw.getProperty(RULES_URI, BUILT_IN_RULES),
                    interval(
                            lw.getProperty(RULES_RELOAD_INTERVAL),
                            origin + ": " + LAYERWATCH + "." + RULES_RELOAD_INTERVAL),
                    enabled,
                    overrides,
                    strings(groups.getOrDefault(REMEDIATION, new Properties())),
                    list(source, CLOUDWATCH_LOGS_OWNERS, ParamType.ACCOUNT_LIST),
                    list(source, CLOUDWATCH_LOGS_LOG_GROUPS, ParamType.LOG_GROUP_LIST));
        } catch (ConfigException e) {
            throw e.getMessage().startsWith(origin)
                    ? e
                    : new ConfigException(origin + ": " + e.getMessage());
        }
    }

    /**
     * The file's CloudWatch Logs senders with the KinesisSource group's lists on top: a list set
     * here replaces the file's (and is named in rejections); an empty one leaves it.
     */
    public CloudWatchLogsSenders cloudWatchLogs(CloudWatchLogsSenders file) {
        return file.withOwners(
                        cloudWatchLogsOwners.isEmpty() ? null : cloudWatchLogsOwners,
                        KINESIS_SOURCE + "." + CLOUDWATCH_LOGS_OWNERS)
                .withLogGroups(
                        cloudWatchLogsLogGroups.isEmpty() ? null : cloudWatchLogsLogGroups,
                        KINESIS_SOURCE + "." + CLOUDWATCH_LOGS_LOG_GROUPS);
    }

    /**
     * A comma-separated list of {@code type}'s items (blank items ignored); the error names the
     * key.
     */
    private static List<String> list(Properties group, String key, ParamType type) {
        ArrayNode items = JsonNodeFactory.instance.arrayNode();
        for (String item : group.getProperty(key, "").split(",", -1)) {
            if (!item.isBlank()) {
                items.add(item.trim());
            }
        }
        try {
            return ParamType.strings(type.parse(items));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(KINESIS_SOURCE + "." + key + ": " + e.getMessage());
        }
    }

    static InitialPosition position(String value, String origin) {
        try {
            return InitialPosition.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(
                    origin
                            + ": "
                            + KINESIS_SOURCE
                            + "."
                            + INITIAL_POSITION
                            + ": '"
                            + value
                            + "' is not one of LATEST, TRIM_HORIZON, AT_TIMESTAMP");
        }
    }

    static Instant timestamp(String value, String origin) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw new ConfigException(
                    origin
                            + ": "
                            + KINESIS_SOURCE
                            + "."
                            + INITIAL_TIMESTAMP
                            + ": '"
                            + value
                            + "' is not an ISO-8601 instant like 2024-05-01T00:00:00Z");
        }
    }

    /** Parses a duration such as 30s or 5m; the error names {@code what}. */
    public static Duration interval(String value, String what) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return (Duration) ParamType.DURATION.parse(TextNode.valueOf(value));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(what + ": " + e.getMessage());
        }
    }

    private static Map<String, String> strings(Properties p) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String key : p.stringPropertyNames()) {
            if (!p.getProperty(key).isBlank()) {
                m.put(key, p.getProperty(key).trim());
            }
        }
        return m;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
