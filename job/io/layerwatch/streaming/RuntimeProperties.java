package io.layerwatch.streaming;

import io.layerwatch.config.ConfigException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The runtime property groups the streaming job reads: on Managed Service for Apache Flink from the
 * application's EnvironmentProperties, locally from flink-application-properties-dev.json. infra/
 * templates set exactly these (a test compares them).
 */
public final class RuntimeProperties {

    public static final String LAYERWATCH = "LayerWatch";
    public static final String RULES_URI = "rules.uri";
    public static final String RULES_RELOAD_INTERVAL = "rules.reload.interval";

    public static final String KINESIS_SOURCE = "KinesisSource";
    public static final String STREAM_ARN = "stream.arn";
    public static final String AWS_REGION = "aws.region";
    public static final String INITIAL_POSITION = "initial.position";
    public static final String INITIAL_TIMESTAMP = "initial.timestamp";
    public static final String EFO_CONSUMER_NAME = "efo.consumer.name";

    /**
     * CloudWatch Logs subscription messages are accepted only from these owners (comma-separated
     * accounts).
     */
    public static final String CLOUDWATCH_LOGS_OWNERS = "cloudwatch.logs.owners";

    /** ... and only from these log groups (comma-separated names). */
    public static final String CLOUDWATCH_LOGS_LOG_GROUPS = "cloudwatch.logs.log.groups";

    /** Not set on MSF: an endpoint override for local runs against an emulator. */
    public static final String ENDPOINT = "endpoint";

    public static final String SINKS = "Sinks";
    public static final String SINKS_ENABLED = "enabled";
    public static final String SNS_TOPIC_ARN = "sns.topic.arn";
    public static final String OCSF_TARGET = "ocsf.target";
    public static final String OCSF_STREAM_ARN = "ocsf.stream.arn";
    public static final String OCSF_FIREHOSE_NAME = "ocsf.firehose.name";
    public static final String WEBHOOK_SECRET_ARN = "webhook.secret.arn";
    public static final String DEADLETTER_TYPE = "deadletter.type";
    public static final String DEADLETTER_BUCKET = "deadletter.bucket";
    public static final String DEADLETTER_PREFIX = "deadletter.prefix";
    public static final String DEADLETTER_QUEUE_URL = "deadletter.queue.url";

    /** The account Security Hub findings are imported into (the caller's own account). */
    public static final String SECURITYHUB_HUB_ACCOUNT_ID = "securityhub.hub.account.id";

    /** The Security Hub region findings are imported into. */
    public static final String SECURITYHUB_HUB_REGION = "securityhub.hub.region";

    public static final String REMEDIATION = "Remediation";
    public static final String REMEDIATION_ENABLED = "enabled";
    public static final String REMEDIATION_EXECUTE = "execute";
    public static final String REMEDIATION_ROLE_NAME = "assume.role.name";

    /**
     * The role revoke-sessions assumes in each account
     * (remediation.actions.revoke-sessions.assumeRole).
     */
    public static final String REMEDIATION_REVOKE_ROLE_NAME = "revoke.role.name";

    public static final String REMEDIATION_AUDIT_BUCKET = "audit.bucket";

    /** Every group and its keys (documentation, validation of unknown keys, the infra test). */
    public static final Map<String, List<String>> GROUPS = groups();

    /** Keys that must be present when their group is. */
    static final Map<String, Set<String>> REQUIRED = Map.of(KINESIS_SOURCE, Set.of(STREAM_ARN));

    private RuntimeProperties() {}

    private static Map<String, List<String>> groups() {
        Map<String, List<String>> g = new LinkedHashMap<>();
        g.put(LAYERWATCH, List.of(RULES_URI, RULES_RELOAD_INTERVAL));
        g.put(
                KINESIS_SOURCE,
                List.of(
                        STREAM_ARN,
                        AWS_REGION,
                        INITIAL_POSITION,
                        INITIAL_TIMESTAMP,
                        EFO_CONSUMER_NAME,
                        CLOUDWATCH_LOGS_OWNERS,
                        CLOUDWATCH_LOGS_LOG_GROUPS,
                        ENDPOINT));
        g.put(
                SINKS,
                List.of(
                        SINKS_ENABLED,
                        SNS_TOPIC_ARN,
                        OCSF_TARGET,
                        OCSF_STREAM_ARN,
                        OCSF_FIREHOSE_NAME,
                        WEBHOOK_SECRET_ARN,
                        DEADLETTER_TYPE,
                        DEADLETTER_BUCKET,
                        DEADLETTER_PREFIX,
                        DEADLETTER_QUEUE_URL,
                        SECURITYHUB_HUB_ACCOUNT_ID,
                        SECURITYHUB_HUB_REGION));
        g.put(
                REMEDIATION,
                List.of(
                        REMEDIATION_ENABLED,
                        REMEDIATION_EXECUTE,
                        REMEDIATION_ROLE_NAME,
                        REMEDIATION_REVOKE_ROLE_NAME,
                        REMEDIATION_AUDIT_BUCKET));
        return Collections.unmodifiableMap(g);
    }

    /**
     * Checks groups and keys: required groups present (KinesisSource), required keys present, no
     * unknown group or key. {@code origin} names where they came from in the error.
     */
    public static void validate(Map<String, Properties> groups, String origin) {
        if (!groups.containsKey(KINESIS_SOURCE)) {
            throw new ConfigException(
                    origin
                            + ": missing property group "
                            + KINESIS_SOURCE
                            + " (key "
                            + STREAM_ARN
                            + " is required)");
        }
        for (Map.Entry<String, Properties> group : groups.entrySet()) {
            List<String> keys = GROUPS.get(group.getKey());
            if (keys == null) {
                throw new ConfigException(
                        origin
                                + ": unknown property group "
                                + group.getKey()
                                + " (groups: "
                                + String.join(", ", GROUPS.keySet())
                                + ")");
            }
            for (String key : group.getValue().stringPropertyNames()) {
                if (!keys.contains(key)) {
                    throw new ConfigException(
                            origin
                                    + ": "
                                    + group.getKey()
                                    + "."
                                    + key
                                    + ": unknown key (keys: "
                                    + String.join(", ", keys)
                                    + ")");
                }
            }
            for (String key : REQUIRED.getOrDefault(group.getKey(), Set.of())) {
                String v = group.getValue().getProperty(key);
                if (v == null || v.isBlank()) {
                    throw new ConfigException(
                            origin + ": " + group.getKey() + "." + key + ": required");
                }
            }
        }
    }
}
