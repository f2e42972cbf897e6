package io.layerwatch.rules;

import static io.layerwatch.rules.SingleEventRuleFixtures.DEFAULTS;
import static io.layerwatch.rules.SingleEventRuleFixtures.eval;
import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.config.Severity;
import io.layerwatch.finding.Finding;
import org.junit.jupiter.api.Test;

/** policy-deleted: repository and registry policy deletions. */
class PolicyDeletedTest {

    @Test
    void aRepositoryPolicyDeletionFires() {
        Finding repo =
                eval(
                                new PolicyDeleted(),
                                DEFAULTS,
                                record("DeleteRepositoryPolicy").repositoryName("payments").event())
                        .orElseThrow();
        assertThat(repo.details()).containsEntry("policyScope", "repository");
        assertThat(repo.key()).isEqualTo("111122223333:us-east-1:payments");
    }

    @Test
    void aRegistryPolicyDeletionFires() {
        Finding registry =
                eval(new PolicyDeleted(), DEFAULTS, record("DeleteRegistryPolicy").event())
                        .orElseThrow();
        assertThat(registry.details()).containsEntry("policyScope", "registry");
        assertThat(registry.severity()).isEqualTo(Severity.MEDIUM);
    }

    @Test
    void failedDeletionsAreQuiet() {
        assertThat(
                        eval(
                                new PolicyDeleted(),
                                DEFAULTS,
                                record("DeleteRepositoryPolicy")
                                        .repositoryName("p")
                                        .errorCode("RepositoryPolicyNotFoundException")
                                        .event()))
                .isEmpty();
    }

    @Test
    void otherCallsAreQuiet() {
        assertThat(
                        eval(
                                new PolicyDeleted(),
                                DEFAULTS,
                                record("DeleteRepository").repositoryName("p").event()))
                .isEmpty();
    }

    @Test
    void repositoryAllowlistHonoured() {
        RulesConfig c =
                RulesConfigLoader.fromYaml(
                        "rules:\n  policy-deleted:\n    allowlist: {repositories: [\"sandbox-*\"]}\n",
                        "r.yaml");
        assertThat(
                        eval(
                                new PolicyDeleted(),
                                c,
                                record("DeleteRepositoryPolicy")
                                        .repositoryName("sandbox-1")
                                        .event()))
                .isEmpty();
        assertThat(
                        eval(
                                new PolicyDeleted(),
                                c,
                                record("DeleteRepositoryPolicy").repositoryName("prod").event()))
                .isPresent();
    }
}
