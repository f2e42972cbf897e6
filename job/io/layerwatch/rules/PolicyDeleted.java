package io.layerwatch.rules;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RuleSettings;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import java.util.Optional;

/** {@code policy-deleted}: DeleteRepositoryPolicy or DeleteRegistryPolicy succeeded. */
public final class PolicyDeleted implements SingleEventRule {
    public static final String ID = RuleCatalog.POLICY_DELETED;

    @Override
    public String id() {
        return ID;
    }

    @Override
    public boolean applies(EcrEvent e, RuleSettings settings) {
        return (e.is("DeleteRepositoryPolicy") || e.is("DeleteRegistryPolicy")) && !e.failed();
    }

    @Override
    public Optional<Finding> evaluate(EcrEvent e, RuleSettings settings) {
        boolean repository = e.is("DeleteRepositoryPolicy");
        if (!applies(e, settings)) {
            return Optional.empty();
        }
        String target =
                repository ? "repository " + e.repositoryName() : "registry " + e.registryKey();
        return Optional.of(
                FindingBuilder.of(settings)
                        .event(e)
                        .title(
                                "ECR "
                                        + (repository ? "repository" : "registry")
                                        + " policy deleted: "
                                        + target)
                        .description(
                                e.principal().arn()
                                        + " deleted the policy of "
                                        + target
                                        + " from "
                                        + e.sourceIp()
                                        + ". Access now falls back to identity policies; restrictions the policy held are gone.")
                        .key(repository ? e.repositoryKey() : e.registryKey())
                        .detail("policyScope", repository ? "repository" : "registry")
                        .build());
    }
}
