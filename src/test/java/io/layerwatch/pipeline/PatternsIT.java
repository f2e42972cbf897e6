package io.layerwatch.pipeline;

import static io.layerwatch.pipeline.PipelineHarness.run;
import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.TIME;
import static io.layerwatch.testing.CloudTrailRecords.at;
import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.finding.Finding;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.testing.MiniClusters;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Positive and negative cases of the keyed rules (CEP patterns, first-seen-puller) on a
 * MiniCluster.
 */
class PatternsIT {

    @RegisterExtension static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(2);

    static final RulesConfig NETWORKS =
            RulesConfigLoader.fromYaml(
                    "allowlist:\n  trustedCidrs: [10.0.0.0/8]\n", "networks.yaml");

    static CloudTrailRecords.Builder pull(String role, String session, int minute, String ip) {
        return record("BatchGetImage")
                .assumedRole(ACCOUNT, role, session)
                .time(at(minute))
                .sourceIp(ip)
                .repositoryName("payments");
    }

    @Test
    void credentialHopFiresOnTrustedThenUntrustedOnly() throws Exception {
        List<String> hop =
                List.of(
                        pull("dev", "s", 0, "10.1.1.1").json(),
                        pull("dev", "s", 20, "198.51.100.9").json());
        List<Finding> found = run(NETWORKS, RuleCatalog.CREDENTIAL_NETWORK_HOP, hop);
        assertThat(found)
                .singleElement()
                .satisfies(
                        f -> {
                            assertThat(f.details())
                                    .containsEntry("trustedOrigin", "10.1.1.1")
                                    .containsEntry("secondsBetween", 1200);
                            assertThat(f.eventCount()).isEqualTo(2);
                        });
        // untrusted first, then trusted: no hop
        assertThat(
                        run(
                                NETWORKS,
                                RuleCatalog.CREDENTIAL_NETWORK_HOP,
                                List.of(
                                        pull("dev", "s", 0, "198.51.100.9").json(),
                                        pull("dev", "s", 20, "10.1.1.1").json())))
                .isEmpty();
        // outside the window (1h)
        assertThat(
                        run(
                                NETWORKS,
                                RuleCatalog.CREDENTIAL_NETWORK_HOP,
                                List.of(
                                        pull("dev", "s", 0, "10.1.1.1").json(),
                                        pull("dev", "s", 90, "198.51.100.9").json())))
                .isEmpty();
        // no trusted networks configured: inactive
        assertThat(run(RulesConfigLoader.builtIn(), RuleCatalog.CREDENTIAL_NETWORK_HOP, hop))
                .isEmpty();
    }

