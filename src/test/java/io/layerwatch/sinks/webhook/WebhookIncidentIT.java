package io.layerwatch.sinks.webhook;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.finding.Finding;
import io.layerwatch.finding.Incident;
import io.layerwatch.sinks.delivery.Delivery;
import io.layerwatch.sinks.delivery.DeliveryClient;
import io.layerwatch.sinks.delivery.EntryResult;
import io.layerwatch.testing.FakeAws;
import io.layerwatch.testing.IncidentFindings;
import io.layerwatch.util.Json;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Incidents and their members posted to a webhook (WireMock): PagerDuty, Slack and a generic
 * template.
 */
class WebhookIncidentIT {

    @RegisterExtension static final FakeAws AWS = new FakeAws();

    static final List<Finding> MEMBERS = IncidentFindings.members();
    static final Finding INCIDENT = IncidentFindings.incident(MEMBERS);

    /**
     * The bodies the hook received for {@code findings}, sent one by one as the delivery layer
     * does.
     */
    static List<JsonNode> hook(WebhookTarget.Format format, String template, Finding... findings)
            throws Exception {
        AWS.server().stubFor(post("/hook").willReturn(aResponse().withStatus(202)));
        WebhookTarget target =
                new WebhookTarget(
                        new WebhookTarget.Settings(
                                "webhook",
                                format,
                                AWS.endpoint() + "/hook",
                                null,
                                "R0UTINGKEY",
                                Map.of(),
                                template,
                                Duration.ofSeconds(5),
                                null));
        try (DeliveryClient client = target.connect()) {
            for (Finding f : findings) {
                assertThat(
                                client.send(
                                        List.of(
                                                Delivery.of(
                                                        f.id(), target.encode(f), Json.write(f)))))
                        .containsExactly(EntryResult.DELIVERED);
            }
        }
        return AWS.server().findAll(postRequestedFor(urlEqualTo("/hook"))).stream()
                .map(r -> Json.tree(r.getBodyAsString()))
                .toList();
    }

    /**
     * The PagerDuty events of a member paged before the incident existed, the incident, and a
     * member that joined it.
     */
    List<JsonNode> pagerDutyEvents() throws Exception {
        Finding before = MEMBERS.get(0);
        Finding joined = MEMBERS.get(2).inIncident(INCIDENT.id());
        return hook(WebhookTarget.Format.PAGERDUTY, null, before, INCIDENT, joined);
    }

    @Test
    void pagerDutyPagesAnIncidentUnderItsIdWithItsStory() throws Exception {
        JsonNode incident = pagerDutyEvents().get(1);
        assertThat(incident.path("routing_key").asText()).isEqualTo("R0UTINGKEY");
        JsonNode payload = incident.path("payload");
        assertThat(payload.path("summary").asText())
                .isEqualTo(
                        "[CRITICAL] Incident: " + INCIDENT.title() + ": " + IncidentFindings.STORY);
        assertThat(payload.path("severity").asText()).isEqualTo("critical");
        assertThat(payload.path("class").asText()).isEqualTo("attack-sequence");
        JsonNode details = payload.path("custom_details");
        assertThat(details.path("incidentId").asText()).isEqualTo(INCIDENT.id());
        assertThat(details.path("when").asText())
                .isEqualTo("2026-03-02T10:00:00Z - 2026-03-02T10:50:00Z (50 min)");
        assertThat(details.path("steps")).hasSize(3);
        assertThat(details.path("steps").get(0).asText())
                .isEqualTo(
                        "1. 2026-03-02T10:00:00Z HIGH untrusted-network:"
                                + " ECR pulls on payments-api from an untrusted network (31 events)");
        assertThat(details.path("steps").get(1).asText())
                .startsWith("2. 2026-03-02T10:20:00Z CRITICAL repository-exposed");
        assertThat(Json.MAPPER.convertValue(details.path("memberIds"), List.class))
                .containsExactly("f-pull", "f-public", "f-replicate");
        assertThat(details.has("details"))
                .as("the raw details are replaced by the steps")
                .isFalse();
    }

