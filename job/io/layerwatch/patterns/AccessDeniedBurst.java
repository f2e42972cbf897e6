package io.layerwatch.patterns;

import io.layerwatch.config.ParamType;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RuleSettings;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import io.layerwatch.rules.EndgameIoc;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code access-denied-burst}: repeated AccessDenied on ECR pull calls by one principal: probing
 * for readable repositories, or a preventive policy now blocking someone who needs access.
 */
public final class AccessDeniedBurst extends BurstRule {
    private static final long serialVersionUID = 1L;
    public static final String ID = RuleCatalog.ACCESS_DENIED_BURST;

    static final Set<String> DENIED =
            Set.of("AccessDenied", "AccessDeniedException", "UnauthorizedOperation");
    static final Set<String> PULL_CALLS =
            Set.of("BatchGetImage", "GetDownloadUrlForLayer", "BatchCheckLayerAvailability");

    public AccessDeniedBurst() {
        super("minCount");
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    boolean counts(EcrEvent e) {
        return e.isEcrApiCall()
                && e.failed()
                && DENIED.contains(e.errorCode())
                && PULL_CALLS.contains(e.eventName());
    }

    @Override
    Function<EcrEvent, String> distinctBy() {
        return null;
    }

    @Override
    Finding describe(FindingBuilder b, List<EcrEvent> events, RuleSettings s) {
        EcrEvent first = events.get(0);
        List<String> repositories = distinct(events, EcrEvent::repositoryName);
        return b.title(
                        "Repeated ECR access denied for "
                                + first.principal().name()
                                + ": "
                                + events.size()
                                + " calls")
                .description(
                        first.principal().arn()
                                + " was denied "
                                + events.size()
                                + " ECR pull calls on "
                                + repositories.size()
                                + " repositories within "
                                + ParamType.format(s.duration("window"))
                                + ". Probing for readable images, or a policy blocking a legitimate workload.")
                .detail("repositories", repositories)
                .detail("errorCodes", distinct(events, EcrEvent::errorCode))
                .detail("calls", distinct(events, EcrEvent::eventName))
                .detail("sourceIps", distinct(events, EcrEvent::sourceIp))
                .detail(
                        EndgameIoc.ATTEMPT,
                        true) // denied calls changed nothing: remediation never acts
                .build();
    }
}
