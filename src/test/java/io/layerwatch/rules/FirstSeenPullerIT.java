package io.layerwatch.rules;

import static io.layerwatch.pipeline.PipelineHarness.run;
import static io.layerwatch.testing.CloudTrailRecords.at;
import static io.layerwatch.testing.KeyedRuleFixtures.pull;
import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.RulesConfig;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.testing.MiniClusters;
import java.util.List;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** first-seen-puller on a MiniCluster: learning, then each new puller once. */
class FirstSeenPullerIT {

    @RegisterExtension static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(2);

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
