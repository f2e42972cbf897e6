package io.layerwatch.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.layerwatch.config.LiveRules;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.config.RulesUpdate;
import io.layerwatch.config.Severity;
import io.layerwatch.event.EcrEvent;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.FindingBuilder;
import io.layerwatch.testing.CloudTrailRecords;
import java.util.List;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** Rules operators read the rules from broadcast state: an update applies to the next event. */
class UnderLiveRulesTest {

    static EcrEvent download(String role) {
        return CloudTrailRecords.record("GetDownloadUrlForLayer")
                .assumedRole(CloudTrailRecords.ACCOUNT, role, "s")
                .repositoryName("payments")
                .param("layerDigest", "sha256:1")
                .event();
    }

    @Test
    void singleEventRulesFollowLiveUpdates() throws Exception {
        try (BroadcastOperatorTestHarness<EcrEvent, RulesUpdate, Finding> h =
                ProcessFunctionTestHarnesses.forBroadcastProcessFunction(
                        new UnderLiveRules<>(
                                RulesConfigLoader.builtIn(), new SingleEventEvaluation(List.of())),
                        LiveRules.STATE)) {
            h.processElement(download("ci"), 1);
            assertThat(h.extractOutputValues())
                    .singleElement()
                    .satisfies(f -> assertThat(f.severity()).isEqualTo(Severity.LOW));

            h.processBroadcastElement(
                    new RulesUpdate(
                            "test",
                            "rules:\n  layer-download: {severity: HIGH}\n"
                                    + "allowlist:\n  principals: [\"*:role/ci\"]\n"),
                    2);
            h.processElement(download("ci"), 3);
            h.processElement(download("dev"), 4);
            assertThat(h.extractOutputValues())
                    .hasSize(2)
                    .last()
                    .satisfies(
                            f -> {
                                assertThat(f.severity()).isEqualTo(Severity.HIGH);
                                assertThat(f.principal().arn()).endsWith("role/dev");
                            });

            h.processBroadcastElement(
                    new RulesUpdate("test", "rules:\n  layer-download: {enabled: false}\n"), 5);
            h.processElement(download("dev"), 6);
            assertThat(h.extractOutputValues()).hasSize(2);
        }
    }

    @Test
    void cepFindingsFollowLiveUpdates() throws Exception {
        Finding burst =
                FindingBuilder.of(RulesConfigLoader.builtIn().rule("layer-download-burst"))
                        .event(download("dev"))
                        .title("burst")
                        .build();
        try (BroadcastOperatorTestHarness<Finding, RulesUpdate, Finding> h =
                ProcessFunctionTestHarnesses.forBroadcastProcessFunction(
                        new UnderLiveRules<>(RulesConfigLoader.builtIn(), new SettingsCheck()),
                        LiveRules.STATE)) {
            h.processElement(burst, 1);
            h.processBroadcastElement(
                    new RulesUpdate("t", "rules:\n  layer-download-burst: {severity: CRITICAL}\n"),
                    2);
            h.processElement(burst, 3);
            h.processBroadcastElement(
                    new RulesUpdate("t", "rules:\n  layer-download-burst: {enabled: false}\n"), 4);
            h.processElement(burst, 5);
            assertThat(h.extractOutputValues())
                    .extracting(Finding::severity)
                    .containsExactly(Severity.MEDIUM, Severity.CRITICAL);
        }
    }
}