    @Test
    void accessDeniedBurstNeedsTheThresholdWithinTheWindow() throws Exception {
        List<String> denied = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            denied.add(
                    pull("intern", "bob", i, "10.9.9.9")
                            .error("AccessDeniedException", "not authorized")
                            .json());
        }
        assertThat(run(RulesConfigLoader.builtIn(), RuleCatalog.ACCESS_DENIED_BURST, denied))
                .singleElement()
                .satisfies(f -> assertThat(f.eventCount()).isEqualTo(10));
        assertThat(
                        run(
                                RulesConfigLoader.builtIn(),
                                RuleCatalog.ACCESS_DENIED_BURST,
                                denied.subList(0, 9)))
                .isEmpty();
        List<String> spread = new ArrayList<>();
        for (int i = 0; i < 10; i++) { // one every 2 minutes: never 10 within 10 minutes
            spread.add(pull("intern", "bob", i * 2, "10.9.9.9").error("AccessDenied", "no").json());
        }
        assertThat(run(RulesConfigLoader.builtIn(), RuleCatalog.ACCESS_DENIED_BURST, spread))
                .isEmpty();
    }

    @Test
    void burstHonoursThePrincipalAllowlist() throws Exception {
        List<String> downloads = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            downloads.add(
                    record("GetDownloadUrlForLayer")
                            .assumedRole(ACCOUNT, "ci-build", "b")
                            .time(TIME.plusSeconds(i))
                            .repositoryName("payments")
                            .param("layerDigest", "sha256:" + i)
                            .json());
        }
        assertThat(run(RulesConfigLoader.builtIn(), RuleCatalog.LAYER_DOWNLOAD_BURST, downloads))
                .hasSize(1);
        RulesConfig ci =
                RulesConfigLoader.fromYaml(
                        "rules:\n  layer-download-burst:\n    allowlist: {principals: [\"arn:aws:iam::*:role/ci-*\"]}\n",
                        "ci.yaml");
        assertThat(run(ci, RuleCatalog.LAYER_DOWNLOAD_BURST, downloads)).isEmpty();
        // the same layer 60 times is not 60 distinct layers
        List<String> same = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            same.add(
                    record("GetDownloadUrlForLayer")
                            .time(TIME.plusSeconds(i))
                            .repositoryName("payments")
                            .param("layerDigest", "sha256:same")
                            .json());
        }
        assertThat(run(RulesConfigLoader.builtIn(), RuleCatalog.LAYER_DOWNLOAD_BURST, same))
                .isEmpty();
    }

    static String scan(int minute, String repo, int critical) {
        return CloudTrailRecords.basicScan(
                "scan-" + repo + "-" + minute, at(minute), repo, critical);
    }

    @Test
    void policyChangeAfterVulnerableScan() throws Exception {
        RulesConfig c = RulesConfigLoader.builtIn();
        String setPolicy =
                record("SetRepositoryPolicy")
                        .repositoryName("payments")
                        .time(at(30))
                        .policyText("{\"Version\":\"2012-10-17\",\"Statement\":[]}")
                        .json();
        assertThat(
                        run(
                                c,
                                RuleCatalog.POLICY_CHANGE_AFTER_SCAN,
                                List.of(scan(0, "payments", 2), setPolicy)))
                .singleElement()
                .satisfies(
                        f -> {
                            assertThat(f.details())
                                    .containsEntry("change", "SetRepositoryPolicy")
                                    .containsEntry("changeScope", "repository");
                            assertThat(f.repository().name()).isEqualTo("payments");
                            assertThat(f.key()).startsWith("111122223333:us-east-1:payments|");
                        });
        // another repository's change, a clean scan, or a change past the window: nothing
        String otherRepo =
                record("DeleteRepositoryPolicy").repositoryName("billing").time(at(30)).json();
        assertThat(
                        run(
                                c,
                                RuleCatalog.POLICY_CHANGE_AFTER_SCAN,
                                List.of(scan(0, "payments", 2), otherRepo)))
                .isEmpty();
        assertThat(
                        run(
                                c,
                                RuleCatalog.POLICY_CHANGE_AFTER_SCAN,
                                List.of(scan(0, "payments", 0), setPolicy)))
                .isEmpty();
        String late =
                record("DeleteRepositoryPolicy")
                        .repositoryName("payments")
                        .time(at(25 * 60))
                        .json();
        assertThat(
                        run(
                                c,
                                RuleCatalog.POLICY_CHANGE_AFTER_SCAN,
                                List.of(scan(0, "payments", 2), late)))
                .isEmpty();
        // scan-on-push turned off counts; turned on does not
        String offScan =
                record("PutImageScanningConfiguration")
                        .repositoryName("payments")
                        .time(at(10))
                        .param(
                                "imageScanningConfiguration",
                                CloudTrailRecords.object("scanOnPush", false))
                        .json();
        String onScan =
                record("PutImageScanningConfiguration")
                        .repositoryName("payments")
                        .time(at(10))
                        .param(
                                "imageScanningConfiguration",
                                CloudTrailRecords.object("scanOnPush", true))
                        .json();
        assertThat(
                        run(
                                c,
                                RuleCatalog.POLICY_CHANGE_AFTER_SCAN,
                                List.of(scan(0, "payments", 2), offScan)))
                .hasSize(1);
        assertThat(
                        run(
                                c,
                                RuleCatalog.POLICY_CHANGE_AFTER_SCAN,
                                List.of(scan(0, "payments", 2), onScan)))
                .isEmpty();
    }

    @Test
    void registryWideChangeCountsForEveryVulnerableRepository() throws Exception {
        String registryPolicy =
                record("PutRegistryPolicy")
                        .time(at(30))
                        .policyText("{\"Version\":\"2012-10-17\",\"Statement\":[]}")
                        .json();
        List<Finding> found =
                run(
                        RulesConfigLoader.builtIn(),
                        RuleCatalog.POLICY_CHANGE_AFTER_SCAN,
                        List.of(
                                scan(0, "payments", 2),
                                scan(5, "billing", 3),
                                scan(6, "clean", 0),
                                registryPolicy));
        assertThat(found)
                .extracting(f -> f.key().split("\\|")[0])
                .containsExactlyInAnyOrder(
                        "111122223333:us-east-1:payments", "111122223333:us-east-1:billing");
        assertThat(found)
                .allSatisfy(f -> assertThat(f.details()).containsEntry("changeScope", "registry"));
        assertThat(found)
                .extracting(f -> f.repository().name())
                .containsExactlyInAnyOrder("payments", "billing");
    }

    @Test
    void firstSeenPullerLearnsFirstThenReportsNewPullersOnce() throws Exception {
        RulesConfig c =
                RulesConfigLoader.fromYaml(
                        "rules:\n  first-seen-puller: {learningPeriod: 1h}\n", "fs.yaml");
        List<String> records =
                List.of(
                        pull("app", "a", 0, "10.0.0.1").json(), // learning starts
                        pull("web", "w", 30, "10.0.0.2").json(), // learned quietly
                        pull("web", "w", 90, "10.0.0.2").json(), // known
                        pull("intruder", "x", 95, "10.0.0.3").json(), // new after learning: finding
                        pull("intruder", "x", 96, "10.0.0.3").json(), // only once
                        pull("intruder", "x", 97, "10.0.0.3").errorCode("AccessDenied").json());
        assertThat(run(c, RuleCatalog.FIRST_SEEN_PULLER, records))
                .singleElement()
                .satisfies(
                        f -> {
                            assertThat(f.principal().arn())
                                    .isEqualTo("arn:aws:iam::111122223333:role/intruder");
                            assertThat(f.firstEventTime()).isEqualTo(at(95));
                        });
        RulesConfig allow =
                RulesConfigLoader.fromYaml(
                        "rules:\n  first-seen-puller:\n    learningPeriod: 1h\n"
                                + "    allowlist: {principals: [\"*:role/intruder\"]}\n",
                        "fs2.yaml");
        assertThat(run(allow, RuleCatalog.FIRST_SEEN_PULLER, records)).isEmpty();
    }
}
