package io.layerwatch.sinks.securityhub;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.layerwatch.config.RuleCatalog;
import io.layerwatch.config.Severity;
import io.layerwatch.finding.Finding;
import io.layerwatch.sinks.aws.AwsClientSettings;
import io.layerwatch.sinks.delivery.Delivery;
import io.layerwatch.sinks.delivery.DeliveryClient;
import io.layerwatch.sinks.delivery.EntryResult;
import io.layerwatch.testing.FakeAws;
import io.layerwatch.testing.IncidentFindings;
import io.layerwatch.util.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An incident and its members imported through the real SDK client (WireMock): RelatedFindings,
 * Types, Description.
 */
class SecurityHubIncidentIT {

    static final String HUB = "777788889999";
    static final String HUB_PRODUCT =
            "arn:aws:securityhub:eu-west-1:" + HUB + ":product/" + HUB + "/default";

    @RegisterExtension static final FakeAws AWS = new FakeAws();

    @BeforeEach
    void acceptImports() {
        AWS.server()
                .stubFor(
                        post(urlEqualTo(SecurityHubTargetIT.IMPORT))
                                .willReturn(okJson(SecurityHubTargetIT.OK)));
    }

    /**
     * What the hub received for {@code findings}, one import, in the hub account (the members' own
     * accounts differ).
     */
    static List<JsonNode> imported(List<Finding> findings) throws Exception {
        AwsClientSettings aws =
                new AwsClientSettings(
                        null, AWS.endpoint(), Duration.ofSeconds(5), Duration.ofSeconds(2));
        SecurityHubTarget target =
                new SecurityHubTarget(
                        SecurityHubTarget.Settings.defaults()
                                .withAws(aws)
                                .withHub(HUB, "eu-west-1"));
        List<Delivery> batch =
                findings.stream()
                        .map(f -> Delivery.of(f.id(), target.encode(f), Json.write(f)))
                        .toList();
        try (DeliveryClient client = target.connect()) {
            assertThat(client.send(batch)).containsOnly(EntryResult.DELIVERED);
        }
        List<JsonNode> out = new ArrayList<>();
        AWS.server()
                .findAll(postRequestedFor(urlEqualTo(SecurityHubTargetIT.IMPORT)))
                .forEach(r -> Json.tree(r.getBodyAsString()).path("Findings").forEach(out::add));
        return out;
    }

    @Test
    void theIncidentPointsAtItsMembersAsTheHubStoresThem() throws Exception {
        List<Finding> members = IncidentFindings.members();
        Finding incident = IncidentFindings.incident(members);
        List<Finding> all =
                new ArrayList<>(members.stream().map(m -> m.inIncident(incident.id())).toList());
        all.add(incident);

        List<JsonNode> sent = imported(all);
        Map<String, JsonNode> byId = new HashMap<>();
        sent.forEach(f -> byId.put(f.path("Id").asText(), f));
        JsonNode asff = byId.get(incident.id());
        assertThat(asff.path("GeneratorId").asText()).isEqualTo("layerwatch/attack-sequence");
        assertThat(asff.path("Severity").path("Label").asText()).isEqualTo("CRITICAL");
        JsonNode related = asff.path("RelatedFindings");
        assertThat(related).hasSize(3);
        for (int i = 0; i < 3; i++) {
            JsonNode member = byId.get(related.get(i).path("Id").asText());
            assertThat(member)
                    .as("related %s is a finding the hub received", related.get(i))
                    .isNotNull();
            assertThat(member.path("ProductArn").asText())
                    .isEqualTo(related.get(i).path("ProductArn").asText())
                    .isEqualTo(HUB_PRODUCT);
        }
        assertThat(related.findValuesAsText("Id"))
                .containsExactly("f-pull", "f-public", "f-replicate");
        assertThat(Json.MAPPER.convertValue(asff.path("Types"), List.class))
                .contains(
                        "TTPs/Initial Access",
                        "TTPs/Collection",
                        "TTPs/Collection/T1530 Data from Cloud Storage",
                        "Effects/Data Exfiltration");
        assertThat(asff.path("Description").asText())
                .isEqualTo(
                        IncidentFindings.STORY
                                + " (3 findings of 3 rules, 2026-03-02T10:00:00Z - 2026-03-02T10:50:00Z (50 min))");
        assertThat(asff.path("ProductFields").path("layerwatch/details/memberIds").asText())
                .isEqualTo("[\"f-pull\",\"f-public\",\"f-replicate\"]");
        assertThat(byId.get("f-pull").has("RelatedFindings")).isFalse();
    }

    /**
     * The imported ASFF of an incident of twelve members (every fourth critical) and a story far
     * over the description cap.
     */
    JsonNode importedBigIncident() throws Exception {
        List<Finding> members =
                new ArrayList<>(
                        IntStream.range(0, 12)
                                .mapToObj(
                                        i ->
                                                IncidentFindings.member(
                                                        "f-" + (char) ('a' + i),
                                                        RuleCatalog.UNTRUSTED_NETWORK,
                                                        i % 4 == 3
                                                                ? Severity.CRITICAL
                                                                : Severity.HIGH,
                                                        i * 10,
                                                        1))
                                .toList());
        Finding incident =
                IncidentFindings.incident(
                        IncidentFindings.INCIDENT_ID,
                        members,
                        "pulled from payments-api, then ".repeat(60));

        return imported(List.of(incident)).get(0);
    }

    @Test
    void overTenMembersTheMostSevereAreRelatedInTimeOrder() throws Exception {
        JsonNode asff = importedBigIncident();
        assertThat(asff.path("RelatedFindings").findValuesAsText("Id"))
                .containsExactly(
                        "f-a", "f-b", "f-c", "f-d", "f-e", "f-f", "f-g", "f-h", "f-i", "f-l");
        assertThat(SdkModelConverter.toSecurityFinding(asff.toString()).relatedFindings())
                .hasSize(10);
    }

    @Test
    void aStoryOverTheDescriptionCapIsCut() throws Exception {
        assertThat(importedBigIncident().path("Description").asText())
                .hasSize(AsffMapper.MAX_DESCRIPTION)
                .endsWith("\u2026");
    }
}
