package io.layerwatch.rules;

import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.FOREIGN_ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.TRUSTED_ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.object;
import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RuleSettings;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.config.Severity;
import io.layerwatch.finding.Finding;
import io.layerwatch.testing.CloudTrailRecords;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReplicationToForeignAccountTest {

    static final RuleSettings DEFAULTS =
            RulesConfigLoader.builtIn().rule(ReplicationToForeignAccount.ID);

    final ReplicationToForeignAccount rule = new ReplicationToForeignAccount();

    static Map<String, String> destination(String region, String registryId) {
        return Map.of("region", region, "registryId", registryId);
    }

    /** PutReplicationConfiguration with one replication rule per destination list. */
    @SafeVarargs
    static CloudTrailRecords.Builder replicate(List<Map<String, String>>... rules) {
        List<Object> ruleNodes = new ArrayList<>();
        for (List<Map<String, String>> destinations : rules) {
            ruleNodes.add(
                    object(
                            "destinations",
                            destinations,
                            "repositoryFilters",
                            List.of(Map.of("filter", "prod", "filterType", "PREFIX_MATCH"))));
        }
        return record("PutReplicationConfiguration")
                .param("replicationConfiguration", object("rules", ruleNodes))
                .responseElements(object("replicationConfiguration", object("rules", ruleNodes)));
    }

    Optional<Finding> evaluate(CloudTrailRecords.Builder record, RuleSettings settings) {
        return rule.evaluate(record.event(), settings);
    }

    @Test
    void foreignDestinationIsReported() {
        Finding f =
                evaluate(replicate(List.of(destination("eu-west-1", FOREIGN_ACCOUNT))), DEFAULTS)
                        .orElseThrow();
        assertThat(f.ruleId()).isEqualTo("replication-to-foreign-account");
        assertThat(f.severity()).isEqualTo(Severity.HIGH);
        assertThat(f.key()).isEqualTo(ACCOUNT + ":us-east-1");
        assertThat(f.title()).contains(FOREIGN_ACCOUNT);
        assertThat(f.description()).contains("arn:aws:iam::111122223333:role/Admin");
        assertThat(f.details().get("foreignAccounts")).isEqualTo(List.of(FOREIGN_ACCOUNT));
        assertThat(f.details().get("destinations"))
                .isEqualTo(List.of(Map.of("region", "eu-west-1", "registryId", FOREIGN_ACCOUNT)));
    }

    @Test
    void ownAccountCrossRegionIsFine() {
        assertThat(
                        evaluate(
                                replicate(
                                        List.of(
                                                destination("us-west-2", ACCOUNT),
                                                destination("eu-west-1", ACCOUNT))),
                                DEFAULTS))
                .isEmpty();
    }

    @Test
    void onlyForeignAccountsAreListedButAllDestinationsShown() {
        Finding f =
                evaluate(
                                replicate(
                                        List.of(
                                                destination("us-west-2", ACCOUNT),
                                                destination("eu-west-1", FOREIGN_ACCOUNT)),
                                        List.of(
                                                destination("eu-west-1", FOREIGN_ACCOUNT),
                                                destination("ap-south-1", "888877776666"))),
                                DEFAULTS)
                        .orElseThrow();
        assertThat(f.details().get("foreignAccounts"))
                .isEqualTo(List.of(FOREIGN_ACCOUNT, "888877776666"));
        assertThat((List<?>) f.details().get("destinations")).hasSize(3);
    }

    @Test
    void trustedAccountsAreHonoured() {
        RuleSettings trusting =
                RulesConfigLoader.fromYaml(
                                "allowlist:\n  trustedAccounts: ['" + TRUSTED_ACCOUNT + "']\n",
                                "trusting.yaml")
                        .rule(ReplicationToForeignAccount.ID);
        CloudTrailRecords.Builder toMember =
                replicate(List.of(destination("eu-west-1", TRUSTED_ACCOUNT)));
        assertThat(evaluate(toMember, DEFAULTS)).isPresent();
        assertThat(evaluate(toMember, trusting)).isEmpty();
    }

    @Test
    void failedCallIsIgnored() {
        assertThat(
                        evaluate(
                                replicate(List.of(destination("eu-west-1", FOREIGN_ACCOUNT)))
                                        .errorCode("AccessDenied"),
                                DEFAULTS))
                .isEmpty();
        assertThat(
                        evaluate(
                                replicate(List.of(destination("eu-west-1", FOREIGN_ACCOUNT)))
                                        .errorCode("ValidationException"),
                                DEFAULTS))
                .isEmpty();
    }

    @Test
    void otherCallsAreIgnored() {
        assertThat(
                        evaluate(
                                replicate(List.of(destination("eu-west-1", FOREIGN_ACCOUNT)))
                                        .eventName("DescribeRegistry"),
                                DEFAULTS))
                .isEmpty();
    }

    @Test
    void malformedRequestsAreIgnored() {
        assertThat(evaluate(record("PutReplicationConfiguration"), DEFAULTS)).isEmpty();
        assertThat(
                        evaluate(
                                record("PutReplicationConfiguration")
                                        .requestParameters((Map<String, ?>) null),
                                DEFAULTS))
                .isEmpty();
        assertThat(
                        evaluate(
                                record("PutReplicationConfiguration")
                                        .param(
                                                "replicationConfiguration",
                                                object(
                                                        "rules",
                                                        List.of(object("destinations", "oops")))),
                                DEFAULTS))
                .isEmpty();
    }
}
