package io.layerwatch.sinks.ocsf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layerwatch.finding.Finding;
import io.layerwatch.testing.IncidentFindings;
import io.layerwatch.util.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An incident as an OCSF Incident Finding (2005) that references its members' Detection Findings
 * (2004).
 */
class OcsfIncidentTest {

    static final List<Finding> MEMBERS = IncidentFindings.members();
    static final Finding INCIDENT = IncidentFindings.incident(MEMBERS);

    @Test
    void anIncidentIsAnIncidentFindingListingItsMembersByTheirDetectionFindingUids() {
        JsonNode e = Json.tree(OcsfMapper.line(INCIDENT));
        assertThat(e.path("class_uid").asInt()).isEqualTo(2005);
        assertThat(e.path("type_uid").asLong()).isEqualTo(200501L);
        assertThat(e.path("type_name").asText()).isEqualTo("Incident Finding: Create");
        assertThat(e.path("severity_id").asInt()).isEqualTo(5);
        assertThat(e.path("message").asText()).isEqualTo(INCIDENT.title());
        assertThat(e.path("desc").asText()).isEqualTo(IncidentFindings.STORY);
        assertThat(e.path("start_time").asLong())
                .isEqualTo(INCIDENT.firstEventTime().toEpochMilli());
        assertThat(e.path("end_time").asLong()).isEqualTo(INCIDENT.lastEventTime().toEpochMilli());
        assertThat(e.path("metadata").path("correlation_uid").asText()).isEqualTo(INCIDENT.id());

        List<String> memberUids = new ArrayList<>();
        for (Finding m :
                MEMBERS) { // each member as the sink emits it: a Detection Finding of its own
            JsonNode detection = Json.tree(OcsfMapper.line(m.inIncident(INCIDENT.id())));
            assertThat(detection.path("class_uid").asInt()).isEqualTo(2004);
            assertThat(detection.path("unmapped").path("details").path("incidentId").asText())
                    .isEqualTo(INCIDENT.id());
            memberUids.add(detection.path("finding_info").path("uid").asText());
        }
        JsonNode list = e.path("finding_info_list");
        List<String> listed = new ArrayList<>();
        list.forEach(info -> listed.add(info.path("uid").asText()));
        assertThat(listed).containsExactlyElementsOf(memberUids);
        assertThat(list.get(1).path("analytic").path("uid").asText())
                .isEqualTo("repository-exposed");
        assertThat(list.get(1).path("title").asText()).isEqualTo("payments-api made public");
        assertThat(list.get(2).path("first_seen_time").asLong())
                .isEqualTo(MEMBERS.get(2).firstEventTime().toEpochMilli());

        assertThat(e.path("attacks").findValuesAsText("uid"))
                .contains("TA0001", "TA0009", "TA0010", "T1537");
        assertThat(e.path("unmapped").path("principal").path("sessionName").asText())
                .isEqualTo("mallory");
        assertThat(e.has("actor")).as("Incident Finding has no actor attribute").isFalse();
        assertThat(OcsfSchema.V1_3_0.problems(e)).isEmpty();
        ((ObjectNode) e).remove("assignee_group");
        assertThat(OcsfSchema.V1_3_0.problems(e))
                .containsExactly("incident_finding needs one of [\"assignee\",\"assignee_group\"]");
    }

    @Test
    void laterVersionsAreUpdatesOfTheSameIncident() {
        JsonNode first =
                Json.tree(OcsfMapper.line(IncidentFindings.incident(MEMBERS.subList(0, 2)), false));
        JsonNode later = Json.tree(OcsfMapper.line(INCIDENT, true));
        assertThat(later.path("type_uid").asLong()).isEqualTo(200502L);
        assertThat(later.path("metadata").path("correlation_uid"))
                .isEqualTo(first.path("metadata").path("correlation_uid"));
        assertThat(later.path("metadata").path("uid"))
                .isNotEqualTo(first.path("metadata").path("uid"));
        assertThat(first.path("finding_info_list")).hasSize(2);
        assertThat(later.path("finding_info_list")).hasSize(3);
    }

    @Test
    void anOversizeIncidentLosesItsDetailsButStaysValid() {
        String line = OcsfMapper.line(INCIDENT, false, 2_500);
        JsonNode e = Json.tree(line);
        assertThat(e.path("unmapped").has("details")).isFalse();
        assertThat(e.path("unmapped").path("truncated").path("detailsOmitted").asBoolean())
                .isTrue();
        assertThat(e.path("finding_info_list")).hasSize(3);
        assertThat(OcsfSchema.V1_3_0.problems(e)).isEmpty();
    }
}
