package io.layerwatch.patterns;

import static io.layerwatch.pipeline.PipelineHarness.run;
import static io.layerwatch.testing.CloudTrailRecords.at;
import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.finding.Finding;
import io.layerwatch.testing.CloudTrailRecords;
import io.layerwatch.testing.MiniClusters;
import java.util.List;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** policy-change-after-scan: a vulnerable scan, then a guardrail of its repository changed. */
class PolicyChangeAfterScanIT {

    @RegisterExtension static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(2);

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
}
