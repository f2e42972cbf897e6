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
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PullThroughCacheUntrustedTest {

    static final RuleSettings DEFAULTS =
            RulesConfigLoader.builtIn().rule(PullThroughCacheUntrusted.ID);
    static final RuleSettings TRUST_AZURE =
            RulesConfigLoader.fromYaml(
                            "rules:\n  pull-through-cache-untrusted:\n"
                                    + "    trustedUpstreams: ['*.azurecr.io']\n",
                            "own.yaml")
                    .rule(PullThroughCacheUntrusted.ID);

    final PullThroughCacheUntrusted rule = new PullThroughCacheUntrusted();

    /**
     * CreatePullThroughCacheRule as CloudTrail records it (request and response name the upstream).
     */
    static CloudTrailRecords.Builder create(String prefix, String upstream, String kind) {
        return record(PullThroughCacheUntrusted.CREATE)
                .param("registryId", ACCOUNT)
                .param("ecrRepositoryPrefix", prefix)
                .param("upstreamRegistryUrl", upstream)
                .param("upstreamRegistry", kind)
                .responseElements(
                        object(
                                "registryId",
                                ACCOUNT,
                                "ecrRepositoryPrefix",
                                prefix,
                                "upstreamRegistryUrl",
                                upstream,
                                "upstreamRegistry",
                                kind));
    }

    Optional<Finding> evaluate(CloudTrailRecords.Builder r, RuleSettings settings) {
        return rule.evaluate(r.event(), settings);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "public.ecr.aws",
                "registry-1.docker.io",
                "quay.io",
                "ghcr.io",
                "registry.k8s.io",
                "registry.gitlab.com",
                "https://Quay.io/",
                ACCOUNT + ".dkr.ecr.eu-west-1.amazonaws.com"
            })
    void theDefaultUpstreamsAreTrusted(String upstream) {
        assertThat(evaluate(create("mirror", upstream, "quay"), DEFAULTS)).isEmpty();
    }

    @Test
    void anUnknownRegistryIsReported() {
        Finding f =
                evaluate(
                                create(
                                                "base",
                                                "registry.attacker.example",
                                                "azure-container-registry")
                                        .param(
                                                "credentialArn",
                                                "arn:aws:secretsmanager:us-east-1:"
                                                        + ACCOUNT
                                                        + ":secret:ecr-pullthroughcache/base-AbCdEf"),
                                DEFAULTS)
                        .orElseThrow();
        assertThat(f.ruleId()).isEqualTo("pull-through-cache-untrusted");
        assertThat(f.severity()).isEqualTo(Severity.HIGH);
        assertThat(f.key()).isEqualTo(ACCOUNT + ":us-east-1:base");
        assertThat(f.title()).contains("registry.attacker.example", "'base'");
        assertThat(f.description())
                .contains(
                        "created",
                        "arn:aws:iam::111122223333:role/Admin",
                        "not in trustedUpstreams");
        assertThat(f.details())
                .containsEntry("upstreamRegistryUrl", "registry.attacker.example")
                .containsEntry("ecrRepositoryPrefix", "base")
                .containsEntry("upstreamRegistry", "azure-container-registry")
                .containsKey("credentialArn")
                .doesNotContainKey("upstreamAccount");
    }

    @Test
    void ecrRegistriesCountByAccount() {
        String foreign = FOREIGN_ACCOUNT + ".dkr.ecr.us-east-1.amazonaws.com";
        String member = TRUSTED_ACCOUNT + ".dkr.ecr-fips.us-gov-west-1.amazonaws.com";
        Finding f = evaluate(create("shared", foreign, "ecr"), DEFAULTS).orElseThrow();
        assertThat(f.details()).containsEntry("upstreamAccount", FOREIGN_ACCOUNT);
        assertThat(f.description())
                .contains("account " + FOREIGN_ACCOUNT + ", outside the organization");
        assertThat(evaluate(create("shared", member, "ecr"), DEFAULTS))
                .as("member account, not configured")
                .isPresent();

        RuleSettings organization =
                RulesConfigLoader.fromYaml(
                                "allowlist:\n  trustedAccounts: ['" + TRUSTED_ACCOUNT + "']\n",
                                "org.yaml")
                        .rule(PullThroughCacheUntrusted.ID);
        assertThat(evaluate(create("shared", member, "ecr"), organization)).isEmpty();
        assertThat(evaluate(create("shared", foreign, "ecr"), organization)).isPresent();
        // a look-alike host is no ECR registry, whatever account it names
        assertThat(
                        evaluate(
                                create(
                                        "shared",
                                        ACCOUNT + ".dkr.ecr.us-east-1.amazonaws.com.evil.example",
                                        "ecr"),
                                organization))
                .isPresent();
    }

    @Test
    void trustedUpstreamsAreGlobs() {
        assertThat(
                        evaluate(
                                create("acr", "contoso.AzureCR.io", "azure-container-registry"),
                                TRUST_AZURE))
                .isEmpty();
        assertThat(
                        evaluate(
                                create("acr", "contoso.azurecr.io", "azure-container-registry"),
                                DEFAULTS))
                .isPresent();
    }

    @Test
    void trustedUpstreamsReplaceTheDefaults() {
        assertThat(evaluate(create("hub", "registry-1.docker.io", "docker-hub"), TRUST_AZURE))
                .isPresent();
    }

    @Test
    void anUpdateIsJudgedWhenItsRecordNamesTheUpstream() {
        CloudTrailRecords.Builder plain =
                record(PullThroughCacheUntrusted.UPDATE)
                        .param("ecrRepositoryPrefix", "base")
                        .param(
                                "credentialArn",
                                "arn:aws:secretsmanager:us-east-1:"
                                        + ACCOUNT
                                        + ":secret:ecr-pullthroughcache/x");
        assertThat(evaluate(plain, DEFAULTS)).as("no upstream named").isEmpty();
        Finding f =
                evaluate(
                                plain.responseElements(
                                        object(
                                                "ecrRepositoryPrefix",
                                                "base",
                                                "upstreamRegistryUrl",
                                                "mirror.attacker.example")),
                                DEFAULTS)
                        .orElseThrow();
        assertThat(f.description()).contains("updated");
    }

    @Test
    void failedCallsAreIgnored() {
        assertThat(
                        evaluate(
                                create("base", "registry.attacker.example", "quay")
                                        .errorCode("AccessDenied"),
                                DEFAULTS))
                .isEmpty();
    }

    @Test
    void otherCallsAreIgnored() {
        assertThat(
                        evaluate(
                                create("base", "registry.attacker.example", "quay")
                                        .eventName("DeletePullThroughCacheRule"),
                                DEFAULTS))
                .isEmpty();
    }

    @Test
    void malformedRequestsAreIgnored() {
        assertThat(
                        evaluate(
                                record(PullThroughCacheUntrusted.CREATE)
                                        .param("upstreamRegistryUrl", 42),
                                DEFAULTS))
                .isEmpty();
    }
}
