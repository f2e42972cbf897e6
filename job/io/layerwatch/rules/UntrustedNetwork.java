package io.layerwatch.rules;

import io.layerwatch.config.Allowlist;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RuleSettings;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code untrusted-network}: a pull call (configurable API names) from a source IP outside the
 * trusted CIDRs and not through a trusted VPC endpoint, or by a principal of an account outside the
 * organization. Without trusted networks configured only the account half is active.
 */
public final class UntrustedNetwork implements SingleEventRule {
    public static final String ID = RuleCatalog.UNTRUSTED_NETWORK;

    @Override
    public String id() {
        return ID;
    }

    @Override
    public boolean applies(EcrEvent e, RuleSettings settings) {
        return e.isEcrApiCall()
                && !e.failed()
                && settings.strings("pullActions").contains(e.eventName())
                && !e.principal().isAwsService();
    }

    /**
     * What is untrusted about where the call came from: its network, its caller's account (empty:
     * nothing).
     */
    static List<String> untrustedOrigin(EcrEvent e, Allowlist allow) {
        List<String> reasons = new ArrayList<>();
        if (allow.network(e) == Allowlist.Network.UNTRUSTED) {
            reasons.add(
                    e.vpcEndpointId() == null
                            ? "source IP " + e.sourceIp() + " is outside the trusted networks"
                            : "source IP "
                                    + e.sourceIp()
                                    + " came through VPC endpoint "
                                    + e.vpcEndpointId()
                                    + ", which is not trusted");
        }
        String callerAccount = e.principal().accountId();
        if (callerAccount != null && !allow.trustedAccount(callerAccount, e)) {
            reasons.add("caller account " + callerAccount + " is outside the organization");
        }
        return reasons;
    }

    @Override
    public Optional<Finding> evaluate(EcrEvent e, RuleSettings settings) {
        if (!applies(e, settings)) {
            return Optional.empty();
        }
        List<String> reasons = untrustedOrigin(e, settings.allowlist());
        String callerAccount = e.principal().accountId();
        if (reasons.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(
                FindingBuilder.of(settings)
                        .event(e)
                        .title(
                                "ECR "
                                        + e.eventName()
                                        + " on "
                                        + e.repositoryName()
                                        + " from an untrusted origin")
                        .description(
                                e.principal().arn()
                                        + " called "
                                        + e.eventName()
                                        + " on repository "
                                        + e.repositoryName()
                                        + ": "
                                        + String.join("; ", reasons)
                                        + ".")
                        .key(e.principal().arn())
                        .detail("reasons", reasons)
                        .detail("vpcEndpointId", e.vpcEndpointId())
                        .detail("callerAccountId", callerAccount)
                        .build());
    }
}
