package io.layerwatch.rules;

import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.FOREIGN_ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.TRUSTED_ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.config.Severity;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.testing.CloudTrailRecords;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** layer-download, untrusted-network, policy-deleted, vulnerable-image-scan on realistic records. */
class SingleEventRulesTest {

    static final RulesConfig DEFAULTS = RulesConfigLoader.builtIn();
    static final RulesConfig TRUSTING = RulesConfigLoader.fromYaml("""
            allowlist:
              trustedCidrs: [10.0.0.0/8]
              trustedVpcEndpoints: [vpce-0123456789abcdef0]
              trustedAccounts: ["444455556666"]
              principals: ["arn:aws:iam::*:role/ci-*"]
            """, "trusting.yaml");

    static Optional<Finding> eval(SingleEventRule rule, RulesConfig config, EcrEvent e) {
        var s = config.rule(rule.id());
        return s.allowlisted(e) ? Optional.empty() : rule.evaluate(e, s);
    }

    static CloudTrailRecords.Builder download(String digest) {
        return record("GetDownloadUrlForLayer").param("repositoryName", "payments").param("registryId", ACCOUNT)
                .param("layerDigest", digest);
    }

    @Nested
    class LayerDownloadRule {
        @Test
        void reportsWhoDownloadedWhichLayerFromWhere() {
            Finding f = eval(new LayerDownload(), DEFAULTS,
                    download("sha256:abc").assumedRole(ACCOUNT, "app", "i-1").sourceIp("198.51.100.7").event()).orElseThrow();
            assertThat(f.ruleId()).isEqualTo("layer-download");
            assertThat(f.severity()).isEqualTo(Severity.LOW);
            assertThat(f.principal().arn()).isEqualTo("arn:aws:iam::111122223333:role/app");
            assertThat(f.principal().sessionName()).isEqualTo("i-1");
            assertThat(f.repository().name()).isEqualTo("payments");
            assertThat(f.sourceIp()).isEqualTo("198.51.100.7");
            assertThat(f.details()).containsEntry("layerDigest", "sha256:abc").containsEntry("identityType", "AssumedRole");
            assertThat(f.details().get("requestParameters").toString()).contains("sha256:abc");
            assertThat(f.evidence()).singleElement().satisfies(n -> assertThat(n.path("eventName").asText())
                    .isEqualTo("GetDownloadUrlForLayer"));
        }

        @Test
        void ignoresOtherCallsFailedCallsAndAllowlistedPrincipals() {
            assertThat(eval(new LayerDownload(), DEFAULTS, record("BatchGetImage").repositoryName("p").event())).isEmpty();
            assertThat(eval(new LayerDownload(), DEFAULTS, download("sha256:a").errorCode("AccessDenied").event())).isEmpty();
            assertThat(eval(new LayerDownload(), TRUSTING, download("sha256:a").assumedRole(ACCOUNT, "ci-build", "b").event()))
                    .isEmpty();
            assertThat(eval(new LayerDownload(), DEFAULTS, download("sha256:a").eventSource("s3.amazonaws.com").event()))
                    .isEmpty();
        }
    }

    @Nested
    class UntrustedNetworkRule {
        @Test
        void outsideTrustedCidrsFires() {
            Finding f = eval(new UntrustedNetwork(), TRUSTING, download("sha256:a").sourceIp("198.51.100.7").event())
                    .orElseThrow();
            assertThat(f.severity()).isEqualTo(Severity.HIGH);
            assertThat(f.details().get("reasons").toString()).contains("198.51.100.7 is outside the trusted networks");
        }

        @Test
        void trustedCidrOrVpcEndpointIsQuiet() {
            assertThat(eval(new UntrustedNetwork(), TRUSTING, download("a").sourceIp("10.2.3.4").event())).isEmpty();
            assertThat(eval(new UntrustedNetwork(), TRUSTING,
                    download("a").sourceIp("198.51.100.7").vpcEndpointId("vpce-0123456789abcdef0").event())).isEmpty();
            assertThat(eval(new UntrustedNetwork(), TRUSTING,
                    download("a").sourceIp("198.51.100.7").vpcEndpointId("vpce-other").event())).isPresent();
        }

        @Test
        void foreignAccountFiresEvenWithoutTrustedNetworks() {
            EcrEvent foreign = record("BatchGetImage").repositoryName("payments").crossAccount(FOREIGN_ACCOUNT).event();
            Finding f = eval(new UntrustedNetwork(), DEFAULTS, foreign).orElseThrow();
            assertThat(f.details().get("reasons").toString()).contains("caller account 999988887777 is outside the organization");
            // Without trusted networks the network half is inactive: an own-account call from anywhere is quiet.
            assertThat(eval(new UntrustedNetwork(), DEFAULTS, download("a").sourceIp("198.51.100.7").event())).isEmpty();
            // A member account of the organization is trusted.
            assertThat(eval(new UntrustedNetwork(), TRUSTING, record("BatchGetImage").repositoryName("p")
                    .crossAccount(TRUSTED_ACCOUNT).sourceIp("10.1.1.1").event())).isEmpty();
        }

        @Test
        void nonPullCallsAndAwsServicesAreIgnored() {
            assertThat(eval(new UntrustedNetwork(), TRUSTING, record("DescribeRepositories").sourceIp("198.51.100.7").event()))
                    .isEmpty();
            assertThat(eval(new UntrustedNetwork(), TRUSTING,
                    download("a").awsService("replication.ecr.amazonaws.com").sourceIp("replication.ecr.amazonaws.com").event()))
                    .isEmpty();
        }
    }

