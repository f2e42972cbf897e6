package io.layerwatch.config;

import io.layerwatch.event.EcrEvent;
import java.io.Serializable;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** One rule's effective settings: enabled, severity, its parameters and the merged allowlist. */
public final class RuleSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String ruleId;
    private final boolean enabled;
    private final Severity severity;
    private final Map<String, Serializable> params;
    private final Allowlist allowlist;

    public RuleSettings(String ruleId, boolean enabled, Severity severity, Map<String, Serializable> params,
            Allowlist allowlist) {
        this.ruleId = ruleId;
        this.enabled = enabled;
        this.severity = severity;
        this.params = Collections.unmodifiableMap(params);
        this.allowlist = allowlist;
    }

    public String ruleId() {
        return ruleId;
    }

    public boolean enabled() {
        return enabled;
    }

    public Severity severity() {
        return severity;
    }

    public Allowlist allowlist() {
        return allowlist;
    }

    public Map<String, Serializable> params() {
        return params;
    }

    public Duration duration(String key) {
        return (Duration) require(key);
    }

    public int count(String key) {
        return (Integer) require(key);
    }

    public Severity severityParam(String key) {
        return (Severity) require(key);
    }

    public List<String> strings(String key) {
        return ParamType.strings(require(key));
    }

    /** The event is covered by this rule's (global + own) principal or repository allowlist. */
    public boolean allowlisted(EcrEvent e) {
        return allowlist.covers(e);
    }

    private Object require(String key) {
        Object v = params.get(key);
        if (v == null) {
            throw new IllegalStateException("rule " + ruleId + " has no parameter " + key);
        }
        return v;
    }
}
