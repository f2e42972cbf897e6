package io.layerwatch.patterns;

import io.layerwatch.config.ParamType;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RuleSettings;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.event.Principal;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import java.io.Serializable;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code repository-enumeration}: one principal reads at least {@code minRepositories} distinct
 * repositories (images, manifests, policies, scan findings, lifecycle policies) within {@code
 * window}. Workloads and people read the few repositories they use; reading across the registry is
 * discovery, unless it is a scanner (allowlisted). Repositories are told apart by registry, region
 * and name.
 */
public final class RepositoryEnumeration extends BurstRule {
    private static final long serialVersionUID = 1L;
    public static final String ID = RuleCatalog.REPOSITORY_ENUMERATION;

    /** The read calls that count, each about one repository. */
    public static final Set<String> READS =
            Set.of(
                    "DescribeImages",
                    "ListImages",
                    "BatchGetImage",
                    "GetRepositoryPolicy",
                    "DescribeImageScanFindings",
                    "GetLifecyclePolicy");

    static final String REPOSITORIES = "repositories";
    static final String DISTINCT = "distinctRepositories";

    public RepositoryEnumeration() {
        super("minRepositories");
    }

    /** Repositories are told apart by registry, region and name. */
    @Override
    Function<EcrEvent, String> distinctBy() {
        return (Function<EcrEvent, String> & Serializable) EcrEvent::repositoryKey;
    }

    @Override
    public String id() {
        return ID;
    }

    /** Successful reads of a named repository by a caller that is not an AWS service. */
    @Override
    boolean counts(EcrEvent e) {
        return e.isEcrApiCall()
                && !e.failed()
                && e.repositoryName() != null
                && READS.contains(e.eventName())
                && !e.principal().isAwsService();
    }

    @Override
    Finding describe(FindingBuilder b, List<EcrEvent> events, RuleSettings s) {
        Principal who = events.get(0).principal();
        List<String> repositories = distinct(events, EcrEvent::repositoryKey);
        List<String> registries = distinct(events, EcrEvent::registryKey);
        return b.title(
                        "ECR repository enumeration by "
                                + who.name()
                                + ": "
                                + repositories.size()
                                + " repositories read")
                .description(
                        who.arn()
                                + " read "
                                + repositories.size()
                                + " distinct repositories in "
                                + registries.size()
                                + " registr"
                                + (registries.size() == 1 ? "y" : "ies")
                                + " within "
                                + ParamType.format(s.duration("window"))
                                + " ("
                                + String.join(", ", distinct(events, EcrEvent::eventName))
                                + "). Reading across the registry maps its images for later theft or tampering;"
                                + " allowlist scanners that do this by design.")
                .detail(DISTINCT, repositories.size())
                .detail(REPOSITORIES, repositories)
                .detail("registries", registries)
                .detail("calls", distinct(events, EcrEvent::eventName))
                .detail("sourceIps", distinct(events, EcrEvent::sourceIp))
                .build();
    }

    @Override
    public Finding merge(Finding current, Finding next) {
        return mergeCounting(current, next, REPOSITORIES, DISTINCT);
    }
}
