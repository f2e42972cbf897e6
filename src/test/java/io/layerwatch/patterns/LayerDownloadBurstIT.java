package io.layerwatch.patterns;

import static io.layerwatch.pipeline.PipelineHarness.run;
import static io.layerwatch.testing.CloudTrailRecords.ACCOUNT;
import static io.layerwatch.testing.CloudTrailRecords.TIME;
import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.testing.MiniClusters;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** layer-download-burst: many distinct layers downloaded by one principal within the window. */
class LayerDownloadBurstIT {

    @RegisterExtension static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(2);

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
}
