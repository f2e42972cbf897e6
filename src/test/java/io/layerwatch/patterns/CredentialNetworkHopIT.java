package io.layerwatch.patterns;

import static io.layerwatch.pipeline.PipelineHarness.run;
import static io.layerwatch.testing.KeyedRuleFixtures.NETWORKS;
import static io.layerwatch.testing.KeyedRuleFixtures.pull;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.finding.Finding;
import io.layerwatch.testing.MiniClusters;
import java.util.List;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** credential-network-hop: the same key from a trusted network, then an untrusted one. */
class CredentialNetworkHopIT {

    @RegisterExtension static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(2);

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
}
