package io.layerwatch.rules;

import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.record;

import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.testing.CloudTrailRecords;
import java.util.Optional;

/** Rule settings and records the tests of the single-event rules share. */
final class SingleEventRuleFixtures {

    static final RulesConfig DEFAULTS = RulesConfigLoader.builtIn();
    static final RulesConfig TRUSTING =
            RulesConfigLoader.fromYaml(
                    """
            allowlist:
              trustedCidrs: [10.0.0.0/8]
              trustedVpcEndpoints: [vpce-0123456789abcdef0]
              trustedAccounts: ["444455556666"]
              principals: ["arn:aws:iam::*:role/ci-*"]
            """,
                    "trusting.yaml");

    private SingleEventRuleFixtures() {}

    static Optional<Finding> eval(SingleEventRule rule, RulesConfig config, EcrEvent e) {
        var s = config.rule(rule.id());
        return s.allowlisted(e) ? Optional.empty() : rule.evaluate(e, s);
    }

    static CloudTrailRecords.Builder download(String digest) {
        return record("GetDownloadUrlForLayer")
                .param("repositoryName", "payments")
                .param("registryId", ACCOUNT)
                .param("layerDigest", digest);
    }
}