    @Nested
    class PolicyDeletedRule {
        @Test
        void repositoryAndRegistryPolicyDeletionsFire() {
            Finding repo = eval(new PolicyDeleted(), DEFAULTS, record("DeleteRepositoryPolicy").repositoryName("payments").event())
                    .orElseThrow();
            assertThat(repo.details()).containsEntry("policyScope", "repository");
            assertThat(repo.key()).isEqualTo("111122223333:us-east-1:payments");
            Finding registry = eval(new PolicyDeleted(), DEFAULTS, record("DeleteRegistryPolicy").event()).orElseThrow();
            assertThat(registry.details()).containsEntry("policyScope", "registry");
            assertThat(registry.severity()).isEqualTo(Severity.MEDIUM);
        }

        @Test
        void failedDeletionsAndOtherCallsAreQuiet() {
            assertThat(eval(new PolicyDeleted(), DEFAULTS,
                    record("DeleteRepositoryPolicy").repositoryName("p").errorCode("RepositoryPolicyNotFoundException").event()))
                    .isEmpty();
            assertThat(eval(new PolicyDeleted(), DEFAULTS, record("DeleteRepository").repositoryName("p").event())).isEmpty();
        }

        @Test
        void repositoryAllowlistHonoured() {
            RulesConfig c = RulesConfigLoader.fromYaml("rules:\n  policy-deleted:\n    allowlist: {repositories: [\"sandbox-*\"]}\n", "r.yaml");
            assertThat(eval(new PolicyDeleted(), c, record("DeleteRepositoryPolicy").repositoryName("sandbox-1").event())).isEmpty();
            assertThat(eval(new PolicyDeleted(), c, record("DeleteRepositoryPolicy").repositoryName("prod").event())).isPresent();
        }
    }

    @Nested
    class VulnerableImageScanRule {
        static String scan(String detailType, String status, int critical, int high, String repo) {
            return """
                    {"version":"0","id":"scan-%s-%d-%d","detail-type":"%s","source":"aws.ecr","account":"111122223333",
                     "time":"2024-05-01T12:00:00Z","region":"us-east-1","resources":[],
                     "detail":{"scan-status":"%s","repository-name":"%s",
                       "finding-severity-counts":{"CRITICAL":%d,"HIGH":%d},"image-digest":"sha256:d1","image-tags":["v1"]}}
                    """.formatted(status, critical, high, detailType, status, repo, critical, high);
        }

        @Test
        void thresholdsAreOred() {
            VulnerableImageScan rule = new VulnerableImageScan();
            assertThat(eval(rule, DEFAULTS, CloudTrailRecords.decode(scan("ECR Image Scan", "COMPLETE", 1, 0, "app"))))
                    .isPresent();
            assertThat(eval(rule, DEFAULTS, CloudTrailRecords.decode(scan("ECR Image Scan", "COMPLETE", 0, 5, "app"))))
                    .isPresent();
            assertThat(eval(rule, DEFAULTS, CloudTrailRecords.decode(scan("ECR Image Scan", "COMPLETE", 0, 4, "app"))))
                    .isEmpty();
        }

        @Test
        void enhancedScansWithRepositoryArnAreUnderstood() {
            Finding f = eval(new VulnerableImageScan(), DEFAULTS, CloudTrailRecords.decode(scan("Inspector2 Scan",
                    "INITIAL_SCAN_COMPLETE", 2, 9, "arn:aws:ecr:us-east-1:111122223333:repository/team/app"))).orElseThrow();
            assertThat(f.repository().name()).isEqualTo("team/app");
            assertThat(f.details()).containsEntry("critical", 2).containsEntry("high", 9).containsEntry("imageTags", "v1");
        }

        @Test
        void failedScansAndDisabledThresholdsProduceNothing() {
            assertThat(eval(new VulnerableImageScan(), DEFAULTS,
                    CloudTrailRecords.decode(scan("ECR Image Scan", "FAILED", 9, 9, "app")))).isEmpty();
            RulesConfig highOff = RulesConfigLoader.fromYaml("rules:\n  vulnerable-image-scan: {minHigh: 0}\n", "h.yaml");
            assertThat(eval(new VulnerableImageScan(), highOff,
                    CloudTrailRecords.decode(scan("ECR Image Scan", "COMPLETE", 0, 50, "app")))).isEmpty();
        }
    }

    @Test
    void everyRuleIdHasExactlyOneImplementation() {
        java.util.Set<String> implemented = new java.util.TreeSet<>();
        io.layerwatch.pipeline.RuleSet.singleEventRules().forEach(r -> assertThat(implemented.add(r.id())).isTrue());
        io.layerwatch.pipeline.RuleSet.cepRules().forEach(r -> assertThat(implemented.add(r.id())).isTrue());
        assertThat(implemented.add(FirstSeenPuller.ID)).isTrue();
        assertThat(implemented.add(UnexpectedImagePush.ID)).isTrue();
        assertThat(implemented.add(ImageTagOverwrite.ID)).isTrue();
        assertThat(implemented.add(WorkloadCredentialsOutside.ID)).isTrue();
        assertThat(implemented.add(io.layerwatch.patterns.AttackSequence.ID)).isTrue();
        java.util.Set<String> catalog = new java.util.TreeSet<>();
        RuleCatalog.ids().forEach(catalog::add);
        assertThat(implemented).isEqualTo(catalog);
    }
}
