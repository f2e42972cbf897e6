package io.layerwatch.rules;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RuleSettings;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import io.layerwatch.rules.PolicyAnalyzer.Analysis;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code endgame-ioc}: traces of the Endgame post-exploitation tool (or look-alikes) on ECR write
 * calls: a configured user-agent marker, a configured statement Sid, or Endgame's policy shape, a
 * statement "AllowCurrentAccount" next to another statement that exposes the resource.
 *
 * <p>Failed calls count too: an attempt with the tool is an indicator of compromise in itself.
 * Their findings carry {@code details.attempt = true}: nothing was written, so remediation never
 * acts on them.
 */
public final class EndgameIoc implements SingleEventRule {
    public static final String ID = RuleCatalog.ENDGAME_IOC;
    public static final String ALLOW_CURRENT_ACCOUNT = "AllowCurrentAccount";

    /** Finding detail: true when the call failed (an attempt; remediation ignores it). */
    public static final String ATTEMPT = "attempt";

    private static final List<String> WRITE_PREFIXES =
            List.of(
                    "Set",
                    "Put",
                    "Delete",
                    "Create",
                    "Tag",
                    "Untag",
                    "Replicate",
                    "Start",
                    "Initiate",
                    "Upload",
                    "Complete",
                    "BatchDelete");

    @Override
    public String id() {
        return ID;
    }

    public static boolean isWrite(EcrEvent e) {
        if (!e.isEcrApiCall()) {
            return false;
        }
        for (String prefix : WRITE_PREFIXES) { // a loop: this runs for every ECR call
            if (e.eventName().startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean applies(EcrEvent e, RuleSettings settings) {
        return isWrite(e);
    }

    @Override
    public Optional<Finding> evaluate(EcrEvent e, RuleSettings settings) {
        if (!applies(e, settings)) {
            return Optional.empty();
        }
        List<String> agentMarkers =
                userAgentMarkers(e.userAgent(), settings.strings("userAgentMarkers"));
        List<String> sids = new ArrayList<>();
        boolean endgameShape = false;
        Analysis analysis =
                e.policyText() == null ? null : PolicyAnalyzer.analyze(e, settings.allowlist());
        if (analysis != null && analysis.parseable()) {
            settings.strings("sids").stream().filter(analysis::hasSid).forEach(sids::add);
            endgameShape =
                    analysis.hasSid(ALLOW_CURRENT_ACCOUNT)
                            && analysis.offending().stream()
                                    .anyMatch(
                                            o -> !ALLOW_CURRENT_ACCOUNT.equalsIgnoreCase(o.sid()));
        }
        if (agentMarkers.isEmpty() && sids.isEmpty() && !endgameShape) {
            return Optional.empty();
        }
        List<String> markers = new ArrayList<>();
        agentMarkers.forEach(m -> markers.add("user agent contains '" + m + "'"));
        sids.forEach(s -> markers.add("policy statement Sid '" + s + "'"));
        if (endgameShape) {
            markers.add(
                    "statement "
                            + ALLOW_CURRENT_ACCOUNT
                            + " beside a statement exposing the resource");
        }
        String target = RepositoryExposed.target(e);
        return Optional.of(
                FindingBuilder.of(settings)
                        .event(e)
                        .title(
                                "Endgame indicator on "
                                        + e.eventName()
                                        + " of "
                                        + target
                                        + " by "
                                        + e.principal().name())
                        .description(
                                e.principal().type()
                                        + " "
                                        + e.principal().arn()
                                        + " called "
                                        + e.eventName()
                                        + (e.failed() ? " (failed: " + e.errorCode() + ")" : "")
                                        + " on "
                                        + target
                                        + " from "
                                        + e.sourceIp()
                                        + " with traces of the Endgame tool, which backdoors resource policies to"
                                        + " grant attacker accounts: "
                                        + String.join("; ", markers)
                                        + ".")
                        .key(RepositoryExposed.resourceKey(e))
                        .detail("markers", markers)
                        .detail("userAgentMarkers", agentMarkers.isEmpty() ? null : agentMarkers)
                        .detail("sids", sids.isEmpty() ? null : sids)
                        .detail("allowCurrentAccountShape", endgameShape ? Boolean.TRUE : null)
                        .detail(
                                "exposingStatements",
                                analysis == null || !analysis.exposes() ? null : analysis.details())
                        .detail("errorCode", e.errorCode())
                        .detail(ATTEMPT, e.failed() ? Boolean.TRUE : null)
                        .detail(
                                RepositoryExposed.RESOURCE_ACCOUNT,
                                RepositoryExposed.resourceAccount(e))
                        .build());
    }

    private static List<String> userAgentMarkers(String userAgent, List<String> markers) {
        if (userAgent == null) {
            return List.of();
        }
        String agent = userAgent.toLowerCase(Locale.ROOT);
        return markers.stream()
                .filter(m -> !m.isEmpty() && agent.contains(m.toLowerCase(Locale.ROOT)))
                .toList();
    }
}