    @Test
    void aMemberThatJoinedAnIncidentMergesIntoItsPage() throws Exception {
        List<JsonNode> bodies = pagerDutyEvents();
        assertThat(bodies)
                .extracting(b -> b.path("dedup_key").asText())
                .containsExactly(MEMBERS.get(0).id(), INCIDENT.id(), INCIDENT.id());
        JsonNode member = bodies.get(2).path("payload").path("custom_details");
        assertThat(member.path("findingId").asText()).isEqualTo("f-replicate");
        assertThat(member.path("incidentId").asText()).isEqualTo(INCIDENT.id());
        assertThat(bodies.get(0).path("payload").path("custom_details").has("incidentId"))
                .isFalse();
    }

    @Test
    void slackShowsTheStoryAndTheStepsInOrder() throws Exception {
        JsonNode body = hook(WebhookTarget.Format.SLACK, null, INCIDENT).get(0);
        assertThat(body.path("text").asText())
                .isEqualTo(
                        "[CRITICAL] Incident: " + INCIDENT.title() + ": " + IncidentFindings.STORY);
        JsonNode blocks = body.path("blocks");
        assertThat(blocks.get(0).path("text").path("text").asText())
                .startsWith("[CRITICAL] Incident: Attack sequence");
        assertThat(blocks.get(1).path("text").path("text").asText())
                .isEqualTo(IncidentFindings.STORY);
        assertThat(blocks.get(2).path("text").path("text").asText())
                .startsWith(
                        "*Steps* (3 findings of 3 rules):\n1. 2026-03-02T10:00:00Z HIGH untrusted-network")
                .containsSubsequence(
                        "\n2. ", "repository-exposed", "\n3. ", "replication-to-foreign-account")
                .contains(
                        "*Principals:* " + IncidentFindings.ROLE,
                        "*Source IPs:* 198.51.100.23",
                        "*Tactics:* TA0001 Initial Access, TA0009 Collection, TA0010 Exfiltration",
                        "*When:* 2026-03-02T10:00:00Z - 2026-03-02T10:50:00Z (50 min)");
        assertThat(blocks.get(3).toString()).contains("incident " + INCIDENT.id());

        JsonNode member =
                hook(WebhookTarget.Format.SLACK, null, MEMBERS.get(1).inIncident(INCIDENT.id()))
                        .get(1);
        assertThat(member.path("blocks").get(3).toString())
                .contains("part of incident " + INCIDENT.id());
    }

    @Test
    void genericTemplatesGetTheIncidentIdAndStory() throws Exception {
        String template =
                "{\"id\":\"{{id}}\",\"incident\":\"{{incidentId}}\",\"story\":\"{{story}}\"}";
        List<JsonNode> bodies =
                hook(
                        WebhookTarget.Format.GENERIC,
                        template,
                        INCIDENT,
                        MEMBERS.get(1).inIncident(INCIDENT.id()),
                        MEMBERS.get(0));
        assertThat(bodies.get(0))
                .isEqualTo(
                        Json.tree(
                                Json.write(
                                        Map.of(
                                                "id",
                                                INCIDENT.id(),
                                                "incident",
                                                INCIDENT.id(),
                                                "story",
                                                IncidentFindings.STORY))));
        assertThat(bodies.get(1))
                .isEqualTo(
                        Json.tree(
                                Json.write(
                                        Map.of(
                                                "id",
                                                "f-public",
                                                "incident",
                                                INCIDENT.id(),
                                                "story",
                                                ""))));
        assertThat(bodies.get(2).path("incident").asText()).isEmpty();

        JsonNode whole = hook(WebhookTarget.Format.GENERIC, null, INCIDENT).get(3);
        assertThat(Incident.of(Json.read(whole.toString(), Finding.class)))
                .isPresent()
                .isEqualTo(Incident.of(INCIDENT));
    }
}
