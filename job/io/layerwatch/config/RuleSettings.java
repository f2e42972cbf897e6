package io.layerwatch.config;

import io.layerwatch.event.EcrEvent;
import java.io.Serializable;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
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

    /** The list parameters as strings, made once: rules ask for them on every event. */
    private final Map<String, List<String>> lists;

    public RuleSettings(
            String ruleId,
            boolean enabled,
            Severity severity,
            Map<String, Serializable> params,
            Allowlist allowlist) {
        this.ruleId = ruleId;
        this.enabled = enabled;
        this.severity = severity;
        this.params = Collections.unmodifiableMap(params);
        this.allowlist = allowlist;
        Map<String, List<String>> lists = new HashMap<>();
        params.forEach(
                (k, v) -> {
                    if (v instanceof List<?> list) {
                        lists.put(k, List.copyOf(ParamType.strings(list)));
                    }
                });
        this.lists = Map.copyOf(lists);
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

    /** The rule's {@link RuleCatalog#FOLD_WINDOW}; zero for a rule without one (nothing folded). */
    public Duration foldWindow() {
        Object window = params.get(RuleCatalog.FOLD_WINDOW);
        return window == null ? Duration.ZERO : (Duration) window;
    }

    public Duration duration(String key) {
        return (Duration) require(key);
    }

    public int count(String key) {
        return (Integer) require(key);
    }

    public boolean flag(String key) {
        return (Boolean) require(key);
    }

    public Severity severityParam(String key) {
        return (Severity) require(key);
    }

    /** A list parameter's values as strings (unmodifiable). */
    public List<String> strings(String key) {
        List<String> list = lists.get(key);
        return list != null ? list : ParamType.strings(require(key));
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
