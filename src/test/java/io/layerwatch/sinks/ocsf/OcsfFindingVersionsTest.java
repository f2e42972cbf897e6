package io.layerwatch.sinks.ocsf;

import static io.layerwatch.testing.CloudTrailRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.config.RulesConfigLoader;
import io.layerwatch.finding.Finding;
import io.layerwatch.rules.LayerDownload;
import io.layerwatch.rules.RegistryNotAssessed;
import io.layerwatch.util.Json;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The attack: keep a finding alive (more denied pulls fold into the episode, more activity in an
 * unassessed registry) so that every version reaches the SIEM as a new Create, a new alert each
 * time.
 */
class OcsfFindingVersionsTest {

    static KeyedOneInputStreamOperatorTestHarness<String, Finding, OcsfEvent> harness(
            OperatorSubtaskState restore) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new OcsfFindingVersions()),
                        Finding::id,
                        Types.STRING);
        if (restore != null) {
            h.initializeState(restore);
        }
        h.open();
        return h;
    }

    static List<JsonNode> send(
            KeyedOneInputStreamOperatorTestHarness<String, Finding, OcsfEvent> h, Finding... fs)
            throws Exception {
        h.getOutput().clear();
        for (Finding f : fs) {
            h.processElement(new StreamRecord<>(f));
        }
        return h.extractOutputValues().stream().map(e -> Json.tree(e.line())).toList();
    }

    static List<Integer> activities(List<JsonNode> events) {
        return events.stream().map(e -> e.path("activity_id").asInt()).toList();
    }

    /**
     * registry-not-assessed over one CreateRepository: one id per registry, one event per version.
     */
    static Finding notAssessed(String repository) {
        return new RegistryNotAssessed()
                .evaluate(
                        record("CreateRepository").repositoryName(repository).event(),
                        RulesConfigLoader.fromYaml(
                                        "rules:\n  registry-not-assessed:\n    registries: [\"111122223333:*\"]\n",
                                        "r.yaml")
                                .rule(RegistryNotAssessed.ID))
                .orElseThrow();
    }

    @Test
    void laterVersionsOfAFindingIdAreUpdatesNotNewFindings() throws Exception {
        Finding first = OcsfMapperTest.burst(7);
        Finding grown =
                first.withUpdate(
                        12,
                        first.lastEventTime().plusSeconds(60),
                        first.eventIds(),
                        first.details(),
                        first.evidence());
        var h = harness(null);
        List<JsonNode> events = send(h, first, grown, grown);
        assertThat(activities(events)).containsExactly(1, 2, 2);
        assertThat(events.get(1).path("type_uid").asLong()).isEqualTo(200402L);
        assertThat(events.get(1).path("activity_name").asText()).isEqualTo("Update");
        assertThat(events.get(1).path("finding_info").path("uid"))
                .isEqualTo(events.get(0).path("finding_info").path("uid"));

        // Single-event versions (nothing in the finding says "update"): still one Create per id.
        Finding registryA = notAssessed("app-a");
        Finding registryB = notAssessed("app-b");
        assertThat(registryB.id()).isEqualTo(registryA.id());
        assertThat(registryB.eventCount()).isEqualTo(1);
        assertThat(activities(send(h, registryA, registryB))).containsExactly(1, 2);

        // The ids seen survive a restart from a checkpoint.
        OperatorSubtaskState snapshot = h.snapshot(1, 1);
        h.close();
        var restored = harness(snapshot);
        Finding other =
                OcsfMapperTest.fire(
                        new LayerDownload(),
                        OcsfMapperTest.DEFAULTS,
                        OcsfMapperTest.download("sha256:other").event());
        assertThat(activities(send(restored, grown, notAssessed("app-c"), other)))
                .containsExactly(2, 2, 1);
        restored.close();
    }
}
