package io.layerwatch.testing;

import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.at;
import static io.layerwatch.testing.CloudTrailRecords.record;

import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;

/**
 * What the keyed rules' integration tests share: a trusted network and pulls from it or elsewhere.
 */
public final class KeyedRuleFixtures {
    /** The built-in rules with 10.0.0.0/8 trusted. */
    public static final RulesConfig NETWORKS =
            RulesConfigLoader.fromYaml(
                    "allowlist:\n  trustedCidrs: [10.0.0.0/8]\n", "networks.yaml");

    private KeyedRuleFixtures() {}

    /**
     * A BatchGetImage of repository payments by the role session, at the minute, from the address.
     */
    public static CloudTrailRecords.Builder pull(
            String role, String session, int minute, String ip) {
        return record("BatchGetImage")
                .assumedRole(ACCOUNT, role, session)
                .time(at(minute))
                .sourceIp(ip)
                .repositoryName("payments");
    }
}
