package io.layerwatch.rules;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RuleSettings;
import io.layerwatch.config.Severity;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import io.layerwatch.rules.PolicyAnalyzer.Analysis;
import io.layerwatch.rules.PolicyAnalyzer.Kind;
import io.layerwatch.util.Json;
import java.util.List;
import java.util.Optional;

/**
 * {@code repository-exposed}: a successful SetRepositoryPolicy or PutRegistryPolicy whose policy
 * grants the public, a foreign account or an unrestricted service principal (see {@link
 * PolicyAnalyzer}). Unparseable policy text reports nothing.
 */
public final class RepositoryExposed implements SingleEventRule {
    public static final String ID = RuleCatalog.REPOSITORY_EXPOSED;
    public static final String SET_REPOSITORY_POLICY = "SetRepositoryPolicy";
    public static final String PUT_REGISTRY_POLICY = "PutRegistryPolicy";

    /**
     * Finding detail: the account of the ECR resource ARN CloudTrail recorded (remediation's target
     * account).
     */
    public static final String RESOURCE_ACCOUNT = "resourceAccountId";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public boolean applies(EcrEvent e, RuleSettings settings) {
        return (e.is(SET_REPOSITORY_POLICY) || e.is(PUT_REGISTRY_POLICY)) && !e.failed();
    }

    @Override
    public Optional<Finding> evaluate(EcrEvent e, RuleSettings settings) {
        if (!applies(e, settings)) {
            return Optional.empty();
        }
        Analysis analysis = PolicyAnalyzer.analyze(e, settings.allowlist());
        if (!analysis.exposes()) {
            return Optional.empty();
        }
        Kind worst = analysis.worst();
        String target = target(e);
        List<String> foreign = List.copyOf(analysis.foreignAccounts());
        return Optional.of(
                FindingBuilder.of(settings)
                        .event(e)
                        .severity(severity(worst, settings))
                        .title(
                                "ECR "
                                        + target
                                        + " exposed "
                                        + audience(worst, foreign)
                                        + " by "
                                        + e.principal().name())
                        .description(
                                e.principal().type()
                                        + " "
                                        + e.principal().arn()
                                        + " set the policy of "
                                        + target
                                        + " from "
                                        + e.sourceIp()
                                        + "; "
                                        + analysis.offending().size()
                                        + " statement(s) grant access "
                                        + audience(worst, foreign)
                                        + ": "
                                        + reasons(analysis)
                                        + ".")
                        .key(resourceKey(e))
                        .detail("policyScope", scope(e))
                        .detail("exposure", worst.name())
                        .detail("statements", analysis.details())
                        .detail("foreignAccounts", foreign)
                        .detail(RESOURCE_ACCOUNT, resourceAccount(e))
                        .build());
    }

    static Severity severity(Kind worst, RuleSettings settings) {
        return switch (worst) {
            case PUBLIC -> settings.severity();
            case CROSS_ACCOUNT -> settings.severityParam("crossAccountSeverity");
            case SERVICE_UNRESTRICTED -> settings.severityParam("servicePrincipalSeverity");
        };
    }

    private static String audience(Kind worst, List<String> foreign) {
        return switch (worst) {
            case PUBLIC -> "publicly";
            case CROSS_ACCOUNT -> "to account(s) " + String.join(", ", foreign);
            case SERVICE_UNRESTRICTED -> "to an unrestricted service principal";
        };
    }

    private static String reasons(Analysis analysis) {
        return String.join(
                "; ",
                analysis.offending().stream()
                        .map(
                                o ->
                                        "statement "
                                                + o.index()
                                                + (o.sid() == null ? "" : " (" + o.sid() + ")")
                                                + ": "
                                                + o.reason())
                        .toList());
    }

    /**
     * The account of the first ECR ARN in the record's {@code resources} (what CloudTrail recorded,
     * unlike the request's registryId); null when there is none. Parses the record: call it for
     * findings only.
     */
    static String resourceAccount(EcrEvent e) {
        JsonNode raw = Json.tree(e.raw());
        for (JsonNode r : raw == null ? List.<JsonNode>of() : raw.path("resources")) {
            String arn = r.path("ARN").asText("");
            String[] p = arn.split(":", 6);
            if (p.length == 6
                    && "arn".equals(p[0])
                    && "ecr".equals(p[2])
                    && p[4].matches("\\d{12}")) {
                return p[4];
            }
        }
        return null;
    }

    /** "repository" when the event names one, else "registry". */
    static String scope(EcrEvent e) {
        return e.repositoryName() != null ? "repository" : "registry";
    }

    /** The finding key: the repository when the event names one, else the registry. */
    static String resourceKey(EcrEvent e) {
        return e.repositoryName() != null ? e.repositoryKey() : e.registryKey();
    }

    static String target(EcrEvent e) {
        return e.repositoryName() != null
                ? "repository " + e.repositoryName()
                : "registry " + e.registryKey();
    }
}
