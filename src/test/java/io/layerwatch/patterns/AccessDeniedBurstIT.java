package io.layerwatch.patterns;

import static io.layerwatch.pipeline.PipelineHarness.run;
import static io.layerwatch.testing.KeyedRuleFixtures.pull;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.testing.MiniClusters;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** access-denied-burst: repeated AccessDenied on pulls within the window. */
class AccessDeniedBurstIT {

    @RegisterExtension static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(2);

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
}
