package io.layerwatch.sinks.ocsf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layerwatch.finding.Finding;
import io.layerwatch.rules.LayerDownload;
import io.layerwatch.sinks.remediation.AuditRecord;
import io.layerwatch.testing.IncidentFindings;
import io.layerwatch.util.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every OCSF event LayerWatch emits (findings of several rules, their updates, an AWS-service
 * actor, an incident, remediation records of every tactic and status) against the OCSF 1.3.0
 * extract: a consumer that validates by class must accept the whole stream.
 */
class OcsfSchemaTest {

    static List<JsonNode> emitted() {
        List<JsonNode> events = new ArrayList<>();
        List<Finding> findings = new ArrayList<>(OcsfMapperTest.findingsOfSeveralRules());
        findings.add(
                OcsfMapperTest.fire(
                        new LayerDownload(),
                        OcsfMapperTest.DEFAULTS,
                        OcsfMapperTest.download("sha256:a")
                                .awsService("replication.ecr.amazonaws.com")
                                .event()));
        Finding incident = IncidentFindings.incident(IncidentFindings.members());
        findings.add(incident);
        findings.add(IncidentFindings.members().get(0).inIncident(incident.id()));
        for (Finding f : findings) {
            events.add(Json.tree(OcsfEvent.of(f).line()));
            events.add(Json.tree(OcsfEvent.of(f, true).line()));
        }
        for (String[] r :
                new String[][] {
                    {
                        "quarantine-repository",
                        "arn:aws:ecr:us-east-1:111122223333:repository/payments",
                        AuditRecord.RESULT_EXECUTED
                    },
                    {
                        "revoke-sessions",
                        "arn:aws:iam::111122223333:role/x",
                        AuditRecord.RESULT_FAILED
                    },
                    {
                        "deny-layer-download",
                        "arn:aws:iam::111122223333:user/u",
                        AuditRecord.RESULT_DRY_RUN
                    },
                    {"notify", null, AuditRecord.RESULT_RATE_LIMITED}
                }) {
            events.add(
                    Json.tree(
                            OcsfEvent.of(OcsfRemediationTest.record(r[0], r[1], r[2], null))
                                    .line()));
        }
        events.add(
                Json.tree(
                        OcsfEvent.of(
                                        OcsfRemediationTest.record(
                                                "quarantine-repository",
                                                "r",
                                                AuditRecord.RESULT_UNDONE,
                                                "a0"))
                                .line()));
        return events;
    }

    @Test
    void everyEmittedEventConformsToItsOcsf130Class() {
        List<JsonNode> events = emitted();
        assertThat(events)
                .extracting(e -> e.path("type_uid").asLong())
                .contains(200401L, 200402L, 200501L, 200502L, 700101L, 700103L);
        for (JsonNode e : events) {
            assertThat(OcsfSchema.V1_3_0.problems(e))
                    .as(e.path("type_name").asText() + " " + e)
                    .isEmpty();
        }
    }

    /**
     * The checker catches what the sink used to emit: resources in 7001, 1.1.0-era and undeclared
     * attributes.
     */
    @Test
    void theCheckerRejectsWhatTheSchemaDoesNotDefine() {
        ObjectNode remediation =
                (ObjectNode)
                        Json.tree(
                                OcsfEvent.of(
                                                OcsfRemediationTest.record(
                                                        "quarantine-repository",
                                                        "r",
                                                        AuditRecord.RESULT_EXECUTED,
                                                        null))
                                        .line());
        remediation.putArray("resources").addObject().put("uid", "r");
        assertThat(OcsfSchema.V1_3_0.problems(remediation))
                .containsExactly(
                        "remediation_activity.resources is not an attribute of remediation_activity");

        ObjectNode finding = (ObjectNode) Json.tree(OcsfEvent.of(OcsfMapperTest.burst(3)).line());
        finding.put("activity_id", 7);
        finding.remove("finding_info");
        ((ObjectNode) finding.path("metadata")).putArray("profiles").add("cloud");
        ((ObjectNode) finding.path("actor").path("user")).removeAll().put("type_id", 1);
        assertThat(OcsfSchema.V1_3_0.problems(finding))
                .containsExactlyInAnyOrder(
                        "detection_finding.activity_id = 7 is not in its enum [0,1,2,3,99]",
                        "detection_finding.actor needs profile host in metadata.profiles",
                        "detection_finding.actor.user needs one of [\"account\",\"name\",\"uid\"]",
                        "detection_finding.finding_info is required");
    }
}
