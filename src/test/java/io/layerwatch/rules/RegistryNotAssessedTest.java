package io.layerwatch.rules;

import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RuleSettings;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.config.Severity;
import io.layerwatch.finding.Finding;
import io.layerwatch.testing.CloudTrailRecords;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * registry-not-assessed: activity in a registry that must be enrolled in image assessment but is
 * not known to be.
 */
class RegistryNotAssessedTest {

    static final RuleSettings ACTIVE =
            RulesConfigLoader.fromYaml(
                            """
            rules:
              registry-not-assessed:
                registries: ["111122223333:*", "444455556666:eu-west-1"]
                enrolled: ["111122223333:eu-*"]
            """,
                            "r.yaml")
                    .rule(RegistryNotAssessed.ID);

    static Optional<Finding> eval(CloudTrailRecords.Builder b, RuleSettings s) {
        return new RegistryNotAssessed().evaluate(b.event(), s);
    }

    @Test
    void inactiveByDefault() {
        RuleSettings defaults = RulesConfigLoader.builtIn().rule(RegistryNotAssessed.ID);
        assertThat(defaults.enabled()).isTrue();
        assertThat(defaults.strings("registries")).isEmpty();
        assertThat(defaults.strings("activityEvents"))
                .containsExactly("CreateRepository", "PutImage");
        assertThat(eval(record("CreateRepository").repositoryName("app"), defaults)).isEmpty();
    }

    @Test
    void activityInAnUnenrolledRegistryIsReportedOncePerRegistry() {
        Finding f =
                eval(record("PutImage").repositoryName("app").eventId("e-1"), ACTIVE).orElseThrow();
        assertThat(f.ruleId()).isEqualTo("registry-not-assessed");
        assertThat(f.severity()).isEqualTo(Severity.LOW);
        assertThat(f.key()).isEqualTo(ACCOUNT + ":us-east-1");
        assertThat(f.accountId()).isEqualTo(ACCOUNT);
        assertThat(f.region()).isEqualTo("us-east-1");
        assertThat(f.details())
                .containsEntry("registryAccountId", ACCOUNT)
                .containsEntry("registryRegion", "us-east-1")
                .containsEntry("activity", "PutImage");
        assertThat(f.title())
                .isEqualTo(
                        "ECR registry 111122223333:us-east-1 is not enrolled in image assessment");

        // Later activity in the same registry: the same finding id (an update, not a new finding).
        Finding later =
                eval(record("CreateRepository").repositoryName("other").eventId("e-2"), ACTIVE)
                        .orElseThrow();
        assertThat(later.id()).isEqualTo(f.id());
        Finding elsewhere =
                eval(record("CreateRepository").repositoryName("x").region("us-west-2"), ACTIVE)
                        .orElseThrow();
        assertThat(elsewhere.id()).isNotEqualTo(f.id());
    }

    @Test
    void anEnrolledRegistryIsQuiet() {
        assertThat(eval(record("PutImage").repositoryName("app").region("eu-west-1"), ACTIVE))
                .as("enrolled")
                .isEmpty();
    }

    @Test
    void aRegistryOutOfScopeIsQuiet() {
        assertThat(
                        eval(
                                record("PutImage")
                                        .repositoryName("app")
                                        .recipientAccount("999988887777"),
                                ACTIVE))
                .as("not a registry that must be assessed")
                .isEmpty();
    }

    @Test
    void failedCallsAreQuiet() {
        assertThat(eval(record("PutImage").repositoryName("app").errorCode("AccessDenied"), ACTIVE))
                .as("failed")
                .isEmpty();
    }

    @Test
    void callsOtherThanRegistryActivityAreQuiet() {
        assertThat(eval(record("BatchGetImage").repositoryName("app"), ACTIVE))
                .as("not activity")
                .isEmpty();
        assertThat(eval(record("PutImage").eventSource("s3.amazonaws.com"), ACTIVE))
                .as("not ECR")
                .isEmpty();
    }

    @Test
    void theRegistryIdInTheRequestWinsOverTheReceivingAccount() {
        assertThat(
                        eval(
                                record("PutImage")
                                        .repositoryName("app")
                                        .recipientAccount("999988887777")
                                        .param("registryId", "444455556666")
                                        .region("eu-west-1"),
                                ACTIVE))
                .isPresent();
    }
}
