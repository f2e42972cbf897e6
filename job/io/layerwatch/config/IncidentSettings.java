package io.layerwatch.config;

import java.io.Serializable;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * The incident: section: when one actor's findings become an attack-sequence incident. Read at
 * startup.
 *
 * @param window a finding joins the actor's incident when it comes at most this long after the last
 *     member
 * @param minRules distinct rules an incident needs
 * @param minSeverity at least one member this severe
 * @param exposure tactic ids (TA0010) or rule ids; with {@code evasionOrImpact} covered too, the
 *     severity is raised one level
 * @param evasionOrImpact the other half of the raise
 */
public record IncidentSettings(
        Duration window,
        int minRules,
        Severity minSeverity,
        List<String> exposure,
        List<String> evasionOrImpact)
        implements Serializable {

    public static final String SECTION = "incident";

    public IncidentSettings {
        exposure = List.copyOf(exposure);
        evasionOrImpact = List.copyOf(evasionOrImpact);
    }

    /** Members with these rules and tactics cover both lists of the raise. */
    public boolean raises(Collection<String> ruleIds, Collection<String> tacticIds) {
        return covers(exposure, ruleIds, tacticIds) && covers(evasionOrImpact, ruleIds, tacticIds);
    }

    private static boolean covers(
            List<String> wanted, Collection<String> ruleIds, Collection<String> tacticIds) {
        return wanted.stream().anyMatch(w -> ruleIds.contains(w) || tacticIds.contains(w));
    }
}
