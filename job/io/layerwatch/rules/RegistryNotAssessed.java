package io.layerwatch.rules;

import io.layerwatch.config.Glob;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RuleSettings;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import java.util.List;
import java.util.Optional;

/**
 * {@code registry-not-assessed}: a registry (account and region) in use — a successful ECR call
 * named in {@code activityEvents} — that must be enrolled in the external image assessment service
 * ({@code registries}) but is not known to be ({@code enrolled}). Both lists hold {@code
 * ACCOUNT:REGION} globs; with {@code registries} empty the rule is inactive. The {@code
 * register-registry} response action checks the service itself before enrolling, so a registry
 * enrolled there but missing from {@code enrolled} costs one no-op action, never a duplicate
 * connection.
 *
 * <p>One finding per registry: the id is derived from the rule id and the registry only (not from
 * the first evidence event, unlike other rules), so later activity updates the same finding instead
 * of piling up new ones, and the responder (idempotent per finding id) enrolls each registry once.
 */
public final class RegistryNotAssessed implements SingleEventRule {
    public static final String ID = RuleCatalog.REGISTRY_NOT_ASSESSED;

    @Override
    public String id() {
        return ID;
    }

    @Override
    public boolean applies(EcrEvent e, RuleSettings settings) {
        return e.isEcrApiCall()
                && !e.failed()
                && settings.strings("activityEvents").contains(e.eventName());
    }

    @Override
    public Optional<Finding> evaluate(EcrEvent e, RuleSettings settings) {
        if (!applies(e, settings)) {
            return Optional.empty();
        }
        String registry = registry(e);
        if (registry == null
                || !matches(settings.strings("registries"), registry)
                || matches(settings.strings("enrolled"), registry)) {
            return Optional.empty();
        }
        String account = registry.substring(0, registry.indexOf(':'));
        String region = registry.substring(registry.indexOf(':') + 1);
        Finding f =
                FindingBuilder.of(settings)
                        .event(e)
                        .title("ECR registry " + registry + " is not enrolled in image assessment")
                        .description(
                                "ECR registry of account "
                                        + account
                                        + " in "
                                        + region
                                        + " is in use ("
                                        + e.eventName()
                                        + (e.repositoryName() == null
                                                ? ""
                                                : " on repository " + e.repositoryName())
                                        + " by "
                                        + e.principal().arn()
                                        + ") but is not among the registries enrolled in the image assessment"
                                        + " service, so its images are not assessed.")
                        .key(registry)
                        .detail("registryAccountId", account)
                        .detail("registryRegion", region)
                        .detail("activity", e.eventName())
                        .build();
        // One id per registry (see the class comment); the evidence still names the latest
        // activity.
        return Optional.of(
                new Finding(
                        FindingBuilder.id(ID, registry, ""),
                        f.ruleId(),
                        f.severity(),
                        f.title(),
                        f.description(),
                        account,
                        region,
                        f.principal(),
                        f.repository(),
                        f.sourceIp(),
                        f.userAgent(),
                        f.firstEventTime(),
                        f.lastEventTime(),
                        f.eventCount(),
                        f.key(),
                        f.eventIds(),
                        f.details(),
                        f.evidence(),
                        f.attack()));
    }

    /**
     * ACCOUNT:REGION of the registry the event concerns (the registry id, else the receiving
     * account).
     */
    static String registry(EcrEvent e) {
        String account = e.registryId() != null ? e.registryId() : e.accountId();
        return account == null || e.region() == null ? null : account + ":" + e.region();
    }

    private static boolean matches(List<String> globs, String registry) {
        for (String g : globs) {
            if (Glob.of(g).matches(registry)) {
                return true;
            }
        }
        return false;
    }
}
