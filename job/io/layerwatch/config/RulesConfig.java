package io.layerwatch.config;

import java.io.Serializable;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;

/** The validated detection configuration: event-time settings and every rule's settings. */
public final class RulesConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final Duration maxOutOfOrderness;
    private final Duration idleness;
    private final Allowlist globalAllowlist;
    private final Map<String, RuleSettings> rules;
    private final SinksConfig sinks;
    private final RemediationConfig remediation;
    private final CloudWatchLogsSenders cloudWatchLogs;
    private final long maxInflatedBytes;
    private final IncidentSettings incident;

    RulesConfig(
            String source,
            Duration maxOutOfOrderness,
            Duration idleness,
            Allowlist globalAllowlist,
            Map<String, RuleSettings> rules,
            SinksConfig sinks,
            RemediationConfig remediation,
            CloudWatchLogsSenders cloudWatchLogs,
            long maxInflatedBytes,
            IncidentSettings incident) {
        this.incident = incident;
        this.cloudWatchLogs = cloudWatchLogs;
        this.maxInflatedBytes = maxInflatedBytes;
        this.sinks = sinks;
        this.remediation = remediation;
        this.source = source;
        this.maxOutOfOrderness = maxOutOfOrderness;
        this.idleness = idleness;
        this.globalAllowlist = globalAllowlist;
        this.rules = Collections.unmodifiableMap(rules);
    }

    /** Where it came from: the built-in file, plus the user file when one was given. */
    public String source() {
        return source;
    }

    public Duration maxOutOfOrderness() {
        return maxOutOfOrderness;
    }

    public Duration idleness() {
        return idleness;
    }

    public Allowlist globalAllowlist() {
        return globalAllowlist;
    }

    public RuleSettings rule(String id) {
        RuleSettings s = rules.get(id);
        if (s == null) {
            throw new IllegalArgumentException("unknown rule id " + id);
        }
        return s;
    }

    public boolean enabled(String id) {
        return rule(id).enabled();
    }

    public Map<String, RuleSettings> rules() {
        return rules;
    }

    /** A copy with other sink settings (command-line flags override the file). */
    public RulesConfig withSinks(SinksConfig s) {
        return new RulesConfig(
                source,
                maxOutOfOrderness,
                idleness,
                globalAllowlist,
                rules,
                s,
                remediation,
                cloudWatchLogs,
                maxInflatedBytes,
                incident);
    }

    /** A copy with other remediation settings (command-line flags override the file). */
    public RulesConfig withRemediation(RemediationConfig r) {
        return new RulesConfig(
                source,
                maxOutOfOrderness,
                idleness,
                globalAllowlist,
                rules,
                sinks,
                r,
                cloudWatchLogs,
                maxInflatedBytes,
                incident);
    }

    /** A copy with other CloudWatch Logs senders (runtime properties override the file). */
    public RulesConfig withCloudWatchLogs(CloudWatchLogsSenders c) {
        return new RulesConfig(
                source,
                maxOutOfOrderness,
                idleness,
                globalAllowlist,
                rules,
                sinks,
                remediation,
                c,
                maxInflatedBytes,
                incident);
    }

    /**
     * The input.cloudWatchLogs section: whose CloudWatch Logs messages the decoder accepts. Read
     * when the job starts; a live reload does not change it.
     */
    public CloudWatchLogsSenders cloudWatchLogs() {
        return cloudWatchLogs;
    }

    /**
     * input.maxInflatedBytes: the most bytes one payload (a file, a stream record) may take once
     * inflated; a larger one is a dead letter. Read at startup.
     */
    public long maxInflatedBytes() {
        return maxInflatedBytes;
    }

    /** The incident: section (attack sequences); read at startup. */
    public IncidentSettings incident() {
        return incident;
    }

    /** The remediation: section (response actions, their mapping and guardrails). */
    public RemediationConfig remediation() {
        return remediation;
    }

    /** The sinks: section (what delivers findings, retries, dead letters, notification policy). */
    public SinksConfig sinks() {
        return sinks;
    }
}
